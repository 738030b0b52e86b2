import { Aspects, TerraformAsset, TerraformElement, TerraformOutput, TerraformStack, Tokenization } from "cdktf";
// cdktf's own merge of element fragments (TerraformStack.toTerraform uses it); cdktf 0.21.0 is
// pinned and archived, so this internal path cannot move.
import { deepMerge } from "cdktf/lib/util";
import { RESOLVER, type JsonObject } from "./config";
import { hasPolicyGate } from "./policy-gate";

// What `app.synth()` does per stack (cdktf lib/app.js, lib/synthesize/synthesizer.js):
//   1. TerraformStack.prepareStack(): resolves every element with `preparing: true`, which is how
//      cdktf finds cross-stack references, and throws the result away;
//   2. invokeAspects(stack): the policy pack's visitStack resolves the whole stack again
//      (stack.toTerraform()) to check it;
//   3. stack.toTerraform() once more, for cdk.tf.json (after the aspects, which may change things).
// A stack that prepares through prepareKeepingResolution does step 1 exactly as cdktf does and keeps
// the fragments; the pack then builds its view from them instead of repeating step 2's resolution,
// and step 3 reuses them too (takePreparedStackTerraform) when every aspect that ran reported what
// it changed: only those elements are resolved again.
// A preparing resolution gives the same values as a plain one: `preparing` changes only how a
// reference to another stack's resource is registered (cdktf lib/tfExpression.js, Reference.resolve),
// and the reference resolves to the same string either way.

/**
 * Marks an aspect that reports, through {@link markChangedSincePreparation}, every element it
 * changes. While every aspect in a stack is one of these, the kept resolution of the elements they
 * did not report is still what a fresh resolution would give (see {@link takePreparedStackTerraform}).
 */
export const REPORTS_CHANGES: unique symbol = Symbol.for("azure-kms-host/aspect-reports-changes");

/** An aspect that reports every element it changes (see {@link REPORTS_CHANGES}). */
export interface ChangeReportingAspect {
  readonly [REPORTS_CHANGES]: true;
}

interface KeptResolution {
  /** Each element's resolved fragment; an element changed since the preparation has none. */
  readonly fragments: Map<TerraformElement, JsonObject>;
  /** Whether the policy pack has taken its view (it may, once). */
  viewTaken: boolean;
}

const prepared = new WeakMap<TerraformStack, KeptResolution>();

// cdktf's marker of a construct with its own synthesis step (lib/synthesize/synthesizer.js,
// addCustomSynthesis), which runs after the aspects and before stack.toTerraform().
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");

/** The stack's own elements, in cdktf's order (lib/terraform-stack.js terraformElements): not those of nested stacks. */
function terraformElements(node: TerraformStack | TerraformElement | import("constructs").IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (TerraformStack.isStack(child)) continue;
    terraformElements(child, into);
  }
  return into;
}

/**
 * `TerraformStack.prepareStack()` as cdktf 0.21.0 does it (make sure a backend exists, resolve every
 * element with `preparing: true`), keeping each element's resolved fragment for
 * {@link takePreparedTerraform} and {@link takePreparedStackTerraform}.
 */
export function prepareKeepingResolution(stack: TerraformStack): void {
  stack.ensureBackendExists();
  const fragments = new Map<TerraformElement, JsonObject>();
  for (const element of terraformElements(stack)) {
    fragments.set(element, Tokenization.resolve(element.toTerraform(), { scope: stack, preparing: true, resolver: RESOLVER }) as JsonObject);
  }
  prepared.set(stack, { fragments, viewTaken: false });
}

/**
 * Tells the stack's kept resolution that `element` changed since the preparation, so its fragment
 * is resolved afresh. Every aspect marked with {@link REPORTS_CHANGES} calls it for each element it
 * changes. Does nothing for a stack that kept no resolution.
 */
export function markChangedSincePreparation(element: TerraformElement): void {
  prepared.get(element.cdktfStack)?.fragments.delete(element);
}

/** The fragments merged as stack.toTerraform() merges them; an element without one is resolved now. */
function merge(stack: TerraformStack, elements: readonly TerraformElement[], fragments: ReadonlyMap<TerraformElement, JsonObject>, into: Record<string, unknown>): Record<string, unknown> {
  for (const element of elements) {
    deepMerge(into, fragments.get(element) ?? Tokenization.resolve(element.toTerraform(), { scope: stack, resolver: RESOLVER }));
  }
  return into;
}

/**
 * The stack's configuration as `stack.toTerraform()` gives it (without the "//" metadata), built
 * from the fragments kept at preparation; undefined when the stack was not prepared that way. For
 * the policy pack, once: a second call (a second synth) returns undefined. Elements added since the
 * preparation (a cross-stack output another stack's preparation created here) are resolved now.
 */
export function takePreparedTerraform(stack: TerraformStack): JsonObject | undefined {
  const kept = prepared.get(stack);
  if (!kept || kept.viewTaken) return undefined;
  kept.viewTaken = true;
  const terraform = merge(stack, terraformElements(stack), kept.fragments, {});
  applyStackOverrides(stack, terraform);
  return terraform;
}

/**
 * Stack-level escape hatches (stack.addOverride) go last, unresolved, as toTerraform merges them
 * (an undefined value deletes); then the parts they touched are resolved (resolving resolved
 * values changes nothing). cdktf keeps them in a private field; TypeScript's `private` only hides
 * it from the compiler.
 */
// Stryker disable next-line ArrayDeclaration: equivalent; a key the configuration does not have is skipped below
function applyStackOverrides(stack: TerraformStack, terraform: Record<string, unknown>, alsoResolve: readonly string[] = []): void {
  const rawOverrides = (stack as unknown as { rawOverrides: Record<string, unknown> }).rawOverrides;
  deepMerge(terraform, rawOverrides);
  for (const key of [...alsoResolve, ...Object.keys(rawOverrides)]) {
    // Stryker disable next-line ConditionalExpression: equivalent; a key deepMerge deleted (an undefined override) resolves to undefined again
    if (!(key in terraform)) continue;
    const resolved = Tokenization.resolve(terraform[key], { scope: stack, resolver: RESOLVER });
    if (resolved === undefined) delete terraform[key];
    else terraform[key] = resolved;
  }
}

/**
 * Whether the kept fragments are still what resolving the elements now gives: every aspect
 * anywhere in the stack reports its changes (REPORTS_CHANGES), and the only constructs with a
 * synthesis step of their own are cdktf's file assets (TerraformAsset copies its file; it changes
 * no element) and the policy gate (policy-gate.ts: it reads annotations, it changes nothing). Anything else may have changed any element after the preparation.
 */
function keptFragmentsCurrent(stack: TerraformStack): boolean {
  return stack.node.findAll().every((construct) => {
    if ((construct as unknown as Record<symbol, unknown>)[CUSTOM_SYNTHESIS] !== undefined && !(construct instanceof TerraformAsset) && !hasPolicyGate(construct)) return false;
    return Aspects.of(construct).all.every((aspect) => (aspect as Partial<ChangeReportingAspect>)[REPORTS_CHANGES] === true);
  });
}

/**
 * `stack.toTerraform()` (cdktf 0.21.0 lib/terraform-stack.js, as patched: patches/README.md) from the
 * fragments kept at preparation, when they are provably current ({@link keptFragmentsCurrent});
 * undefined otherwise, and for a stack that kept none. Once: the kept resolution is dropped.
 * Elements added or changed since the preparation are resolved now.
 */
export function takePreparedStackTerraform(stack: TerraformStack): Record<string, unknown> | undefined {
  const kept = prepared.get(stack);
  if (!kept) return undefined;
  prepared.delete(stack);
  if (!keptFragmentsCurrent(stack)) return undefined;
  const cdktf = stack as unknown as { cdktfVersion: string; rawOverrides: Record<string, unknown> };
  const elements = terraformElements(stack);
  const metadata: Record<string, unknown> = {
    version: cdktf.cdktfVersion,
    stackName: stack.node.id,
    // Stryker disable next-line StringLiteral: equivalent; the stack's backend (prepareKeepingResolution made sure of one) sets it from its own metadata below
    backend: "local",
    cloud: undefined,
    ...(Object.keys(cdktf.rawOverrides).length > 0 ? { overrides: { stack: Object.keys(cdktf.rawOverrides) } } : {}),
  };
  // Stryker disable next-line ObjectLiteral: equivalent; element metadata (backend names, override paths: cdktf lib/terraform-element.js toMetadata) holds no tokens
  for (const element of elements) deepMerge(metadata, Tokenization.resolve(element.toMetadata(), { scope: stack, resolver: RESOLVER }));
  const outputs: Record<string, unknown> = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    deepMerge(
      outputs,
      element.node.path.split("/").reduceRight<Record<string, unknown>>((inner, part) => ({ [part]: Object.keys(inner).length === 0 ? element.friendlyUniqueId : inner }), {}),
    );
  }
  const terraform = merge(stack, elements, kept.fragments, { "//": { metadata, outputs } });
  applyStackOverrides(stack, terraform, ["//"]);
  return terraform;
}
