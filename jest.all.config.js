/**
 * `npm test`'s jest run (scripts/test.mjs): the main tests (jest.config.js) and the build tests
 * (jest.build.config.js) as two projects of one run. The build tests are long chains of child
 * processes (tsc, esbuild, the app command), most of them in one file; in a run of their own after
 * the main run they kept one core busy and left the other idle. Here they share the workers with
 * the main tests. Each project keeps its own settings (the PowerShell server is the main project's).
 */
/** A config as a project of this run: maxWorkers is a run-wide option, which jest refuses in a project. */
function project(displayName, { maxWorkers: _runWide, ...config }) {
  return { ...config, displayName, rootDir: __dirname };
}

module.exports = {
  maxWorkers: require("./jest.config.js").maxWorkers,
  projects: [project("main", require("./jest.config.js")), project("build", require("./jest.build.config.js"))],
};
