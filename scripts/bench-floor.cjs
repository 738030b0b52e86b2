// The floor for `npm run bench`: what any cdktf app pays. Plain node, cdktf required from
// node_modules (not bundled), one empty stack synthesized into a scratch directory.
const fs = require("fs");
const os = require("os");
const path = require("path");
const { App, TerraformStack } = require("cdktf");

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-bench-floor-"));
const app = new App({ outdir });
new TerraformStack(app, "empty");
app.synth();
fs.rmSync(outdir, { recursive: true, force: true });
