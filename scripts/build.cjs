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
const fs = require("node:fs");
const { isBuiltin } = require("node:module");
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
  // Concatenated, not path.join: the paths are already normal (esbuild's metafile, "/"-separated,
  // which node takes on Windows too), and joining normalizes each one character by character, which
  // was half of this check's time (about 8 of 15 ms for some 700 files) at every synth.
  const root = `${ROOT}/`;
  for (const file in stamp.files) {
    const was = stamp.files[file];
    const now = fs.statSync(root + file, { throwIfNoEntry: false });
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

// esbuild's helper that turns a CommonJS module's exports into what an `import` of it sees
// (esbuild 0.28.2, pinned; internal/runtime/runtime.go, __toESM), as it prints it minified. It
// copies every export into a fresh object, with a getter each, at every import: the bundle imports
// cdktf from 13 files and constructs from 12, and cdktf has hundreds of exports. An ES module has
// one namespace object, whoever imports it; the replacement gives every import of a module the
// same copy while the module's own property names are unchanged (the getters read through, so the
// values are always current), and a fresh copy when a module gained exports since (a require cycle
// caught it half-loaded).
const ESBUILD_TO_ESM =
  '__toESM=(mod,isNodeMode,target)=>(target=mod!=null?__create(__getProtoOf(mod)):{},__copyProps(isNodeMode||!mod||!mod.__esModule?__defProp(target,"default",{value:mod,enumerable:!0}):target,mod));';
// esbuild's helper itself, renamed __toESMCopy, makes each copy.
const SHARED_TO_ESM =
  `${ESBUILD_TO_ESM.replace(/^__toESM=/, "__toESMCopy=").replace(/;$/, ",")}` +
  '__toESMShared=[new WeakMap,new WeakMap],' +
  '__toESM=(mod,isNodeMode)=>{if(mod==null||typeof mod!="object"&&typeof mod!="function")return __toESMCopy(mod,isNodeMode);' +
  'let shared=__toESMShared[isNodeMode?1:0],names=__getOwnPropNames(mod).length,hit=shared.get(mod);' +
  'return hit&&hit.names===names?hit.copy:(hit={copy:__toESMCopy(mod,isNodeMode),names},shared.set(mod,hit),hit.copy)};';

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The numbers of one source-map segment (Base64 VLQ, as the Source Map v3 format encodes them). */
function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`not a Base64 VLQ digit: ${JSON.stringify(char)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value % 2 ? -Math.floor(value / 2) : value / 2);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(values) {
  let out = "";
  for (const number of values) {
    let rest = number < 0 ? -number * 2 + 1 : number * 2;
    do {
      let digit = rest % 32;
      rest = Math.floor(rest / 32);
      if (rest > 0) digit |= 32;
      out += BASE64[digit];
    } while (rest > 0);
  }
  return out;
}

/**
 * Replaces esbuild's __toESM helper (ESBUILD_TO_ESM) with SHARED_TO_ESM in the bundle, and moves
 * the source map's mappings on that line that follow it by the difference in length, so the map
 * stays exact. Throws when the helper is not there exactly once (another esbuild: update
 * ESBUILD_TO_ESM from its runtime).
 */
function shareNamespaceCopies(code, mapText) {
  const at = code.indexOf(ESBUILD_TO_ESM);
  if (at < 0 || code.indexOf(ESBUILD_TO_ESM, at + 1) >= 0) {
    throw new Error(`scripts/build.cjs: esbuild's __toESM helper is not in the bundle exactly once as ESBUILD_TO_ESM spells it (another esbuild version?); update ESBUILD_TO_ESM and SHARED_TO_ESM from esbuild's runtime`);
  }
  const line = code.slice(0, at).split("\n").length - 1;
  const column = at - (code.lastIndexOf("\n", at - 1) + 1);
  const end = column + ESBUILD_TO_ESM.length;
  const shift = SHARED_TO_ESM.length - ESBUILD_TO_ESM.length;
  const map = JSON.parse(mapText);
  const lines = map.mappings.split(";");
  const segments = lines[line] === "" ? [] : lines[line].split(",");
  let generatedColumn = 0;
  for (let i = 0; i < segments.length; i += 1) {
    const values = decodeVlq(segments[i]);
    generatedColumn += values[0];
    // Columns are relative to the previous segment's: moving the first segment after the helper
    // moves every later one on the line with it.
    if (generatedColumn >= end) {
      values[0] += shift;
      segments[i] = encodeVlq(values);
      break;
    }
  }
  lines[line] = segments.join(",");
  map.mappings = lines.join(";");
  return { code: code.slice(0, at) + SHARED_TO_ESM + code.slice(at + ESBUILD_TO_ESM.length), map: JSON.stringify(map) };
}

// The bundle is one function expression, so scripts/app.cjs compiles the file's text as it is: a
// wrapper added around it at run time made V8 copy the whole bundle into one new string before
// compiling it (about 8 ms at every synth). Run by node as a module (`node dist/main.js`), the
// first line calls that function with the module's own exports, require, module, __filename and
// __dirname; compiled as a script by scripts/app.cjs, where `this` is the global object, it
// evaluates to the function, which app.cjs calls with the same five values. The function is in
// parentheses so V8 compiles it at once instead of pre-parsing it first.
const BUNDLE_BANNER =
  "(function(main){return this===globalThis?main:main.call(this,exports,require,module,__filename,__dirname)}).call(this,(function(exports,require,module,__filename,__dirname){";
const BUNDLE_FOOTER = "}))";

/**
 * Modules left out of the bundle and required from node_modules when used, as esbuild's `external`
 * (a path relative to the project, which esbuild writes relative to dist/). `archiver` (a zip
 * library and about 200 modules of dependencies, a quarter of the bundle) is only used to zip a
 * directory asset, which cdktf requires where it makes the zip (patches/README.md); the main
 * job's assets are single files, so it is never loaded, and reading and holding its text cost
 * every synth.
 */
function lazilyRequiredModules() {
  // cdktf's package wherever npm put it (CDK Terrain's cdktn, installed under the name cdktf, has
  // no archiver: it zips with fflate, and .ci/run's CDK Terrain lane builds with it).
  const cdktfDir = path.dirname(require.resolve("cdktf/package.json", { paths: [ROOT] }));
  const cdktfPackage = JSON.parse(fs.readFileSync(path.join(cdktfDir, "package.json"), "utf8"));
  if (!cdktfPackage.dependencies?.archiver) return [];
  const archiver = require.resolve("archiver", { paths: [cdktfDir] });
  return [`./${path.relative(ROOT, archiver).split(path.sep).join("/")}`];
}

/**
 * Modules the bundle gets in place of what they name, as esbuild's `alias`: stand-ins that load
 * the module only when something uses it (each file says why; scripts/bundle/lazy-module.cjs).
 */
const BUNDLE_ALIASES = {
  assert: "./scripts/bundle/lazy-assert.cjs",
  child_process: "./scripts/bundle/lazy-child-process.cjs",
  semver: "./scripts/bundle/lazy-semver.cjs",
};

/** The packages in BUNDLE_ALIASES that stand for cdktf's own copy: those that are not node's modules. */
const CDKTF_COPIES = Object.keys(BUNDLE_ALIASES).filter((name) => !isBuiltin(name));

/**
 * Imports of a package that BUNDLE_ALIASES replaces with cdktf's own copy, from anything but cdktf
 * (esbuild's metafile records the import path as written, `original`), as "<importer> imports <package>".
 */
function aliasedFromElsewhere(metafile) {
  const strays = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imported of input.imports) {
      // cdktf's own files (the path is relative, and leaves the project when node_modules is a link).
      if (CDKTF_COPIES.includes(imported.original) && !/(^|\/)node_modules\/cdktf\/(?!node_modules\/)/.test(file)) strays.push(`${file} imports ${imported.original}`);
    }
  }
  return strays;
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
    // name cdktf's classes and ours). esbuild escapes every non-ASCII character by default (its
    // `charset` option), so the output is pure ASCII: scripts/app.cjs reads it as Latin-1, without
    // UTF-8 decoding, and V8 keeps it as a one-byte string.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    write: false,
    banner: { js: BUNDLE_BANNER },
    footer: { js: BUNDLE_FOOTER },
    // @viz-js/viz: Graphviz as WebAssembly (1.2 MB of JavaScript), loaded by the diagram step only
    // when a stack changed (diagrams/render.ts), never read at start-up.
    external: [...lazilyRequiredModules(), "@viz-js/viz"],
    alias: BUNDLE_ALIASES,
  });
  const strays = aliasedFromElsewhere(result.metafile);
  if (strays.length > 0) {
    throw new Error(`scripts/build.cjs: ${strays.join("; ")}: the bundle's stand-in for that package is cdktf's own copy (BUNDLE_ALIASES), which may not be the version asked for; leave the package out of BUNDLE_ALIASES or make the stand-in load the right copy`);
  }
  const js = result.outputFiles.find((file) => file.path.endsWith(".js"));
  const map = result.outputFiles.find((file) => file.path.endsWith(".js.map"));
  const shared = shareNamespaceCopies(js.text, map.text);
  if (/[^\x00-\x7f]/.test(shared.code)) {
    throw new Error(`${BUNDLE}: esbuild's output is not pure ASCII (was its charset option changed?); scripts/app.cjs reads the bundle as Latin-1`);
  }
  fs.mkdirSync(path.dirname(js.path), { recursive: true });
  fs.writeFileSync(map.path, shared.map);
  fs.writeFileSync(js.path, shared.code, "latin1");
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
  // Loaded here, not at the top: the app command loads this script at every synth.
  const { execFileSync } = require("node:child_process");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
}

module.exports = { BUNDLE_CACHE, aliasedFromElsewhere, staleReasons, ensureBundle, buildLibrary, shareNamespaceCopies, decodeVlq, encodeVlq, ESBUILD_TO_ESM, SHARED_TO_ESM };

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
