// Jest's test runner for StrykerJS's runs (jest.stryker.config.js): in a run against a mutant, it
// stops at the first test file with a failing test. One failing test is all Stryker needs to call
// the mutant killed, and the files after it (each loading cdktf and synthesizing stacks) only cost
// time.
//
// Stryker cannot ask jest to bail: its jest runner sets `bail: false`, because jest's bail ends the
// process, Stryker's worker with it (@stryker-mutator/jest-runner 10, jest-override-options.js;
// jestjs/jest#11766). Interrupting jest's own run is no better: every file after the interruption is
// reported as failed to run, and Stryker reads that as a runtime error, not a killed mutant. So here
// the files run one at a time, through jest's own runner, and the files after the first failure are
// never started, so never reported.
//
// A run against a mutant is one where Stryker has set __STRYKER_ACTIVE_MUTANT__ (jest-test-runner.js,
// mutantRun), always in band. Every other run (Stryker's initial test run included) is jest's own.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS module that jest loads outside the test context */
"use strict";
const TestRunner = require("jest-runner").default;

const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";

class StrykerBailRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    if (!options.serial || process.env[ACTIVE_MUTANT] === undefined) return super.runTests(tests, watcher, options);
    let failed = false;
    const unsubscribe = this.on("test-file-success", ([, result]) => {
      if (result.numFailingTests > 0 || result.testExecError != null) failed = true;
    });
    const unsubscribeFailure = this.on("test-file-failure", () => {
      failed = true;
    });
    try {
      for (const test of tests) {
        if (failed) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      unsubscribe();
      unsubscribeFailure();
    }
  }
}

module.exports = StrykerBailRunner;
