/** Jest runs TypeScript through swc (no type-checking: `npm run typecheck` does that). */
const os = require("node:os");

module.exports = {
  // One worker per core. Jest's default leaves a core to its own process, which only waits for
  // results here: on 2 cores that default is one worker, and the suite ran serially.
  maxWorkers: os.availableParallelism(),
  testEnvironment: "node",
  // Compiles each module once per worker instead of once per test file (the file says why).
  runtime: "<rootDir>/test/support/jest-runtime.cjs",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // test/package/ and test/scripts/ build the library and the bundle: their own step, `npm run test:build`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/package/", "<rootDir>/test/scripts/"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  // No cdktf jest matchers (Testing.setupJest): no test uses them, and installing them loaded
  // cdktf into every test file, those that never touch it included.
  setupFilesAfterEnv: [],
  // Installs PowerShell (scripts/install-powershell.sh) and starts one pwsh server for the run
  // (test/support/powershell.ts); the teardown stops it.
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
};
