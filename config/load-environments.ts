// Reads and validates every environment file, and turns every problem into one line that names the
// file, the field (and the line when known) and the fix. All problems are collected before anything
// is synthesized, so a bad file never produces partial output.
import * as fs from "fs";
import * as path from "path";
import { Document, LineCounter, isNode, parseDocument } from "yaml";
import * as z from "zod";
import { EnvironmentConfig, environmentSchema, environmentWarnings } from "./environment-schema";
import { closestName } from "./names";
import { sharedTargetClashes } from "./shared-targets";

/** One problem in one environment file. */
export interface ConfigProblem {
  /** File path as given (relative to the working directory when possible). */
  readonly file: string;
  /** Dotted field path, e.g. `clientCidrs[1]`; empty for the whole file. */
  readonly field: string;
  /** 1-based line of the field in the file, when known. */
  readonly line?: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Thrown when any environment file is invalid; carries every problem found. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

/** `environments/lab.yaml:12: clientCidrs[1]: "0.0.0.0/0" opens ...` */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}` : problem.file;
  return problem.field ? `${where}: ${problem.field}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** The environment files in `directory`: every `*.yaml` / `*.yml`, sorted by name. */
export function environmentFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) {
    throw new ConfigError([{ file: directory, field: "", message: "directory not found; create it with one <name>.yaml file per environment" }]);
  }
  return fs
    .readdirSync(directory)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(directory, f));
}

/**
 * Loads and validates every environment file in `directory`. Returns the environments when all are
 * valid; otherwise throws a {@link ConfigError} listing every problem in every file.
 */
export function loadEnvironments(directory: string): EnvironmentConfig[] {
  return loadEnvironmentFiles(directory).map((f) => f.environment);
}

/** A valid environment with where it came from, so later checks can point back at a field's line. */
export interface LoadedEnvironment {
  /** The validated environment. */
  readonly environment: EnvironmentConfig;
  /** File path as shown in messages. */
  readonly file: string;
  /** 1-based line of a field (dotted path segments), or of its nearest parent, when known. */
  lineOf(fieldPath: readonly PropertyKey[]): number | undefined;
  /** Problems that do not stop synthesis (e.g. placeholders), formatted like errors. */
  readonly warnings: readonly ConfigProblem[];
}

/**
 * Like {@link loadEnvironments}, keeping each file's name and line lookup. Also runs the checks
 * that span files (names Azure requires to be globally unique).
 */
export function loadEnvironmentFiles(directory: string): LoadedEnvironment[] {
  const files = environmentFiles(directory);
  if (files.length === 0) {
    throw new ConfigError([{ file: directory, field: "", message: "no environment files (*.yaml); copy environments/lab.yaml to start one" }]);
  }
  const problems: ConfigProblem[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const file of files) {
    const result = parseEnvironment(displayPath(file), fs.readFileSync(file, "utf8"));
    if (result.ok) loaded.push(result);
    else problems.push(...result.problems);
  }
  problems.push(...crossFileProblems(loaded));
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}

/**
 * Names Azure requires to be unique beyond one environment, repeated across environment files.
 * A Key Vault name is a DNS name under vault.azure.net, unique across Azure
 * (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name);
 * two stacks creating the same vault means the second apply fails with VaultAlreadyExists.
 * Two stacks writing one state blob (azurerm backend key) would overwrite each other's state.
 */
function crossFileProblems(loaded: readonly LoadedEnvironment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // keyOf: what must differ (case-insensitive, as Azure compares names); shown: the field's value.
  const unique = (what: string, field: readonly PropertyKey[], keyOf: (e: EnvironmentConfig) => string | undefined, fix: string, shown?: (e: EnvironmentConfig) => string): void => {
    const first = new Map<string, LoadedEnvironment>();
    for (const entry of loaded) {
      const keyValue = keyOf(entry.environment);
      if (keyValue === undefined) continue;
      const value = shown ? shown(entry.environment) : keyValue;
      // Stryker disable next-line MethodExpression: equivalent; folded to upper or to lower case, names that differ only in case compare equal (these names are ASCII)
      const key = keyValue.toLowerCase();
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, entry);
        continue;
      }
      problems.push({
        file: entry.file,
        field: formatPath(field),
        line: entry.lineOf(field),
        message: `${JSON.stringify(value)} is already the ${what} of ${earlier.file}; ${fix}`,
      });
    }
  };
  unique("Key Vault name", ["keyVault", "name"], (e) => (e.keyVault.create ? e.keyVault.name : undefined), "Key Vault names are unique across all of Azure, so give each environment its own vault name");
  // A resource group name is unique within a subscription, and a zone name within a resource group
  // (Terraform refuses to create a resource that already exists: "needs to be imported"). Files
  // without subscriptionId share ARM_SUBSCRIPTION_ID, so they are compared with each other.
  unique(
    "resource group (created) in the same subscription",
    ["resourceGroup", "name"],
    (e) => (e.resourceGroup.create ? `${e.subscriptionId ?? "ARM_SUBSCRIPTION_ID"}/${e.resourceGroup.name}` : undefined),
    "two stacks cannot both create one resource group, so give each environment its own resourceGroup.name",
    (e) => e.resourceGroup.name,
  );
  unique(
    "private DNS zone (created) in the same resource group",
    ["dns", "zoneName"],
    (e) => (e.dns.privateZone && e.dns.createZone ? `${e.subscriptionId ?? "ARM_SUBSCRIPTION_ID"}/${e.dns.zoneResourceGroup ?? e.resourceGroup.name}/${e.dns.zoneName}` : undefined),
    "two stacks cannot both create one zone, nor share one (each writes the _vlmcs._tcp SRV record); give each environment its own dns.zoneName, or publish one without a private zone (dns.privateZone: false)",
    (e) => e.dns.zoneName,
  );
  unique(
    "state blob",
    ["backend", "key"],
    (e) => (e.backend.type === "azurerm" ? `${e.backend.storageAccountName}/${e.backend.containerName}/${e.backend.key}` : undefined),
    "two stacks sharing one state blob overwrite each other's state, so give each environment its own backend.key",
  );
  // Things two stacks would both write: secrets in one vault, one RFC 2136 record set, one private zone's records (config/shared-targets.ts).
  for (const clash of sharedTargetClashes(loaded)) problems.push({ file: clash.entry.file, field: formatPath(clash.field), line: clash.entry.lineOf(clash.field), message: clash.message });
  return problems;
}

/** The outcome of validating one file. */
export type ParseResult = ({ ok: true } & LoadedEnvironment) | { ok: false; problems: ConfigProblem[] };

/** Validates the text of one environment file. `file` is used in messages and for the name check. */
export function parseEnvironment(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({
        file,
        field: "",
        line: lineCounter.linePos(error.pos[0]).line,
        message: `not valid YAML: ${error.message.split("\n")[0]}; fix the syntax at this line`,
      })),
    };
  }
  const data: unknown = document.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, problems: [{ file, field: "", message: "must be a YAML mapping of fields (name, location, ...); see environments/lab.yaml" }] };
  }
  const lineOf = (fieldPath: readonly PropertyKey[]): number | undefined => {
    const node = document.getIn(fieldPath as unknown[], true);
    const range = isNode(node) ? node.range : undefined;
    return range ? lineCounter.linePos(range[0]).line : lineOfParent(document, lineCounter, fieldPath);
  };

  const parsed = environmentSchema.safeParse(data, { reportInput: true });
  const problems: ConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(...describeIssue(file, issue, lineOf));
    }
  } else {
    const expectedName = path.basename(file).replace(/\.ya?ml$/, "");
    if (parsed.data.name !== expectedName) {
      problems.push({
        file,
        field: "name",
        line: lineOf(["name"]),
        message: `"${parsed.data.name}" must equal the file name "${expectedName}" (the stack is kms-<name>); rename the file or the field`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (!parsed.success) throw new Error("unreachable: schema failed without issues");
  const warnings = environmentWarnings(parsed.data).map((w) => ({ file, field: formatPath(w.path), line: lineOf(w.path), message: w.message }));
  return { ok: true, environment: parsed.data, file, lineOf, warnings };
}

function describeIssue(file: string, issue: z.core.$ZodIssue, lineOf: (p: readonly PropertyKey[]) => number | undefined): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(issue.path, issue.input);
    return issue.keys.map((key) => {
      // Field names are short: one edit in three still reads as a typo.
      const suggestion = closestName(key, allowed, 3);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `allowed fields here: ${allowed.join(", ")}`;
      return {
        file,
        field: formatPath([...issue.path, key]),
        line: lineOf([...issue.path, key]),
        message: `unknown field "${key}"; ${hint} (remove or rename it)`,
      };
    });
  }
  if (issue.code === "invalid_key") {
    // A mapping's key failed the key's own schema (a tag name too long, or empty): zod's message says
    // only "Invalid key in record"; the key's own issues say what is wrong with it and the fix.
    const key = issue.path[issue.path.length - 1];
    return issue.issues.flatMap((inner) => describeIssue(file, { ...inner, path: [...issue.path, ...inner.path], input: key } as z.core.$ZodIssue, lineOf));
  }
  const isDefaultMessage = /^(Invalid|Too (small|big)|Expected)/.test(issue.message);
  let message = issue.message;
  const discriminated = issue.code === "invalid_union" ? (issue as { discriminator?: string; options?: unknown[] }) : undefined;
  if (discriminated?.discriminator && discriminated.options && issue.input !== null && typeof issue.input === "object") {
    const value = (issue.input as Record<string, unknown>)[discriminated.discriminator];
    const allowed = discriminated.options.map((o) => JSON.stringify(o)).join(" or ");
    message = value === undefined ? `required field is missing; add it (${allowed})` : `${describeValue(value)} is not allowed; use ${allowed}`;
  } else if (issue.input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union")) {
    const description = descriptionAt(issue.path);
    message = `required field is missing; add it${description ? ` (${description})` : ""}`;
  } else if (!isDefaultMessage && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    // A schema that wrote its own message for this field knows the fix better than a generic hint.
    message = issue.message;
  } else if (issue.code === "invalid_type") {
    message = `expected ${issue.expected}, got ${describeValue(issue.input)}; ${hintForType(issue.expected)}`;
  } else if (issue.code === "invalid_value") {
    message = `${describeValue(issue.input)} is not allowed; use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  } else if (issue.code === "too_small" || issue.code === "too_big") {
    const bound = issue.code === "too_small" ? `use at least ${String(issue.minimum)}` : `use at most ${String(issue.maximum)}`;
    const fix = isDefaultMessage ? bound : issue.message;
    if (typeof issue.input === "number") message = `${issue.input} is out of range; ${fix}`;
    else if (typeof issue.input === "string") message = `${describeValue(issue.input)} is too ${issue.code === "too_big" ? "long" : "short"}; ${fix}`;
    else message = fix;
  } else if (issue.code === "invalid_format") {
    message = `${describeValue(issue.input)} is not valid; ${isDefaultMessage ? `expected ${issue.format}` : issue.message}`;
  } else if (issue.code === "invalid_union") {
    message = `${describeValue(issue.input)} matches none of the allowed forms; see environments/environment.schema.json`;
  }
  return [{ file, field: formatPath(issue.path), line: lineOf(issue.path), message }];
}

function hintForType(expected: string): string {
  switch (expected) {
    case "number":
      return "write a plain number without quotes";
    case "boolean":
      return "write true or false without quotes";
    case "string":
      return "write a text value (quote it if it looks like a number)";
    case "array":
      return "write a YAML list (one '- item' per line)";
    case "object":
    case "record":
      return "write a YAML mapping of fields";
    default:
      return "see environments/environment.schema.json";
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** `hosts.privateIpAddresses[1]` */
export function formatPath(fieldPath: readonly PropertyKey[]): string {
  return fieldPath.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    const name = String(key);
    // A key that a dotted path would hide (empty, or with dots, spaces or brackets: tag names can be anything) in quotes.
    if (!PLAIN_KEY.test(name)) return `${text}[${JSON.stringify(name)}]`;
    return text ? `${text}.${name}` : name;
  }, "");
}

/** A mapping key written as it is in a field path: a name of letters, digits, '_' and '-', as every schema field and most tag names are. */
const PLAIN_KEY = /^[\p{L}_][\p{L}\p{N}_-]*$/u;

/** The zod schema node at a data path, inside its .optional() and .default() wrappers. */
function schemaAt(fieldPath: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let node: z.core.$ZodType | undefined = environmentSchema;
  for (const key of fieldPath) {
    if (!node) return undefined;
    node = unwrap(node);
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (def.type === "object" && typeof key === "string") {
      node = (def.shape as Record<string, z.core.$ZodType>)[key];
    } else if (def.type === "array" && typeof key === "number") {
      node = def.element as z.core.$ZodType;
    } else if (def.type === "union" && typeof key === "string") {
      node = (def.options as z.core.$ZodType[]).map((o) => (unwrap(o)._zod.def as unknown as Record<string, unknown>).shape as Record<string, z.core.$ZodType> | undefined).find((shape) => shape && key in shape)?.[key];
    } else {
      return undefined;
    }
  }
  return node && unwrap(node);
}

/**
 * The schema inside the wrappers the environment schema uses, .optional() and .default() (a schema
 * given .nullable(), .prefault() or a transform would need its wrapper added here).
 */
function unwrap(node: z.core.$ZodType): z.core.$ZodType {
  let current: z.core.$ZodType = node;
  for (;;) {
    const def = current._zod.def as unknown as Record<string, unknown>;
    if (def.type !== "optional" && def.type !== "default") return current;
    current = def.innerType as z.core.$ZodType;
  }
}

/**
 * The fields allowed at a data path. For a mapping that is one of several forms told apart by a field
 * (backend's type), the fields of the form `value` chose; of every form when it chose none.
 */
function allowedKeysAt(fieldPath: readonly PropertyKey[], value: unknown): string[] {
  const node = schemaAt(fieldPath);
  if (!node) return [];
  const def = node._zod.def as unknown as Record<string, unknown>;
  if (def.type === "object") return Object.keys(def.shape as object).filter((k) => k !== "$schema");
  if (def.type === "union") {
    const shapes = (def.options as z.core.$ZodType[]).map((o) => ((unwrap(o)._zod.def as unknown as Record<string, unknown>).shape ?? {}) as Record<string, z.core.$ZodType>);
    const discriminator = def.discriminator as string | undefined;
    const chosen = discriminator !== undefined && value !== null && typeof value === "object" ? (value as Record<string, unknown>)[discriminator] : undefined;
    /** The form whose discriminator is the literal `chosen`. */
    const isChosen = (shape: Record<string, z.core.$ZodType>): boolean => {
      const literal = discriminator === undefined ? undefined : (shape[discriminator]?._zod.def as unknown as { type: string; values: unknown[] } | undefined);
      return literal?.type === "literal" && literal.values.includes(chosen);
    };
    const selected = shapes.filter(isChosen);
    return [...new Set((selected.length > 0 ? selected : shapes).flatMap((shape) => Object.keys(shape)))];
  }
  return [];
}

function descriptionAt(fieldPath: readonly PropertyKey[]): string | undefined {
  let node: z.core.$ZodType | undefined = environmentSchema;
  // Descriptions sit on the outermost wrapper, so look the field up without unwrapping the leaf.
  const parent = schemaAt(fieldPath.slice(0, -1));
  const last = fieldPath[fieldPath.length - 1];
  if (parent && typeof last === "string") {
    const def = parent._zod.def as unknown as Record<string, unknown>;
    node = def.type === "object" ? (def.shape as Record<string, z.core.$ZodType>)[last] : undefined;
  }
  return node ? z.globalRegistry.get(node)?.description : undefined;
}

/** For a missing field, the line of the nearest existing parent mapping. */
function lineOfParent(document: Document, lineCounter: LineCounter, fieldPath: readonly PropertyKey[]): number | undefined {
  for (let depth = fieldPath.length - 1; depth > 0; depth--) {
    const node = document.getIn(fieldPath.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
