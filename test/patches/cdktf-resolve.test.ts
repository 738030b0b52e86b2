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

  test("still refuses a list token in a string and a function, naming the path", () => {
    const list = Token.asList(Lazy.listValue({ produce: () => ["a"] }));
    expect(() => resolve({ a: list[0] })).toThrow();
    expect(() => resolve({ a: { b: () => 1 } })).toThrow(/\/a\/b/);
  });
});
