// `npm run diagrams`: redraws the pictures the README embeds (docs/images/<environment>.svg) from
// the shipped environment files. It runs the main job (npm run synth, which writes
// cdktf.out/diagrams/<environment>.svg for every environment) and copies each picture the README
// names. test/diagrams/readme-diagram.test.ts fails when a committed picture is not what the
// current environment file synthesizes: run this, then commit docs/images/.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const synth = spawnSync("npm", ["run", "--silent", "synth"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
if (synth.status !== 0) {
  console.error("npm run diagrams: npm run synth failed (above); no picture was copied");
  process.exit(synth.status ?? 1);
}
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const names = [...new Set([...readme.matchAll(/\(docs\/images\/([a-z0-9-]+)\.svg\)/g)].map((m) => m[1]))];
if (names.length === 0) console.log("npm run diagrams: the README embeds no docs/images/<environment>.svg");
for (const name of names) {
  const source = path.join(root, "cdktf.out", "diagrams", `${name}.svg`);
  if (!fs.existsSync(source)) {
    console.error(`npm run diagrams: README.md embeds docs/images/${name}.svg, but there is no environments/${name}.yaml (no ${path.relative(root, source)} was drawn)`);
    process.exitCode = 1;
    continue;
  }
  fs.mkdirSync(path.join(root, "docs", "images"), { recursive: true });
  fs.copyFileSync(source, path.join(root, "docs", "images", `${name}.svg`));
  console.log(`copied ${path.relative(root, source)} to docs/images/${name}.svg`);
}
