// Fixture environments under test/fixtures/environments/, validated like a real environment file.
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { EnvironmentConfig } from "../../config/environment-schema";
import { parseEnvironment } from "../../config/load-environments";

export const FIXTURE_ENVIRONMENTS_DIR = path.join(__dirname, "..", "fixtures", "environments");

/** The raw data of a fixture, with `change` applied. */
export function fixtureData(name: string, change: (data: Record<string, any>) => void = () => undefined): Record<string, any> {
  const data = parse(fs.readFileSync(path.join(FIXTURE_ENVIRONMENTS_DIR, `${name}.yaml`), "utf8")) as Record<string, any>;
  change(data);
  return data;
}

/** Validates fixture data as the file environments/<data.name>.yaml: the environment, or the problems as `field: message` lines. */
export function parseFixture(data: Record<string, any>): { environment?: EnvironmentConfig; problems: string[] } {
  const result = parseEnvironment(`environments/${String(data.name)}.yaml`, stringify(data));
  return result.ok ? { environment: result.environment, problems: [] } : { problems: result.problems.map((p) => `${p.field}: ${p.message}`) };
}

/** A fixture that must be valid. */
export function fixtureEnvironment(name: string, change?: (data: Record<string, any>) => void): EnvironmentConfig {
  const { environment, problems } = parseFixture(fixtureData(name, change));
  if (!environment) throw new Error(`fixture ${name} is invalid:\n${problems.join("\n")}`);
  return environment;
}
