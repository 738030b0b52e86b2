// Mutation testing (`npm run mutate`): StrykerJS breaks the library code on purpose, one mutant at
// a time, and counts the mutants the jest suite notices. StrykerJS 10 needs Node 22 or later, so
// scripts/mutate.mjs runs it on a pinned Node 22 from scripts/install-node.sh.
//
// Incremental: the previous run's results live in reports/mutation/stryker-incremental.json
// (git-ignored, like the rest of the report); a rerun tests only mutants whose code or covering
// tests changed. Delete the file (or pass --force) for a full run.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  jest: {
    projectType: "custom",
    configFile: "jest.stryker.config.js",
    // Run only the test files that import the mutated file.
    enableFindRelatedTests: true,
  },
  coverageAnalysis: "perTest",
  // Static mutants (module-level code: the catalog tables, constants) run every related test file,
  // which synthesizes whole stacks: about 15 s each, over two thousand of them. They are reported
  // as Ignored and left out of the score; `npm run mutate -- --ignoreStatic false` tests them too.
  ignoreStatic: true,
  mutate: [
    "constructs/**/*.ts",
    "policy/**/*.ts",
    "config/**/*.ts",
    "client-kit/**/*.ts",
    "catalog/**/*.ts",
    "stacks/**/*.ts",
    "rehearsal/**/*.ts",
  ],
  // The sandbox is a copy of the project; these are outputs, caches and tools, not sources.
  ignorePatterns: ["dist", "cdktf.out", "coverage", "reports", ".tools", "*.tfstate", ".stryker-tmp", ".stryker-test-names.json"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // Two cores, shared with other engineers.
  concurrency: 2,
  // cdktf synthesis is slow under instrumentation; give each test run room before calling it a timeout.
  timeoutMS: 20000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 90, low: 85, break: 85 },
};
