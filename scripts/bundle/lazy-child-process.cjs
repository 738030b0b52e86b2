// `child_process` as the main job's bundle sees it (scripts/build.cjs aliases it to this file):
// cdktf requires it when it loads (lib/private/fs.js, lib/validations/validate-binary-version.js)
// but runs a program only to zip a directory asset or to check a Terraform binary's version, which
// a synth of this project's stacks never does. Loading it (and the modules it pulls in) was a few
// milliseconds of every synth.
"use strict";
const { lazyModule } = require("./lazy-module.cjs");

module.exports = lazyModule(() => require("node:child_process"));
