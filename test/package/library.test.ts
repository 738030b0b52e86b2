// One of the build tests (jest.build.config.js; `npm run test:build` runs them alone): it builds and
// packs the whole library.
//
// The package as a consumer gets it: `npm pack` (which builds lib/ through the prepack script), the
// tarball installed into an empty project, and the README's "Use as a library" example, taken
// verbatim from README.md, compiled with TypeScript strict against the installed declarations and
// run with plain node. Offline: the tarball is unpacked where npm would put it
// (node_modules/azure-kms-host) and the dependencies its package.json declares are linked from this
// checkout's node_modules, so nothing is fetched and the package sees only what it declares.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const TSC = require.resolve("typescript/bin/tsc");

/** The first ```ts block of the README section "## Use as a library". */
function readmeLibraryExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Use as a library\n");
  if (start < 0) throw new Error('README.md has no section "## Use as a library"');
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('the README section "Use as a library" has no ```ts example');
  return match[1];
}

interface PackedFile {
  readonly path: string;
}

let scratch: string;
let packedFiles: string[];
let compile: { status: number | null; output: string };
let run: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kms-library-"));
  // npm pack runs the prepare and prepack scripts (patch-package, the library build), whose output
  // comes first on stdout, then reports what it packed as a JSON array.
  const packOutput = execFileSync("npm", ["pack", "--json", "--pack-destination", scratch, "--loglevel=error"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m))) as { filename: string; files: PackedFile[] }[];
  packedFiles = packed[0].files.map((f) => f.path);

  const installed = path.join(scratch, "node_modules", "azure-kms-host");
  fs.mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", path.join(scratch, packed[0].filename), "-C", installed, "--strip-components=1"]);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  // The consumer's own toolchain (typescript, Node typings) plus what the package declares.
  for (const dependency of [...Object.keys(manifest.dependencies), "typescript", "@types/node"]) {
    const link = path.join(scratch, "node_modules", dependency);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", dependency), link, "dir");
  }

  fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "kms-library-consumer", private: true }));
  fs.writeFileSync(path.join(scratch, "example.ts"), readmeLibraryExample());
  fs.writeFileSync(
    path.join(scratch, "tsconfig.json"),
    JSON.stringify({
      // node16 resolution honours the package's "exports" and "types", as a consumer's would.
      compilerOptions: { strict: true, target: "ES2022", module: "node16", moduleResolution: "node16", skipLibCheck: true, types: ["node"] },
      files: ["example.ts"],
    }),
  );
  const tsc = spawnSync(process.execPath, [TSC, "-p", "."], { cwd: scratch, encoding: "utf8" });
  compile = { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
  const node = compile.status === 0 ? spawnSync(process.execPath, ["example.js"], { cwd: scratch, encoding: "utf8" }) : undefined;
  run = { status: node?.status ?? null, stdout: node?.stdout ?? "", stderr: node?.stderr ?? "" };
}, 180_000);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe("npm pack", () => {
  test("ships compiled JavaScript with declarations for every module, from the package entry point", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["lib/index.js", "lib/index.d.ts", "lib/stacks/kms-stack.js", "lib/policy/kms-policy-pack.d.ts"]));
    for (const js of packedFiles.filter((f) => f.endsWith(".js"))) expect(packedFiles).toContain(js.replace(/\.js$/, ".d.ts"));
  });

  test("ships the PowerShell scripts, the KQL queries and the catalogs", () => {
    const scripts = fs.readdirSync(path.join(ROOT, "powershell")).filter((f) => f.endsWith(".ps1"));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(packedFiles).toContain(`powershell/${script}`);
    const queries = fs.readdirSync(path.join(ROOT, "monitoring", "queries")).filter((f) => f.endsWith(".kql"));
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(packedFiles).toContain(`monitoring/queries/${query}`);
    const catalogs = fs.readdirSync(path.join(ROOT, "catalog")).filter((f) => f.endsWith(".ts"));
    for (const catalog of catalogs) expect(packedFiles).toContain(`lib/catalog/${catalog.replace(/\.ts$/, ".js")}`);
  });

  test("ships no tests, fixtures, TypeScript sources, scripts or environment files", () => {
    const unwanted = packedFiles.filter(
      (f) => /^(test|scripts|patches|\.ci|\.tools|dist)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")) || /\.ya?ml$/.test(f) || f.endsWith(".map"),
    );
    expect(unwanted).toEqual([]);
  });
});

describe("the README's library example against the installed tarball", () => {
  test("compiles with TypeScript strict", () => {
    expect(compile.output).toBe("");
    expect(compile.status).toBe(0);
  });

  test("runs with plain node and prints nothing on stderr", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  test("synthesizes a VM, the KMS port's NSG rules and the _vlmcs._tcp SRV record", () => {
    const stacksDir = path.join(scratch, "cdktf.out", "stacks");
    const stacks = fs.readdirSync(stacksDir);
    expect(stacks).toHaveLength(1);
    const resources = JSON.parse(fs.readFileSync(path.join(stacksDir, stacks[0], "cdk.tf.json"), "utf8")).resource as Record<string, Record<string, any>>;
    expect(Object.values(resources.azurerm_windows_virtual_machine ?? {})).toHaveLength(1);
    const kmsRules = Object.values(resources.azurerm_network_security_rule ?? {}).filter((r) => r.destination_port_range === "1688" && r.direction === "Inbound");
    expect(kmsRules.map((r) => r.access).sort()).toEqual(["Allow", "Deny"]);
    const srv = Object.values(resources.azurerm_private_dns_srv_record ?? {});
    expect(srv).toEqual([expect.objectContaining({ name: "_vlmcs._tcp", record: [expect.objectContaining({ port: 1688, priority: 0, weight: 0 })] })]);
  });

  test("finds the PowerShell scripts inside the installed package", () => {
    const probe = spawnSync(process.execPath, ["-e", 'process.stdout.write(require("azure-kms-host").powershellScriptPath("Install-KmsHost.ps1"))'], { cwd: scratch, encoding: "utf8" });
    expect(probe.stderr).toBe("");
    const installedScript = path.join(fs.realpathSync(scratch), "node_modules", "azure-kms-host", "powershell", "Install-KmsHost.ps1");
    expect(fs.realpathSync(probe.stdout)).toBe(installedScript);
  });
});
