// scripts/bundle/: the stand-ins the main job's bundle gets for modules cdktf requires at load but a
// synth never (or only on failure) uses. Each runs in a fresh node process, where what is loaded can
// be observed: node's own modules through Module._load, packages through require.cache.
import { spawnSync } from "child_process";
import * as path from "path";

const BUNDLE_DIR = path.join(__dirname, "..", "..", "scripts", "bundle");

/** Runs `body` in a fresh node (with `shim` bound to the stand-in) and returns what it printed. */
function inNode(stand: string, body: string): string {
  const script = `
    const Module = require("module");
    const requested = new Set();
    const load = Module._load;
    Module._load = function (request, ...rest) { requested.add(request); return load.call(this, request, ...rest); };
    const shim = require(${JSON.stringify(path.join(BUNDLE_DIR, stand))});
    ${body}`;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describe("lazy-child-process.cjs", () => {
  test("loads node's child_process only when something reads from it, and then is it", () => {
    const out = inNode(
      "lazy-child-process.cjs",
      `console.log(requested.has("node:child_process"));
       const spawnSync = shim.spawnSync;
       console.log(requested.has("node:child_process"), spawnSync === require("child_process").spawnSync, "execSync" in shim, Object.keys(shim).includes("spawn"));`,
    );
    expect(out).toBe("false\ntrue true true true\n");
  });
});

describe("lazy-semver.cjs", () => {
  test("loads cdktf's semver only when something reads from it, and then answers as it does", () => {
    const out = inNode(
      "lazy-semver.cjs",
      `const semverFile = require.resolve("semver", { paths: [require.resolve("cdktf")] });
       console.log(semverFile in require.cache);
       console.log(shim.satisfies("1.5.7", ">=1.5"), shim.satisfies("1.4.0", ">=1.5"), semverFile in require.cache, shim.SemVer === require(semverFile).SemVer);`,
    );
    expect(out).toBe("false\ntrue false true true\n");
  });
});

describe("lazy-assert.cjs", () => {
  test("passes a condition that holds, called or as .ok, without loading node's assert", () => {
    const out = inNode("lazy-assert.cjs", `shim(true, "m"); shim.ok(1, "m"); shim("x"); console.log(requested.has("node:assert"));`);
    expect(out).toBe("false\n");
  });

  test.each([
    ["called", `shim(false, "Element type not set")`],
    ["as .ok", `shim.ok(0, "Element type not set")`],
  ])("throws node's AssertionError with the message when the condition fails (%s)", (_, call) => {
    const out = inNode(
      "lazy-assert.cjs",
      `try { ${call}; console.log("no throw"); } catch (e) { console.log(e instanceof require("assert").AssertionError, e.code, e.message); }`,
    );
    expect(out).toBe("true ERR_ASSERTION Element type not set\n");
  });

  test("says no value was passed when called without arguments, as node's does", () => {
    const out = inNode("lazy-assert.cjs", `try { shim(); } catch (e) { console.log(e.code, e.message); }`);
    expect(out).toBe("ERR_ASSERTION No value argument passed to `assert.ok()`\n");
  });

  test("hands anything else to node's assert", () => {
    const out = inNode("lazy-assert.cjs", `console.log(shim.strictEqual === require("assert").strictEqual, typeof shim.deepStrictEqual);`);
    expect(out).toBe("true function\n");
  });
});

describe("scripts/build.cjs, aliasedFromElsewhere", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script, loaded as the app command loads it
  const { aliasedFromElsewhere } = require("../../scripts/build.cjs") as { aliasedFromElsewhere: (metafile: unknown) => string[] };
  const importing = (file: string) => ({ inputs: { [file]: { imports: [{ path: "scripts/bundle/lazy-semver.cjs", kind: "require-call", original: "semver" }] } } });

  test("accepts cdktf importing semver: the stand-in is cdktf's own copy", () => {
    expect(aliasedFromElsewhere(importing("node_modules/cdktf/lib/validations/validate-binary-version.js"))).toEqual([]);
    // node_modules linked from elsewhere: esbuild reports the real path.
    expect(aliasedFromElsewhere(importing("../../work/main/node_modules/cdktf/lib/validations/validate-binary-version.js"))).toEqual([]);
  });

  test("names anything else that imports semver, which would get cdktf's copy instead of its own", () => {
    expect(aliasedFromElsewhere(importing("config/versions.ts"))).toEqual(["config/versions.ts imports semver"]);
    expect(aliasedFromElsewhere(importing("node_modules/other/index.js"))).toEqual(["node_modules/other/index.js imports semver"]);
    expect(aliasedFromElsewhere(importing("node_modules/cdktf/node_modules/other/index.js"))).toEqual(["node_modules/cdktf/node_modules/other/index.js imports semver"]);
  });
});
