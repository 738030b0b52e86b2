// test/support/stryker-bail-runner.cjs: a jest run against a Stryker mutant (in band, with
// __STRYKER_ACTIVE_MUTANT__ set) stops at the first test file that fails, and reports no file after
// it; every other run is jest's own. Runs jest itself, on a scratch project of three test files,
// one of which fails. (The runner's branch for parallel workers, which Stryker never uses, is not
// tested: a run in workers costs a second or two more.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
let project: string;

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), "stryker-bail-"));
  writeFileSync(path.join(project, "a.test.js"), 'test("a passes", () => {});\n');
  writeFileSync(path.join(project, "b.test.js"), 'test("b fails", () => { throw new Error("b"); });\ntest("b passes", () => {});\n');
  writeFileSync(path.join(project, "c.test.js"), 'test("c passes", () => {});\n');
  // Files in name order, so that b runs second.
  writeFileSync(
    path.join(project, "sequencer.js"),
    `const Sequencer = require(${JSON.stringify(require.resolve("@jest/test-sequencer"))}).default;\n` +
      "module.exports = class extends Sequencer { sort(tests) { return [...tests].sort((x, y) => (x.path < y.path ? -1 : 1)); } };\n",
  );
  writeFileSync(
    path.join(project, "jest.config.js"),
    `module.exports = ${JSON.stringify({ rootDir: project, testEnvironment: "node", transform: {}, runner: path.join(ROOT, "test", "support", "stryker-bail-runner.cjs"), testSequencer: path.join(project, "sequencer.js") })};\n`,
  );
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** The files jest reported, in order, and whether each had a failing test. */
function run(env: Record<string, string>, ...args: string[]): { status: number | null; files: [string, boolean][] } {
  const output = path.join(project, "results.json");
  const inherited: Record<string, string | undefined> = { ...process.env };
  delete inherited.__STRYKER_ACTIVE_MUTANT__;
  const result = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), "-c", path.join(project, "jest.config.js"), "--json", `--outputFile=${output}`, ...args], { cwd: project, encoding: "utf8", env: { ...inherited, ...env } });
  const report = JSON.parse(readFileSync(output, "utf8")) as { testResults: { name: string; status: string }[] };
  return { status: result.status, files: report.testResults.map((file) => [path.basename(file.name), file.status === "failed"]) };
}

describe("the Stryker bail runner", () => {
  test("in a run against a mutant, stops at the first file with a failing test", () => {
    expect(run({ __STRYKER_ACTIVE_MUTANT__: "7" }, "--runInBand")).toEqual({ status: 1, files: [["a.test.js", false], ["b.test.js", true]] });
  });

  test("without an active mutant, runs every file as jest does", () => {
    expect(run({}, "--runInBand")).toEqual({ status: 1, files: [["a.test.js", false], ["b.test.js", true], ["c.test.js", false]] });
  });
});
