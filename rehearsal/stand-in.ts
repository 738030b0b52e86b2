// The rehearsal's stand-in: turns a synthesized cdk.tf.json into a configuration the real terraform
// binary runs with no provider plugin. Every resource and data source becomes a `terraform_data`
// (built into Terraform) at a recognisable address, `<type>__<name>` (`data__<type>__<name>` for a
// data source), so a plan of the stand-in maps back to the real addresses (realAddress). What the
// stand-in keeps of each resource:
// - its arguments: those the provider contract marks ForceNew (rehearsal/provider-contract.ts) go into
//   `triggers_replace`, so changing one plans a replace as the provider does; the rest into `input`,
//   so changing one plans an update in place;
// - its references: an attribute set in the configuration is known at plan time, as the provider's
//   is, so the reference is replaced by the referenced value (itself rewritten) and the dependency
//   kept in `depends_on`; an attribute the provider computes (`id`, `principal_id`, `vault_uri`, ...)
//   becomes the stand-in's `id`, unknown until created and new on every replace, as the provider's is;
// - `depends_on`, `count` / `for_each` and the lifecycle (`prevent_destroy`, `create_before_destroy`,
//   `ignore_changes`, `replace_triggered_by`); pre- and postconditions are dropped (they read
//   attributes only the provider knows);
// - Azure's rules (rehearsal/azure-rules.ts), as local-exec provisioners that fail as Azure fails
//   (rehearsal/azure-provisioners.ts), and a log of every create and destroy in $REHEARSAL_DIR/log.
// Provider blocks and the backend are dropped: the state is local, in the directory terraform runs in.
import { forceNewAttributes } from "./provider-contract";
import { hookFor, provisionersFor } from "./azure-provisioners";

/** A stand-in configuration and how its addresses map back. */
export interface StandIn {
  /** The Terraform JSON configuration (write it as main.tf.json). */
  readonly config: Record<string, unknown>;
  /** Real address (`azurerm_x.y`, `data.azurerm_x.y`) to stand-in address (`terraform_data.azurerm_x__y`). */
  readonly addresses: ReadonlyMap<string, string>;
}

/** Suffix of a helper resource that is no real resource (an update hook, azure-provisioners.ts). */
export const HOOK_SUFFIX = "__hook";

const META = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "//"]);

/** The stand-in address of a real one (`azurerm_x.y[0]` -> `terraform_data.azurerm_x__y[0]`). */
export function standInAddress(real: string): string {
  const match = /^(data\.)?([a-z0-9_]+)\.([^.[]+)(.*)$/.exec(real);
  if (!match) throw new Error(`not a resource address: ${real}`);
  return `terraform_data.${match[1] ? "data__" : ""}${match[2]}__${match[3]}${match[4]}`;
}

/** The real address of a stand-in address, or undefined for the stand-in's own helpers. */
export function realAddress(standIn: string): string | undefined {
  const match = /^terraform_data\.([^.[]+)(.*)$/.exec(standIn);
  if (!match || match[1].endsWith(HOOK_SUFFIX)) return undefined;
  const data = match[1].startsWith("data__");
  const name = data ? match[1].slice("data__".length) : match[1];
  const split = name.indexOf("__");
  if (split < 0) return undefined;
  return `${data ? "data." : ""}${name.slice(0, split)}.${name.slice(split + 2)}${match[2]}`;
}

interface Block {
  readonly kind: "resource" | "data";
  readonly type: string;
  readonly name: string;
  readonly body: Record<string, any>;
  readonly standIn: string; // the name below terraform_data
  readonly forceNew: ReadonlySet<string>;
}

/** Converts a synthesized stack (cdk.tf.json, parsed) into its stand-in. */
export function toStandIn(stack: Record<string, any>): StandIn {
  const blocks = new Map<string, Block>();
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries((stack[kind] ?? {}) as Record<string, Record<string, any>>)) {
      for (const [name, body] of Object.entries(byName)) {
        const real = `${kind === "data" ? "data." : ""}${type}.${name}`;
        const standIn = standInAddress(real).slice("terraform_data.".length);
        const forceNew = new Set(type === "terraform_data" ? ["triggers_replace"] : forceNewAttributes(type, kind));
        blocks.set(real, { kind, type, name, body, standIn, forceNew });
      }
    }
  }
  const resources: Record<string, unknown> = {};
  for (const [real, block] of blocks) {
    const rewriter = new Rewriter(blocks);
    const attributes = Object.fromEntries(Object.entries(block.body).filter(([key]) => !META.has(key)));
    const input: Record<string, unknown> = {};
    const triggers: Record<string, unknown> = {};
    if (block.type === "terraform_data") {
      if ("input" in attributes) input.value = rewriter.value(attributes.input);
      if ("triggers_replace" in attributes) triggers.value = rewriter.value(attributes.triggers_replace);
    } else {
      for (const [key, value] of Object.entries(attributes)) (block.forceNew.has(key) ? triggers : input)[key] = rewriter.value(value);
    }
    const body: Record<string, any> = {};
    if (block.body.count !== undefined) body.count = rewriter.value(block.body.count);
    if (block.body.for_each !== undefined) body.for_each = rewriter.value(block.body.for_each);
    body.input = input;
    if (Object.keys(triggers).length > 0) body.triggers_replace = triggers;
    const lifecycle = block.body.lifecycle as Record<string, any> | undefined;
    if (lifecycle) {
      const kept: Record<string, unknown> = {};
      for (const key of ["prevent_destroy", "create_before_destroy"]) if (lifecycle[key] !== undefined) kept[key] = lifecycle[key];
      if (lifecycle.ignore_changes !== undefined) {
        kept.ignore_changes =
          lifecycle.ignore_changes === "all"
            ? "all"
            : (lifecycle.ignore_changes as string[]).map((path) => {
                const top = path.split(/[.[]/)[0];
                return block.type === "terraform_data" ? path : `${block.forceNew.has(top) ? "triggers_replace" : "input"}.${path}`;
              });
      }
      if (lifecycle.replace_triggered_by !== undefined) kept.replace_triggered_by = (lifecycle.replace_triggered_by as string[]).map((r) => rewriter.trigger(r));
      if (Object.keys(kept).length > 0) body.lifecycle = kept;
    }
    const dependsOn = [...((block.body.depends_on ?? []) as string[]).map((d) => rewriter.dependency(d)), ...rewriter.dependencies];
    if (dependsOn.length > 0) body.depends_on = [...new Set(dependsOn)];
    body.provisioner = provisionersFor({ real, type: block.type, standIn: block.standIn, triggersKeys: Object.keys(triggers), inputKeys: Object.keys(input) });
    resources[block.standIn] = body;
    const hook = hookFor({ real, type: block.type, standIn: block.standIn, triggersKeys: Object.keys(triggers), inputKeys: Object.keys(input) });
    if (hook) resources[`${block.standIn}${HOOK_SUFFIX}`] = hook;
  }
  const config: Record<string, unknown> = {
    terraform: { required_version: ">= 1.5", backend: { local: { path: "terraform.tfstate" } } },
    resource: { terraform_data: resources },
  };
  if (stack.locals) config.locals = new Rewriter(blocks).value(stack.locals);
  // Variables the providers read (a TSIG secret): the stand-in has no provider, so none is required.
  if (stack.variable) {
    config.variable = Object.fromEntries(
      Object.entries(stack.variable as Record<string, Record<string, unknown>>).map(([name, v]) => [name, { ...(new Rewriter(blocks).value(v) as object), default: v.default ?? null, nullable: true }]),
    );
  }
  if (stack.output) {
    const rewriter = new Rewriter(blocks);
    config.output = Object.fromEntries(
      Object.entries(stack.output as Record<string, Record<string, unknown>>).map(([name, output]) => [
        name,
        { value: rewriter.value(output.value), ...(output.sensitive !== undefined ? { sensitive: output.sensitive } : {}) },
      ]),
    );
  }
  return { config, addresses: new Map([...blocks.entries()].map(([real, b]) => [real, `terraform_data.${b.standIn}`])) };
}

// A reference: [data.]type.name, an optional instance key, then attribute and index steps.
const REFERENCE = /(?<![\w.-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)((?:\[(?:\d+|"[^"]*"|\*)\])?)((?:\.[A-Za-z_][\w-]*|\[\d+\])*)/g;

/** Rewrites references to real resources into references to their stand-ins, collecting dependencies. */
class Rewriter {
  public readonly dependencies = new Set<string>();
  constructor(private readonly blocks: ReadonlyMap<string, Block>) {}

  /** A JSON value of the configuration, every template in it rewritten. */
  public value(value: unknown): unknown {
    if (typeof value === "string") {
      const whole = /^\$\{([^{}]*)\}$/.exec(value);
      if (whole) {
        const inlined = this.inline(whole[1].trim());
        if (inlined !== undefined) return inlined;
      }
      return this.template(value);
    }
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "//").map(([k, v]) => [k, this.value(v)]));
    return value;
  }

  /** A `depends_on` entry. */
  public dependency(address: string): string {
    const block = this.blocks.get(address);
    return block ? `terraform_data.${block.standIn}` : address;
  }

  /** A `replace_triggered_by` entry. */
  public trigger(reference: string): string {
    return reference.replace(REFERENCE, (text, data: string | undefined, type: string, name: string, key: string, chain: string) => {
      const block = this.blocks.get(`${data ?? ""}${type}.${name}`);
      if (!block) return text;
      const steps = chain.split(".").filter(Boolean);
      const base = `terraform_data.${block.standIn}${key}`;
      if (steps.length === 0) return base;
      if (steps[0] === "id" || !(steps[0] in block.body)) return `${base}.id`;
      return `${base}.${block.forceNew.has(steps[0]) ? "triggers_replace" : "output"}${chain}`;
    });
  }

  /** The configured value a whole-string reference names, rewritten; undefined when computed. */
  private inline(expression: string): unknown {
    REFERENCE.lastIndex = 0;
    const match = REFERENCE.exec(expression);
    if (!match || match[0] !== expression) return undefined;
    const [, data, type, name, key, chain] = match;
    const block = this.blocks.get(`${data ?? ""}${type}.${name}`);
    if (!block || key || block.body.count !== undefined || block.body.for_each !== undefined) return undefined;
    const configured = walk(block.body, chain);
    if (configured === undefined || (chain.split(".").filter(Boolean)[0] ?? "") === "id") return undefined;
    this.dependencies.add(`terraform_data.${block.standIn}`);
    return this.value(configured);
  }

  /** A template string: each reference inside `${...}` rewritten. */
  private template(text: string): string {
    let out = "";
    let i = 0;
    while (i < text.length) {
      const start = text.indexOf("${", i);
      if (start < 0 || (start > 0 && text[start - 1] === "$")) {
        if (start < 0) {
          out += text.slice(i);
          break;
        }
        out += text.slice(i, start + 2);
        i = start + 2;
        continue;
      }
      out += text.slice(i, start);
      const end = closing(text, start + 2);
      out += `\${${this.expression(text.slice(start + 2, end))}}`;
      i = end + 1;
    }
    return out;
  }

  /** An HCL expression: references to configured values inlined, others to the stand-in's id. */
  private expression(expression: string): string {
    // file("<asset>"): the stand-in runs without the synthesized assets; the path (which cdktf
    // names by the content's hash) stands for the content, so a changed script is still a change.
    const withoutFiles = expression.replace(/\bfile\(("[^"]*")\)/g, (_text, file: string) => `"file:${JSON.parse(file) as string}"`);
    return withoutFiles.replace(REFERENCE, (text, data: string | undefined, type: string, name: string, key: string, chain: string) => {
      const block = this.blocks.get(`${data ?? ""}${type}.${name}`);
      if (!block) return text;
      const steps = chain.split(".").filter(Boolean);
      const base = `terraform_data.${block.standIn}${key}`;
      if (steps.length === 0) return base;
      if (!key && block.body.count === undefined && block.body.for_each === undefined && steps[0] !== "id") {
        const configured = walk(block.body, chain);
        if (configured !== undefined) {
          this.dependencies.add(`terraform_data.${block.standIn}`);
          return `(${hcl(this.value(configured))})`;
        }
      }
      if (steps[0] !== "id" && steps[0] in block.body) return `${base}.${block.forceNew.has(steps[0]) ? "triggers_replace" : "output"}${chain}`;
      return `${base}.id`;
    });
  }
}

/** The configured value at an attribute chain (`.a.b[0]`), or undefined. */
function walk(body: Record<string, any>, chain: string): unknown {
  let value: any = body;
  for (const step of chain.match(/\.[A-Za-z_][\w-]*|\[\d+\]/g) ?? []) {
    if (value === null || typeof value !== "object") return undefined;
    value = step.startsWith(".") ? value[step.slice(1)] : Array.isArray(value) ? value[Number(step.slice(1, -1))] : undefined;
    if (value === undefined) return undefined;
  }
  return chain ? value : undefined;
}

/** Index of the `}` closing a template interpolation that starts at `from`. */
function closing(text: string, from: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new Error(`unterminated interpolation in ${JSON.stringify(text)}`);
}

/** A JSON value as an HCL expression (JSON strings are HCL templates already). */
function hcl(value: unknown): string {
  if (typeof value === "string") {
    const whole = /^\$\{([^{}]*)\}$/.exec(value);
    return whole ? whole[1] : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(hcl).join(", ")}]`;
  if (value && typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${hcl(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

/**
 * A JSON plan of a stand-in (terraform show -json) mapped back to the real resource types and
 * addresses: each stand-in's `input` and `triggers_replace` become the resource's arguments again
 * in change.before / change.after; the stand-in's own helpers are left out.
 */
export function realPlan(plan: Record<string, any>): Record<string, any> {
  const back = (value: unknown): unknown => {
    if (!value || typeof value !== "object") return value;
    const v = value as Record<string, unknown>;
    return { ...(v.input as object), ...(v.triggers_replace as object) };
  };
  const resourceChanges = ((plan.resource_changes ?? []) as Record<string, any>[]).flatMap((c) => {
    const address = realAddress(String(c.previous_address ?? c.address));
    if (!address) return [];
    const match = /^(data\.)?([a-z0-9_]+)\.([^.[]+)/.exec(address)!;
    return [{ ...c, address, previous_address: undefined, mode: match[1] ? "data" : "managed", type: match[2], name: match[3], change: { ...c.change, before: back(c.change.before), after: back(c.change.after) } }];
  });
  return { format_version: plan.format_version, terraform_version: plan.terraform_version, resource_changes: resourceChanges };
}
