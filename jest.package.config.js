/**
 * The package test alone (`npm run test:package`): packs the library, installs the tarball into a
 * scratch project and compiles and runs the README's library example. It builds the whole library
 * with tsc, so it runs as its own step rather than inside the main jest run.
 */
const base = require("./jest.config.js");

module.exports = { ...base, roots: ["<rootDir>/test/package"], testPathIgnorePatterns: ["/node_modules/"] };
