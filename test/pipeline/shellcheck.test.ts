// Every shell script of the pipelines checked with shellcheck (Debian package shellcheck; .ci/run
// installs it, npm test stops at once without it): scripts/pipeline/*, every `run:` of the GitHub
// workflows and every `bash:` step of the Azure DevOps templates. A `run:` is checked as GitHub runs
// it (bash; a `${{ }}` expression becomes a same-length placeholder first, as actionlint does); a
// `bash:` step likewise, with `$(Name.Of.Variable)` macros, which the agent replaces before bash
// runs, as placeholders.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..", "..");
const FIX = "the Debian package shellcheck: sudo apt-get install -y shellcheck (bash .ci/run installs it)";

function shellcheck(args: string[], cwd = ROOT): { status: number | null; stdout: string; error?: Error } {
  const result = spawnSync("shellcheck", args, { cwd, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout ?? "", error: result.error };
}

/** Every `run:` (GitHub) or `bash:` (Azure DevOps) script under `dir`, with where it is. */
function scripts(dir: string, key: "run" | "bash"): { where: string; script: string }[] {
  const found: { where: string; script: string }[] = [];
  const visit = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (k === key && typeof v === "string") found.push({ where: `${where}.${k}`, script: v });
        else visit(v, `${where}.${k}`);
      }
    }
  };
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) visit(parse(fs.readFileSync(full, "utf8")), path.relative(ROOT, full));
    }
  };
  walk(dir);
  return found;
}

const placeholder = (text: string): string => text.replace(/\$\{\{.*?\}\}|\$\([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+\)/g, (m) => "_".repeat(m.length));

test(`shellcheck is installed (${FIX})`, () => {
  const result = shellcheck(["--version"]);
  expect(result.error?.message).toBeUndefined();
  expect(result.stdout).toMatch(/^version: \d+\.\d+/m);
});

test("scripts/pipeline/* pass shellcheck (following the files they source)", () => {
  const files = fs.readdirSync(path.join(ROOT, "scripts", "pipeline")).map((f) => path.join("scripts", "pipeline", f));
  expect(files.length).toBeGreaterThanOrEqual(10);
  const result = shellcheck(["-x", "--format=gcc", ...files]);
  expect(result.stdout).toBe("");
  expect(result.status).toBe(0);
});

describe.each([
  ["the GitHub workflows' run: scripts", path.join(ROOT, ".github", "workflows"), "run" as const],
  ["the Azure DevOps templates' bash: steps", path.join(ROOT, "pipelines", "azure-devops"), "bash" as const],
])("%s", (_name, dir, key) => {
  test("pass shellcheck as bash", () => {
    const found = scripts(dir, key);
    expect(found.length).toBeGreaterThan(3);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "kms-shellcheck-"));
    try {
      const files = found.map(({ where, script }, i) => {
        const file = path.join(work, `${i}.sh`);
        fs.writeFileSync(file, `#!/bin/bash\n# ${where}\n${placeholder(script)}\n`);
        return file;
      });
      const result = shellcheck(["--format=gcc", ...files]);
      // Name each finding by the step it comes from.
      const findings = result.stdout.split("\n").filter(Boolean).map((line) => {
        const index = Number(path.basename(line.split(":")[0], ".sh"));
        return `${found[index].where}: ${line.split(":").slice(1).join(":")}`;
      });
      expect(findings).toEqual([]);
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

test("a script with a finding fails the check (so the checks above can fail)", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kms-shellcheck-"));
  try {
    fs.writeFileSync(path.join(work, "bad.sh"), `#!/bin/bash\n${placeholder('rm -rf $DIR/${{ inputs.x }} "$(Build.ArtifactStagingDirectory)"')}\n`);
    const result = shellcheck(["--format=gcc", "bad.sh"], work);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("SC2086");
    // The placeholders themselves draw no finding.
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(1);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
