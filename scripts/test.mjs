// `npm test`: jest (the main run, then the build tests of jest.build.config.js), then Pester over
// every test/powershell/*.Tests.ps1 with command coverage of each shipped script under powershell/ (at least 85% each). Prints both runners' summaries and, last, one
// plain line "N passed, N failed, N skipped" summing both. Exits non-zero if anything failed or a
// script's coverage is below the minimum. Arguments go to jest (e.g. `npm test -- --ci`);
// `--summary-file <path>` also writes that last line to a file (.ci/run prints it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let summaryFile;
const summaryAt = args.indexOf("--summary-file");
if (summaryAt >= 0) {
  summaryFile = args[summaryAt + 1];
  args.splice(summaryAt, 2);
}
const work = mkdtempSync(path.join(tmpdir(), "azure-kms-host-test-"));

try {
  // 1. PowerShell and Pester (quick when already installed).
  const install = spawnSync("bash", [path.join(root, "scripts", "install-powershell.sh")], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const tools = Object.fromEntries((install.stdout ?? "").split("\n").filter((line) => /^(PWSH|PESTER)=/.test(line)).map((line) => line.split(/=(.*)/s).slice(0, 2)));
  if (install.status !== 0 || !tools.PWSH || !tools.PESTER) {
    console.error("npm test: PowerShell or Pester is missing (see the message above); the Pester suite cannot run.");
    process.exit(install.status || 1);
  }

  // 2. jest: the main run, then the build tests (jest.build.config.js: the packed library and the
  //    app command's rebuild rule, which spend their time in tsc and esbuild).
  const runJest = (name, config) => {
    const json = path.join(work, `${name}.json`);
    const run = spawnSync(process.execPath, [path.join(root, "node_modules", "jest", "bin", "jest.js"), ...config, "--json", `--outputFile=${json}`, ...args], { cwd: root, stdio: "inherit" });
    try {
      const r = JSON.parse(readFileSync(json, "utf8"));
      return { status: run.status, passed: r.numPassedTests, failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0), skipped: r.numPendingTests + r.numTodoTests };
    } catch {
      console.error(`npm test: jest (${name}) wrote no results.`);
      return { status: run.status ?? 1, passed: 0, failed: 1, skipped: 0 };
    }
  };
  const jestMain = runJest("jest", []);
  const jestBuild = runJest("jest-build", ["-c", "jest.build.config.js"]);
  const jest = { status: jestMain.status || jestBuild.status };
  const jestCounts = { passed: jestMain.passed + jestBuild.passed, failed: jestMain.failed + jestBuild.failed, skipped: jestMain.skipped + jestBuild.skipped };

  // 3. Pester with coverage.
  const pesterJson = path.join(work, "pester.json");
  const pester = spawnSync(tools.PWSH, ["-NoProfile", "-NonInteractive", "-File", path.join(root, "scripts", "run-pester.ps1"), "-PesterPath", tools.PESTER, "-SummaryPath", pesterJson], { cwd: root, stdio: "inherit" });
  let pesterCounts = { passed: 0, failed: 1, skipped: 0, coverage: [], minimum: 85 };
  try {
    pesterCounts = JSON.parse(readFileSync(pesterJson, "utf8").replace(/^\uFEFF/, ""));
  } catch {
    console.error("npm test: Pester wrote no results.");
  }
  const lowCoverage = pesterCounts.coverage.filter((entry) => entry.percent < pesterCounts.minimum);

  console.log("");
  console.log(`jest:   ${jestCounts.passed} passed, ${jestCounts.failed} failed, ${jestCounts.skipped} skipped (build tests: ${jestBuild.passed} passed, ${jestBuild.failed} failed)`);
  console.log(`Pester: ${pesterCounts.passed} passed, ${pesterCounts.failed} failed, ${pesterCounts.skipped} skipped; coverage ${pesterCounts.coverage.map((c) => `${path.basename(c.file)} ${c.percent}%`).join(", ")}`);
  for (const entry of lowCoverage) console.log(`coverage of ${entry.file} is ${entry.percent}%, below the minimum of ${pesterCounts.minimum}%: add Pester tests for it`);
  const failed = jestCounts.failed + pesterCounts.failed + lowCoverage.length;
  const line = `${jestCounts.passed + pesterCounts.passed} passed, ${failed} failed, ${jestCounts.skipped + pesterCounts.skipped} skipped`;
  console.log(line);
  if (summaryFile) writeFileSync(summaryFile, line + "\n");
  process.exitCode = failed > 0 || jest.status !== 0 || pester.status !== 0 ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
