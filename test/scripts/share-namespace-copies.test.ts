// scripts/build.cjs, shareNamespaceCopies: the bundle's __toESM helper is replaced by one that gives
// every import of a CommonJS module the same namespace copy, and the source map stays exact.
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(path.join(__dirname, "..", "..", "scripts", "build.cjs")) as {
  shareNamespaceCopies(code: string, map: string): { code: string; map: string };
  decodeVlq(segment: string): number[];
  encodeVlq(values: number[]): string;
  ESBUILD_TO_ESM: string;
  SHARED_TO_ESM: string;
};

/** Generated line, column and original position of every mapping, in order. */
function mappings(mapText: string): Array<{ line: number; column: number; original: number[] }> {
  const out: Array<{ line: number; column: number; original: number[] }> = [];
  const original = [0, 0, 0, 0];
  (JSON.parse(mapText) as { mappings: string }).mappings.split(";").forEach((line, index) => {
    let column = 0;
    for (const segment of line === "" ? [] : line.split(",")) {
      const values = build.decodeVlq(segment);
      column += values[0];
      for (let i = 1; i < values.length; i += 1) original[i - 1] += values[i];
      out.push({ line: index, column, original: values.length > 1 ? [...original] : [] });
    }
  });
  return out;
}

/** A small bundle made the way build.cjs makes the real one: two modules importing one CommonJS module. */
function smallBundle(): { code: string; map: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-share-namespace-"));
  try {
    fs.writeFileSync(path.join(dir, "lib.js"), "exports.value = {}; exports.other = 1;\n");
    fs.writeFileSync(path.join(dir, "one.ts"), 'import * as lib from "./lib";\nexport const a = lib;\n');
    fs.writeFileSync(path.join(dir, "two.ts"), 'import * as lib from "./lib";\nexport const b = lib;\n');
    fs.writeFileSync(path.join(dir, "entry.ts"), 'import { a } from "./one";\nimport { b } from "./two";\nconsole.log(a === b);\n');
    const result = esbuild.buildSync({
      absWorkingDir: dir,
      entryPoints: ["entry.ts"],
      bundle: true,
      platform: "node",
      format: "cjs",
      outfile: path.join(dir, "out.js"),
      sourcemap: "external",
      minifyWhitespace: true,
      minifySyntax: true,
      write: false,
    });
    return {
      code: result.outputFiles.find((f) => f.path.endsWith(".js"))!.text,
      map: result.outputFiles.find((f) => f.path.endsWith(".js.map"))!.text,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("shareNamespaceCopies", () => {
  let bundle: { code: string; map: string };
  let shared: { code: string; map: string };
  beforeAll(() => {
    bundle = smallBundle();
    shared = build.shareNamespaceCopies(bundle.code, bundle.map);
  });

  it("finds esbuild's helper exactly as ESBUILD_TO_ESM spells it, and replaces it", () => {
    expect(bundle.code.split(build.ESBUILD_TO_ESM)).toHaveLength(2);
    expect(shared.code).not.toContain(build.ESBUILD_TO_ESM);
    expect(shared.code.split(build.SHARED_TO_ESM)).toHaveLength(2);
    expect(shared.code.length - bundle.code.length).toBe(build.SHARED_TO_ESM.length - build.ESBUILD_TO_ESM.length);
  });

  it("gives both importing modules the same namespace object, where esbuild's helper gave each its own copy", () => {
    const run = (code: string): string => {
      const printed: unknown[] = [];
      new Function("console", "require", "module", "exports", code)({ log: (value: unknown) => printed.push(value) }, require, { exports: {} }, {});
      return String(printed[0]);
    };
    expect(run(bundle.code)).toBe("false");
    expect(run(shared.code)).toBe("true");
  });

  it("keeps every mapping on the text it mapped: those after the helper move with it", () => {
    const before = mappings(bundle.map);
    const after = mappings(shared.map);
    expect(after.map((m) => m.original)).toEqual(before.map((m) => m.original));
    const linesBefore = bundle.code.split("\n");
    const linesAfter = shared.code.split("\n");
    const text = (lines: string[], m: { line: number; column: number }) => lines[m.line].slice(m.column, m.column + 16);
    expect(after.map((m) => text(linesAfter, m))).toEqual(before.map((m) => text(linesBefore, m)));
    expect(after.some((m, i) => m.column !== before[i].column)).toBe(true);
  });

  it("refuses a bundle without the helper, or with it twice, naming what to update", () => {
    expect(() => build.shareNamespaceCopies("var x = 1;", bundle.map)).toThrow(/ESBUILD_TO_ESM/);
    expect(() => build.shareNamespaceCopies(bundle.code + build.ESBUILD_TO_ESM, bundle.map)).toThrow(/exactly once/);
  });
});

describe("the shared helper (SHARED_TO_ESM)", () => {
  type ToEsm = (mod: unknown, isNodeMode?: number) => Record<string, unknown>;
  let toESM: ToEsm;
  beforeEach(() => {
    // esbuild's own definitions of the names the helper uses (internal/runtime/runtime.go).
    toESM = new Function(
      `var __create=Object.create,__defProp=Object.defineProperty,__getOwnPropDesc=Object.getOwnPropertyDescriptor,__getOwnPropNames=Object.getOwnPropertyNames,__getProtoOf=Object.getPrototypeOf,__hasOwnProp=Object.prototype.hasOwnProperty;
       var __copyProps=(to,from,except,desc)=>{if(from&&typeof from=="object"||typeof from=="function")for(let key of __getOwnPropNames(from))!__hasOwnProp.call(to,key)&&key!==except&&__defProp(to,key,{get:()=>from[key],enumerable:!(desc=__getOwnPropDesc(from,key))||desc.enumerable});return to};
       var ${build.SHARED_TO_ESM} return __toESM;`,
    )() as ToEsm;
  });

  it("reads values through to the module, as esbuild's copy does", () => {
    const mod: Record<string, unknown> = { value: 1 };
    const namespace = toESM(mod);
    mod.value = 2;
    expect(namespace.value).toBe(2);
    expect(namespace.default).toBe(mod);
  });

  it("makes a fresh copy for a module that gained exports since (one a require cycle caught half-loaded)", () => {
    const mod: Record<string, unknown> = { first: 1 };
    const early = toESM(mod);
    mod.second = 2;
    const late = toESM(mod);
    expect(late).not.toBe(early);
    expect(late.second).toBe(2);
    expect(toESM(mod)).toBe(late);
  });

  it("keeps node-mode and plain imports apart, and copies what is not an object", () => {
    const mod = { __esModule: true, value: 1 };
    expect(toESM(mod, 1)).not.toBe(toESM(mod));
    expect(toESM(mod, 1)).toBe(toESM(mod, 1));
    expect(toESM(mod).default).toBeUndefined();
    expect(toESM(mod, 1).default).toBe(mod);
    expect(toESM(undefined)).toEqual({});
  });

  it("encodes what it decodes (Base64 VLQ)", () => {
    for (const values of [[0], [1, -1, 15, -16], [1024, -100000, 0, 31, 32]]) expect(build.decodeVlq(build.encodeVlq(values))).toEqual(values);
  });
});
