// npm run bench: median wall time and peak memory of the main job (synthesizing every environment)
// beside a bare cdktf app that synthesizes one empty stack, both bundled and launched the same way.
// Reports figures; it asserts nothing. Targets: ratio <= 1.5, peak <= 120 MB.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runs = Number(process.env.BENCH_RUNS ?? 7);
const probe = join(process.cwd(), "scripts", "bench-probe.cjs");

function measure(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--require", probe, ...args], { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
  const rss = Number(/BENCH_MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1]) / 1024;
  return { ms, rss };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function bench(label, args) {
  measure(args); // warm the file-system cache; not counted
  const samples = Array.from({ length: runs }, () => measure(args));
  return { label, ms: median(samples.map((s) => s.ms)), rss: Math.max(...samples.map((s) => s.rss)), min: Math.min(...samples.map((s) => s.ms)), max: Math.max(...samples.map((s) => s.ms)) };
}

const outdir = mkdtempSync(join(tmpdir(), "kms-bench-"));
try {
  const baseline = bench("bare cdktf app, one empty stack", ["dist/bench-baseline.js"]);
  const main = bench("main job, every environment", ["dist/main.js", "--out", outdir]);
  const row = (r) => `${r.label.padEnd(34)} ${r.ms.toFixed(0).padStart(6)} ms  (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)})  ${r.rss.toFixed(1).padStart(6)} MB peak`;
  console.log(`${runs} runs each, median wall time and peak resident memory (node ${process.version})`);
  console.log(row(baseline));
  console.log(row(main));
  const ratio = main.ms / baseline.ms;
  console.log(`ratio main/baseline: ${ratio.toFixed(2)} (target <= 1.5)  peak: ${main.rss.toFixed(1)} MB (target <= 120 MB)`);
  console.log(`${ratio <= 1.5 ? "within" : "OVER"} the time target; ${main.rss <= 120 ? "within" : "OVER"} the memory target`);
  // Where the main job's time goes, from one more run: process start and module loading are the
  // rest of the wall time.
  const phases = spawnSync(process.execPath, ["dist/main.js", "--out", outdir], { encoding: "utf8", env: { ...process.env, KMS_SYNTH_TIMINGS: "1" } });
  const lines = phases.stderr.split("\n").filter((line) => line.startsWith("timing: "));
  console.log(`main job phases (one run):\n${lines.map((line) => `  ${line.slice("timing: ".length)}`).join("\n")}`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
