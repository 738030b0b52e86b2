// `npm test` on a bare machine (issue 25): scripts/install-bind.sh sets up BIND 9 for the DNS tests
// or names the one command that does, and scripts/tree-state.mjs sees any change a run leaves in
// the working tree. Both are run as npm test runs them, in a child process, against scratch
// folders: BIND on this machine is hidden (PATH and INSTALL_BIND_SYSTEM_DIRS), never removed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPTS = path.join(__dirname, "..", "..", "scripts");
const BIND_TOOLS = ["named", "named-checkconf", "named-checkzone", "tsig-keygen", "nsupdate", "dig", "shellcheck"];

let scratch = "";
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bare-machine-"));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A folder of executables: each name a link to a real program, or a script that prints its arguments. */
function binDir(name: string, entries: Record<string, string>): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir);
  for (const [program, target] of Object.entries(entries)) {
    if (target.startsWith("/")) fs.symlinkSync(target, path.join(dir, program));
    else fs.writeFileSync(path.join(dir, program), `#!/bin/sh\necho "${target} $*"\n`, { mode: 0o755 });
  }
  return dir;
}

function installBind(pathDirs: string[], args: string[] = []) {
  return spawnSync("/bin/bash", [path.join(SCRIPTS, "install-bind.sh"), ...args], {
    encoding: "utf8",
    env: { PATH: pathDirs.join(":"), INSTALL_BIND_SYSTEM_DIRS: "" },
  });
}

describe("scripts/install-bind.sh", () => {
  test("with every BIND program on PATH, says so and installs nothing", () => {
    const tools = binDir("tools", Object.fromEntries(BIND_TOOLS.map((t) => [t, t])));
    const apt = binDir("apt", { "apt-get": "APT-GET CALLED", id: "/usr/bin/id" });
    const r = installBind([tools, apt]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("BIND=ok");
    expect(r.stdout + r.stderr).not.toContain("APT-GET");
  });

  test("with BIND hidden and no apt-get, fails once naming the command that installs it", () => {
    const bin = binDir("bin", { id: "/usr/bin/id", sudo: "/bin/false" });
    const r = installBind([bin]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("BIND 9 or shellcheck is missing (named named-checkconf named-checkzone tsig-keygen nsupdate dig shellcheck)");
    expect(r.stderr).toContain("Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends bind9 dnsutils shellcheck");
  });

  test("with BIND hidden, as root with apt-get, installs bind9 and dnsutils with the packaged service kept from starting", () => {
    if (process.getuid?.() !== 0) {
      throw new Error("this test checks the root path of install-bind.sh and needs to run as root (the CI machine does)");
    }
    const bin = binDir("bin", { id: "/usr/bin/id", "apt-get": "apt-get" });
    const r = installBind([bin], ["--dry-run"]);
    expect(r.status).toBe(0);
    const steps = r.stdout.split("\n").filter((l) => l.startsWith("would run: "));
    const install = steps.findIndex((l) => l.includes("apt-get install -y -qq --no-install-recommends bind9 dnsutils"));
    expect(install).toBeGreaterThan(0);
    // policy-rc.d (exit 101) before the install and removed after it, when it was not there already.
    if (!fs.existsSync("/usr/sbin/policy-rc.d")) {
      expect(steps[0]).toContain("exit 101");
      expect(steps.at(-1)).toBe("would run: rm -f /usr/sbin/policy-rc.d");
    }
  });
});

function treeState(root: string): string[] | undefined {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import { treeState } from ${JSON.stringify(path.join(SCRIPTS, "tree-state.mjs"))}; console.log(JSON.stringify(treeState(${JSON.stringify(root)}) ?? null));`], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) ?? undefined;
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
}

describe("scripts/tree-state.mjs", () => {
  function repository(): string {
    const repo = path.join(scratch, "repo");
    fs.mkdirSync(repo);
    git(repo, "init", "-q");
    fs.writeFileSync(path.join(repo, "a.txt"), "one\n");
    fs.writeFileSync(path.join(repo, ".gitignore"), "out/\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    return repo;
  }

  test("sees an empty folder a run leaves behind (which git status does not show)", () => {
    const repo = repository();
    const before = treeState(repo);
    fs.mkdirSync(path.join(repo, "never-synthesized"));
    expect(treeState(repo)).not.toEqual(before);
    expect(treeState(repo)).toContain("?? never-synthesized/");
  });

  test("sees a second change to a file that was already modified before the run", () => {
    const repo = repository();
    fs.writeFileSync(path.join(repo, "a.txt"), "two\n");
    const before = treeState(repo);
    fs.writeFileSync(path.join(repo, "a.txt"), "three\n");
    expect(treeState(repo)).not.toEqual(before);
  });

  test("ignores git-ignored outputs, and is the same when nothing changed", () => {
    const repo = repository();
    const before = treeState(repo);
    fs.mkdirSync(path.join(repo, "out"));
    fs.writeFileSync(path.join(repo, "out", "x"), "x");
    expect(treeState(repo)).toEqual(before);
  });

  test("is undefined outside a git work tree", () => {
    expect(treeState(scratch)).toBeUndefined();
  });
});
