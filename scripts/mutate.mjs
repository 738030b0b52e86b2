// `npm run mutate [-- <stryker options>]`: runs StrykerJS on Node 22 (it refuses older Node; the
// project runs on Node 20), then prints the mutation score from the JSON report. StrykerJS is not
// among the project's devDependencies (it would make `npm ci` on Node 20 print engine warnings):
// scripts/install-stryker.sh installs the pinned copy (scripts/stryker/) into .tools/stryker/ on
// first use. Its jest runner loads jest from the project (requireFromCwd), as before.
//
//   npm run mutate                                   # incremental run over every mutated folder
//   npm run mutate -- --mutate policy/network.ts     # one file while iterating
//   npm run mutate -- --force                        # ignore the incremental file, test every mutant
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const node = execFileSync("bash", [path.join(root, "scripts", "install-node.sh"), "22"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const stryker = execFileSync("bash", [path.join(root, "scripts", "install-stryker.sh")], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1);
const started = Date.now();
// cdktf 0.21 calls util.isArray, deprecated since Node 22 (DEP0044): one warning per synth, noise only.
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --disable-warning=DEP0044`.trim() };
const run = spawnSync(node, [stryker, "run", ...process.argv.slice(2)], { cwd: root, stdio: "inherit", env });
const seconds = Math.round((Date.now() - started) / 1000);

const report = path.join(root, "reports", "mutation", "mutation.json");
if (fs.existsSync(report) && fs.statSync(report).mtimeMs >= started) {
  const counts = {};
  for (const file of Object.values(JSON.parse(fs.readFileSync(report, "utf8")).files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  const score = valid === 0 ? 0 : (100 * detected) / valid;
  console.log(`mutation score: ${score.toFixed(2)}% (${detected} of ${valid} mutants detected; ${counts.Survived ?? 0} survived, ${counts.NoCoverage ?? 0} not covered) in ${seconds} s; report: reports/mutation/mutation.html`);
}
process.exitCode = run.status ?? 1;
