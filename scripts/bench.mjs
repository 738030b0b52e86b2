// npm run bench: what a synth costs, measured pairwise in one run, and printed against the targets
// (issue 11). It asserts nothing: on a shared machine the figures are noisy, so every measurement
// interleaves the two things it compares and reports medians.
//
// 1. Repeated synth through the cdktf.json app command (exactly as `cdktf synth` runs it: a shell,
//    CDKTF_OUTDIR set, the shipped environments), beside the floor any cdktf app pays: plain node
//    requiring cdktf from node_modules (not bundled) and synthesizing one empty stack
//    (scripts/bench-floor.cjs). Target: at most 1.5 times the floor. The floor is measured twice:
//    with cdktf as installed here (patched: patches/README.md) and with a stock copy of cdktf
//    0.21.0 (the patches reversed in a scratch directory), because the patches lower the floor too.
// 2. Cost per added environment: the same app command over 1 and over 50 generated environments
//    (copies of the first shipped file under new names). Target: at most 25 ms each.
// 3. Peak resident memory of the 50-environment run. Target: at most 150 MB.
// 4. The diagram step (diagrams/render.ts): the main job draws <out>/diagrams/<name>.svg only for a
//    stack that changed since its picture was drawn, so 1-3 synthesize repeatedly into one output
//    folder per command (as `npm run synth` does into cdktf.out/), where the pictures are current
//    and Graphviz is never loaded; 4 prints what drawing the shipped environments anew adds (a
//    fresh output folder each run: the WebAssembly module loaded, every picture laid out).
// 5. What the rehearsal (test/rehearsal/) adds to npm test. Target: at most 60 s on 2 cores.
//
//   BENCH_RUNS=15 npm run bench     (default 11 pairs per comparison)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import buildScript from "./build.cjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.env.BENCH_RUNS ?? 11);
const MANY = 50;
const probe = path.join(ROOT, "scripts", "bench-probe.cjs");
const appCommand = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app;
const { parse, stringify } = createRequire(import.meta.url)("yaml");

/** Runs a shell command as the cdktf CLI would; returns wall ms, and the CPU ms and peak RSS (MB) of its node processes. */
function measure(command, keptOutdir) {
  const outdir = keptOutdir ?? fs.mkdtempSync(path.join(tmpdir(), "kms-bench-out-"));
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync("sh", ["-c", command], {
      cwd: ROOT,
      encoding: "utf8",
      // The probe reports the peak RSS of each node process it is loaded into.
      env: { ...process.env, CDKTF_OUTDIR: outdir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${probe}`.trim() },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${command} failed (exit ${result.status}):\n${result.stderr}`);
    const reports = [...result.stderr.matchAll(/BENCH_MAX_RSS_KB=(\d+) BENCH_CPU_US=(\d+)/g)];
    if (reports.length === 0) throw new Error(`${command}: no report from scripts/bench-probe.cjs`);
    const rss = Math.max(...reports.map((m) => Number(m[1]) / 1024));
    const cpu = reports.reduce((sum, m) => sum + Number(m[2]) / 1000, 0);
    return { ms, cpu, rss };
  } finally {
    if (!keptOutdir) fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Output folders kept across the runs of one command (repeated synth), removed at exit. */
const keptOutdirs = [];
process.on("exit", () => keptOutdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
function keptOutdir() {
  const dir = fs.mkdtempSync(path.join(tmpdir(), "kms-bench-kept-"));
  keptOutdirs.push(dir);
  return dir;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Interleaves runs of each function (after one unmeasured run of each) and returns their sample sets. */
function pairwise(...fns) {
  for (const fn of fns) fn();
  const samples = fns.map(() => []);
  for (let i = 0; i < runs; i += 1) fns.forEach((fn, j) => samples[j].push(fn()));
  return samples;
}

/**
 * The floor script beside a copy of cdktf 0.21.0 as npm installs it, without this project's
 * patches (patches/README.md): what any cdktf app pays. The patches make cdktf itself cheaper to
 * load (archiver) and to run (stack traces), so the installed, patched cdktf gives a lower floor
 * than any other cdktf app has; both are measured and printed. Undefined when the copy cannot be
 * made (no `patch` program).
 */
function stockFloorDirectory() {
  const dir = fs.mkdtempSync(path.join(tmpdir(), "kms-bench-stock-"));
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(modules);
  fs.cpSync(path.join(ROOT, "node_modules", "cdktf"), path.join(modules, "cdktf"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules", "constructs"), path.join(modules, "constructs"));
  fs.copyFileSync(path.join(ROOT, "scripts", "bench-floor.cjs"), path.join(dir, "bench-floor.cjs"));
  const patches = fs.readdirSync(path.join(ROOT, "patches")).filter((f) => f.startsWith("cdktf+") && f.endsWith(".patch"));
  for (const patch of patches) {
    const reverse = spawnSync("patch", ["-R", "-p1", "-s", "-i", path.join(ROOT, "patches", patch)], { cwd: dir, encoding: "utf8" });
    if (reverse.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      console.log(`(stock cdktf floor not measured: reversing ${patch} failed: ${reverse.error?.message ?? reverse.stderr.trim()})`);
      return undefined;
    }
  }
  return dir;
}

/** A directory of `count` valid environments: the first shipped file under new names. */
function environments(count) {
  const shipped = fs.readdirSync(path.join(ROOT, "environments")).filter((f) => /\.ya?ml$/.test(f)).sort()[0];
  const template = parse(fs.readFileSync(path.join(ROOT, "environments", shipped), "utf8"));
  const dir = fs.mkdtempSync(path.join(tmpdir(), `kms-bench-env${count}-`));
  for (let i = 1; i <= count; i += 1) {
    const id = String(i).padStart(2, "0");
    const data = structuredClone(template);
    data.name = `bench${id}`;
    data.hosts.namePrefix = `kmsbench${id}`;
    if (data.keyVault?.name) data.keyVault.name = `kv-kms-bench${id}`;
    data.resourceGroup.name = `rg-kms-bench${id}`;
    // Names Azure requires to be unique stay unique across the generated files.
    if (data.dns?.zoneName) data.dns.zoneName = `bench${id}.${data.dns.zoneName}`;
    fs.writeFileSync(path.join(dir, `bench${id}.yaml`), stringify(data));
  }
  return dir;
}

const stats = (samples) => ({
  ms: median(samples.map((s) => s.ms)),
  min: Math.min(...samples.map((s) => s.ms)),
  max: Math.max(...samples.map((s) => s.ms)),
  cpu: median(samples.map((s) => s.cpu)),
  rss: Math.max(...samples.map((s) => s.rss)),
});
const row = (label, s) =>
  `  ${label.padEnd(44)} ${s.ms.toFixed(0).padStart(5)} ms wall (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}), ${s.cpu.toFixed(0).padStart(5)} ms CPU, ${s.rss.toFixed(1).padStart(6)} MB peak`;
const verdict = (ok) => (ok ? "within target" : "OVER target");

const rebuilt = buildScript.ensureBundle();
console.log(`node ${process.version}, ${runs} interleaved pairs per comparison, medians${rebuilt ? ` (bundle rebuilt first: ${rebuilt})` : ""}`);
console.log(`app command: ${appCommand}\n`);

// 1. Repeated app-command synth vs. the floor: cdktf as installed here (patched) and stock.
const stockDir = stockFloorDirectory();
let floor, app, stock;
const appOut = keptOutdir();
try {
  [floor, app, stock] = pairwise(
    () => measure("node scripts/bench-floor.cjs"),
    () => measure(appCommand, appOut),
    ...(stockDir ? [() => measure(`node ${path.join(stockDir, "bench-floor.cjs")}`)] : []),
  );
} finally {
  if (stockDir) fs.rmSync(stockDir, { recursive: true, force: true });
}
const f = stats(floor);
const a = stats(app);
const ratio = a.ms / f.ms;
const pairRatios = app.map((s, i) => s.ms / floor[i].ms);
console.log("1. repeated synth of the shipped environments through the app command");
console.log(row("floor: node + require('cdktf') + empty stack", f));
const st = stock ? stats(stock) : undefined;
if (st) console.log(row("floor with stock cdktf 0.21.0 (unpatched)", st));
console.log(row("app command, shipped environments", a));
const cpuRatio = a.cpu / f.cpu;
console.log(`  ratio ${ratio.toFixed(2)} (median of pair ratios ${median(pairRatios).toFixed(2)}; CPU time ${cpuRatio.toFixed(2)}); target <= 1.5: ${verdict(ratio <= 1.5)}`);
const stockRatio = st ? a.ms / st.ms : undefined;
if (st) console.log(`  against the stock floor: ratio ${stockRatio.toFixed(2)} (median of pair ratios ${median(app.map((s, i) => s.ms / stock[i].ms)).toFixed(2)}; CPU time ${(a.cpu / st.cpu).toFixed(2)}); target <= 1.5: ${verdict(stockRatio <= 1.5)}`);
console.log("");

// 2 and 3. One environment vs. fifty.
const one = environments(1);
const many = environments(MANY);
const oneOut = keptOutdir();
const manyOut = keptOutdir();
try {
  const [ones, manys] = pairwise(
    () => measure(`${appCommand} --environments ${one}`, oneOut),
    () => measure(`${appCommand} --environments ${many}`, manyOut),
  );
  const o = stats(ones);
  const m = stats(manys);
  const perEnvironment = (m.ms - o.ms) / (MANY - 1);
  const perEnvironmentCpu = (m.cpu - o.cpu) / (MANY - 1);
  console.log(`2. cost per added environment, and 3. memory for ${MANY} environments`);
  console.log(row("app command, 1 environment", o));
  console.log(row(`app command, ${MANY} environments`, m));
  console.log(`  per added environment: ${perEnvironment.toFixed(1)} ms wall (${perEnvironmentCpu.toFixed(1)} ms CPU); target <= 25 ms: ${verdict(perEnvironment <= 25)}`);
  console.log(`  peak memory, ${MANY} environments: ${m.rss.toFixed(1)} MB; target <= 150 MB: ${verdict(m.rss <= 150)}\n`);
  console.log(
    `summary: ratio ${ratio.toFixed(2)}${stockRatio !== undefined ? ` (stock floor ${stockRatio.toFixed(2)})` : ""} (<= 1.5; CPU ${cpuRatio.toFixed(2)}), ${perEnvironment.toFixed(1)} ms per environment (<= 25; CPU ${perEnvironmentCpu.toFixed(1)}), ` +
      `${m.rss.toFixed(1)} MB for ${MANY} environments (<= 150)`,
  );
} finally {
  fs.rmSync(one, { recursive: true, force: true });
  fs.rmSync(many, { recursive: true, force: true });
}

// 4. What drawing the pictures anew adds: a fresh output folder each run, against repeated synth.
const redrawOut = keptOutdir();
const [fresh, repeated] = pairwise(
  () => measure(appCommand),
  () => measure(appCommand, redrawOut),
);
const fr = stats(fresh);
const re = stats(repeated);
console.log("\n4. the diagram step (shipped environments)");
console.log(row("app command, pictures current (repeated synth)", re));
console.log(row("app command, every picture drawn anew", fr));
console.log(`  drawing adds ${(fr.ms - re.ms).toFixed(0)} ms wall (${(fr.cpu - re.cpu).toFixed(0)} ms CPU, peak ${fr.rss.toFixed(1)} MB against ${re.rss.toFixed(1)} MB); only a synth that changed a stack pays it`);

// Where the main job's time goes, from one more run over the shipped environments.
const phasesOut = fs.mkdtempSync(path.join(tmpdir(), "kms-bench-out-"));
const phases = spawnSync("sh", ["-c", appCommand], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: phasesOut, KMS_SYNTH_TIMINGS: "1" } });
fs.rmSync(phasesOut, { recursive: true, force: true });
const lines = phases.stderr.split("\n").filter((line) => line.startsWith("timing: "));
console.log(`\nwhere the time goes (one run, shipped environments; KMS_SYNTH_TIMINGS=1):\n${lines.map((line) => `  ${line.slice("timing: ".length)}`).join("\n")}`);

// 5. What the rehearsal (test/rehearsal/: the real terraform binary on stand-ins) adds to npm test:
// its test files run alone through jest with npm test's workers (jest.config.js). Target: at most
// 60 s wall on 2 cores. It needs terraform on PATH, as the tests do.
{
  const started = process.hrtime.bigint();
  const jest = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "jest", "bin", "jest.js"), "-c", "jest.config.js", "--silent", "test/rehearsal/", "test/hosts-replace.test.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const tests = /Tests:\s+(.*)/.exec(jest.stderr)?.[1] ?? "no summary";
  const files = [...jest.stderr.matchAll(/^(PASS|FAIL) (\S+) \(([\d.]+) s\)/gm)].map((m) => `    ${m[2]}: ${m[3]} s${m[1] === "FAIL" ? " (FAILED)" : ""}`);
  console.log(`\n5. the rehearsal in npm test (test/rehearsal/, real terraform on stand-ins)`);
  console.log(`  ${seconds.toFixed(1)} s wall for ${tests}; target <= 60 s on 2 cores: ${jest.status === 0 ? verdict(seconds <= 60) : "the tests FAILED"}`);
  if (files.length > 0) console.log(files.join("\n"));
}
