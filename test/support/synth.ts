// Synthesis helpers for tests. Tests look resources up by type and properties; the addresses
// themselves (readable, hash-free) are pinned by test/addresses.test.ts.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Testing, TerraformStack } from "cdktf";
import { EnvironmentConfig } from "../../config/environment-schema";
import { KmsStack } from "../../stacks/kms-stack";

/** A synthesized stack as parsed JSON. */
export interface SynthesizedStack {
  readonly json: Record<string, any>;
  /** The raw text, for searches across the whole file. */
  readonly text: string;
  /** All resources of one type, as a list of their configs. */
  resources(type: string): Record<string, any>[];
}

export function parsed(text: string): SynthesizedStack {
  const json = JSON.parse(text) as Record<string, any>;
  return {
    json,
    text,
    resources: (type) => Object.values((json.resource?.[type] ?? {}) as Record<string, Record<string, any>>),
  };
}

/** Full synthesis (validations and aspects included) of a KmsStack for an environment. */
export function synthesizeEnvironment(environment: EnvironmentConfig): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-test-"));
  try {
    const app = new App({ outdir });
    new KmsStack(app, environment);
    app.synth();
    return parsed(fs.readFileSync(path.join(outdir, "stacks", `kms-${environment.name}`, "cdk.tf.json"), "utf8"));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes a scope built by `build` inside an empty stack (for constructs alone). */
export function synthesizeConstruct(build: (stack: TerraformStack) => void): SynthesizedStack {
  return parsed(Testing.synthScope((scope) => build(scope as TerraformStack)));
}
