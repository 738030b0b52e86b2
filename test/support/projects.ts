// Scratch projects for the main-job tests: a temporary directory with environments/ (and
// cdktf.out/ beside it, not created), from environment data or from the contract fixtures, and a
// byte-for-byte snapshot of an output tree.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

/** A scratch project: `dir`, its `environments/` and the `outdir` the main job would write. */
export interface ScratchProject {
  readonly dir: string;
  readonly environments: string;
  readonly outdir: string;
  readonly cleanup: () => void;
}

/** A scratch project whose environments/ holds `<name>.yaml` for each entry of `files` (data written as YAML). */
export function projectWith(files: Record<string, unknown>): ScratchProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-main-"));
  const environments = path.join(dir, "environments");
  fs.mkdirSync(environments);
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(environments, `${name}.yaml`), stringify(data));
  return { dir, environments, outdir: path.join(dir, "cdktf.out"), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const CONTRACT_FIXTURES_DIR = path.join(__dirname, "..", "fixtures", "contract-environments");

/** The text of a contract fixture environment (test/fixtures/contract-environments/<name>.yaml). */
export function contractFixtureText(name: string): string {
  return fs.readFileSync(path.join(CONTRACT_FIXTURES_DIR, `${name}.yaml`), "utf8");
}

/** A scratch project with the contract fixtures lab.yaml and production.yaml, as written. */
export function contractProject(): ScratchProject {
  const project = projectWith({});
  for (const name of ["lab", "production"]) fs.writeFileSync(path.join(project.environments, `${name}.yaml`), contractFixtureText(name));
  return project;
}

/** Writes environments/<name>.yaml as that contract fixture with kms.port 3389: RDP opened to the client ranges, a policy error (KMS-NET-004). */
export function breakPolicy(environments: string, name: "lab" | "production" = "lab"): void {
  const data = parse(contractFixtureText(name)) as Record<string, any>;
  data.kms.port = 3389;
  fs.writeFileSync(path.join(environments, `${name}.yaml`), stringify(data));
}

/** Every file under `dir` (relative path) with its bytes as base64, for byte-identical comparisons. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = fs.readFileSync(full).toString("base64");
    }
  };
  walk(dir);
  return files;
}
