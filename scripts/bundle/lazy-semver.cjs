// `semver` as the main job's bundle sees it (scripts/build.cjs aliases it to this file): cdktf's
// lib/validations/validate-binary-version.js requires it when cdktf loads, and uses it only to
// check a Terraform or provider binary's version, which a synth of this project's stacks never
// does. Initializing it (it compiles about 40 regular expressions) was about 4 ms of every synth.
// It is cdktf's own copy (cdktf 0.21.0 and CDK Terrain's cdktn 0.24.0 both depend on semver 7),
// found from wherever cdktf's package is installed, at first use: it is not in the bundle, and
// nothing here names a path inside node_modules/cdktf (which differs between the two).
"use strict";
const path = require("node:path");
const { lazyModule } = require("./lazy-module.cjs");

// Built, not a literal: esbuild would try to bundle (and warn about) a literal require.resolve.
const cdktfPackageJson = ["cdktf", "package.json"].join("/");
module.exports = lazyModule(() => require(require.resolve("semver", { paths: [path.dirname(require.resolve(cdktfPackageJson))] })));
