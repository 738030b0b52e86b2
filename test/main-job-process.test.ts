// The main job end to end, as a user or the cdktf CLI runs it: the bundled app (dist/main.js) in
// its own process over a directory of environment files. A clean run writes every stack and client
// kit; a refused file exits 1 with the message and writes nothing; a policy error exits 1 and
// leaves the previous output byte-identical; --help and unknown options. The other main-job cases
// run in-process (main-job.test.ts, main-job-cli.test.ts). Only this file runs dist/main.js, and it
// builds it first (scripts/build.cjs, skipped when up to date). Mutation testing leaves this file out (jest.stryker.config.js): a child
// process never sees Stryker's active mutant.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { stringify } from "yaml";
import { synthesizeAll } from "../stacks/synthesize";
import { environmentWith } from "./support/environments";
import { breakPolicy, contractProject, snapshot } from "./support/projects";

const ROOT = path.join(__dirname, "..");
const MAIN = path.join(ROOT, "dist", "main.js");
/** node's options in the cdktf.json app command, so that the bundle runs here as it runs there. */
const APP_NODE_OPTIONS = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(/\s+/).filter((arg) => arg.startsWith("--"));

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.cjs")], { cwd: ROOT, stdio: "pipe" });
});

/**
 * The environment of a user's run: no CDKTF_OUTDIR (the cdktf CLI sets it), and a PATH that holds
 * node and nothing else. The main job must need no other program: a fresh machine has no
 * terraform binary, and cdktf's own DataResource ran `terraform version` at every synth.
 */
function userEnvironment(binDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: binDir };
  delete env.CDKTF_OUTDIR;
  return env;
}

function runMain(files: Record<string, unknown>): { status: number | null; stderr: string; stdout: string; outdir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-main-"));
  const environments = path.join(dir, "environments");
  fs.mkdirSync(environments);
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(environments, `${name}.yaml`), stringify(data));
  const outdir = path.join(dir, "cdktf.out");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  const result = spawnSync(process.execPath, [...APP_NODE_OPTIONS, MAIN, "--environments", environments, "--out", outdir], { cwd: dir, encoding: "utf8", env: userEnvironment(bin) });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, outdir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test("as a process with only node on PATH (no terraform): synthesizes every environment into cdktf.out/stacks/kms-<name>/cdk.tf.json, with client kits and the bootstrap script", () => {
  const run = runMain({ lab: environmentWith("lab", () => undefined), production: environmentWith("production", () => undefined) });
  try {
    // Only the app's warnings (the shipped placeholders, the Key Vault network warning) may be
    // printed: nothing from Node either (cdktf's DEP0044 on Node 22+ is patched, patches/README.md).
    expect(run.stderr.split("\n").filter((line) => line && !line.startsWith("warning: "))).toEqual([]);
    expect(run.status).toBe(0);
    for (const stack of ["kms-lab", "kms-production"]) {
      expect(JSON.parse(fs.readFileSync(path.join(run.outdir, "stacks", stack, "cdk.tf.json"), "utf8")).resource).toBeDefined();
    }
    // lab has clients.office, production has not: both get the diagnostics script.
    expect(fs.readdirSync(path.join(run.outdir, "client-kit", "lab")).sort()).toEqual(["Test-KmsClient.ps1", "configuration.xml"]);
    expect(fs.readdirSync(path.join(run.outdir, "client-kit", "production"))).toEqual(["Test-KmsClient.ps1"]);
    // lab lists Professional Plus and Visio Professional LTSC 2024.
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(fs.readFileSync(path.join(run.outdir, "client-kit", "lab", "configuration.xml"), "utf8"));
    expect(xml.Configuration.Add.Channel).toBe("PerpetualVL2024");
    expect(xml.Configuration.Add.Product.map((p: any) => [p.ID, p.PIDKEY])).toEqual([
      ["ProPlus2024Volume", "XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB"],
      ["VisioPro2024Volume", "B7TN8-FJ8V3-7QYCP-HQPMV-YY89G"],
    ]);
    expect(xml.Configuration.Property).toEqual({ Name: "AUTOACTIVATE", Value: "1" });
    const script = fs.readFileSync(path.join(run.outdir, "client-kit", "lab", "Test-KmsClient.ps1"), "utf8");
    expect(script).toContain("$Domain = 'lab.contoso.internal'");
    expect(script).toContain("$KmsHosts = @('kmslab01.lab.contoso.internal')");
    expect(script).toContain("$Port = 1688");
    // The bundle ships the bootstrap script verbatim beside each stack, once, and the stack reads it from there.
    const stackDir = path.join(run.outdir, "stacks", "kms-production");
    const stack = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    const scripts = new Set(Object.values(stack.resource.azurerm_virtual_machine_run_command as Record<string, any>).map((c) => c.source.script as string));
    expect(scripts.size).toBe(1);
    const file = /^\$\{file\("(.+)"\)\}$/.exec([...scripts][0])?.[1] as string;
    expect(fs.readFileSync(path.join(stackDir, file), "utf8")).toBe(fs.readFileSync(path.join(ROOT, "powershell", "Install-KmsHost.ps1"), "utf8"));
  } finally {
    run.cleanup();
  }
});

/** Writes `files` as `<name>.yaml` into a fresh environments directory; `outdir` beside it is not created. */
test("explains that Microsoft 365 Apps activate by sign-in when a subscription product is listed (as a process: exit status and message)", () => {
  const run = runMain({ lab: environmentWith("lab", (d) => d.clients.office.products.push("O365ProPlusRetail")), production: environmentWith("production", () => undefined) });
  try {
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Invalid environment file\(s\); nothing was written:\n/);
    expect(run.stderr).toMatch(/lab\.yaml:\d+: clients\.office\.products\[2\]: .*sign-in/i);
    expect(fs.existsSync(run.outdir)).toBe(false);
  } finally {
    run.cleanup();
  }
});

// ---- Under the cdktf CLI (issue 9, items 7 and 8): CDKTF_OUTDIR and
// CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true. A policy error always exits non-zero, points at
// the environment field and leaves the previous output byte-identical. The in-process cases are
// in main-job-cli.test.ts.
/** The bundled main job as the cdktf CLI or a user runs it, with no CDKTF_* variables but those in `env`. */
function run(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const clean = { ...process.env };
  delete clean.CDKTF_OUTDIR;
  delete clean.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  return spawnSync(process.execPath, [...APP_NODE_OPTIONS, MAIN, ...args], { cwd, encoding: "utf8", env: { ...clean, ...env } });
}

describe.each([
  ["under the cdktf CLI (CDKTF_OUTDIR, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true)", true],
  ["with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true set by hand", false],
])("a policy error %s", (_how, cli) => {
  let p: ReturnType<typeof contractProject>;
  let result: ReturnType<typeof run>;
  let before: Record<string, string>;
  beforeAll(() => {
    p = contractProject();
    // The previous good run, in-process (cheaper than a process; the same code writes the output).
    synthesizeAll({ environmentsDir: p.environments, outdir: p.outdir });
    before = snapshot(p.outdir);
    breakPolicy(p.environments);
    const env = cli ? { CDKTF_OUTDIR: p.outdir, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" } : { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" };
    result = run(cli ? ["--environments", p.environments] : ["--environments", p.environments, "--out", p.outdir], env, p.dir);
  });
  afterAll(() => p.cleanup());

  test("exits non-zero", () => {
    expect(result.status).toBe(1);
  });

  test("leaves the previous output byte-identical (every stack file, client kit and manifest)", () => {
    expect(Object.keys(before)).toEqual(expect.arrayContaining([path.join("stacks", "kms-lab", "cdk.tf.json"), path.join("stacks", "kms-production", "cdk.tf.json")]));
    expect(snapshot(p.outdir)).toEqual(before);
  });

  test("points back at the environment file, line and field, and never suggests switching the pack off", () => {
    expect(result.stderr).toMatch(/Policy check failed; nothing was written:\nenvironments\/lab\.yaml:\d+: kms\.port: \[KMS-NET-004\] .*RDP 3389/);
    expect(result.stderr).not.toMatch(/CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS|ignore these annotations/);
  });
});

describe("the command line, as a process", () => {
  test("--help prints the usage and exits 0", () => {
    const result = run(["--help"], {}, ROOT);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: node dist/main.js [options]");
    expect(result.stdout).toContain("--out <dir>");
  });

  test("an unknown option is refused with the usage, exit 2, and nothing synthesized", () => {
    const result = run(["--outdir", "x"], {}, ROOT);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^unknown option "--outdir"; see --help/);
    expect(result.stdout).toBe("");
  });

});

describe("--only as a process (issue 24: node dist/main.js --only <env>)", () => {
  function runOnly(only: string): ReturnType<typeof runMain> & { dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-main-only-"));
    const environments = path.join(dir, "environments");
    fs.mkdirSync(environments);
    // The fixtures lab and production under names no shipped file uses.
    for (const [name, fixture] of [["sandbox", "lab"], ["staging", "production"]] as const) {
      fs.writeFileSync(path.join(environments, `${name}.yaml`), stringify(environmentWith(fixture, (data) => (data.name = name))));
    }
    const outdir = path.join(dir, "cdktf.out");
    const result = spawnSync(process.execPath, [...APP_NODE_OPTIONS, MAIN, "--environments", environments, "--out", outdir, "--only", only], { cwd: dir, encoding: "utf8" });
    return { status: result.status, stderr: result.stderr, stdout: result.stdout, outdir, dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }

  test("--only sandbox writes only sandbox's stack and client kit", () => {
    const run = runOnly("sandbox");
    try {
      expect(run.status).toBe(0);
      expect(fs.readdirSync(path.join(run.outdir, "stacks"))).toEqual(["kms-sandbox"]);
      expect(fs.readdirSync(path.join(run.outdir, "client-kit"))).toEqual(["sandbox"]);
    } finally {
      run.cleanup();
    }
  });

  test("--only nope exits 1, names the known environments and writes nothing", () => {
    const run = runOnly("nope");
    try {
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("Unknown environment; nothing was written:\n--only names an environment no file defines: nope. The environment files define: sandbox, staging;");
      expect(fs.existsSync(run.outdir)).toBe(false);
      expect(fs.readdirSync(run.dir)).toEqual(["environments"]);
    } finally {
      run.cleanup();
    }
  });
});
