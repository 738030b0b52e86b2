/**
 * The build tests (`npm run test:build`): test/package packs the library, installs the tarball into
 * a scratch project and compiles and runs the README's library example; test/scripts bundles a copy
 * of the project repeatedly to check when the app command rebuilds. Both spend most of their time in
 * tsc and esbuild. `npm test` runs them with the main tests, as a second project of one jest run
 * (jest.all.config.js); `npx jest` alone runs only the main tests.
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
