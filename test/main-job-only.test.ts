// The main job's `--only <env>[,<env>...]` (issue 24, item 4), in-process: a pipeline job
// synthesizes its own environment only. The selected stacks, client kits and DNS exports are
// written; every other environment's output stays byte-identical; an unknown name is refused before
// anything is written. Fixture environments only (test/fixtures/contract-environments, renamed to
// names no shipped file uses), never the shipped files. The process-level cases (`node
// dist/main.js --only ...`) are in main-job-process.test.ts, which owns the bundle.
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parseCommandLine } from "../stacks/command-line";
import { synthesizeAll, UnknownEnvironmentError } from "../stacks/synthesize";
import { contractFixtureText, projectWith, ScratchProject, snapshot } from "./support/projects";

/** A scratch project whose environments are the contract fixtures lab and production renamed `sandbox` and `staging`. */
function renamedProject(): ScratchProject {
  const rename = (fixture: string, name: string): unknown => ({ ...(parse(contractFixtureText(fixture)) as Record<string, unknown>), name });
  return projectWith({ sandbox: rename("lab", "sandbox"), staging: rename("production", "staging") });
}

/** The output of one environment (stack folder, client kit, DNS export) as a byte snapshot, or {} when absent. */
function outputOf(outdir: string, name: string): Record<string, Record<string, string>> {
  const of = (dir: string) => (fs.existsSync(dir) ? snapshot(dir) : {});
  return { stack: of(path.join(outdir, "stacks", `kms-${name}`)), kit: of(path.join(outdir, "client-kit", name)), dns: of(path.join(outdir, "dns", name)) };
}

describe("--only on the command line", () => {
  test.each([
    [["--only", "sandbox"], ["sandbox"]],
    [["--only", "sandbox,staging"], ["sandbox", "staging"]],
    [["--only", "sandbox", "--only", "staging"], ["sandbox", "staging"]],
  ])("%j selects %j", (argv, only) => {
    expect(parseCommandLine(argv).only).toEqual(only);
  });

  test("no --only selects every environment", () => {
    expect(parseCommandLine([]).only).toBeUndefined();
  });

  test.each([
    [["--only"], "--only needs environment names, e.g. --only lab or --only lab,production"],
    [["--only", "--out", "x"], "--only needs environment names, e.g. --only lab or --only lab,production"],
    [["--only", "a,,b"], '--only "a,,b" has an empty name; write the names separated by single commas, e.g. --only lab,production'],
    [["--only", ","], '--only "," has an empty name; write the names separated by single commas, e.g. --only lab,production'],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new Error(message));
  });
});

describe("synthesizing a subset", () => {
  let p: ScratchProject;
  beforeEach(() => {
    p = renamedProject();
  });
  afterEach(() => p.cleanup());

  test("--only sandbox writes sandbox's stack, kit and DNS export and nothing of staging", () => {
    const result = synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir, only: ["sandbox"] });
    expect(result.environments.map((e) => e.name)).toEqual(["sandbox"]);
    expect(result.stackFiles).toEqual([path.join(p.outdir, "stacks", "kms-sandbox", "cdk.tf.json")]);
    expect(fs.readdirSync(path.join(p.outdir, "stacks"))).toEqual(["kms-sandbox"]);
    expect(fs.readdirSync(path.join(p.outdir, "client-kit"))).toEqual(["sandbox"]);
    expect(Object.keys(outputOf(p.outdir, "sandbox").kit).length).toBeGreaterThan(0);
    // Staging is not stale (its file exists): no warning telling anyone to delete its output.
    expect(result.staleOutput).toEqual([]);
  });

  test("--only staging after a full synth: staging is rewritten, sandbox's output stays byte-identical", () => {
    synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir });
    const before = outputOf(p.outdir, "sandbox");
    expect(Object.keys(before.stack).length).toBeGreaterThan(0);
    // Change both files: only the selected one may reach the output.
    for (const name of ["sandbox", "staging"]) {
      const file = path.join(p.environments, `${name}.yaml`);
      const data = parse(fs.readFileSync(file, "utf8")) as { tags?: Record<string, string> };
      fs.writeFileSync(file, stringify({ ...data, tags: { ...data.tags, costCentre: "cc-only-test" } }));
    }
    synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir, only: ["staging"] });
    expect(outputOf(p.outdir, "sandbox")).toEqual(before);
    expect(fs.readFileSync(path.join(p.outdir, "stacks", "kms-staging", "cdk.tf.json"), "utf8")).toContain("cc-only-test");
    expect(fs.readFileSync(path.join(p.outdir, "stacks", "kms-sandbox", "cdk.tf.json"), "utf8")).not.toContain("cc-only-test");
  });

  test("an unknown name is refused, naming it and the known ones, and nothing is written or changed", () => {
    synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir, only: ["sandbox"] });
    const before = snapshot(p.dir);
    let error: unknown;
    try {
      synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir, only: ["staging", "nope"] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownEnvironmentError);
    expect((error as Error).message).toBe(
      "--only names an environment no file defines: nope. The environment files define: sandbox, staging; pass one of those (comma-separated for several), or add environments/<name>.yaml first.",
    );
    // Not even staging, which was valid: the whole run is refused, and no staging directory is left.
    expect(snapshot(p.dir)).toEqual(before);
    expect(fs.readdirSync(p.dir).sort()).toEqual(["cdktf.out", "environments"]);
  });

  test("an invalid file that is not selected still stops the run (every file is validated)", () => {
    fs.writeFileSync(path.join(p.environments, "staging.yaml"), "name: staging\n");
    expect(() => synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir, only: ["sandbox"] })).toThrow(/staging\.yaml/);
    expect(fs.existsSync(p.outdir)).toBe(false);
  });
});
