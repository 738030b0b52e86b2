// Builders for environment configs in tests: start from a fixture file, change one thing.
// Tests never read environments/ by name: the team edits and adds those files freely, and
// test/shipped-environments.test.ts checks every one of them generically.
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { EnvironmentConfig } from "../../config/environment-schema";
import { parseEnvironment } from "../../config/load-environments";

/** The shipped environment files: only for generic checks of whatever is in there. */
export const ENVIRONMENTS_DIR = path.join(__dirname, "..", "..", "environments");

/** The tests' own environment files (a lab with a new vnet, a zoned production on an existing subnet). */
export const FIXTURE_ENVIRONMENTS_DIR = path.join(__dirname, "..", "fixtures", "base-environments");

/** The fixture environments, by file name. */
export type FixtureName = "lab" | "production";

/** Each fixture file parsed once per test file (tests call for fixtures hundreds of times); never handed out itself. */
const fixtureData = new Map<FixtureName, Record<string, unknown>>();

/** The raw (unvalidated) data of a fixture environment file: a fresh copy at each call, the caller's to change. */
export function fixtureEnvironmentData(name: FixtureName): Record<string, unknown> {
  let data = fixtureData.get(name);
  if (data === undefined) {
    data = parse(fs.readFileSync(path.join(FIXTURE_ENVIRONMENTS_DIR, `${name}.yaml`), "utf8")) as Record<string, unknown>;
    fixtureData.set(name, data);
  }
  return structuredClone(data);
}

/** Validates data as if it were the file `environments/<name>.yaml`; throws with the problems if invalid. */
export function validEnvironment(data: Record<string, unknown>): EnvironmentConfig {
  const result = parseEnvironment(`environments/${String(data.name)}.yaml`, stringify(data));
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.field}: ${p.message}`).join("\n"));
  return result.environment;
}

/** The problems of `data` as the file `file` (by default `environments/<name>.yaml`), as "field: message" lines; [] when it is valid. */
export function problemsOf(data: Record<string, unknown>, file = `environments/${String(data.name)}.yaml`): string[] {
  const result = parseEnvironment(file, stringify(data));
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
}

/** A deep copy of a fixture environment with `change` applied to the raw data. */
export function environmentWith(name: FixtureName, change: (data: Record<string, any>) => void): Record<string, any> {
  const data = fixtureEnvironmentData(name) as Record<string, any>;
  change(data);
  return data;
}
