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

// Two rules walk the same stack JSON; the walk of an object is kept for as long as the object lives.
const leavesOf = new WeakMap<object, readonly JsonLeaf[]>();

/** Every string leaf of `json` (array indexes become path segments), in document order. */
export function stringLeaves(json: unknown, path: readonly string[] = []): readonly JsonLeaf[] {
  if (typeof json !== "object" || json === null) return typeof json === "string" ? [{ path, value: json }] : [];
  const cacheable = path.length === 0;
  const cached = cacheable ? leavesOf.get(json) : undefined;
  if (cached) return cached;
  const leaves: JsonLeaf[] = [];
  // One path array grows and shrinks along the walk; each leaf gets its own copy.
  const at = [...path];
  const walk = (value: unknown): void => {
    if (typeof value === "string") leaves.push({ path: at.slice(), value });
    else if (Array.isArray(value)) {
      // Stryker disable next-line EqualityOperator: equivalent; value[value.length] is undefined, which adds no leaf
      for (let i = 0; i < value.length; i++) {
        at.push(String(i));
        walk(value[i]);
        at.pop();
      }
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        at.push(key);
        walk(value[key]);
        at.pop();
      }
    }
  };
  walk(json);
  if (cacheable) leavesOf.set(json, leaves);
  return leaves;
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
