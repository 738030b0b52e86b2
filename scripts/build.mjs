// Bundles main.ts (and everything it imports) into dist/main.js with esbuild, so the main job runs
// in plain node: no type-checking on the hot path (`npm run typecheck` does that) and no module
// resolution of thousands of files at start-up.
import { build } from "esbuild";

const common = { bundle: true, platform: "node", target: "node20", format: "cjs", sourcemap: "linked", logLevel: "warning", legalComments: "none" };

await build({ ...common, entryPoints: ["main.ts"], outfile: "dist/main.js" });
// The benchmark's baseline: a bare cdktf app with one empty stack, through the same launcher.
await build({ ...common, entryPoints: ["scripts/bench-baseline.ts"], outfile: "dist/bench-baseline.js" });
