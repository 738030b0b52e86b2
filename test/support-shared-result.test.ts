// test/support/shared-result.ts: a result computed once per key, and, in StrykerJS's runs, the
// mutants covered while computing it credited to every test that reads it.
import { SharedResults } from "./support/shared-result";

type Hits = Record<string, number>;
interface FakeStrykerContext {
  currentTestId?: string;
  mutantCoverage?: { static: Hits; perTest: Record<string, Hits> };
}
const globals = globalThis as { __stryker__?: FakeStrykerContext };

/** What Stryker's instrumented code does when mutant `id` runs: counts it for the current test. */
function cover(id: string): void {
  const context = globals.__stryker__;
  if (!context?.mutantCoverage) return;
  const hits = context.currentTestId === undefined ? context.mutantCoverage.static : (context.mutantCoverage.perTest[context.currentTestId] ??= {});
  hits[id] = (hits[id] ?? 0) + 1;
}

describe("SharedResults", () => {
  let saved: FakeStrykerContext | undefined;
  beforeEach(() => {
    saved = globals.__stryker__;
    delete globals.__stryker__;
  });
  afterEach(() => {
    if (saved === undefined) delete globals.__stryker__;
    else globals.__stryker__ = saved;
  });

  test("computes each key once and hands every caller that result", () => {
    const results = new SharedResults<string>();
    const compute = jest.fn((text: string) => text.toUpperCase());
    expect(results.get("a", () => compute("a"))).toBe("A");
    expect(results.get("a", () => compute("again"))).toBe("A");
    expect(results.get("b", () => compute("b"))).toBe("B");
    expect(compute.mock.calls).toEqual([["a"], ["b"]]);
  });

  test("in a Stryker run, credits every test that reads a result with the mutants computing it covered", () => {
    const context: FakeStrykerContext = { currentTestId: "first test", mutantCoverage: { static: {}, perTest: {} } };
    globals.__stryker__ = context;
    const results = new SharedResults<number>();
    const compute = (): number => {
      cover("7");
      cover("7");
      cover("9");
      return 42;
    };
    expect(results.get("stack", compute)).toBe(42);
    context.currentTestId = "second test";
    cover("3");
    expect(results.get("stack", compute)).toBe(42);
    expect(context.mutantCoverage?.perTest).toEqual({ "first test": { "7": 2, "9": 1 }, "second test": { "3": 1, "7": 2, "9": 1 } });
    expect(context.currentTestId).toBe("second test");
  });

  test("in a Stryker run, credits the beforeAll hook that reads a result, and leaves no coverage under an id of its own", () => {
    const context: FakeStrykerContext = { currentTestId: "beforeAll hook 1" };
    globals.__stryker__ = context;
    const results = new SharedResults<string>();
    expect(
      results.get("stack", () => {
        cover("5");
        return "synthesized";
      }),
    ).toBe("synthesized");
    expect(context.mutantCoverage).toEqual({ static: {}, perTest: { "beforeAll hook 1": { "5": 1 } } });
  });

  test("in a Stryker run, restores the running test's id when computing throws, and caches nothing", () => {
    const context: FakeStrykerContext = { currentTestId: "a test", mutantCoverage: { static: {}, perTest: {} } };
    globals.__stryker__ = context;
    const results = new SharedResults<string>();
    expect(() =>
      results.get("stack", () => {
        throw new Error("synth failed");
      }),
    ).toThrow("synth failed");
    expect(context.currentTestId).toBe("a test");
    expect(context.mutantCoverage?.perTest).toEqual({});
    expect(results.get("stack", () => "second try")).toBe("second try");
  });
});
