// The app command (cdktf.json "app", `npm run synth`, `npm run schema`): rebuilds the main job's
// bundle only when something it bundles changed (scripts/build.mjs says exactly what), then runs
// it in this same process, so a repeated synth pays for one node start-up, not two.
//
//   node scripts/app.mjs [main job arguments]     (see main.ts)
import { createRequire } from "node:module";
import { ensureBundle } from "./build.mjs";

ensureBundle();
createRequire(import.meta.url)("../dist/main.js");
