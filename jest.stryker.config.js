/**
 * Jest as StrykerJS runs it (stryker.config.mjs): the usual config less the tests that exercise
 * only code in child processes (the bundled main job, eslint, PowerShell's parser on the shipped
 * scripts, the tests of the PowerShell server itself). A child process never sees Stryker's active
 * mutant, so those tests cannot tell a mutant from the original, and they would cost seconds per
 * mutant. (Tests that compute data in-process and hand it to a child, like
 * the BIND and Pester ones, stay: they can.) test/pipeline/ runs shell scripts, terraform, actionlint
 * and shellcheck on files, never the TypeScript sources.
 * test/stryker-setup.ts credits the code a beforeAll hook runs to every test of its block, and
 * test/support/stryker-test-sequencer.cjs runs, for each mutant, only the test files that hold a
 * test covering it, quickest first, and test/support/stryker-bail-runner.cjs stops at the first
 * that fails.
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  // findRelatedTests follows imports only through files jest has mapped: map the sources too
  // (with roots limited to test/, a test reached policy/index.ts but never the rules behind it).
  roots: ["<rootDir>"],
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  modulePathIgnorePatterns: ["<rootDir>/.tools/", "<rootDir>/reports/", "<rootDir>/dist/", "<rootDir>/cdktf.out/", "<rootDir>/.stryker-tmp/"],
  setupFilesAfterEnv: [...base.setupFilesAfterEnv, "<rootDir>/test/stryker-setup.ts"],
  testSequencer: "<rootDir>/test/support/stryker-test-sequencer.cjs",
  runner: "<rootDir>/test/support/stryker-bail-runner.cjs",
  // One PowerShell server per Stryker process, kept across its jest runs (global-setup-stryker.ts).
  globalSetup: "<rootDir>/test/support/global-setup-stryker.ts",
  globalTeardown: undefined,
  testPathIgnorePatterns: ["/node_modules/", "/test/main-job-process\\.test\\.ts$", "/test/lint-rule\\.test\\.ts$", "/test/powershell-grammar\\.test\\.ts$", "/test/support-pwsh-server\\.test\\.ts$", "/test/pipeline/"],
};
