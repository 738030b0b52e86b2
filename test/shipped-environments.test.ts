// The team's own environment files, checked generically: whatever files environments/ holds and
// whatever they say, each one loads, synthesizes through the main job's code path, and passes the
// policy pack carrying only the documented suppression. No test reads them by name or value.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listSuppressions, SHIPPED_SUPPRESSIONS } from "../policy";
import { stackName, type KmsStack } from "../stacks/kms-stack";
import { synthesizeAll, type SynthesizeResult } from "../stacks/synthesize";
import { ENVIRONMENTS_DIR } from "./support/environments";

describe("every file in environments/", () => {
  let files: string[];
  let outdir: string;
  let result: SynthesizeResult;
  let stacks: KmsStack[];
  beforeAll(() => {
    stacks = [];
    files = fs.readdirSync(ENVIRONMENTS_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-shipped-"));
    // Throws (and fails every test below) if any file is invalid or any stack breaks a policy rule.
    result = synthesizeAll({ environmentsDir: ENVIRONMENTS_DIR, outdir, extend: (stack) => void stacks.push(stack) });
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("there is at least one environment file, and each loads as the environment named after it", () => {
    expect(files.length).toBeGreaterThan(0);
    expect(result.environments.map((e) => e.name).sort()).toEqual(files.map((f) => f.replace(/\.ya?ml$/, "")).sort());
  });

  test("each synthesizes to its own stack file with resources and a backend", () => {
    for (const environment of result.environments) {
      const file = path.join(outdir, "stacks", stackName(environment.name), "cdk.tf.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      expect(Object.keys(json.resource ?? {})).toContain("azurerm_windows_virtual_machine");
      expect(Object.keys(json.terraform.backend)).toEqual([environment.backend.type]);
    }
  });

  test("no stack has a policy error", () => {
    const errors = stacks.flatMap((stack) => stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => `${c.node.path}: ${String(m.data)}`)));
    expect(errors).toEqual([]);
  });

  test("each stack carries only the documented KMS-VM-007 suppression, once per host, with its documented reason", () => {
    const shipped = SHIPPED_SUPPRESSIONS.find((s) => s.id === "KMS-VM-007");
    expect(shipped).toBeDefined();
    expect(stacks).toHaveLength(files.length);
    for (const stack of stacks) {
      expect(stack.hosts.length).toBe(stack.config.hosts.count);
      expect(listSuppressions(stack).map((s) => [s.id, s.reason, s.path])).toEqual(stack.hosts.map((h) => ["KMS-VM-007", shipped?.reason, h.node.path]));
    }
  });
});
