// patches/cdktf+0.21.0.patch, lib/private/fs.js: cdktf loads archiver only where it zips a
// directory asset (patches/README.md). A directory asset must still come out as a zip.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, AssetType, TerraformAsset, TerraformOutput, TerraformStack } from "cdktf";

test("a directory asset is still zipped at synth", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kms-archiver-"));
  try {
    const source = path.join(work, "scripts");
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, "a.ps1"), "Write-Output 'a'\n");
    const app = new App({ outdir: path.join(work, "out"), stackTraces: false });
    const stack = new TerraformStack(app, "s");
    const asset = new TerraformAsset(stack, "scripts", { path: source, type: AssetType.ARCHIVE });
    new TerraformOutput(stack, "archive", { value: asset.path });
    app.synth();
    const stackDir = path.join(work, "out", "stacks", "s");
    const archive = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).output.archive.value as string;
    const bytes = fs.readFileSync(path.join(stackDir, archive));
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    expect(bytes.includes(Buffer.from("a.ps1"))).toBe(true);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
