// test/support/stryker-test-sequencer.cjs and stryker-bail-runner.cjs: in StrykerJS's runs, a run
// with a test name pattern runs only the test files that hold a test the pattern matches, as
// recorded by the last run of every test, quickest first; whatever it cannot be sure of, it runs.
// A run against a mutant stops at the first file that fails.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

interface FakeTest {
  path: string;
  context: { config: { cache: boolean; cacheDirectory: string; id: string; haste: object }; hasteFS: { getSize(file: string): number } };
}
interface Sequencer {
  sort(tests: FakeTest[]): FakeTest[];
  cacheResults(tests: FakeTest[], results: unknown): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the sequencer is a CommonJS module jest loads by path
const StrykerTestSequencer = require("./support/stryker-test-sequencer.cjs") as new (options: { contexts: unknown[]; globalConfig: { rootDir: string; testNamePattern?: string } }) => Sequencer;

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "stryker-sequencer-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sequencer = (testNamePattern?: string): Sequencer => new StrykerTestSequencer({ contexts: [], globalConfig: { rootDir: root, testNamePattern } });
const test_ = (name: string): FakeTest => ({
  path: path.join(root, name),
  context: { config: { cache: true, cacheDirectory: root, id: "stryker-sequencer-test", haste: {} }, hasteFS: { getSize: () => 1 } },
});
const paths = (tests: FakeTest[]): string[] => tests.map((t) => path.basename(t.path)).sort();

/** What jest passes to cacheResults: each file's tests by full name. */
function results(files: Record<string, string[]>, failed: string[] = [], ms: Record<string, number> = {}): unknown {
  return {
    testResults: Object.entries(files).map(([name, tests]) => ({
      testFilePath: path.join(root, name),
      testExecError: failed.includes(name) ? { message: "Test suite failed to run" } : undefined,
      perfStats: { start: 1000, end: 1000 + (ms[name] ?? 1), runtime: ms[name] ?? 1, slow: false },
      numFailingTests: 0,
      testResults: tests.map((fullName) => ({ fullName, status: "passed" })),
    })),
  };
}

/** Records a run of every test over a.test.ts, b.test.ts and c.test.ts. */
function recordRunOfEveryTest(ms: Record<string, number> = {}): FakeTest[] {
  const tests = ["a.test.ts", "b.test.ts", "c.test.ts"].map(test_);
  sequencer().cacheResults(tests, results({ "a.test.ts": ["address range parses a block"], "b.test.ts": ["key vault purge protection", "key vault (soft delete)"], "c.test.ts": ["catalog spot check"] }, [], ms));
  return tests;
}

describe("the Stryker test sequencer", () => {
  test("runs every test file when jest runs every test", () => {
    const tests = recordRunOfEveryTest();
    expect(paths(sequencer().sort(tests))).toEqual(["a.test.ts", "b.test.ts", "c.test.ts"]);
  });

  test("runs only the files that hold a test the name pattern matches, ignoring case as jest-circus does", () => {
    const tests = recordRunOfEveryTest();
    expect(paths(sequencer("(KEY VAULT purge protection)").sort(tests))).toEqual(["b.test.ts"]);
    expect(paths(sequencer("(catalog spot check)|(address range parses a block)").sort(tests))).toEqual(["a.test.ts", "c.test.ts"]);
  });

  test("matches the pattern as a regular expression, as Stryker escapes test names into one", () => {
    const tests = recordRunOfEveryTest();
    expect(paths(sequencer("(key vault \\(soft delete\\))").sort(tests))).toEqual(["b.test.ts"]);
  });

  test("runs a file it has no record of, after the recorded ones", () => {
    const tests = [test_("d.test.ts"), ...recordRunOfEveryTest()];
    expect(sequencer("(catalog spot check)").sort(tests).map((t) => path.basename(t.path))).toEqual(["c.test.ts", "d.test.ts"]);
  });

  test("runs the files it keeps quickest first, by the time each took in the recorded run", () => {
    const tests = recordRunOfEveryTest({ "a.test.ts": 900, "b.test.ts": 20, "c.test.ts": 300 });
    const order = (pattern: string): string[] => sequencer(pattern).sort([...tests]).map((t) => path.basename(t.path));
    expect(order("(catalog spot check)|(address range parses a block)|(key vault purge protection)")).toEqual(["b.test.ts", "c.test.ts", "a.test.ts"]);
    expect(order("(catalog spot check)|(address range parses a block)")).toEqual(["c.test.ts", "a.test.ts"]);
  });

  test("runs every file rather than none when the pattern matches no recorded test", () => {
    const tests = recordRunOfEveryTest();
    expect(paths(sequencer("(no such test)").sort(tests))).toEqual(["a.test.ts", "b.test.ts", "c.test.ts"]);
  });

  test("runs every file when nothing was recorded yet", () => {
    const tests = ["a.test.ts", "b.test.ts"].map(test_);
    expect(paths(sequencer("(catalog spot check)").sort(tests))).toEqual(["a.test.ts", "b.test.ts"]);
  });

  test("records nothing from a run with a name pattern, whose results list only part of the tests as run", () => {
    const tests = recordRunOfEveryTest();
    sequencer("(catalog spot check)").cacheResults(tests, results({ "c.test.ts": [] }));
    expect(paths(sequencer("(catalog spot check)").sort(tests))).toEqual(["c.test.ts"]);
  });

  test("keeps no record for a file that failed to run, and so runs it", () => {
    const tests = ["a.test.ts", "b.test.ts"].map(test_);
    sequencer().cacheResults(tests, results({ "a.test.ts": ["address range parses a block"], "b.test.ts": [] }, ["b.test.ts"]));
    expect(paths(sequencer("(address range parses a block)").sort(tests))).toEqual(["a.test.ts", "b.test.ts"]);
    const record = JSON.parse(readFileSync(path.join(root, ".stryker-test-names.json"), "utf8")) as Record<string, string[]>;
    expect(Object.keys(record)).toEqual([path.join(root, "a.test.ts")]);
  });

  test("adds to the record: a later run of every test in one file keeps the other files' names", () => {
    const tests = recordRunOfEveryTest();
    sequencer().cacheResults(tests, results({ "a.test.ts": ["address range parses a host"] }));
    expect(paths(sequencer("(address range parses a host)|(catalog spot check)").sort(tests))).toEqual(["a.test.ts", "c.test.ts"]);
    expect(paths(sequencer("(address range parses a block)|(key vault purge protection)").sort(tests))).toEqual(["b.test.ts"]);
  });
});
