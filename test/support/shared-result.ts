// A result computed once for a test file and read by several of its tests (a synthesized stack,
// say), kept so that StrykerJS still knows which tests read it.
//
// Stryker records which test executes each mutant and, for each mutant, runs only those tests
// (coverageAnalysis "perTest"). A result computed by the first test that asks for it and handed to
// later tests from a cache counts as covered by that first test alone: the later tests, which may
// be the ones that check what a mutant changed, are never run against it, and the mutant survives.
// Here the mutants covered while computing are recorded (under an id of their own, as
// test/stryker-setup.ts does for beforeAll hooks) and credited to every test that reads the result.
// Outside Stryker's runs this is a plain cache.
type Hits = Record<string, number>;
interface StrykerContext {
  currentTestId?: string;
  mutantCoverage?: { static: Hits; perTest: Record<string, Hits> };
}

let computations = 0;

/** A cache of results by key, each computed once and credited to every test that reads it. */
export class SharedResults<T> {
  private readonly results = new Map<string, { value: T; hits: Hits }>();

  /** The result for `key`, computed by `compute` the first time it is asked for. */
  public get(key: string, compute: () => T): T {
    let entry = this.results.get(key);
    if (entry === undefined) {
      entry = recordingCoverage(compute);
      this.results.set(key, entry);
    }
    creditCurrentTest(entry.hits);
    return entry.value;
  }
}

function strykerContext(): StrykerContext | undefined {
  return (globalThis as { __stryker__?: StrykerContext }).__stryker__;
}

/** Runs `compute`, returning its value and the mutants it covered (none outside Stryker's runs). */
function recordingCoverage<T>(compute: () => T): { value: T; hits: Hits } {
  const context = strykerContext();
  if (context === undefined) return { value: compute(), hits: {} };
  // As Stryker's instrumented code creates it, should nothing instrumented have run yet.
  context.mutantCoverage ??= { static: {}, perTest: {} };
  const id = `shared result ${++computations}`;
  const previous = context.currentTestId;
  context.currentTestId = id;
  try {
    const value = compute();
    return { value, hits: { ...context.mutantCoverage.perTest[id] } };
  } finally {
    context.currentTestId = previous;
    delete context.mutantCoverage.perTest[id];
  }
}

/** Adds `hits` to the coverage of the running test (or beforeAll hook, see test/stryker-setup.ts). */
function creditCurrentTest(hits: Hits): void {
  const context = strykerContext();
  const perTest = context?.mutantCoverage?.perTest;
  if (perTest === undefined || context?.currentTestId === undefined) return;
  const test = (perTest[context.currentTestId] ??= {});
  for (const [mutant, count] of Object.entries(hits)) test[mutant] = (test[mutant] ?? 0) + count;
}
