// `child_process` as the main job's bundle sees it (scripts/build.cjs aliases the module to this
// file): node's own module, loaded the first time anything reads from it. cdktf requires it when
// it loads (lib/private/fs.js, lib/validations/validate-binary-version.js and lib/testing) but
// runs a program only to zip a directory asset or to check a Terraform binary's version, which a
// synth of this project's stacks never does; loading it (with the net and stream modules it
// pulls in) was about 7 ms of every synth. The floor `npm run bench` measures, cdktf required
// from node_modules, still loads it.
"use strict";
let loaded;
const real = () => (loaded ??= require("node:child_process"));
// Every property node reports as configurable, so that the proxy may report properties its empty
// target lacks (a proxy invariant).
module.exports = new Proxy(
  {},
  {
    get: (_, name) => real()[name],
    has: (_, name) => name in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, name) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), name);
      return descriptor && { ...descriptor, configurable: true };
    },
  },
);
