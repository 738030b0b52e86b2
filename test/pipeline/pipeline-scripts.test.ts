// The pipeline scripts (scripts/pipeline/, issue 24 item 3) end to end with the real terraform
// (1.11.4, on PATH) on a stand-in stack: terraform_data resources and a local backend, both built
// into Terraform, so no provider plugin and no network are needed (the method of
// scripts/lock-ordering/). plan -> guard -> apply of the saved plan from a copy of the artefact ->
// drift finds nothing; then the state is edited behind Terraform's back -> drift finds it (exit 2
// of plan -detailed-exitcode) and prints the guard's summary. The guard is a stand-in with the
// agreed interface (test/fixtures/pipeline/check-plan-stand-in.cjs).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPTS = path.join(ROOT, "scripts", "pipeline");
const STAND_IN_GUARD = path.join(ROOT, "test", "fixtures", "pipeline", "check-plan-stand-in.cjs");
const TERRAFORM_VERSION = "1.11.4";

let work: string;
let env: NodeJS.ProcessEnv;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, ...args: string[]): Run {
  // stdin not a pipe: Debian's bash reads ~/.bashrc when stdin is a socket (its SSH_SOURCE_BASHRC), and node's pipes are sockets.
  const result = spawnSync("bash", [path.join(SCRIPTS, script), ...args], { cwd: work, encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes the stand-in stack: a host and a DNS record (replaced with the host), reading a file from assets/ like a real stack's bootstrap script. */
function writeStack(dir: string, options: { recordName?: string; hostSize?: string } = {}): void {
  fs.mkdirSync(path.join(dir, "assets"), { recursive: true });
  fs.writeFileSync(path.join(dir, "assets", "bootstrap.ps1"), "Write-Output 'bootstrap v1'\n");
  // The lock file terraform init leaves when the configuration needs no provider (a real stack's
  // pins azurerm, random and dns): it must travel with the plan all the same.
  fs.writeFileSync(path.join(dir, ".terraform.lock.hcl"), '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n');
  const config = {
    terraform: { backend: { local: { path: path.join(work, "state", "kms-fixture.tfstate") } } },
    resource: {
      terraform_data: {
        host: { input: { size: options.hostSize ?? "small", bootstrap: "${file(\"${path.module}/assets/bootstrap.ps1\")}" } },
        record: { input: options.recordName ?? "kms.fixture.test", triggers_replace: ["${terraform_data.host.id}", options.recordName ?? "kms.fixture.test"] },
      },
    },
  };
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config, null, 2));
}

function state(): { serial: number; resources: { name: string; instances: { attributes: { input: unknown } }[] }[] } {
  return JSON.parse(fs.readFileSync(path.join(work, "state", "kms-fixture.tfstate"), "utf8"));
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kms-pipeline-"));
  fs.mkdirSync(path.join(work, "state"));
  // An empty CLI configuration: no plugin cache or mirror of the machine's can take part.
  fs.writeFileSync(path.join(work, "terraformrc"), "");
  env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(work, "terraformrc"), KMS_PLAN_GUARD: `${process.execPath} ${STAND_IN_GUARD}`, CHECKPOINT_DISABLE: "1" };
  delete env.TF_DATA_DIR;
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test(`terraform ${TERRAFORM_VERSION} is on PATH (require-terraform.sh); the tests below need it`, () => {
  const ok = run("require-terraform.sh", TERRAFORM_VERSION);
  expect(ok.stderr).toBe("");
  expect(ok.stdout).toBe(`terraform ${TERRAFORM_VERSION}\n`);
  const wrong = run("require-terraform.sh", "0.0.1");
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toBe(`require-terraform.sh: terraform on PATH is ${TERRAFORM_VERSION}, the pipeline wants 0.0.1; install 0.0.1 or change the pipeline's terraform version\n`);
});

describe("plan -> guard -> apply of the saved plan -> drift (in order, sharing one state)", () => {
  let stack: string;
  let artefact: string;
  let downloaded: string;
  beforeAll(() => {
    stack = path.join(work, "cdktf.out", "stacks", "kms-fixture");
    writeStack(stack);
    artefact = path.join(work, "artefact");
  });

  test("plan.sh plans and packs the artefact: tfplan, plan.json, the stack folder without .terraform, SHA256SUMS", () => {
    const plan = run("plan.sh", stack, artefact);
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(fs.readdirSync(artefact).sort()).toEqual(["SHA256SUMS", "plan.json", "stack", "tfplan"]);
    // Not .terraform/, which init left in the stack folder.
    expect(fs.existsSync(path.join(stack, ".terraform"))).toBe(true);
    expect(fs.readdirSync(path.join(artefact, "stack")).sort()).toEqual([".terraform.lock.hcl", "assets", "cdk.tf.json"]);
    expect(JSON.parse(fs.readFileSync(path.join(artefact, "plan.json"), "utf8")).resource_changes.map((c: { address: string }) => c.address)).toEqual(["terraform_data.host", "terraform_data.record"]);
    expect(fs.readFileSync(path.join(artefact, "SHA256SUMS"), "utf8").split("\n").filter(Boolean).map((line) => line.split("  ")[1])).toEqual(["./plan.json", "./stack/.terraform.lock.hcl", "./stack/assets/bootstrap.ps1", "./stack/cdk.tf.json", "./tfplan"]);
    // Nothing applied yet.
    expect(fs.existsSync(path.join(work, "state", "kms-fixture.tfstate"))).toBe(false);
  });

  test("plan.sh refuses a non-empty artefact directory and a folder that is no stack", () => {
    expect(run("plan.sh", stack, artefact)).toMatchObject({ status: 1, stderr: `plan.sh: ${artefact} is not empty; give an empty or new directory\n` });
    expect(run("plan.sh", work, path.join(work, "elsewhere"))).toMatchObject({ status: 1, stderr: `plan.sh: ${work}/cdk.tf.json not found; synthesize the stack first (npm run synth -- --only <environment>)\n` });
    expect(run("plan.sh", stack)).toMatchObject({ status: 1, stderr: "plan.sh: missing <artefact-dir>; usage: plan.sh <stack-dir> <artefact-dir>\n" });
  });

  test("guard.sh runs the guard on plan.json and writes its summary (exit 0: creates only)", () => {
    const summary = path.join(work, "summary.md");
    const guard = run("guard.sh", path.join(artefact, "plan.json"), summary);
    expect(guard.status).toBe(0);
    expect(fs.readFileSync(summary, "utf8")).toContain("2 change(s):\n- `terraform_data.host`: create\n- `terraform_data.record`: create");
  });

  test("apply.sh applies the saved plan from a copy of the artefact, with the stack folder gone (no re-plan)", () => {
    downloaded = path.join(work, "downloaded");
    fs.cpSync(artefact, downloaded, { recursive: true });
    fs.rmSync(path.join(work, "cdktf.out"), { recursive: true });
    const apply = run("apply.sh", downloaded);
    expect(apply.stderr).toBe("");
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    expect(apply.stdout).not.toMatch(/Terraform will perform the following actions/);
    expect(state().resources.map((r) => r.name).sort()).toEqual(["host", "record"]);
    // The asset travelled in the artefact.
    expect(state().resources.find((r) => r.name === "host")!.instances[0].attributes.input).toMatchObject({ value: { size: "small", bootstrap: "Write-Output 'bootstrap v1'\n" } });
  });

  test("apply.sh of the same artefact again: Terraform refuses the stale plan", () => {
    const again = run("apply.sh", downloaded);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain("Saved plan is stale");
  });

  test("drift.sh after the apply: no drift (exit 0)", () => {
    writeStack(stack);
    const drift = run("drift.sh", stack, path.join(work, "drift-1"));
    expect(drift.stderr).toBe("");
    expect(drift.status).toBe(0);
    expect(drift.stdout).toContain(`drift.sh: no drift in ${stack}`);
  });

  test("an edit behind Terraform's back (the state's host size changed): drift.sh exits 2 and prints the guard's summary", () => {
    const edited = state();
    edited.serial += 1;
    // terraform_data keeps its input as { value, type } in the state.
    (edited.resources.find((r) => r.name === "host")!.instances[0].attributes.input as { value: { size: string } }).value.size = "large";
    fs.writeFileSync(path.join(work, "state", "kms-fixture.tfstate"), JSON.stringify(edited));
    const out = path.join(work, "drift-2");
    const drift = run("drift.sh", stack, out);
    expect(drift.status).toBe(2);
    expect(drift.stdout).toContain(`drift.sh: DRIFT in ${stack}: the infrastructure differs from the configuration. The plan guard's summary:\n## Plan guard (stand-in)`);
    expect(drift.stdout).toContain("- `terraform_data.host`: update");
    expect(fs.readdirSync(out).sort()).toEqual(["plan.json", "summary.md", "tfplan"]);
  });

  test("a change that replaces a resource: the guard flags it (exit 1) until it is acknowledged (exit 0)", () => {
    writeStack(stack, { recordName: "kms2.fixture.test" });
    const artefact2 = path.join(work, "artefact-2");
    expect(run("plan.sh", stack, artefact2).status).toBe(0);
    const summary = path.join(work, "summary-2.md");
    const flagged = run("guard.sh", path.join(artefact2, "plan.json"), summary);
    expect(flagged.status).toBe(1);
    expect(fs.readFileSync(summary, "utf8")).toContain("hazard `destroy:terraform_data.record`: not acknowledged (--acknowledge destroy:terraform_data.record)");
    expect(run("guard.sh", path.join(artefact2, "plan.json"), summary, "destroy:terraform_data.record").status).toBe(0);
    expect(fs.readFileSync(summary, "utf8")).toContain("hazard `destroy:terraform_data.record`: acknowledged");
  });

  test("apply.sh refuses an artefact changed after the plan, or with a file added, and applies nothing", () => {
    const tampered = path.join(work, "tampered");
    fs.cpSync(path.join(work, "artefact-2"), tampered, { recursive: true });
    const before = fs.readFileSync(path.join(work, "state", "kms-fixture.tfstate"), "utf8");
    fs.appendFileSync(path.join(tampered, "stack", "assets", "bootstrap.ps1"), "Write-Output 'added later'\n");
    const changed = run("apply.sh", tampered);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain(`apply.sh: ${tampered} does not match its SHA256SUMS (changed after the plan); plan again, do not apply it`);
    fs.cpSync(path.join(work, "artefact-2", "stack", "assets", "bootstrap.ps1"), path.join(tampered, "stack", "assets", "bootstrap.ps1"));
    fs.writeFileSync(path.join(tampered, "stack", "override.tf.json"), "{}");
    const added = run("apply.sh", tampered);
    expect(added).toMatchObject({ status: 1, stderr: `apply.sh: ${tampered} holds files its SHA256SUMS does not list: ./stack/override.tf.json ; plan again, do not apply it\n` });
    expect(fs.readFileSync(path.join(work, "state", "kms-fixture.tfstate"), "utf8")).toBe(before);
    expect(run("apply.sh", path.join(work, "nothing-here"))).toMatchObject({ status: 1, stderr: `apply.sh: ${work}/nothing-here/tfplan not found; pass the directory plan.sh filled (the pipeline artefact, downloaded whole)\n` });
  });
});

describe("failures are reported, never passed off as success", () => {
  test("guard.sh: a missing plan, a guard that crashes, a guard that writes no summary: exit 2 with the reason", () => {
    expect(run("guard.sh", path.join(work, "none.json"), path.join(work, "s.md"))).toMatchObject({ status: 2, stderr: `guard.sh: ${work}/none.json not found; run scripts/pipeline/plan.sh first\n` });
    const plan = path.join(work, "plan-ok.json");
    fs.writeFileSync(plan, JSON.stringify({ format_version: "1.2", resource_changes: [] }));
    const crash = path.join(work, "crash.cjs");
    fs.writeFileSync(crash, "process.exit(7);\n");
    const saved = env.KMS_PLAN_GUARD;
    try {
      env.KMS_PLAN_GUARD = `${process.execPath} ${crash}`;
      const crashed = run("guard.sh", plan, path.join(work, "s.md"));
      expect(crashed.status).toBe(2);
      expect(crashed.stderr).toContain("exited 7, which is none of its documented codes (0, 1, 2); treating it as bad input");
      fs.writeFileSync(crash, "process.exit(0);\n");
      expect(run("guard.sh", plan, path.join(work, "s2.md"))).toMatchObject({ status: 2, stderr: `guard.sh: the plan guard wrote no summary to ${work}/s2.md\n` });
    } finally {
      env.KMS_PLAN_GUARD = saved;
    }
    fs.writeFileSync(plan, "not json");
    expect(run("guard.sh", plan, path.join(work, "s3.md")).status).toBe(2);
  });

  test("drift.sh: a configuration Terraform refuses exits 1, not 0 or 2", () => {
    const broken = path.join(work, "broken");
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: { x: { no_such_argument: 1 } } } }));
    const drift = run("drift.sh", broken, path.join(work, "drift-broken"));
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain(`drift.sh: terraform plan failed in ${broken} (exit 1)`);
  });

  test("environments.sh lists the environment files as a JSON array, and fails on none", () => {
    const dir = path.join(work, "environments");
    fs.mkdirSync(dir);
    expect(run("environments.sh", dir)).toMatchObject({ status: 1, stderr: `environments.sh: no environment files (*.yaml) in ${dir}\n` });
    for (const name of ["alpha.yaml", "beta-2.yaml", "notes.txt"]) fs.writeFileSync(path.join(dir, name), "");
    expect(run("environments.sh", dir)).toMatchObject({ status: 0, stdout: '["alpha","beta-2"]\n' });
  });
});
