// Builders for environment configs in tests: start from a shipped file, change one thing.
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { EnvironmentConfig } from "../../config/environment-schema";
import { parseEnvironment } from "../../config/load-environments";

export const ENVIRONMENTS_DIR = path.join(__dirname, "..", "..", "environments");

/** The raw (unvalidated) data of a shipped environment file. */
export function shippedEnvironmentData(name: "lab" | "production"): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, `${name}.yaml`), "utf8")) as Record<string, unknown>;
}

/** Validates data as if it were the file `environments/<name>.yaml`; throws with the problems if invalid. */
export function validEnvironment(data: Record<string, unknown>): EnvironmentConfig {
  const result = parseEnvironment(`environments/${String(data.name)}.yaml`, stringify(data));
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.field}: ${p.message}`).join("\n"));
  return result.environment;
}

/** A deep copy of a shipped environment with `change` applied to the raw data. */
export function environmentWith(name: "lab" | "production", change: (data: Record<string, any>) => void): Record<string, any> {
  const data = structuredClone(shippedEnvironmentData(name)) as Record<string, any>;
  change(data);
  return data;
}
