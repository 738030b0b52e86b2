// `npm test`: jest (the main tests and the build tests of jest.build.config.js, in one run), then Pester over
// every test/powershell/*.Tests.ps1 with command coverage of each shipped script under powershell/ (at least 85% each). Prints both runners' summaries and, last, one
// plain line "N passed, N failed, N skipped" summing both. Exits non-zero if anything failed or a
// script's coverage is below the minimum. Arguments go to jest (e.g. `npm test -- --ci`);
// `--summary-file <path>` also writes that last line to a file (.ci/run prints it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { treeChanges, treeState } from "./tree-state.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let summaryFile;
const summaryAt = args.indexOf("--summary-file");
if (summaryAt >= 0) {
  summaryFile = args[summaryAt + 1];
  args.splice(summaryAt, 2);
}
// `--no-pester`: jest only (.ci/run's reruns on Node 22 and 24: Pester does not run on Node, so
// running it once, on the first pass, is enough).
const noPester = args.includes("--no-pester");
if (noPester) args.splice(args.indexOf("--no-pester"), 1);
// 0. BIND 9 for the DNS tests and shellcheck for the pipeline tests: installed when missing and this
//    user can (scripts/install-bind.sh), else one message with the command that fixes it, before
//    anything runs.
const bind = spawnSync("bash", [path.join(root, "scripts", "install-bind.sh")], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (bind.status !== 0) {
  console.error("npm test: stopped before running anything: BIND 9 and shellcheck are needed (the command above installs them).");
  process.exit(bind.status || 1);
}
const treeBefore = treeState(root);
const work = mkdtempSync(path.join(tmpdir(), "azure-kms-host-test-"));

try {
  // 1. PowerShell and Pester (quick when already installed).
  const install = spawnSync("bash", [path.join(root, "scripts", "install-powershell.sh")], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const tools = Object.fromEntries((install.stdout ?? "").split("\n").filter((line) => /^(PWSH|PESTER)=/.test(line)).map((line) => line.split(/=(.*)/s).slice(0, 2)));
  if (install.status !== 0 || !tools.PWSH || !tools.PESTER) {
    console.error("npm test: PowerShell or Pester is missing (see the message above); the Pester suite cannot run.");
    process.exit(install.status || 1);
  }

  // 2. jest: one run of jest.all.config.js, the main tests and the build tests (jest.build.config.js:
  //    the packed library and the app command's rebuild rule) as two projects sharing the workers.
  const json = path.join(work, "jest.json");
  const jestRun = spawnSync(process.execPath, [path.join(root, "node_modules", "jest", "bin", "jest.js"), "-c", "jest.all.config.js", "--json", `--outputFile=${json}`, ...args], { cwd: root, stdio: "inherit" });
  const jest = { status: jestRun.status };
  let jestCounts = { passed: 0, failed: 1, skipped: 0 };
  const buildCounts = { passed: 0, failed: 0 };
  try {
    const r = JSON.parse(readFileSync(json, "utf8"));
    jestCounts = { passed: r.numPassedTests, failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0), skipped: r.numPendingTests + r.numTodoTests };
    // The build project's files: those under the roots jest.build.config.js gives it.
    const buildRoots = createRequire(import.meta.url)("../jest.build.config.js").roots.map((dir) => path.join(dir.replace("<rootDir>", root)) + path.sep);
    for (const file of r.testResults.filter((f) => buildRoots.some((dir) => f.name.startsWith(dir)))) {
      buildCounts.passed += file.assertionResults.filter((a) => a.status === "passed").length;
      buildCounts.failed += file.assertionResults.filter((a) => a.status === "failed").length;
    }
  } catch {
    console.error("npm test: jest wrote no results.");
    jest.status = jest.status || 1;
  }

  // 3. Pester with coverage.
  const pesterJson = path.join(work, "pester.json");
  const pester = noPester ? { status: 0 } : spawnSync(tools.PWSH, ["-NoProfile", "-NonInteractive", "-File", path.join(root, "scripts", "run-pester.ps1"), "-PesterPath", tools.PESTER, "-SummaryPath", pesterJson], { cwd: root, stdio: "inherit" });
  let pesterCounts = { passed: 0, failed: 1, skipped: 0, coverage: [], minimum: 85 };
  if (noPester) {
    pesterCounts = { passed: 0, failed: 0, skipped: 0, coverage: [], minimum: 85 };
  } else {
    try {
      pesterCounts = JSON.parse(readFileSync(pesterJson, "utf8").replace(/^\uFEFF/, ""));
    } catch {
      console.error("npm test: Pester wrote no results.");
    }
  }
  const lowCoverage = pesterCounts.coverage.filter((entry) => entry.percent < pesterCounts.minimum);

  console.log("");
  console.log(`jest:   ${jestCounts.passed} passed, ${jestCounts.failed} failed, ${jestCounts.skipped} skipped (build tests: ${buildCounts.passed} passed, ${buildCounts.failed} failed)`);
  if (noPester) console.log("Pester: not run (--no-pester)");
  else console.log(`Pester: ${pesterCounts.passed} passed, ${pesterCounts.failed} failed, ${pesterCounts.skipped} skipped; coverage ${pesterCounts.coverage.map((c) => `${path.basename(c.file)} ${c.percent}%`).join(", ")}`);
  for (const entry of lowCoverage) console.log(`coverage of ${entry.file} is ${entry.percent}%, below the minimum of ${pesterCounts.minimum}%: add Pester tests for it`);
  // The suite leaves the working tree as it found it (scripts/tree-state.mjs).
  const treeAfter = treeBefore && treeState(root);
  const treeChanged = treeBefore && treeAfter ? treeChanges(treeBefore, treeAfter) : [];
  if (treeChanged.length > 0) console.log(`the tests changed the working tree (each change counts as a failure):\n${treeChanged.join("\n")}`);
  else console.log(treeBefore ? "working tree: unchanged by the tests" : "working tree: not a git checkout, not compared");
  const failed = jestCounts.failed + pesterCounts.failed + lowCoverage.length + treeChanged.length;
  const line = `${jestCounts.passed + pesterCounts.passed} passed, ${failed} failed, ${jestCounts.skipped + pesterCounts.skipped} skipped`;
  console.log(line);
  if (summaryFile) writeFileSync(summaryFile, line + "\n");
  process.exitCode = failed > 0 || jest.status !== 0 || pester.status !== 0 ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
