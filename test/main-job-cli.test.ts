// The main job's command line and output layout, in-process (issue 9, items 7 and 8): options,
// --out elsewhere, a deleted environment file, a policy error as a PolicyError. The same cases as
// a process under the cdktf CLI (CDKTF_OUTDIR, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true) are
// in main-job-process.test.ts, which owns the bundle.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { parseCommandLine, USAGE } from "../stacks/command-line";
import { PolicyError, synthesizeAll } from "../stacks/synthesize";
import { KmsPolicyPack, policyContext } from "../policy";
import { breakPolicy, contractProject } from "./support/projects";

describe("the command line", () => {
  test.each([
    [["--out"], "--out needs a directory, e.g. --out cdktf.out"],
    [["--environments"], "--environments needs a directory, e.g. --environments environments"],
    [["--environments", "--out", "x"], "--environments needs a directory, e.g. --environments environments"],
    [["--out", "--help"], "--out needs a directory, e.g. --out cdktf.out"],
    [["synth"], 'unknown option "synth"; see --help'],
    [[""], 'unknown option ""; see --help'],
    [["-help"], 'unknown option "-help"; see --help'],
  ])("refuses %j with its one-line reason", (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new Error(message));
  });

  test("parses the documented options", () => {
    expect(parseCommandLine(["--environments", "envs", "--out", "o"])).toEqual({ help: false, writeSchema: false, environments: "envs", out: "o" });
    expect(parseCommandLine([])).toEqual({ help: false, writeSchema: false, environments: "environments", out: "cdktf.out" });
    expect(USAGE).toContain("--write-schema");
  });

  test.each([
    [["--help"], { help: true, writeSchema: false }],
    [["-h"], { help: true, writeSchema: false }],
    [["--write-schema"], { help: false, writeSchema: true }],
    [["--write-schema", "-h", "--out", "o"], { help: true, writeSchema: true }],
  ])("takes the flags in %j", (argv, flags) => {
    expect(parseCommandLine(argv)).toMatchObject(flags);
  });
});

describe("--out elsewhere and a deleted environment file (in-process)", () => {
  let p: ReturnType<typeof contractProject>;
  let cwd: string;
  beforeAll(() => {
    p = contractProject();
    cwd = process.cwd();
    process.chdir(p.dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    p.cleanup();
  });

  test("the local state stays in the project root and client_kit_path names the real kit", () => {
    const out = path.join(p.dir, "build", "out");
    synthesizeAll({ environmentsDir: p.environments, outdir: out });
    const lab = JSON.parse(fs.readFileSync(path.join(out, "stacks", "kms-lab", "cdk.tf.json"), "utf8"));
    const stackDir = path.join(out, "stacks", "kms-lab");
    expect(path.resolve(stackDir, lab.terraform.backend.local.path)).toBe(path.join(process.cwd(), "terraform.kms-lab.tfstate"));
    expect(lab.output.client_kit_path.value).toBe("build/out/client-kit/lab");
    expect(fs.existsSync(path.join(p.dir, lab.output.client_kit_path.value, "Test-KmsClient.ps1"))).toBe(true);
  });

  test("the default layout keeps the documented paths", () => {
    synthesizeAll({ environmentsDir: p.environments, outdir: "cdktf.out" });
    const lab = JSON.parse(fs.readFileSync(path.join(p.outdir, "stacks", "kms-lab", "cdk.tf.json"), "utf8"));
    expect(lab.terraform.backend.local.path).toBe("../../../terraform.kms-lab.tfstate");
    expect(lab.output.client_kit_path.value).toBe("cdktf.out/client-kit/lab");
  });

  test("a lab vault behind its firewall (keyVault.allowedCidrs, now required) raises no KMS-KV-004", () => {
    const result = synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir });
    expect(result.warnings.filter((w) => w.includes("[KMS-KV-004]"))).toEqual([]);
  });

  test("output left by a deleted environment file is reported, not deleted", () => {
    synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir });
    fs.rmSync(path.join(p.environments, "production.yaml"));
    const result = synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir });
    expect(result.staleOutput).toEqual([path.join(p.outdir, "stacks", "kms-production"), path.join(p.outdir, "client-kit", "production")]);
    expect(fs.existsSync(path.join(p.outdir, "stacks", "kms-production", "cdk.tf.json"))).toBe(true);
  });

  test("a policy error in-process is a PolicyError naming the field, with the variable set too", () => {
    breakPolicy(p.environments);
    const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    try {
      expect(() => synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir })).toThrow(PolicyError);
      // The rule follows three fields: the first names the line, the others are listed after the message.
      expect(() => synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir })).toThrow(
        /lab\.yaml:\d+: kms\.port: \[KMS-NET-004\] [^\n]*\. \(this resource also follows clientCidrs, adminCidrs\)$/m,
      );
    } finally {
      if (saved === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
    }
  });
});

test("KmsPolicyPack.applyTo refuses an App: cdktf runs aspects only from each stack down", () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "kms-app-")) });
  try {
    expect(() => KmsPolicyPack.applyTo(app, policyContext({ clientCidrs: ["10.0.0.0/8"], adminCidrs: [], kmsPort: 1688, production: false, allowedPublicKeys: [] }))).toThrow(
      /^KmsPolicyPack\.applyTo: the app is not a stack or inside one.*apply it to each stack instead/,
    );
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
});
