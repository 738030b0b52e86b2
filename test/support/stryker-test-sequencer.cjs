// Jest's test sequencer for StrykerJS's runs (jest.stryker.config.js), which runs only the test
// files that hold a test the mutant is run against.
//
// For each mutant, Stryker's jest runner asks jest for the test files related to the mutated file
// (findRelatedTests: every test file that imports it, directly or not) and passes the tests that
// cover the mutant as a name pattern (testNamePattern). Jest then loads every one of those files,
// cdktf and the stacks included, and skips the tests the pattern does not name: a mutant covered by
// two tests in one file still paid for loading the twenty-odd files that import the catalog.
// (@stryker-mutator/jest-runner 10: jest-test-runner.js, mutantRun; jest-test-adapter.js, run.)
//
// Here the run of every test (Stryker's initial test run, which has no name pattern) records, at
// its end (cacheResults), the full name of every test in each file and how long the file took. A
// run with a name pattern then keeps only the files that have a test the pattern matches, matched as
// jest-circus matches it (new RegExp(testNamePattern, "i") against the test's full name), quickest
// first: stryker-bail-runner.cjs stops at the first file that fails, so a killed mutant costs as
// little as it can. A file with no record is kept, last, and so is every file if none would be left
// (Stryker runs jest with passWithNoTests, so an empty run would pass and let the mutant survive).
// Skipping a file whose tests are all filtered out changes no result: jest runs none of its tests
// nor its hooks.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS module that jest loads outside the test context */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

/** The record of test names, in the project jest runs (Stryker's sandbox, deleted after the run). */
const RECORD = ".stryker-test-names.json";

class StrykerTestSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern || undefined;
    this.record = path.join(options.globalConfig.rootDir, RECORD);
  }

  sort(tests) {
    const sorted = super.sort(tests);
    if (this.pattern === undefined) return sorted;
    const record = readRecord(this.record);
    const matcher = new RegExp(this.pattern, "i");
    const kept = sorted.filter((test) => {
      const recorded = record[test.path];
      return recorded === undefined || recorded.names.some((name) => matcher.test(name));
    });
    if (kept.length === 0) return sorted;
    const duration = (test) => record[test.path]?.ms ?? Infinity;
    // Array.prototype.sort is stable: files that took as long keep jest's order.
    return kept.sort((a, b) => duration(a) - duration(b));
  }

  cacheResults(tests, results) {
    super.cacheResults(tests, results);
    if (this.pattern !== undefined) return;
    const record = readRecord(this.record);
    for (const file of results.testResults) {
      if (file.testExecError) continue;
      record[file.testFilePath] = { names: file.testResults.map((test) => test.fullName), ms: file.perfStats.end - file.perfStats.start };
    }
    // Written whole and renamed into place: the other test runner process may be reading it.
    const partial = `${this.record}.${process.pid}`;
    fs.writeFileSync(partial, JSON.stringify(record));
    fs.renameSync(partial, this.record);
  }
}

/** test file -> { names: its tests' full names, ms: how long it took }, as recorded; empty before the first run of every test. */
function readRecord(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return {};
    throw error;
  }
}

module.exports = StrykerTestSequencer;
