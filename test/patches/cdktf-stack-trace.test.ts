// patches/cdktf+0.21.0.patch, lib/tokens/private/stack-trace.js: cdktf's token creation stacks are
// formatted on first use instead of at creation (patches/README.md). The lines must be the ones an
// eager capture gives, and error messages must still carry them; a process that turned stack
// traces off gets empty ones, captured at no cost.
import { Lazy, TerraformOutput, TerraformStack, Testing, Token } from "cdktf";
import { captureStackTrace } from "cdktf/lib/tokens/private/stack-trace";

function capturedInANamedFunction(): string[] {
  return captureStackTrace();
}

describe("the patched captureStackTrace", () => {
  let previous: typeof Error.prepareStackTrace;
  beforeEach(() => {
    previous = Error.prepareStackTrace;
  });
  afterEach(() => {
    Error.prepareStackTrace = previous;
  });

  it("does not format the stack trace when it captures it", () => {
    const formatted: unknown[] = [];
    Error.prepareStackTrace = (error, frames) => {
      formatted.push(error);
      return `Error\n${frames.map((frame) => `    at ${String(frame)}`).join("\n")}`;
    };
    const lines = capturedInANamedFunction();
    expect(formatted).toHaveLength(0);
    expect(lines.length).toBeGreaterThan(1);
    expect(formatted).toHaveLength(1);
  });

  it("gives the lines of an eager capture, without the 'at' prefix, starting at its caller", () => {
    const lines = capturedInANamedFunction();
    expect(Array.isArray(lines)).toBe(true);
    expect(lines[0]).toMatch(/^capturedInANamedFunction \(/);
    expect(lines.every((line) => !/^\s*at\s/.test(line))).toBe(true);
    expect([...lines]).toEqual(lines.slice());
    expect(JSON.parse(JSON.stringify(lines))).toEqual([...lines]);
    expect(lines.join("\n").split("\n")).toHaveLength(lines.length);
  });

  it("formats once however often the lines are read", () => {
    let calls = 0;
    Error.prepareStackTrace = (_error, frames) => {
      calls += 1;
      return `Error\n${frames.map((frame) => `    at ${String(frame)}`).join("\n")}`;
    };
    const lines = capturedInANamedFunction();
    lines.join("\n");
    void lines.length;
    void [...lines];
    expect(calls).toBe(1);
  });

  describe("in a process that turned stack traces off (Error.stackTraceLimit = 0, as main.ts does)", () => {
    let limit: number;
    beforeEach(() => {
      limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
    });
    afterEach(() => {
      Error.stackTraceLimit = limit;
    });

    it("records an empty creation stack without capturing one, and leaves the limit at 0", () => {
      const capture = jest.spyOn(Error, "captureStackTrace");
      try {
        const lines = capturedInANamedFunction();
        expect(lines).toEqual([]);
        expect(capture).not.toHaveBeenCalled();
        expect(Error.stackTraceLimit).toBe(0);
      } finally {
        capture.mockRestore();
      }
    });

    it("a token that fails to resolve still reports its error", () => {
      const token = Token.asString(Lazy.anyValue({ produce: () => { throw new Error("produce failed"); } }));
      const stack = new TerraformStack(Testing.app(), "s");
      new TerraformOutput(stack, "o", { value: token });
      expect(() => Testing.synth(stack)).toThrow(/produce failed/);
    });
  });
});

describe("a token that fails to resolve", () => {
  it("still reports the stack where the token was created", () => {
    function createTheFailingToken(): string {
      return Token.asString(Lazy.anyValue({ produce: () => { throw new Error("produce failed"); } }));
    }
    const token = createTheFailingToken();
    const stack = new TerraformStack(Testing.app(), "s");
    new TerraformOutput(stack, "o", { value: token });
    expect(() => Testing.synth(stack)).toThrow(/produce failed[\s\S]*createTheFailingToken/);
  });
});
