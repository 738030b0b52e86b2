// Jest's module runtime (jest-runtime), with two changes that share work between the test files
// of a worker. Jest gives every test file a fresh module registry, so every file that touches the
// stacks loads cdktf, the provider classes and our constructs anew, and
//  - compiles each module with vm.compileFunction and an import() callback of its own, which V8
//    never caches: each file paid the parse and bytecode compilation of all of them again (about
//    0.3 s a file; 0.45 s became 0.2 s for stacks/synthesize.ts once a worker had loaded it before).
//    Here a module's wrapper is compiled as a vm.Script, kept (by file name, with the code it was
//    compiled from), and run in each test file's context: every file still evaluates every module
//    afresh in its own context (new module objects, classes and closures), only the compiled code
//    is shared. Code that holds `import(` keeps jest's own compilation, which gives import() a
//    loader, and so does anything vm.Script refuses, so that jest reports syntax errors as it
//    always does.
//  - reads and decodes each module's file again (about 0.6 s of a worker's CPU over a run). Here
//    the text of a file under node_modules/ is kept for the worker while its size and mtime stay
//    the same. Only there: our own files go through the transformer, which jest must see each time
//    (source maps, coverage), and they may be edited between runs of jest --watch.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS module that jest loads outside the test context */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Runtime = require("jest-runtime").default;

/** file name -> { code, script }: this worker's compiled modules (the runtime class is loaded once per worker). */
const compiled = new Map();
/** file name -> { size, mtimeMs, text }: this worker's node_modules files as read. */
const packageFiles = new Map();
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

class SharedCompilationRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
    const fileCache = executor?.transformCache?.fileCache;
    // Jest's internals, not its API (jest is pinned in package.json): an upgrade that moves them
    // fails every test file here, with this message, rather than quietly running slower.
    if (typeof executor?.compile !== "function" || typeof fileCache?.readFile !== "function" || !(fileCache.strings instanceof Map)) {
      throw new Error("test/support/jest-runtime.cjs: jest-runtime no longer has executor.compile and transformCache.fileCache as jest 30.5 had; adapt this runtime to the new jest or remove it from jest.config.js");
    }
    const readFile = fileCache.readFile.bind(fileCache);
    fileCache.readFile = (filename) => {
      if (!filename.includes(NODE_MODULES) || fileCache.strings.has(filename)) return readFile(filename);
      const stat = fs.statSync(filename);
      const kept = packageFiles.get(filename);
      if (kept !== undefined && kept.size === stat.size && kept.mtimeMs === stat.mtimeMs) {
        fileCache.strings.set(filename, kept.text);
        return kept.text;
      }
      const text = readFile(filename);
      packageFiles.set(filename, { size: stat.size, mtimeMs: stat.mtimeMs, text });
      return text;
    };
    const compile = executor.compile.bind(executor);
    executor.compile = (code, filename) => {
      if (code.includes("import(")) return compile(code, filename);
      const context = executor.environment.getVmContext();
      if (context == null) return null;
      let entry = compiled.get(filename);
      if (entry === undefined || entry.code !== code) {
        try {
          // Jest's own parameter list (module, exports, require, __dirname, __filename, jest, ...),
          // on the first line, so that line numbers stay those of the file.
          entry = { code, script: new vm.Script(`(function (${executor.injectedModuleParameters.join(", ")}) {${code}\n})`, { filename }) };
        } catch {
          return compile(code, filename);
        }
        compiled.set(filename, entry);
      }
      return entry.script.runInContext(context);
    };
  }
}

module.exports = SharedCompilationRuntime;
