// Helpers for reading resolved Terraform JSON. Values there are plain JSON; references and
// expressions have become "${...}" strings, which we treat as "not a literal": the pack cannot
// know at synth time what they evaluate to.
import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";
import type { ResourceConfig } from "./rule";

// The same resolver the stack uses when it writes cdk.tf.json (cdktf's internal _tokens.resolve).
/** The resolver cdktf itself resolves stacks with (lib/_tokens.js): plain string concatenation. */
export const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** A JSON object as it appears in the synthesized configuration. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** True when the value is, or contains, a Terraform expression (`${...}`), i.e. is not a literal. */
export function isToken(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** A string that is fully known at synth time. */
export function isLiteralString(value: unknown): value is string {
  return typeof value === "string" && !isToken(value);
}

/** True only for a literal `true` (a token or a missing value is not proof of compliance). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** True only for a literal `false`. */
export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/** Plain JSON object test. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Nested blocks synthesize as a list of objects, single blocks sometimes as an object (overrides): accept both. */
export function blocks(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/**
 * Strings of a scalar-or-list attribute, numbers as their text (Terraform turns a number in a list
 * of strings into a string too, so `destination_port_ranges = [3389]` is port 3389), dropping
 * empty and other values.
 */
export function strings(...values: unknown[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === "string" && v !== "") out.push(v);
      else if (typeof v === "number") out.push(String(v));
    }
  }
  return out;
}

/** Case-insensitive literal comparison; tokens never match. */
export function literalEquals(value: unknown, expected: string): boolean {
  return isLiteralString(value) && value.toLowerCase() === expected.toLowerCase();
}

/** Human-readable rendering of a value for messages. */
export function show(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}

/**
 * The resource exactly as `cdk.tf.json` will contain it: `toTerraform()` merges the escape-hatch
 * overrides (`addOverride`) into the generated attributes, and resolving through the stack turns
 * tokens into `${...}` strings.
 */
export function resourceConfig(resource: TerraformResource): ResourceConfig {
  const stack = TerraformStack.of(resource);
  const fragment = Tokenization.resolve(resource.toTerraform(), { scope: stack, resolver: RESOLVER }) as { resource?: Record<string, Record<string, JsonObject>> };
  const name = resource.friendlyUniqueId;
  const config = fragment.resource?.[resource.terraformResourceType]?.[name] ?? {};
  return { type: resource.terraformResourceType, name, path: resource.node.path, config, construct: resource };
}

/**
 * Every resource of the stack (not of nested stacks), resolved. Given the stack's own resolved
 * configuration (`stack.toTerraform()`), each resource's entry is taken from it instead of being
 * resolved a second time: the same values, since the stack resolves every element's
 * `toTerraform()` through the same default resolver.
 */
export function stackResources(stack: TerraformStack, terraform?: JsonObject): ResourceConfig[] {
  const byType = terraform?.["resource"] as Readonly<Record<string, Readonly<Record<string, JsonObject>>>> | undefined;
  return stack.node
    .findAll()
    .filter((c: IConstruct): c is TerraformResource => TerraformResource.isTerraformResource(c) && TerraformStack.of(c) === stack)
    .map((resource) => {
      const config = byType?.[resource.terraformResourceType]?.[resource.friendlyUniqueId];
      if (!config) return resourceConfig(resource);
      return { type: resource.terraformResourceType, name: resource.friendlyUniqueId, path: resource.node.path, config, construct: resource };
    });
}

/** `type.name` address of a resource in messages. */
export function address(resource: ResourceConfig): string {
  return `${resource.type}.${resource.name}`;
}

/** `${azurerm_x.y.attr}` → `azurerm_x.y` (also `data.azurerm_x.y`), when the whole value is one plain reference. */
export function referencedAddress(value: unknown, attribute: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\$\{((?:data\.)?[a-zA-Z0-9_]+\.[a-zA-Z0-9_-]+)\.([a-zA-Z0-9_]+)\}$/.exec(value);
  return m && m[2] === attribute ? m[1] : undefined;
}
