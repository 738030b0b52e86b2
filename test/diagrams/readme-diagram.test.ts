// The pictures the README embeds (docs/images/<environment>.svg) are what the shipped environment
// file of that name synthesizes today. Checked generically: whatever pictures the README names and
// whatever the files say. Each SVG records the SHA-256 of the DOT it was drawn from
// (diagrams/render.ts), so no layout runs here. Fix a failure with `npm run diagrams`.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diagramDotOf, diagramMarker, markerOf } from "../../diagrams/render";
import { stackName } from "../../stacks/kms-stack";
import { synthesizeAll } from "../../stacks/synthesize";
import { ENVIRONMENTS_DIR } from "../support/environments";

const ROOT = path.join(__dirname, "..", "..");

describe("the README's environment pictures", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const pictures = [...new Set([...readme.matchAll(/\(docs\/images\/([a-z0-9-]+)\.svg\)/g)].map((m) => m[1]))];
  let outdir = "";
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-readme-diagrams-"));
    synthesizeAll({ environmentsDir: ENVIRONMENTS_DIR, outdir });
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("the README embeds at least one", () => {
    expect(pictures.length).toBeGreaterThan(0);
  });

  test("each is drawn from what its environment file synthesizes now (else: npm run diagrams)", () => {
    for (const name of pictures) {
      const svgFile = path.join(ROOT, "docs", "images", `${name}.svg`);
      const stackFile = path.join(outdir, "stacks", stackName(name), "cdk.tf.json");
      expect({ picture: `docs/images/${name}.svg`, environmentFile: fs.existsSync(stackFile) }).toEqual({ picture: `docs/images/${name}.svg`, environmentFile: true });
      const committed = markerOf(fs.readFileSync(svgFile, "utf8"));
      expect({ picture: `docs/images/${name}.svg`, marker: committed, fix: "npm run diagrams" }).toEqual({ picture: `docs/images/${name}.svg`, marker: diagramMarker(name, diagramDotOf(name, stackFile)), fix: "npm run diagrams" });
    }
  });
});
