// Walking the whole synthesized stack JSON, for rules that must see every literal wherever it
// sits (resources, data sources, providers, variables, locals, outputs).
import { isObject } from "./config";
import type { ResourceConfig, StackConfig } from "./rule";

/** A leaf string of the stack JSON and where it is. */
export interface JsonLeaf {
  /** Keys from the root, e.g. ["resource", "azurerm_x", "y", "custom_data"]. */
  readonly path: readonly string[];
  /** The string value. */
  readonly value: string;
}

/** Every string leaf of `json` (array indexes become path segments). */
export function stringLeaves(json: unknown, path: readonly string[] = []): JsonLeaf[] {
  if (typeof json === "string") return [{ path, value: json }];
  if (Array.isArray(json)) return json.flatMap((v, i) => stringLeaves(v, [...path, String(i)]));
  if (isObject(json)) return Object.entries(json).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

/** The resource a JSON path points into, when it is under `resource.<type>.<name>`. */
export function resourceAt(stack: StackConfig, path: readonly string[]): ResourceConfig | undefined {
  if (path[0] !== "resource" || path.length < 3) return undefined;
  return stack.resources.find((r) => r.type === path[1] && r.name === path[2]);
}

/** Dotted rendering of a JSON path, with list indexes as [n]. */
export function jsonPath(path: readonly string[]): string {
  return path.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}
