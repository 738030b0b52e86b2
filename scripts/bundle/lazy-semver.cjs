// `semver` as the main job's bundle sees it (scripts/build.cjs aliases it to this file): cdktf's
// lib/validations/validate-binary-version.js requires it when cdktf loads, and uses it only to
// check a Terraform or provider binary's version, which a synth of this project's stacks never
// does. Initializing it (it compiles about 40 regular expressions) was about 4 ms of every synth.
// The path is cdktf's own copy (cdktf 0.21.0 depends on semver 7, installed beside it); esbuild
// fails the build, naming this file, should it move.
"use strict";
const { lazyModule } = require("./lazy-module.cjs");

module.exports = lazyModule(() => require("../../node_modules/cdktf/node_modules/semver/index.js"));
