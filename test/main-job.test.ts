// The main job: the bundled app over a directory of environment files, run as a user runs it for a
// few end-to-end cases, and in-process through synthesizeAll (what main.ts calls) for the rest.
// Bad input exits non-zero, names the field and writes nothing.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { stringify } from "yaml";
import type { KmsStack } from "../stacks/kms-stack";
import { ConfigError } from "../config/load-environments";
import { synthesizeAll } from "../stacks/synthesize";
import { environmentWith } from "./support/environments";

const ROOT = path.join(__dirname, "..");
const MAIN = path.join(ROOT, "dist", "main.js");

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "pipe" });
});

/** The cdktf CLI sets CDKTF_OUTDIR; a user running the main job does not. */
function withoutCdktfOutdir(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CDKTF_OUTDIR;
  return env;
}

function runMain(files: Record<string, unknown>): { status: number | null; stderr: string; stdout: string; outdir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-main-"));
  const environments = path.join(dir, "environments");
  fs.mkdirSync(environments);
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(environments, `${name}.yaml`), stringify(data));
  const outdir = path.join(dir, "cdktf.out");
  const result = spawnSync(process.execPath, [MAIN, "--environments", environments, "--out", outdir], { cwd: dir, encoding: "utf8", env: withoutCdktfOutdir() });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, outdir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test("as a process: synthesizes every environment into cdktf.out/stacks/kms-<name>/cdk.tf.json, with client kits and the bootstrap script", () => {
  const run = runMain({ lab: environmentWith("lab", () => undefined), production: environmentWith("production", () => undefined) });
  try {
    // Only warnings (the shipped placeholders, the Key Vault network warning) may be printed.
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
function environmentsDir(files: Record<string, unknown>): { environments: string; outdir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-main-"));
  const environments = path.join(dir, "environments");
  fs.mkdirSync(environments);
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(environments, `${name}.yaml`), stringify(data));
  return { environments, outdir: path.join(dir, "cdktf.out"), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// The validation cases run in-process through synthesizeAll (what main.ts calls); the process
// runs above and below prove main.ts turns its ConfigError into a non-zero exit and a message.
describe.each([
  ["a client range of 0.0.0.0/0", (d: any) => d.clientCidrs.push("0.0.0.0/0"), "clientCidrs[2]"],
  ["a client range of *", (d: any) => d.clientCidrs.push("*"), "clientCidrs[2]"],
  ["a client range of Internet", (d: any) => d.clientCidrs.push("Internet"), "clientCidrs[2]"],
  ["a client range of ::/0", (d: any) => d.clientCidrs.push("::/0"), "clientCidrs[2]"],
  ["an invalid CIDR", (d: any) => (d.clientCidrs[0] = "10.0.0.0/40"), "clientCidrs[0]"],
  ["hosts.count 0", (d: any) => (d.hosts.count = 0), "hosts.count"],
  ["hosts.count 7", (d: any) => (d.hosts.count = 7), "hosts.count"],
  ["a computer name over 15 characters", (d: any) => (d.hosts.namePrefix = "kmslaboratory01"), "hosts.namePrefix"],
  ["a port of 0", (d: any) => (d.kms.port = 0), "kms.port"],
  ["a port of 70000", (d: any) => (d.kms.port = 70000), "kms.port"],
  ["a missing required field", (d: any) => delete d.location, "location"],
  ["a misspelt field", (d: any) => ((d.hosts.cout = d.hosts.count), delete d.hosts.count), "hosts.cout"],
  ["a subscription Office product", (d: any) => (d.clients.office.products = ["O365ProPlusRetail"]), "clients.office.products[0]"],
])("with %s", (_what, change, field) => {
  test("throws a ConfigError naming the file and the field, and writes no stack output", () => {
    // The production file is valid: a bad lab file must stop it from being written too.
    const run = environmentsDir({ lab: environmentWith("lab", change), production: environmentWith("production", () => undefined) });
    try {
      let error: unknown;
      try {
        synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain("lab.yaml:");
      expect(message).toContain(`: ${field}: `);
      expect(message).not.toContain("production.yaml");
      expect(fs.existsSync(run.outdir)).toBe(false);
    } finally {
      run.cleanup();
    }
  });
});

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

test("a second run replaces a client kit whole: configuration.xml goes when clients.office does", () => {
  const run = environmentsDir({ lab: environmentWith("lab", () => undefined) });
  try {
    synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
    expect(fs.existsSync(path.join(run.outdir, "client-kit", "lab", "configuration.xml"))).toBe(true);
    fs.writeFileSync(path.join(run.environments, "lab.yaml"), stringify(environmentWith("lab", (d) => delete d.clients)));
    synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
    expect(fs.readdirSync(path.join(run.outdir, "client-kit", "lab"))).toEqual(["Test-KmsClient.ps1"]);
  } finally {
    run.cleanup();
  }
});

describe("staging: a run that fails in the synth/policy phase leaves the earlier output byte-identical", () => {
  /** Every file under `dir`, relative path → contents. */
  const snapshot = (dir: string): Record<string, Buffer> => {
    const files: Record<string, Buffer> = {};
    const walk = (at: string): void => {
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const full = path.join(at, entry.name);
        if (entry.isDirectory()) walk(full);
        else files[path.relative(dir, full)] = fs.readFileSync(full);
      }
    };
    walk(dir);
    return files;
  };

  test("a public IP added through extend fails KMS-NET-001 after validation, and nothing is rewritten", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-staging-"));
    try {
      const environmentsDir = path.join(dir, "environments");
      fs.mkdirSync(environmentsDir);
      fs.writeFileSync(path.join(environmentsDir, "lab.yaml"), stringify(environmentWith("lab", () => undefined)));
      const outdir = path.join(dir, "cdktf.out");
      synthesizeAll({ environmentsDir, outdir });
      const before = snapshot(outdir);
      expect(Object.keys(before)).toEqual(expect.arrayContaining([path.join("stacks", "kms-lab", "cdk.tf.json")]));
      // A change that passes validation (a new tag) would rewrite the stack file if staging leaked.
      fs.writeFileSync(path.join(environmentsDir, "lab.yaml"), stringify(environmentWith("lab", (d) => (d.tags = { ...d.tags, changed: "yes" }))));
      const addPublicIp = (stack: KmsStack): void => {
        new PublicIp(stack, "leak", { name: "pip-kms", location: "westeurope", resourceGroupName: "rg", allocationMethod: "Static" });
      };
      expect(() => synthesizeAll({ environmentsDir, outdir, extend: addPublicIp })).toThrow(/\[KMS-NET-001\] azurerm_public_ip\.leak: azurerm_public_ip is not allowed/);
      expect(snapshot(outdir)).toEqual(before);
      // The same change without the public IP does rewrite it: the check above could fail.
      synthesizeAll({ environmentsDir, outdir });
      expect(snapshot(outdir)[path.join("stacks", "kms-lab", "cdk.tf.json")]).not.toEqual(before[path.join("stacks", "kms-lab", "cdk.tf.json")]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
