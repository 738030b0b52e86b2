// The CDK Terrain lane (issue 25; README "Moving to CDK Terrain"). cdktf 0.21.0 stays the engine
// this project is built on; this proves the same source on CDK Terrain, its maintained
// continuation, every CI run (.ci/run):
//   1. copies the project (tracked and untracked files, not git-ignored ones: no node_modules) into
//      a temporary folder, outside the tree, so the main install is never touched;
//   2. rewrites the copy's package.json to npm aliases: "cdktf": "npm:cdktn@<CDKTN>",
//      "@cdktf/provider-azurerm": "npm:@cdktn/provider-azurerm@<PROVIDER>", constructs <CONSTRUCTS>;
//      @cdktf/provider-dns and @cdktf/provider-random stay (the registry serves no @cdktn/provider-dns)
//      and get cdktn through overrides, as does the azurerm provider (its peer range is ^0.23.0);
//      swaps patches/ for patches-cdktn/ (the performance patch ported: patch-package keys a patch
//      by the folder name, cdktf, and the installed version, 0.24.0);
//   3. installs, and makes node_modules/cdktn (the providers' peer) a link to node_modules/cdktf,
//      so one copy of the framework loads (two copies make instanceof checks, tagging among them,
//      silently fail);
//   4. runs the main job there and here, into cdktf.out/ of each, and compares every file: stacks
//      and the manifest as JSON after normalise() removes the framework version and the provider
//      version pins, which are the only differences allowed; every other file byte for byte;
//   5. runs the jest suite there (npm test -- --no-pester: Pester does not depend on the framework).
// Prints "cdktn lane: N passed, N failed, N skipped" last (--summary-file <path> writes it too) and
// exits non-zero on any difference or failure.
//
//   node scripts/cdktn-lane.mjs [--keep] [--no-tests] [--summary-file <path>]
//     --keep: leave the copy and print its path; --no-tests: the install and the comparison only
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

export const CDKTN = "0.24.0";
export const PROVIDER_AZURERM = "16.1.0";
export const CONSTRUCTS = "10.6.0";

/**
 * A synthesized JSON file without what may differ between the cdktf and the CDK Terrain build:
 * the framework's version (`//.metadata.version` of a stack, `version` of manifest.json) and the
 * version pins of the providers (`terraform.required_providers.<name>.version`). Nothing else.
 */
export function normalise(file, json) {
  const copy = structuredClone(json);
  if (path.basename(file) === "manifest.json") {
    delete copy.version;
    return copy;
  }
  if (copy["//"]?.metadata) delete copy["//"].metadata.version;
  for (const provider of Object.values(copy.terraform?.required_providers ?? {})) delete provider.version;
  return copy;
}

/** The paths (a.b[0].c) where two JSON values differ, at most `limit`. */
export function differences(a, b, at = "", limit = 10, out = []) {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(a[key], b[key], Array.isArray(a) ? `${at}[${key}]` : at ? `${at}.${key}` : key, limit, out);
    }
    return out;
  }
  out.push(`${at || "(root)"}: ${JSON.stringify(a)?.slice(0, 120)} (cdktf) / ${JSON.stringify(b)?.slice(0, 120)} (CDK Terrain)`);
  return out;
}

/** Every file under dir, relative, sorted. */
function files(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort() : [];
}

/** Compares two main-job outputs; returns the problems (empty when only the allowed differences exist) and how many stacks matched. */
export function compareOutputs(cdktfOut, cdktnOut) {
  const problems = [];
  const ours = files(cdktfOut);
  const theirs = files(cdktnOut);
  for (const f of ours.filter((x) => !theirs.includes(x))) problems.push(`${f}: written by the cdktf build only`);
  for (const f of theirs.filter((x) => !ours.includes(x))) problems.push(`${f}: written by the CDK Terrain build only`);
  let stacks = 0;
  for (const f of ours.filter((x) => theirs.includes(x))) {
    const a = fs.readFileSync(path.join(cdktfOut, f));
    const b = fs.readFileSync(path.join(cdktnOut, f));
    if (f.endsWith("cdk.tf.json") || f === "manifest.json") {
      const diff = differences(normalise(f, JSON.parse(a.toString("utf8"))), normalise(f, JSON.parse(b.toString("utf8"))));
      for (const d of diff) problems.push(`${f}: ${d}`);
      if (f.endsWith("cdk.tf.json") && diff.length === 0) stacks += 1;
    } else if (!a.equals(b)) {
      problems.push(`${f}: differs`);
    }
  }
  return { problems, stacks };
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}) in ${options.cwd}`);
  return result;
}

/** The lane's copy of the project, installed. */
function prepareLane(root, lane) {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  if (listed.status !== 0) throw new Error("cdktn-lane: needs a git checkout (it copies the files git lists)");
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (!fs.existsSync(path.join(root, file))) continue; // deleted, not yet committed
    fs.mkdirSync(path.join(lane, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(lane, file));
  }
  // PowerShell (the PowerShell grammar tests) as already installed here.
  if (fs.existsSync(path.join(root, ".tools"))) fs.symlinkSync(path.join(root, ".tools"), path.join(lane, ".tools"));
  const pkg = JSON.parse(fs.readFileSync(path.join(lane, "package.json"), "utf8"));
  for (const field of ["dependencies", "devDependencies"]) {
    const deps = pkg[field];
    if (!deps) continue;
    if (deps.cdktf) deps.cdktf = `npm:cdktn@${CDKTN}`;
    if (deps["@cdktf/provider-azurerm"]) deps["@cdktf/provider-azurerm"] = `npm:@cdktn/provider-azurerm@${PROVIDER_AZURERM}`;
    if (deps.constructs) deps.constructs = CONSTRUCTS;
  }
  // The library's peers, as a consumer on CDK Terrain would see them: the aliased packages at the
  // versions installed here (test/package/library.test.ts installs the packed library beside them).
  if (pkg.peerDependencies) {
    const peers = pkg.peerDependencies;
    if (peers.cdktf) peers.cdktf = `~${CDKTN}`;
    if (peers["@cdktf/provider-azurerm"]) peers["@cdktf/provider-azurerm"] = `~${PROVIDER_AZURERM}`;
    if (peers.constructs) peers.constructs = `^${CONSTRUCTS}`;
  }
  pkg.overrides = { cdktn: CDKTN, "@cdktf/provider-dns": { cdktf: "$cdktf" }, "@cdktf/provider-random": { cdktf: "$cdktf" } };
  fs.writeFileSync(path.join(lane, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.rmSync(path.join(lane, "package-lock.json"), { force: true });
  fs.rmSync(path.join(lane, "patches"), { recursive: true, force: true });
  fs.cpSync(path.join(root, "patches-cdktn"), path.join(lane, "patches"), { recursive: true });
  // npm install runs `prepare`: patch-package --error-on-fail --error-on-warn, with the ported patch.
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: lane });
  const cdktn = path.join(lane, "node_modules", "cdktn");
  fs.rmSync(cdktn, { recursive: true, force: true });
  fs.symlinkSync("cdktf", cdktn);
  const installed = JSON.parse(fs.readFileSync(path.join(lane, "node_modules", "cdktf", "package.json"), "utf8"));
  if (installed.name !== "cdktn" || installed.version !== CDKTN) throw new Error(`cdktn-lane: node_modules/cdktf is ${installed.name}@${installed.version}, not cdktn@${CDKTN}`);
}

const APP = ["--max-semi-space-size=2", "--no-opt", "scripts/app.cjs", "--out", "cdktf.out"];

function main() {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
  const args = process.argv.slice(2);
  const keep = args.includes("--keep");
  const summaryAt = args.indexOf("--summary-file");
  const summaryFile = summaryAt >= 0 ? args[summaryAt + 1] : undefined;
  const lane = fs.mkdtempSync(path.join(tmpdir(), "azure-kms-host-cdktn-lane-"));
  const cdktfOut = fs.mkdtempSync(path.join(tmpdir(), "azure-kms-host-cdktf-build-"));
  let counts = { passed: 0, failed: 1, skipped: 0 };
  let status = 1;
  try {
    console.log(`== CDK Terrain lane: cdktn ${CDKTN}, @cdktn/provider-azurerm ${PROVIDER_AZURERM}, in ${lane}`);
    prepareLane(root, lane);
    console.log("== CDK Terrain lane: main job on both, then every output file compared");
    fs.mkdirSync(path.join(cdktfOut, "environments"));
    // The cdktf build writes into a scratch folder (the repository's cdktf.out/ stays as it is),
    // from the same relative paths as the lane, so path-valued outputs agree.
    fs.cpSync(path.join(root, "environments"), path.join(cdktfOut, "environments"), { recursive: true });
    run(process.execPath, [APP[0], APP[1], path.join(root, "scripts", "app.cjs"), "--environments", "environments", "--out", "cdktf.out"], { cwd: cdktfOut, stdio: ["ignore", "ignore", "ignore"] });
    const laneJob = fs.mkdtempSync(path.join(tmpdir(), "azure-kms-host-cdktn-build-"));
    try {
      fs.cpSync(path.join(root, "environments"), path.join(laneJob, "environments"), { recursive: true });
      run(process.execPath, [APP[0], APP[1], path.join(lane, "scripts", "app.cjs"), "--environments", "environments", "--out", "cdktf.out"], { cwd: laneJob, stdio: ["ignore", "ignore", "ignore"] });
      const { problems, stacks } = compareOutputs(path.join(cdktfOut, "cdktf.out"), path.join(laneJob, "cdktf.out"));
      for (const problem of problems) console.log(`  DIFFERENT ${problem}`);
      console.log(`  ${stacks} stack(s) the same apart from the framework version and provider version pins; ${problems.length} other difference(s)`);
      counts = { passed: problems.length === 0 ? 1 : 0, failed: problems.length, skipped: 0 };
    } finally {
      fs.rmSync(laneJob, { recursive: true, force: true });
    }
    if (!args.includes("--no-tests")) {
      console.log("== CDK Terrain lane: jest suite (npm test -- --no-pester)");
      const summary = path.join(lane, ".lane-summary");
      spawnSync("npm", ["test", "--", "--ci", "--no-pester", "--summary-file", summary], { cwd: lane, stdio: "inherit" });
      const line = fs.existsSync(summary) ? fs.readFileSync(summary, "utf8").trim() : "0 passed, 1 failed, 0 skipped";
      const [passed, failed, skipped] = (line.match(/\d+/g) ?? ["0", "1", "0"]).map(Number);
      counts = { passed: counts.passed + passed, failed: counts.failed + failed, skipped: counts.skipped + skipped };
    }
    status = counts.failed === 0 ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
  } finally {
    fs.rmSync(cdktfOut, { recursive: true, force: true });
    if (keep) console.log(`cdktn lane copy kept: ${lane}`);
    else fs.rmSync(lane, { recursive: true, force: true });
  }
  const line = `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
  console.log(`cdktn lane: ${line}`);
  if (summaryFile) fs.writeFileSync(summaryFile, `${line}\n`);
  return status;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
