/**
 * Jest as StrykerJS runs it (stryker.config.mjs): the usual config less the tests that exercise
 * code in child processes (the bundled main job, eslint, the PowerShell parser). A child process
 * never sees Stryker's active mutant, so those tests cannot tell a mutant from the original, and
 * they would cost seconds per mutant.
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/", "/test/main-job-process\\.test\\.ts$", "/test/lint-rule\\.test\\.ts$", "/test/powershell-grammar\\.test\\.ts$", "/test/install-kms-host-script\\.test\\.ts$"],
};
