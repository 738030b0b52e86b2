// Builds what the package runs and ships.
//
//   node scripts/build.cjs           bundle main.ts into dist/main.js, unless the bundle is up to date
//   node scripts/build.cjs --force   bundle even if it is up to date
//   node scripts/build.cjs --check   only say why the bundle would be rebuilt (exit 1) or that it is up to date
//   node scripts/build.cjs --lib     compile the library into lib/ (JavaScript + declarations; npm pack runs this)
//
// The bundle: esbuild puts main.ts and everything it imports into dist/main.js, so the main job runs
// in plain node, with no type-checking on the hot path (`npm run typecheck` does that) and no
// module resolution of hundreds of files at start-up.
//
// Up to date means: every file esbuild read for the last bundle (from its metafile: our sources and
// the node_modules files, patched ones included), package.json, both lockfiles (npm rewrites
// node_modules/.package-lock.json whenever it changes node_modules), tsconfig.json, this script and
// the bundle itself have exactly the size, mtime and ctime recorded when it was built, and every
// project directory holding one of our sources has the same modules (a file added beside them could
// change what an import resolves to). ctime cannot be set back by tools (unlike
// mtime), so any write to any of them rebuilds. The record is deleted before a build and written
// after it succeeds, so a failed or interrupted build is never taken for a good one. Checking costs
// a few milliseconds and never loads esbuild.
// CommonJS, like the app command that loads it (scripts/app.cjs): node starts an ES module
// measurably slower, and the app command runs at every synth.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const BUNDLE = "dist/main.js";
const STAMP = "dist/main.js.inputs.json";
/** V8's compiled code for the bundle, kept by scripts/app.cjs; deleted whenever the bundle is rebuilt. */
const BUNDLE_CACHE = "dist/main.js.v8cache";
const STAMP_VERSION = 3;
/** Files that change the bundle without esbuild reading them as inputs. */
const ALWAYS_CHECKED = ["package.json", "package-lock.json", "node_modules/.package-lock.json", "tsconfig.json", "scripts/build.cjs", BUNDLE];

/** [size, mtimeMs, ctimeMs] of a file or directory, or null when it does not exist. */
function fingerprint(relative) {
  const s = fs.statSync(path.join(ROOT, relative), { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs, s.ctimeMs] : null;
}

/**
 * The files of a source directory that could change what an import resolves to (modules and JSON;
 * a new folder cannot: a file of the same name wins), as one string. Other files (state files,
 * logs) and folders (cdktf.out/, lib/) come and go without a rebuild.
 */
function sourceListing(dir) {
  try {
    return fs
      .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .filter((e) => !e.isDirectory() && /\.(ts|tsx|mts|cts|js|mjs|cjs|json|node)$/.test(e.name))
      .map((e) => e.name)
      .sort()
      .join("\n");
  } catch {
    return null;
  }
}

/**
 * Why the bundle must be rebuilt: empty when it is up to date. Stops at the first reason unless
 * `all` (for `--check`).
 */
function staleReasons({ all = false } = {}) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(ROOT, STAMP), "utf8"));
  } catch {
    return ["no record of a previous build"];
  }
  if (stamp.version !== STAMP_VERSION || !stamp.files) return ["the build record is from another version of this script"];
  const reasons = [];
  for (const [dir, listing] of Object.entries(stamp.dirs ?? {})) {
    if (sourceListing(dir) !== listing) {
      reasons.push(`files were added to or removed from ${dir}/`);
      if (!all) return reasons;
    }
  }
  for (const file in stamp.files) {
    const was = stamp.files[file];
    const now = fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    let reason;
    if (!now || !was) {
      if (now || was) reason = `${file} ${now ? "appeared" : "is gone"}`;
    } else if (now.size !== was[0] || now.mtimeMs !== was[1] || now.ctimeMs !== was[2]) {
      reason = `${file} changed`;
    }
    if (reason) {
      reasons.push(reason);
      if (!all) return reasons;
    }
  }
  return reasons;
}

/** Bundles main.ts into dist/main.js unless it is up to date. Returns why it rebuilt, or undefined. */
function ensureBundle({ force = false } = {}) {
  const reason = force ? "forced" : staleReasons()[0];
  if (reason === undefined) return undefined;
  fs.rmSync(path.join(ROOT, STAMP), { force: true });
  fs.rmSync(path.join(ROOT, BUNDLE_CACHE), { force: true });
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: ["main.ts"],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "linked",
    logLevel: "warning",
    legalComments: "none",
    // No comments or whitespace, and simpler syntax; names are kept (stack traces and error messages
    // name cdktf's classes and ours). The output is then pure ASCII (bundled comments were not), so
    // node reads it without UTF-8 decoding and V8 parses a third less.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes(":"));
  const sourceDirs = new Set(inputs.filter((file) => !file.startsWith("node_modules/")).map((file) => path.dirname(file)));
  const files = {};
  for (const file of [...inputs, ...ALWAYS_CHECKED]) files[file] = fingerprint(file);
  const dirs = {};
  for (const dir of sourceDirs) dirs[dir] = sourceListing(dir);
  fs.writeFileSync(path.join(ROOT, STAMP), `${JSON.stringify({ version: STAMP_VERSION, files, dirs })}\n`);
  return reason;
}

/** Compiles the library into lib/ with tsc (tsconfig.build.json), after removing any old output. */
function buildLibrary() {
  fs.rmSync(path.join(ROOT, "lib"), { recursive: true, force: true });
  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
}

module.exports = { BUNDLE_CACHE, staleReasons, ensureBundle, buildLibrary };

if (require.main === module) {
  if (process.argv.includes("--lib")) {
    buildLibrary();
  } else if (process.argv.includes("--check")) {
    const reasons = staleReasons({ all: true });
    console.log(reasons.length === 0 ? `${BUNDLE} is up to date` : reasons.join("\n"));
    process.exitCode = reasons.length === 0 ? 0 : 1;
  } else {
    const reason = ensureBundle({ force: process.argv.includes("--force") });
    console.error(reason === undefined ? `${BUNDLE} is up to date` : `built ${BUNDLE} (${reason})`);
  }
}
