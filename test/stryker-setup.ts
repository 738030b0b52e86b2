// Loaded only when StrykerJS runs jest (jest.stryker.config.js). Stryker records which test
// executes each mutant, through the test it is told is running. A beforeAll hook runs before any
// test starts, so the code it runs (synthesizing a stack, say) would count as covered by no test:
// Stryker would call those mutants "static" and, with ignoreStatic, leave them out of the score.
// Here each beforeAll records its coverage under an id of its own, and every test of its block
// is credited with it when the test starts, so the tests that read the hook's result are the ones
// run against those mutants.
type Hits = Record<string, number>;
interface StrykerContext {
  currentTestId?: string;
  mutantCoverage?: { static: Hits; perTest: Record<string, Hits> };
}

const jestGlobals = globalThis as unknown as {
  beforeAll: typeof beforeAll;
  beforeEach: typeof beforeEach;
  afterAll: typeof afterAll;
  __stryker__?: StrykerContext;
};
const originalBeforeAll = jestGlobals.beforeAll;
let hooks = 0;

jestGlobals.beforeAll = ((fn: () => unknown, timeout?: number) => {
  if (fn.length > 0) throw new Error("test/stryker-setup.ts: beforeAll with a done callback is not supported; return a promise");
  const hookId = `beforeAll hook ${++hooks}`;
  originalBeforeAll(async () => {
    const context = jestGlobals.__stryker__;
    const previous = context?.currentTestId;
    if (context) context.currentTestId = hookId;
    try {
      await fn();
    } finally {
      if (context) context.currentTestId = previous;
    }
  }, timeout);
  jestGlobals.beforeEach(() => {
    const context = jestGlobals.__stryker__;
    const perTest = context?.mutantCoverage?.perTest;
    const hits = perTest?.[hookId];
    if (!perTest || !hits || !context?.currentTestId) return;
    const test = (perTest[context.currentTestId] ??= {});
    for (const [mutant, count] of Object.entries(hits)) test[mutant] = (test[mutant] ?? 0) + count;
  });
  jestGlobals.afterAll(() => {
    delete jestGlobals.__stryker__?.mutantCoverage?.perTest[hookId];
  });
}) as typeof beforeAll;
