// What the main job's bundle gets in place of a module it requires at load but may never use
// (scripts/build.cjs, BUNDLE_ALIASES): the module itself, loaded the first time anything reads
// from it. The floor `npm run bench` measures, cdktf required from node_modules, still loads them.
"use strict";

/**
 * A stand-in for what `load()` returns, calling it the first time a property is read, checked or
 * listed. `own` properties are served without loading; with `call`, the stand-in is a function
 * that calls it. Every property is reported configurable, so that the proxy may report properties
 * its own target lacks (a proxy invariant); the target is an arrow function or a plain object,
 * neither of which has a non-configurable property of its own.
 */
function lazyModule(load, { call, own = {} } = {}) {
  let loaded;
  const real = () => (loaded ??= load());
  const target = call ? () => undefined : {};
  return new Proxy(target, {
    get: (_, name) => (Object.hasOwn(own, name) ? own[name] : real()[name]),
    has: (_, name) => Object.hasOwn(own, name) || name in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, name) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), name);
      return descriptor && { ...descriptor, configurable: true };
    },
    ...(call ? { apply: (_, self, args) => call.apply(self, args) } : {}),
  });
}

module.exports = { lazyModule };
