// patches/cdktf+0.21.0.patch, lib/tokens/private/resolve.js: a string without a token resolves to
// itself without the general path's work, and error paths are built only for errors
// (patches/README.md). Everything else must resolve exactly as before.
import { DefaultTokenResolver, Lazy, StringConcat, TerraformStack, Testing, Token, Tokenization } from "cdktf";

const stack = new TerraformStack(Testing.app(), "s");
const resolve = (value: unknown): unknown => Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });

describe("the patched resolve", () => {
  test("returns a string without tokens as it is, Terraform expressions and escapes included", () => {
    for (const plain of ["kms-lab", "${var.location}", "$${not.interpolated}", "", "10.20.0.0/16", "e", "1e"]) expect(resolve(plain)).toBe(plain);
  });

  test("still resolves a token inside a string, and a token as an object key", () => {
    const name = Token.asString(Lazy.stringValue({ produce: () => "kmslab01" }));
    expect(resolve(`host ${name}.corp`)).toBe("host kmslab01.corp");
    expect(resolve({ [name]: "x", plain: "y" })).toEqual({ kmslab01: "x", plain: "y" });
  });

  test("still resolves a number token written into a string", () => {
    const port = Token.asNumber(Lazy.numberValue({ produce: () => 1688 }));
    expect(resolve(`tcp/${port}`)).toBe("tcp/1688");
  });

  test("leaves a number-like string alone", () => {
    expect(resolve("1e+5 and 2.5e-3")).toBe("1e+5 and 2.5e-3");
  });

  test("takes the values and elements that resolve to themselves as they are, and still resolves the tokens beside them", () => {
    const port = Token.asNumber(Lazy.numberValue({ produce: () => 1688 }));
    const name = Token.asString(Lazy.stringValue({ produce: () => "kmslab01" }));
    const input = { flag: true, off: false, none: null, gone: undefined, count: 3, ratio: 0.5, text: "plain", port, name, list: [1, "a", null, false, undefined, port, name] };
    expect(resolve(input)).toEqual({ flag: true, off: false, none: null, count: 3, ratio: 0.5, text: "plain", port: 1688, name: "kmslab01", list: [1, "a", null, false, 1688, "kmslab01"] });
    expect(Object.keys(resolve({ gone: undefined, kept: 1 }) as object)).toEqual(["kept"]);
  });

  test("still refuses the number that stands for a map token, naming where it is", () => {
    expect(() => resolve({ a: Token.NUMBER_MAP_TOKEN_VALUE })).toThrow();
    expect(() => resolve([Token.NUMBER_MAP_TOKEN_VALUE])).toThrow();
  });

  test("still stops at the depth limit, plain values included", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 201; i += 1) deep = { d: deep };
    expect(() => resolve(deep)).toThrow(/circular/i);
    let shallower: unknown = "leaf";
    for (let i = 0; i < 200; i += 1) shallower = { d: shallower };
    expect(() => resolve(shallower)).not.toThrow();
  });

  test("still refuses a list token in a string and a function, naming the path", () => {
    const list = Token.asList(Lazy.listValue({ produce: () => ["a"] }));
    expect(() => resolve({ a: list[0] })).toThrow();
    expect(() => resolve({ a: { b: () => 1 } })).toThrow(/\/a\/b/);
  });
});
