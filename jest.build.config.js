/**
 * The build tests (`npm run test:build`): test/package packs the library, installs the tarball into
 * a scratch project and compiles and runs the README's library example; test/scripts bundles a copy
 * of the project repeatedly to check when the app command rebuilds. Both spend most of their time in
 * tsc and esbuild, so they run as their own step rather than inside the main jest run.
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  roots: ["<rootDir>/test/package", "<rootDir>/test/scripts"],
  testPathIgnorePatterns: ["/node_modules/"],
  // These tests never call PowerShell: no pwsh server (global-setup-no-server.ts).
  globalSetup: "<rootDir>/test/support/global-setup-no-server.ts",
  globalTeardown: undefined,
};
