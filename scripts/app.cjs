// The app command (cdktf.json "app", `npm run synth`, `npm run schema`): rebuilds the main job's
// bundle only when something it bundles changed (scripts/build.cjs says exactly what), then runs
// it in this same process, so a repeated synth pays for one node start-up, not two.
//
//   node scripts/app.cjs [main job arguments]     (see main.ts)
//
// It also keeps V8's compiled code for the bundle in dist/main.js.v8cache (what the v8-compile-cache
// package does, and what `module.enableCompileCache()` does on Node 22+, but taken after the run so
// it holds every function the synth compiled, and on Node 20 too). V8 checks a cache only against
// the source's length and its own version and flags, so the cache also records the bundle's size,
// mtime and ctime, and is used only while they match; build.cjs deletes it whenever it rebuilds.
//
// CommonJS on purpose: node starts an ES module measurably slower (about 30-50 ms here), and this
// runs at every synth, diff and deploy.
//
// cdktf.json and npm run synth start it as `node --max-semi-space-size=2 --no-opt scripts/app.cjs`.
// A synth is over in a second or two, too soon for V8's optimizing compiler to pay for itself:
// with it, 50 environments ran in one of two modes, about 2.0 s / 125 MB or 2.4 s / 210 MB,
// depending on whether a large optimization job (about 90 MB of compiler memory) finished before
// the end; with --no-opt (interpreter and baseline compiler only) about 1.9 s / 114 MB every time,
// and a quarter less CPU. Nearly everything a synth allocates lives to its end (the bundle's
// code, the construct tree), so a large young generation buys nothing but fresh memory, and
// touching fresh memory is slow (about 13 microseconds a 4 KB page on the 2-core VM measured):
// capped at 2 MB a semi-space (V8's default grows to 16), the shipped environments took 368 ms
// instead of 395 with 8 MB, and 50 environments 1.18 s / 79 MB instead of 1.21 s / 91 MB; 16 and
// 32 MB, which spare most collections, were slower still (474 and 467 ms). Measured with
// /usr/bin/time, interleaved runs, each option set with its own code cache. Without the options
// the app works the same, only like that.
"use strict";
const fs = require("node:fs");
const { createRequire } = require("node:module");
const path = require("node:path");
const vm = require("node:vm");
const { BUNDLE_CACHE, ensureBundle } = require("./build.cjs");

const ROOT = path.resolve(__dirname, "..");
const bundle = path.join(ROOT, "dist", "main.js");
const cacheFile = path.join(ROOT, BUNDLE_CACHE);

// KMS_SYNTH_TIMINGS=1 (npm run bench sets it for its phase breakdown): this script's own phases,
// printed like the main job's, before them; node's start-up is the time before this line.
const timings = process.env.KMS_SYNTH_TIMINGS ? [] : undefined;
let mark = process.hrtime.bigint();
const phase = (name) => {
  if (!timings) return;
  const now = process.hrtime.bigint();
  timings.push(`timing: ${(Number(now - mark) / 1e6).toFixed(1).padStart(7)} ms  ${name}`);
  mark = now;
};
timings?.push(`timing: ${(process.uptime() * 1000).toFixed(1).padStart(7)} ms  node start-up (process start to the app command's first line)`);

try {
  ensureBundle();
} catch (error) {
  // esbuild has printed what is wrong; say what it means for this run.
  console.error(`Synthesis failed; nothing was written: the main job could not be bundled (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  process.exit(1);
}

phase("check the bundle is up to date (scripts/build.cjs)");
const stat = fs.statSync(bundle);
// V8 also refuses a cache made under other flags, so node's options are part of the key.
const key = `${process.version} ${process.arch} ${process.execArgv.join(" ")} ${stat.size} ${stat.mtimeMs} ${stat.ctimeMs}\n`;
let cachedData;
try {
  const cache = fs.readFileSync(cacheFile);
  const newline = cache.indexOf(10);
  if (cache.subarray(0, newline + 1).toString("utf8") === key) cachedData = cache.subarray(newline + 1);
} catch {
  // no cache yet
}

// build.cjs refuses to write a bundle that is not pure ASCII, and ensureBundle has just checked
// that this is the bundle it wrote: read it as Latin-1, which skips UTF-8 decoding. The bundle is
// one function expression (build.cjs, BUNDLE_BANNER), compiled as it is, without a copy.
const source = fs.readFileSync(bundle, "latin1");
const script = new vm.Script(source, { filename: bundle, cachedData });
phase(`read and compile the bundle (code cache ${cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "used"})`);
if (timings) console.error(timings.join("\n"));
const main = script.runInThisContext();
if (typeof main !== "function") {
  console.error(`Synthesis failed; nothing was written: ${bundle} is not the bundle scripts/build.cjs writes (it does not evaluate to a function); rebuild it with node scripts/build.cjs --force`);
  process.exit(1);
}
// The same arguments, and `this`, Node gives a CommonJS module.
const bundleModule = { exports: {}, filename: bundle, id: bundle, loaded: false, children: [], paths: [] };
main.call(bundleModule.exports, bundleModule.exports, createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
bundleModule.loaded = true;
phase("run the bundle (module initialization, then the main job: the phases above)");
if (timings) console.error(timings.at(-1));

// main.ts runs synchronously, so every function the synth needed is compiled by now.
if (cachedData === undefined || script.cachedDataRejected) {
  try {
    const temporary = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(key, "utf8"), script.createCachedData()]));
    fs.renameSync(temporary, cacheFile);
  } catch {
    // A cache that cannot be written only costs the next run its speed-up.
  }
}
