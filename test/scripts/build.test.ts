// scripts/build.cjs and scripts/app.cjs (the cdktf.json app command): the bundle is rebuilt exactly
// when something it bundles changed, a failed build is never followed by running an old bundle,
// and the V8 code cache is used only for the bundle it was made from. Runs on a copy of the project
// (sources copied, node_modules linked) so the checkout's own dist/ is never touched. One of the build
// tests (jest.build.config.js; `npm run test:build` runs them alone). A bundle costs about 2.4 s of
// CPU (esbuild and node), so the file bundles twice, plus two builds that fail, and the tests run in
// the order written: each leaves the copy with a good bundle for the next, except the last two.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
/** Not copied: installed, generated or test-only; node_modules is linked instead. */
const NOT_COPIED = new Set([".git", "node_modules", "dist", "lib", "cdktf.out", "coverage", ".tools", "test"]);

let project: string;
/** The scratch project's bundle. */
const bundle = (): string => path.join(project, "dist", "main.js");

function build(...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(project, "scripts", "build.cjs"), ...args], { cwd: project, encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

function app(env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const outdir = path.join(project, "out");
  fs.rmSync(outdir, { recursive: true, force: true });
  const inherited = { ...process.env };
  delete inherited.KMS_SYNTH_TIMINGS;
  const result = spawnSync(process.execPath, [path.join(project, "scripts", "app.cjs")], { cwd: project, encoding: "utf8", env: { ...inherited, CDKTF_OUTDIR: outdir, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Appends to a file so its content, size, mtime and ctime change. */
function edit(relative: string, text = "\n// edited by build.test.ts\n"): void {
  fs.appendFileSync(path.join(project, relative), text);
}

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "kms-build-"));
  for (const entry of fs.readdirSync(ROOT).filter((e) => !NOT_COPIED.has(e))) fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
  expect(build().stderr).toContain("built dist/main.js");
}, 60_000);

afterAll(() => {
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

function check(): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [path.join(project, "scripts", "build.cjs"), "--check"], { cwd: project, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout };
}

/** The V8 code cache scripts/app.cjs keeps beside the bundle. */
const codeCache = (): string => path.join(project, "dist", "main.js.v8cache");

describe("the bundle step", () => {
  test("skips the build when nothing it bundles changed", () => {
    expect(build()).toEqual({ status: 0, stderr: "dist/main.js is up to date\n" });
  });
});

describe("the bundle", () => {
  test("runs the main job when node runs it as a module", () => {
    const result = spawnSync(process.execPath, [bundle(), "--help"], { cwd: project, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: node dist\/main\.js/);
  });

  test("evaluates to the main job's function, without running it, when compiled as a script", () => {
    const probe = `const vm = require("vm"); const main = new vm.Script(require("fs").readFileSync(${JSON.stringify(bundle())}, "latin1")).runInThisContext(); console.log(typeof main, main.length);`;
    const result = spawnSync(process.execPath, ["-e", probe], { cwd: project, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("function 5\n");
  });

  test("requires node's assert and child_process through the stand-ins, and a synth loads neither", () => {
    const code = fs.readFileSync(bundle(), "latin1");
    // The stand-ins themselves require node's modules by their node: names, when used.
    expect(code.match(/require\("(assert|child_process)"\)/g)).toBeNull();
    expect([...(code.match(/require\("node:(assert|child_process)"\)/g) ?? [])].sort()).toEqual(['require("node:assert")', 'require("node:child_process")']);
    // Outside the project: a module added beside main.ts would make the app command rebuild (and
    // esbuild's API loads child_process).
    const hook = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kms-load-hook-")), "load-hook.cjs");
    fs.writeFileSync(
      hook,
      'const M = require("module"); const load = M._load; const seen = new Set(); M._load = function (r, ...a) { seen.add(r.replace(/^node:/, "")); return load.call(this, r, ...a); };\n' +
        'process.on("exit", () => process.stderr.write(`LOADED ${["assert", "child_process"].filter((m) => seen.has(m)).join(",") || "neither"}\\n`));\n',
    );
    try {
      const run = app({ NODE_OPTIONS: `--require ${hook}` });
      expect(run.status).toBe(0);
      expect(run.stderr).not.toMatch(/^built dist/m);
      expect(run.stderr).toContain("LOADED neither\n");
    } finally {
      fs.rmSync(path.dirname(hook), { recursive: true, force: true });
    }
  });

  test("leaves archiver out, and requires it from where cdktf's own require finds it (none when cdktf has no archiver, as CDK Terrain's cdktn)", () => {
    const code = fs.readFileSync(bundle(), "latin1");
    const map = JSON.parse(fs.readFileSync(`${bundle()}.map`, "utf8")) as { sources: string[] };
    expect(map.sources.filter((source) => /\/archiver\//.test(source))).toEqual([]);
    const requires = [...code.matchAll(/require\("([^"]*archiver[^"]*)"\)/g)].map((m) => m[1]);
    const cdktfDir = path.dirname(require.resolve("cdktf/package.json", { paths: [project] }));
    const cdktfDependsOnArchiver = Boolean(JSON.parse(fs.readFileSync(path.join(cdktfDir, "package.json"), "utf8")).dependencies?.archiver);
    expect(requires).toHaveLength(cdktfDependsOnArchiver ? 1 : 0);
    if (cdktfDependsOnArchiver) {
      const cdktfArchiver = require.resolve("archiver", { paths: [cdktfDir] });
      expect(createRequire(bundle()).resolve(requires[0])).toBe(cdktfArchiver);
    }
  });
});

describe("the app command", () => {
  test("runs the bundle, then keeps a code cache it reuses", () => {
    fs.rmSync(codeCache(), { force: true });
    const first = app();
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^synthesized /m);
    expect(fs.existsSync(codeCache())).toBe(true);
    const written = fs.statSync(codeCache()).mtimeMs;
    expect(app().status).toBe(0);
    expect(fs.statSync(codeCache()).mtimeMs).toBe(written);
  }, 30_000);

  test("with KMS_SYNTH_TIMINGS set, times its own phases around the main job's; without it, prints no timings", () => {
    const timed = app({ KMS_SYNTH_TIMINGS: "1" });
    expect(timed.status).toBe(0);
    const phases = timed.stderr.split("\n").filter((line) => line.startsWith("timing: ")).map((line) => line.replace(/^timing: +[\d.]+ ms {2}/, ""));
    expect(phases[0]).toMatch(/^node start-up/);
    expect(phases[1]).toMatch(/^check the bundle is up to date/);
    expect(phases[2]).toMatch(/^read and compile the bundle \(code cache (used|none)\)$/);
    expect(phases).toContain("validate environment files");
    // The diagram step (main.ts) runs after the synchronous main job, once the stacks are written.
    expect(phases.at(-2)).toMatch(/^run the bundle/);
    expect(phases.at(-1)).toMatch(/^draw diagrams \(\d+ drawn, \d+ unchanged\)$/);
    expect(app().stderr).not.toMatch(/^timing: /m);
  }, 30_000);

  test("refuses a bundle that does not evaluate to the main job's function, and writes nothing", () => {
    // A bundle the up-to-date check accepts (its record rewritten to match) but not one build.cjs wrote.
    const stamp = path.join(project, "dist", "main.js.inputs.json");
    const record = JSON.parse(fs.readFileSync(stamp, "utf8")) as { files: Record<string, number[]> };
    const original = fs.readFileSync(bundle(), "latin1");
    /** Records the bundle as it now is, as the up-to-date check reads it. */
    const recordBundle = (): void => {
      const now = fs.statSync(bundle());
      record.files["dist/main.js"] = [now.size, now.mtimeMs, now.ctimeMs];
      fs.writeFileSync(stamp, JSON.stringify(record));
    };
    try {
      fs.writeFileSync(bundle(), '"use strict";\n', "latin1");
      recordBundle();
      const run = app();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("Synthesis failed; nothing was written: ");
      expect(run.stderr).toContain("dist/main.js is not the bundle scripts/build.cjs writes (it does not evaluate to a function); rebuild it with node scripts/build.cjs --force");
      expect(fs.existsSync(path.join(project, "out"))).toBe(false);
    } finally {
      // The bundle build.cjs wrote, back under a record that matches it: the next tests need no rebuild.
      fs.writeFileSync(bundle(), original, "latin1");
      recordBundle();
    }
    expect(check()).toEqual({ status: 0, stdout: "dist/main.js is up to date\n" });
  }, 30_000);
});

describe("rebuilding", () => {
  test("rebuilds when a source file, the lockfile, the build script, tsconfig.json or a module beside the sources changes, and only then", () => {
    fs.writeFileSync(path.join(project, "terraform.kms-lab.tfstate"), "{}");
    expect(check()).toEqual({ status: 0, stdout: "dist/main.js is up to date\n" });
    edit("constructs/kms-port.ts");
    edit("package-lock.json", "\n");
    edit("scripts/build.cjs");
    edit("tsconfig.json", "\n");
    fs.writeFileSync(path.join(project, "config", "extra.ts"), "export {};\n");
    const { status, stdout } = check();
    expect(status).toBe(1);
    expect(stdout.trim().split("\n").sort()).toEqual(
      ["constructs/kms-port.ts changed", "files were added to or removed from config/", "package-lock.json changed", "scripts/build.cjs changed", "tsconfig.json changed"].sort(),
    );
    // The rebuild also drops the code cache, whatever the file holds, before it bundles.
    fs.writeFileSync(codeCache(), "made for the previous bundle");
    expect(build().stderr).toMatch(/^built dist\/main\.js \(/);
    expect(check().status).toBe(0);
    expect(fs.existsSync(codeCache())).toBe(false);
  }, 30_000);

  test("rebuilds when the bundle itself was changed by hand", () => {
    edit("dist/main.js");
    expect(check().stdout).toBe("dist/main.js changed\n");
  });

  test("never runs the old bundle when the build fails", () => {
    fs.writeFileSync(path.join(project, "config", "broken.ts"), "export const = ;\n");
    edit("main.ts", '\nimport "./config/broken";\n');
    const run = app();
    expect(run.status).not.toBe(0);
    expect(run.stdout).not.toMatch(/synthesized/);
    expect(run.stderr).toContain("broken.ts");
    expect(run.stderr).toContain("Synthesis failed; nothing was written: the main job could not be bundled");
    expect(fs.existsSync(path.join(project, "dist", "main.js.inputs.json"))).toBe(false);
    // Still refused on the next run: there is no record of a good build.
    expect(app().stdout).not.toMatch(/synthesized/);
  }, 30_000);
});
