// The main job in-process, through synthesizeAll (what main.ts calls): bad input names the file
// and field and writes nothing; staging keeps earlier output intact. The end-to-end process runs
// are in main-job-process.test.ts.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { App, Aspects, LocalBackend, TerraformStack } from "cdktf";
import { stringify } from "yaml";
import type { KmsStack } from "../stacks/kms-stack";
import { ConfigError } from "../config/load-environments";
import { PolicyError, synthesizeAll } from "../stacks/synthesize";
import { environmentWith } from "./support/environments";
import { breakPolicy, projectWith, snapshot } from "./support/projects";

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
  ["kms.port 445 (SMB)", (d: any) => (d.kms.port = 445), "kms.port"],
  ["kms.port in the dynamic range", (d: any) => (d.kms.port = 50000), "kms.port"],
  ["a tag name Azure refuses", (d: any) => (d.tags["team/app"] = "x"), 'tags["team/app"]'],
  ["a user tag named like a standard tag", (d: any) => (d.tags.Environment = "x"), "tags.Environment"],
])("with %s", (_what, change, field) => {
  test("throws a ConfigError naming the file and the field, and writes no stack output", () => {
    // The production file is valid: a bad lab file must stop it from being written too.
    const run = projectWith({ lab: environmentWith("lab", change), production: environmentWith("production", () => undefined) });
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
test("a second run replaces a client kit whole: configuration.xml goes when clients.office does", () => {
  const run = projectWith({ lab: environmentWith("lab", () => undefined) });
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
  let run: ReturnType<typeof projectWith>;
  beforeEach(() => {
    run = projectWith({ lab: environmentWith("lab", () => undefined) });
  });
  afterEach(() => run.cleanup());

  test("a public IP added through extend fails KMS-NET-001 after validation, and nothing is rewritten", () => {
    const { environments: environmentsDir, outdir } = run;
    synthesizeAll({ environmentsDir, outdir });
    const before = snapshot(outdir);
    expect(Object.keys(before)).toEqual(expect.arrayContaining([path.join("stacks", "kms-lab", "cdk.tf.json")]));
    // A change that passes validation (a new tag) would rewrite the stack file if staging leaked.
    fs.writeFileSync(path.join(environmentsDir, "lab.yaml"), stringify(environmentWith("lab", (d) => (d.tags = { ...d.tags, changed: "yes" }))));
    const addPublicIp = (stack: KmsStack): void => {
      new PublicIp(stack, "leak", { name: "pip-kms", location: "westeurope", resourceGroupName: "rg", allocationMethod: "Static" });
    };
    expect(() => synthesizeAll({ environmentsDir, outdir, extend: addPublicIp })).toThrow(/\[KMS-NET-001\] azurerm_public_ip\.leak: azurerm_public_ip is not a NAT gateway's egress address/);
    expect(snapshot(outdir)).toEqual(before);
    // The staging directory (beside the output) went too.
    expect(fs.readdirSync(run.dir).sort()).toEqual(["cdktf.out", "environments"]);
    // The same change without the public IP does rewrite it: the check above could fail.
    synthesizeAll({ environmentsDir, outdir });
    expect(snapshot(outdir)[path.join("stacks", "kms-lab", "cdk.tf.json")]).not.toEqual(before[path.join("stacks", "kms-lab", "cdk.tf.json")]);
    expect(fs.readdirSync(run.dir).sort()).toEqual(["cdktf.out", "environments"]);
  });

  test("an output directory whose parent does not exist yet: staged in the temp directory, then created", () => {
    const outdir = path.join(run.dir, "build", "nested", "cdktf.out");
    const result = synthesizeAll({ environmentsDir: run.environments, outdir });
    expect(result.stackFiles).toEqual([path.join(outdir, "stacks", "kms-lab", "cdk.tf.json")]);
    expect(JSON.parse(fs.readFileSync(result.stackFiles[0], "utf8")).resource).toBeDefined();
    expect(fs.readdirSync(path.join(run.dir, "build", "nested"))).toEqual(["cdktf.out"]);
  });

  test("a second run moves the new output over the old and keeps what only the output directory has (.terraform/, state)", () => {
    const { environments: environmentsDir, outdir } = run;
    synthesizeAll({ environmentsDir, outdir });
    const stackDir = path.join(outdir, "stacks", "kms-lab");
    fs.mkdirSync(path.join(stackDir, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(stackDir, ".terraform", "providers", "lock"), "kept");
    fs.writeFileSync(path.join(stackDir, "terraform.tfstate"), "{}");
    fs.writeFileSync(path.join(environmentsDir, "lab.yaml"), stringify(environmentWith("lab", (d) => (d.tags = { ...d.tags, second: "run" }))));
    synthesizeAll({ environmentsDir, outdir });
    expect(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).toContain('"second": "run"');
    expect(fs.readFileSync(path.join(stackDir, ".terraform", "providers", "lock"), "utf8")).toBe("kept");
    expect(fs.readFileSync(path.join(stackDir, "terraform.tfstate"), "utf8")).toBe("{}");
    expect(fs.readdirSync(run.dir).sort()).toEqual(["cdktf.out", "environments"]);
  });
});

test("a stack an extension adds beside the KMS stacks is synthesized too, and gets no client kit or DNS export of its own", () => {
  const run = projectWith({ lab: environmentWith("lab", () => undefined) });
  try {
    const addStack = (stack: KmsStack): void => {
      const other = new TerraformStack(stack.node.scope as App, "shared-extras");
      new LocalBackend(other, { path: "terraform.shared-extras.tfstate" });
    };
    const result = synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir, extend: addStack });
    expect(result.stackFiles).toEqual([path.join(run.outdir, "stacks", "kms-lab", "cdk.tf.json")]);
    expect(fs.readdirSync(path.join(run.outdir, "stacks")).sort()).toEqual(["kms-lab", "shared-extras"]);
    expect(fs.readdirSync(path.join(run.outdir, "client-kit"))).toEqual(["lab"]);
  } finally {
    run.cleanup();
  }
});

test("each client kit's diagnostics script knows which products its hosts serve (Office-only and Windows-only fixtures)", () => {
  const run = projectWith({});
  try {
    for (const name of ["fixture-office-only", "fixture-windows-only"]) {
      fs.copyFileSync(path.join(__dirname, "fixtures", "environments", `${name}.yaml`), path.join(run.environments, `${name}.yaml`));
    }
    synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
    const script = (name: string): string => fs.readFileSync(path.join(run.outdir, "client-kit", name, "Test-KmsClient.ps1"), "utf8");
    expect(script("fixture-office-only")).toContain("$HostsServeWindows = $false, # kit-default");
    expect(script("fixture-office-only")).toContain("$HostsServeOffice = $true, # kit-default");
    expect(script("fixture-windows-only")).toContain("$HostsServeWindows = $true, # kit-default");
    expect(script("fixture-windows-only")).toContain("$HostsServeOffice = $false, # kit-default");
  } finally {
    run.cleanup();
  }
});

describe("what a successful synthesizeAll returns", () => {
  let run: ReturnType<typeof projectWith>;
  let result: ReturnType<typeof synthesizeAll>;
  beforeAll(() => {
    // The lab fixture's hosts serve Windows and Office LTSC 2024 both.
    run = projectWith({ lab: environmentWith("lab", () => undefined) });
    result = synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
  });
  afterAll(() => run.cleanup());

  test("times each phase, in order, in milliseconds", () => {
    expect(Object.keys(result.timings)).toEqual([
      "validate environment files",
      "build stacks",
      "synthesize (aspects, policy pack, JSON)",
      "write client kits",
      "write DNS exports",
      "move staged output into place",
    ]);
    for (const ms of Object.values(result.timings)) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(60_000);
    }
  });

  test("names the stack file and client kit directory of each environment, both written", () => {
    expect(result.stackFiles).toEqual([path.join(run.outdir, "stacks", "kms-lab", "cdk.tf.json")]);
    expect(result.clientKitDirs).toEqual([path.join(run.outdir, "client-kit", "lab")]);
    for (const written of [...result.stackFiles, ...result.clientKitDirs]) expect(fs.existsSync(written)).toBe(true);
  });

  test("tells the client kit that hosts serving Windows and Office serve both", () => {
    const script = fs.readFileSync(path.join(run.outdir, "client-kit", "lab", "Test-KmsClient.ps1"), "utf8");
    expect(script).toContain("$HostsServeWindows = $true, # kit-default: HostsServeWindows");
    expect(script).toContain("$HostsServeOffice = $true, # kit-default: HostsServeOffice");
  });
});

test("PolicyError lists every problem, one a line, under its own name", () => {
  const error = new PolicyError(["first problem", "second problem"]);
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe("PolicyError");
  expect(error.message).toBe("first problem\nsecond problem");
  expect(error.problems).toEqual(["first problem", "second problem"]);
});

describe("how synthesizeAll fails and what it reports besides the stacks", () => {
  let run: ReturnType<typeof projectWith>;
  beforeEach(() => {
    run = projectWith({ lab: environmentWith("lab", () => undefined) });
  });
  afterEach(() => run.cleanup());

  test("an error thrown during the synth that is no policy finding fails the run with it, and nothing is written", () => {
    const breakAspect = (stack: KmsStack): void => {
      Aspects.of(stack).add({ visit: () => { throw new Error("an aspect broke"); } });
    };
    expect(() => synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir, extend: breakAspect })).toThrow(/^an aspect broke$/);
    expect(fs.existsSync(run.outdir)).toBe(false);
    expect(fs.readdirSync(run.dir)).toEqual(["environments"]);
  });

  test("cdktf's validations run: a construct that fails its own fails the run", () => {
    const invalid = (stack: KmsStack): void => {
      stack.node.addValidation({ validate: () => ["the extension says no"] });
    };
    expect(() => synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir, extend: invalid })).toThrow(/the extension says no/);
    expect(fs.existsSync(run.outdir)).toBe(false);
  });

  test("stages beside the output directory, as .<name>.staging-<random>", () => {
    let staging = "";
    synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir, extend: (stack) => (staging = (stack.node.root as App).outdir) });
    expect(path.dirname(staging)).toBe(run.dir);
    expect(path.basename(staging)).toMatch(/^\.cdktf\.out\.staging-\w{6}$/);
  });

  test("stages in the system's temporary directory, as kms-synth-<random>, when the output's parent does not exist", () => {
    let staging = "";
    synthesizeAll({ environmentsDir: run.environments, outdir: path.join(run.dir, "missing", "cdktf.out"), extend: (stack) => (staging = (stack.node.root as App).outdir) });
    expect(path.dirname(staging)).toBe(os.tmpdir());
    expect(path.basename(staging)).toMatch(/^kms-synth-\w{6}$/);
  });

  test("a policy error in the second environment points at the second file", () => {
    breakPolicy(run.environments, "production");
    let error: unknown;
    try {
      synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toMatch(/production\.yaml:\d+: kms\.port: \[KMS-NET-004\]/);
    expect((error as PolicyError).message).not.toContain("lab.yaml");
  });

  test("reports no stale output in a fresh output directory", () => {
    expect(synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir }).staleOutput).toEqual([]);
  });

  test("reports as stale exactly the stack, client kit and DNS export directories no environment produces", () => {
    synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
    const made = (...parts: string[]): string => {
      const dir = path.join(run.outdir, ...parts);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    };
    const stale = [made("stacks", "kms-retired"), made("client-kit", "retired"), made("dns", "retired")];
    // Not stale: another tool's stack directory, a file beside the kits, this environment's DNS export.
    made("stacks", "custom");
    fs.writeFileSync(path.join(run.outdir, "client-kit", "README.txt"), "notes");
    made("dns", "lab");
    expect(synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir }).staleOutput.sort()).toEqual(stale.sort());
  });
});
