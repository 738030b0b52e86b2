// Azure DevOps YAML as the service sees it after template expansion, for
// test/pipeline/azure-devops.test.ts. The service expands `- template: <file>` items (with their
// `parameters:`) and `${{ }}` template expressions at compile time, then validates the result
// (learn.microsoft.com/azure/devops/pipelines/process/templates, ".../template-expressions").
// This expander knows only the constructs the templates under pipelines/azure-devops/ use, and
// throws on anything else (an unknown expression or parameter), so that nothing passes unexpanded:
//   - `- template: <path>` items in stages, jobs and steps lists, with `parameters:` checked against
//     the template's declared parameters (an unknown one, or a missing one without a default, is an
//     error, as in the service);
//   - `${{ parameters.<name> }}` and `${{ replace(parameters.<name>, '<a>', '<b>') }}` in values.
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { parse } from "yaml";

type Yaml = unknown;
interface Declared {
  readonly name: string;
  readonly type?: string;
  readonly default?: unknown;
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

function evaluate(expression: string, parameters: Record<string, unknown>, where: string): unknown {
  const lookup = (name: string): unknown => {
    if (!(name in parameters)) throw new Error(`${where}: \${{ ${expression} }} names parameters.${name}, which the template does not declare`);
    return parameters[name];
  };
  let match = /^parameters\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression);
  if (match) return lookup(match[1]);
  match = /^replace\(parameters\.([A-Za-z_][A-Za-z0-9_]*),\s*'([^']*)',\s*'([^']*)'\)$/.exec(expression);
  if (match) return String(lookup(match[1])).split(match[2]).join(match[3]);
  throw new Error(`${where}: the test's expander does not know the template expression \${{ ${expression} }}; extend test/support/azure-pipelines.ts`);
}

function substitute(value: Yaml, parameters: Record<string, unknown>, where: string): Yaml {
  if (typeof value === "string") {
    const whole = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(value);
    if (whole) return evaluate(whole[1], parameters, where);
    return value.replace(EXPRESSION, (_, expression: string) => String(evaluate(expression, parameters, where)));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, parameters, where));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => {
      if (key.includes("${{")) throw new Error(`${where}: the test's expander does not support template expressions in keys (${key})`);
      return [key, substitute(item, parameters, where)];
    }));
  }
  return value;
}

function bind(declared: readonly Declared[], given: Record<string, unknown>, file: string): Record<string, unknown> {
  const names = declared.map((d) => d.name);
  const unknown = Object.keys(given).filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`${file}: unexpected parameter(s) ${unknown.join(", ")}; the template declares ${names.join(", ")}`);
  const values: Record<string, unknown> = {};
  for (const d of declared) {
    if (d.name in given) values[d.name] = given[d.name];
    else if ("default" in d) values[d.name] = d.default;
    else throw new Error(`${file}: parameter ${d.name} has no default and is not given`);
  }
  return values;
}

/** Expands `- template:` items of every list under `key` (stages, jobs, steps) in `value`, recursively. */
function expandTemplates(value: Yaml, file: string, used: Set<string>): Yaml {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (item !== null && typeof item === "object" && "template" in item && typeof (item as { template: unknown }).template === "string") {
        const { template, parameters = {} } = item as { template: string; parameters?: Record<string, unknown> };
        const target = path.resolve(path.dirname(file), template);
        if (!fs.existsSync(target)) throw new Error(`${file}: template ${template} not found (${target})`);
        used.add(target);
        const document = parse(fs.readFileSync(target, "utf8")) as Record<string, unknown>;
        const values = bind((document.parameters ?? []) as Declared[], parameters, target);
        const list = (["stages", "jobs", "steps"] as const).find((k) => k in document);
        if (!list) throw new Error(`${target}: a template with neither stages, jobs nor steps`);
        const body = substitute(document[list], values, target);
        return expandTemplates(body, target, used) as unknown[];
      }
      return [expandTemplates(item, file, used)];
    });
  }
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandTemplates(v, file, used)]));
  return value;
}

/** A pipeline file with every template expanded and its runtime parameters at their defaults; `templates` lists the files it used. */
export function expandPipeline(file: string): { pipeline: Record<string, unknown>; templates: string[] } {
  const document = parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const declared = (document.parameters ?? []) as Declared[];
  const values = bind(declared, {}, file);
  const rest = { ...document };
  delete rest.parameters;
  const used = new Set<string>();
  const pipeline = expandTemplates(substitute(rest, values, file), file, used) as Record<string, unknown>;
  return { pipeline, templates: [...used] };
}

const SCHEMA_FILE = path.join(__dirname, "..", "fixtures", "pipeline", "azure-pipelines-schema.json");

/** The vendored schema (see its x-source) and a validator of whole pipelines against it. */
export function pipelineSchema(): { schema: Record<string, any>; validate: (pipeline: unknown) => string[] } {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as Record<string, any>;
  // strict: false: the schema carries the editor's own keywords (firstProperty, ignoreCase,
  // aliases, doNotSuggest, deprecationMessage), which are annotations, not assertions.
  // unicodeRegExp: false: the schema's patterns are written for JavaScript's plain RegExp (one escapes ":", which the
  // u flag refuses).
  const ajv = new Ajv({ strict: false, allErrors: false, unicodeRegExp: false });
  const check = ajv.compile(schema);
  return {
    schema,
    validate: (pipeline) => (check(typedAsTheSchemaWants(pipeline)) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`)),
  };
}

/**
 * The schema types the pipeline's own scalars as strings (its `boolean` is a string matching
 * true/false/yes/..., with ignoreCase), but a task step's as JSON types (continueOnError: boolean,
 * timeoutInMinutes: integer, an input's type: boolean): scalars become strings except inside task
 * steps, as the editor's YAML language server reads them.
 */
function typedAsTheSchemaWants(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typedAsTheSchemaWants);
  if (value !== null && typeof value === "object") {
    if ("task" in value) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typedAsTheSchemaWants(v)]));
  }
  return typeof value === "boolean" || typeof value === "number" ? String(value) : value;
}

/** One task step found in an expanded pipeline. */
export interface TaskStep {
  readonly where: string;
  readonly task: string;
  readonly inputs: Record<string, unknown>;
}

/** Every step (task, bash, download, checkout...) of every job of every stage, with where it is. */
export function stepsOf(pipeline: Record<string, unknown>): { where: string; step: Record<string, unknown> }[] {
  const found: { where: string; step: Record<string, unknown> }[] = [];
  const visit = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${where}[${i}]`));
    else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (key === "steps" && Array.isArray(item)) item.forEach((step, i) => found.push({ where: `${where}.steps[${i}]`, step: step as Record<string, unknown> }));
        else visit(item, `${where}.${key}`);
      }
    }
  };
  visit(pipeline, "");
  return found;
}

/**
 * Problems of one task step against the schema's definition of that task (name@version known,
 * every input declared, the required ones present, enumerated values allowed), named plainly; the
 * schema's anyOf over every task would only say "must match a schema in anyOf".
 */
export function taskProblems(schema: Record<string, any>, where: string, step: Record<string, unknown>): string[] {
  const name = String(step.task);
  const definitions = schema.definitions.task.anyOf as { properties: { task: { pattern: string }; inputs: { properties: Record<string, any>; required?: string[] } }; required?: string[] }[];
  const definition = definitions.find((d) => new RegExp(d.properties.task.pattern, "i").test(name));
  if (!definition) return [`${where}: task ${name} is not in the schema (a typo, a version that does not exist, or a task to add to the extract)`];
  const problems: string[] = [];
  const inputs = (step.inputs ?? {}) as Record<string, unknown>;
  const declared = definition.properties.inputs.properties;
  const byLowerName = new Map(Object.keys(declared).map((key) => [key.toLowerCase(), key]));
  for (const [input, value] of Object.entries(inputs)) {
    const key = byLowerName.get(input.toLowerCase());
    if (!key) {
      problems.push(`${where}: ${name} has no input ${input} (it has ${Object.keys(declared).join(", ")})`);
      continue;
    }
    const allowed = declared[key].enum as string[] | undefined;
    if (allowed && typeof value === "string" && !value.includes("$(") && !allowed.some((a) => a.toLowerCase() === value.toLowerCase())) {
      problems.push(`${where}: ${name} input ${input}: ${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
    }
  }
  for (const required of definition.properties.inputs.required ?? []) {
    if (!Object.keys(inputs).some((input) => input.toLowerCase() === required.toLowerCase())) problems.push(`${where}: ${name} needs the input ${required}`);
  }
  return problems;
}
