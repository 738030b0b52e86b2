// Baseline for `npm run bench`: the smallest cdktf app (one empty stack), bundled and launched
// exactly like main.ts, so the ratio measures what our stacks cost on top of cdktf itself.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-bench-baseline-"));
const app = new App({ outdir });
new TerraformStack(app, "empty");
app.synth();
fs.rmSync(outdir, { recursive: true, force: true });
