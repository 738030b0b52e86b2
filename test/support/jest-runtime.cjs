// Jest's module runtime (jest-runtime), with one change: a module's code is compiled once per
// worker, not once per test file that loads it. Jest gives every test file a fresh module registry,
// so every file that touches the stacks loads cdktf, the provider classes and our constructs anew,
// and jest compiles each module with vm.compileFunction and an import() callback of its own, which
// V8 never caches: each file paid the parse and bytecode compilation of all of them again (about
// 0.3 s a file; 0.45 s became 0.2 s for stacks/synthesize.ts once a worker had loaded it before).
// Here a module's wrapper is compiled as a vm.Script, kept (by file name, with the code it was
// compiled from), and run in each test file's context: every file still evaluates every module
// afresh in its own context (new module objects, classes and closures), only the compiled code is
// shared. Code that holds `import(` keeps jest's own compilation, which gives import() a loader,
// and so does anything vm.Script refuses, so that jest reports syntax errors as it always does.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS module that jest loads outside the test context */
"use strict";
const vm = require("node:vm");
const Runtime = require("jest-runtime").default;

/** file name -> { code, script }: this worker's compiled modules (the runtime class is loaded once per worker). */
const compiled = new Map();

class SharedCompilationRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const executor = this.executor;
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
