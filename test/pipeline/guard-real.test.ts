// The pipelines' guard step (scripts/pipeline/guard.sh) with the real plan guard (rehearsal/check-plan.ts,
// which `node dist/main.js check-plan` runs), not the stand-in the end-to-end test uses: the
// arguments guard.sh passes (check-plan <plan.json> --markdown <file> [--acknowledge <id>]...) and the
// exit codes it relies on (0, 1, 2) are the guard's own. The guard is bundled with esbuild into a
// scratch file, so this test needs neither `npm run synth` nor dist/. Plans are in Terraform's
// documented JSON plan format (developer.hashicorp.com/terraform/internals/json-format).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";
import { lock, plan, vm } from "../support/plan-json";

const ROOT = path.join(__dirname, "..", "..");
let work: string;
let guardCommand: string;

const planFile = (name: string, ...changes: unknown[]) => {
  const file = path.join(work, `${name}.json`);
  fs.writeFileSync(file, plan(...changes));
  return file;
};

function guard(plan: string, summary: string, ...acknowledged: string[]) {
  const result = spawnSync("bash", [path.join(ROOT, "scripts", "pipeline", "guard.sh"), plan, summary, ...acknowledged], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, KMS_PLAN_GUARD: guardCommand },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, summary: fs.existsSync(summary) ? fs.readFileSync(summary, "utf8") : "" };
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kms-guard-real-"));
  const entry = path.join(work, "guard-entry.ts");
  // What main.ts does for `check-plan`.
  fs.writeFileSync(entry, `import { PROCESS_IO, runCheckPlan } from ${JSON.stringify(path.join(ROOT, "rehearsal", "check-plan"))};\nprocess.exitCode = runCheckPlan(process.argv.slice(3), PROCESS_IO);\n`);
  const outfile = path.join(work, "guard.cjs");
  buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", outfile, logLevel: "silent" });
  // guard.sh runs `$KMS_PLAN_GUARD check-plan <plan> ...`, as it runs `node dist/main.js check-plan ...`.
  guardCommand = `${process.execPath} ${outfile}`;
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("a production plan that only changes tags passes the pipeline's guard step, with a summary", () => {
  const plan = planFile("tags", vm("kmsprd01", ["update"], {}, { tags: { a: "2" } }), vm("kmsprd02", ["update"], {}, { tags: { a: "2" } }), lock("kmsprd01", ["no-op"]), lock("kmsprd02", ["no-op"]));
  const result = guard(plan, path.join(work, "tags.md"));
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(result.summary).toContain("0 to replace");
});

test("a plan that rebuilds a production host fails the guard step (exit 1) and the summary names the host, until acknowledged", () => {
  const plan = planFile("rebuild", vm("kmsprd01", ["no-op"]), vm("kmsprd02", ["delete", "create"]), lock("kmsprd01", ["no-op"]), lock("kmsprd02", ["delete", "create"]));
  const refused = guard(plan, path.join(work, "rebuild.md"));
  expect(refused.status).toBe(1);
  expect(refused.summary).toContain("`host-rebuild`");
  expect(refused.summary).toContain("kmsprd02");
  const acknowledged = guard(plan, path.join(work, "rebuild-ack.md"), "host-rebuild");
  expect(acknowledged.status).toBe(0);
});

test("a file that is not a plan is bad input (exit 2) for the guard step", () => {
  const bad = path.join(work, "bad.json");
  fs.writeFileSync(bad, "{");
  const result = guard(bad, path.join(work, "bad.md"));
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("is not JSON");
});
