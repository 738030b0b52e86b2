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
import { readmeLibraryExample } from "../support/readme-example";

const ROOT = path.join(__dirname, "..", "..");
const TSC = require.resolve("typescript/bin/tsc");

/**
 * Whether `version` (x.y.z) is in `range`, for the two range forms the peers use
 * (docs.npmjs.com/cli/v11/using-npm/semver, "Tilde Ranges" and "Caret Ranges"): `~x.y.z` is
 * >= x.y.z and < x.(y+1).0; `^x.y.z` with x > 0 is >= x.y.z and < (x+1).0.0.
 */
function inRange(version: string, range: string): boolean {
  const match = /^([~^])(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!match) throw new Error(`peer range "${range}" is neither ~x.y.z nor ^x.y.z; extend inRange`);
  const [x, y, z] = version.split(".").map(Number);
  const [lx, ly, lz] = match.slice(2).map(Number);
  const atLeast = x !== lx ? x > lx : y !== ly ? y > ly : z >= lz;
  return atLeast && x === lx && (match[1] === "^" ? lx > 0 : y === ly);
}

/** The README example with an escape hatch that gives the host's NIC a public IP (policy rule KMS-NET-001) before it synthesizes. */
function weakened(example: string): string {
  const synth = "app.synth();";
  if (!example.includes(synth) || !/\bconst kms = new KmsEnvironment\(/.test(example)) throw new Error("the README example no longer builds `const kms = new KmsEnvironment(...)` and calls app.synth()");
  const override = 'kms.hosts[0].networkInterface.addOverride("ip_configuration.0.public_ip_address_id", "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/pip");';
  return example.replace(synth, `${override}\n${synth}`);
}

interface PackedFile {
  readonly path: string;
}

let scratch: string;
let packedFiles: string[];
let compile: { status: number | null; output: string };
let run: { status: number | null; stdout: string; stderr: string };
let manifest: { dependencies: Record<string, string>; peerDependencies?: Record<string, string> };
let brokenRun: { status: number | null; stderr: string; written: boolean };

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
  manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
  // The consumer's own toolchain (typescript, Node typings), what the package declares, and its
  // peers, which a consumer installs beside it (one copy of each, as npm puts them).
  for (const dependency of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies ?? {}), "typescript", "@types/node"]) {
    const link = path.join(scratch, "node_modules", dependency);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", dependency), link, "dir");
  }

  fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "kms-library-consumer", private: true }));
  fs.writeFileSync(path.join(scratch, "example.ts"), readmeLibraryExample());
  fs.writeFileSync(path.join(scratch, "weakened.ts"), weakened(readmeLibraryExample()));
  fs.writeFileSync(
    path.join(scratch, "tsconfig.json"),
    JSON.stringify({
      // node16 resolution honours the package's "exports" and "types", as a consumer's would.
      compilerOptions: { strict: true, target: "ES2022", module: "node16", moduleResolution: "node16", skipLibCheck: true, types: ["node"] },
      files: ["example.ts", "weakened.ts"],
    }),
  );
  const tsc = spawnSync(process.execPath, [TSC, "-p", "."], { cwd: scratch, encoding: "utf8" });
  compile = { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
  const node = compile.status === 0 ? spawnSync(process.execPath, ["example.js"], { cwd: scratch, encoding: "utf8" }) : undefined;
  run = { status: node?.status ?? null, stdout: node?.stdout ?? "", stderr: node?.stderr ?? "" };
  // The weakened example, in a directory of its own (its cdktf.out/ goes there), with the variable
  // that makes cdktf write a stack despite its errors.
  const brokenDir = path.join(scratch, "weakened-run");
  fs.mkdirSync(brokenDir);
  const broken = compile.status === 0 ? spawnSync(process.execPath, [path.join(scratch, "weakened.js")], { cwd: brokenDir, encoding: "utf8", env: { ...process.env, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" } }) : undefined;
  brokenRun = { status: broken?.status ?? null, stderr: broken?.stderr ?? "", written: fs.existsSync(path.join(brokenDir, "cdktf.out", "stacks")) && fs.readdirSync(path.join(brokenDir, "cdktf.out", "stacks")).some((d) => fs.existsSync(path.join(brokenDir, "cdktf.out", "stacks", d, "cdk.tf.json"))) };
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

  test("declares cdktf, constructs and the provider packages as peers, not dependencies, with ranges the pinned development copies satisfy", () => {
    const peers = ["@cdktf/provider-azurerm", "@cdktf/provider-dns", "@cdktf/provider-random", "cdktf", "constructs"];
    expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual(peers);
    for (const peer of peers) expect(Object.keys(manifest.dependencies)).not.toContain(peer);
    const own = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    for (const peer of peers) {
      const installed = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", peer, "package.json"), "utf8")) as { version: string }).version;
      // An npm alias (npm:cdktn@0.24.0, the CDK Terrain lane) pins the version after its last "@".
      expect([peer, own.devDependencies[peer].replace(/^npm:.+@/, "")]).toEqual([peer, installed]);
      expect([peer, inRange(installed, manifest.peerDependencies?.[peer] as string)]).toEqual([peer, true]);
    }
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

  test("synthesizes a KMS host: the VM, its bootstrap, its read grant on the key's secret, the KMS port's NSG rules on its NIC and the _vlmcs._tcp SRV record", () => {
    const stacksDir = path.join(scratch, "cdktf.out", "stacks");
    const stacks = fs.readdirSync(stacksDir);
    expect(stacks).toHaveLength(1);
    const resources = JSON.parse(fs.readFileSync(path.join(stacksDir, stacks[0], "cdk.tf.json"), "utf8")).resource as Record<string, Record<string, any>>;
    const vms = Object.keys(resources.azurerm_windows_virtual_machine ?? {});
    expect(vms).toHaveLength(1);
    const vm = `azurerm_windows_virtual_machine.${vms[0]}`;
    const bootstraps = Object.values(resources.azurerm_virtual_machine_run_command ?? {});
    expect(bootstraps).toEqual([expect.objectContaining({ name: "kms-host-bootstrap", virtual_machine_id: `\${${vm}.id}` })]);
    const grants = Object.values(resources.azurerm_role_assignment ?? {});
    expect(grants).toEqual([
      expect.objectContaining({ role_definition_name: "Key Vault Secrets User", principal_id: `\${${vm}.identity[0].principal_id}`, scope: expect.stringMatching(/\/vaults\/kv-kms-example\/secrets\/kms-host-key-windows$/) }),
    ]);
    const kmsRules = Object.values(resources.azurerm_network_security_rule ?? {}).filter((r) => r.destination_port_range === "1688" && r.direction === "Inbound");
    expect(kmsRules.map((r) => r.access).sort()).toEqual(["Allow", "Deny"]);
    expect(Object.values(resources.azurerm_network_interface_security_group_association ?? {})).toHaveLength(1);
    const srv = Object.values(resources.azurerm_private_dns_srv_record ?? {});
    expect(srv).toEqual([expect.objectContaining({ name: "_vlmcs._tcp", record: [expect.objectContaining({ port: 1688, priority: 0, weight: 0 })] })]);
    const hashed = Object.entries(resources).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)).filter((a) => /_[0-9A-F]{8}$/.test(a));
    expect(hashed).toEqual([]);
  });

  test("with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS set, a policy error (a public IP on the host's NIC) still stops it, and no stack is written", () => {
    expect(brokenRun.stderr).toMatch(/\[KMS-NET-001\] azurerm_network_interface\.kmsexample01: /);
    expect(brokenRun.status).not.toBe(0);
    expect(brokenRun.written).toBe(false);
  });


  test("finds the PowerShell scripts inside the installed package", () => {
    const probe = spawnSync(process.execPath, ["-e", 'process.stdout.write(require("azure-kms-host").powershellScriptPath("Install-KmsHost.ps1"))'], { cwd: scratch, encoding: "utf8" });
    expect(probe.stderr).toBe("");
    const installedScript = path.join(fs.realpathSync(scratch), "node_modules", "azure-kms-host", "powershell", "Install-KmsHost.ps1");
    expect(fs.realpathSync(probe.stdout)).toBe(installedScript);
  });
});
