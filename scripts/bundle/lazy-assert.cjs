// `assert` as the main job's bundle sees it (scripts/build.cjs aliases it to this file): cdktf
// calls `assert(condition, message)` and `assert.ok(condition, message)` while it synthesizes, and
// the condition always holds in a good synth, so node's module (about 2 ms to load) is loaded only
// when one fails, and then throws node's own AssertionError with cdktf's message. Anything else
// read from it loads node's module.
"use strict";
const { lazyModule } = require("./lazy-module.cjs");

let loaded;
const real = () => (loaded ??= require("node:assert"));
function ok(...args) {
  // No arguments is a failure too: node's assert.ok() then says that no value was passed.
  if (args.length === 0 || !args[0]) real().ok(...args);
}

module.exports = lazyModule(real, { call: ok, own: { ok } });
