/** Jest runs TypeScript through swc (no type-checking: `npm run typecheck` does that). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  // Installs PowerShell (scripts/install-powershell.sh) for the tests that use its parser.
  globalSetup: "<rootDir>/test/support/global-setup.ts",
};
