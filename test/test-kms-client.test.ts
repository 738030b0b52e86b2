import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLIENT_KIT_FILE_NAMES, TEST_KMS_CLIENT_SCRIPT_PATH, powerShellSingleQuoted, renderTestKmsClientScript, writeClientKit } from "../client-kit";
import { parsePowerShellFiles, type PowerShellFacts } from "./support/powershell-ast";

const environment = {
  domain: "corp.example.com",
  zoneName: "kms.internal.example.com",
  hosts: ["kms1.kms.internal.example.com", "kms2.kms.internal.example.com"],
  port: 1688,
  servesWindows: true,
  servesOffice: true,
};
const unrendered = fs.readFileSync(TEST_KMS_CLIENT_SCRIPT_PATH, "utf8");

describe("Test-KmsClient.ps1", () => {
  // The rendered scripts, parsed by PowerShell's own parser (one pwsh run for all of them).
  let facts: PowerShellFacts[] = [];
  let renderDir: string;
  beforeAll(() => {
    renderDir = fs.mkdtempSync(path.join(os.tmpdir(), "test-kms-client-"));
    const variants = [
      renderTestKmsClientScript(environment),
      renderTestKmsClientScript({ ...environment, domain: "o'brien.example.com", hosts: ["a'; Remove-Item C:\\ -Recurse; 'b"], servesWindows: false }),
      renderTestKmsClientScript({ ...environment, port: 1690, hosts: [], servesOffice: false }),
    ];
    const files = variants.map((text, i) => {
      const file = path.join(renderDir, `rendered-${i}.ps1`);
      fs.writeFileSync(file, text);
      return file;
    });
    facts = parsePowerShellFiles(files);
  });
  afterAll(() => fs.rmSync(renderDir, { recursive: true, force: true }));

  test("rendered scripts parse with zero syntax errors and keep their defaults as literals", () => {
    expect(facts.map((f) => f.errors)).toEqual([[], [], []]);
    expect(facts[1]?.parameters.find((p) => p.name === "Domain")?.default).toBe("'o''brien.example.com'");
    expect(facts[1]?.parameters.find((p) => p.name === "KmsHosts")?.default).toBe("@('a''; Remove-Item C:\\ -Recurse; ''b')");
    expect(facts[1]?.parameters.find((p) => p.name === "HostsServeWindows")?.default).toBe("$false");
    // The injected text stays inside a string: no Remove-Item command exists.
    expect(facts[1]?.commands.map((c) => c.name)).not.toContain("Remove-Item");
  });

  // Read from the parsed param block, so a comment or a body line with the same text cannot pass.
  const defaults = (index: number) => Object.fromEntries((facts[index]?.parameters ?? []).map((p) => [p.name, [p.type, p.default]]));

  test("the rendered script carries the environment's domain, zone, hosts, port and products as parameter defaults", () => {
    expect(defaults(0)).toEqual({
      Domain: ["String", "'corp.example.com'"],
      ZoneName: ["String", "'kms.internal.example.com'"],
      KmsHosts: ["String[]", "@('kms1.kms.internal.example.com', 'kms2.kms.internal.example.com')"],
      Port: ["Int32", "1688"],
      HostsServeWindows: ["Boolean", "$true"],
      HostsServeOffice: ["Boolean", "$true"],
      Fix: ["SwitchParameter", null],
    });
    expect(defaults(2)).toMatchObject({ Port: ["Int32", "1690"], KmsHosts: ["String[]", "@()"], HostsServeOffice: ["Boolean", "$false"] });
  });

  test("typographic single quotes, which PowerShell also ends strings on, are doubled too", () => {
    expect(powerShellSingleQuoted("a\u2019b")).toBe("'a\u2019\u2019b'");
  });

  test.each([
    ["domain", { domain: "bücher.example" }, '"bücher.example"'],
    ["zoneName", { zoneName: "kms.bücher.example" }, '"kms.bücher.example"'],
    ["hosts", { hosts: ["kms1.example.com", "kms\t2.example.com"] }, '"kms\\t2.example.com"'],
  ])("a non-ASCII or control character in %s is refused, because Windows PowerShell 5.1 reads BOM-less scripts as ANSI", (name, change, shown) => {
    expect(() => renderTestKmsClientScript({ ...environment, ...change })).toThrow(
      `Test-KmsClient.ps1: ${name} ${shown} has non-ASCII or control characters; write DNS names in their ASCII (punycode, xn--) form.`,
    );
  });

  test("the script itself is pure ASCII, for the same reason", () => {
    expect(unrendered).toMatch(/^[\x09\x0A\x0D\x20-\x7E]*$/);
  });

  test("a port outside 1-65535 is refused", () => {
    expect(() => renderTestKmsClientScript({ ...environment, port: 70000 })).toThrow(/^Test-KmsClient\.ps1: port 70000 is not a TCP port/);
  });

  test("a missing default marker throws instead of silently shipping empty defaults", () => {
    const broken = unrendered.replace("$Domain = '', # kit-default: Domain", "$Domain = ''");
    expect(() => renderTestKmsClientScript(environment, broken)).toThrow(/"\$Domain = '', # kit-default: Domain" exactly once, found it 0 times/);
  });

  test("a repeated default marker throws", () => {
    const doubled = unrendered + "\n# $Port = 1688, # kit-default: Port\n";
    expect(() => renderTestKmsClientScript(environment, doubled)).toThrow(/found it 2 times/);
  });

  test("only the six defaults change when rendering", () => {
    const rendered = renderTestKmsClientScript({ ...environment, port: 1690, servesWindows: false, servesOffice: false }).split("\n");
    const original = unrendered.split("\n");
    expect(rendered).toHaveLength(original.length);
    expect(rendered.filter((line, i) => line !== original[i])).toHaveLength(6);
  });

  // Behaviour (read-only unless -Fix, which errors are explained, Microsoft 365 Apps, what -Fix
  // pins) is executed in test/powershell/Test-KmsClient.Tests.ps1; 5.1 syntax and no VBScript are
  // checked in powershell-grammar.test.ts.
});

describe("writeClientKit", () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "client-kit-"));
  });
  afterEach(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("writes configuration.xml and Test-KmsClient.ps1 under client-kit/<environment>", () => {
    const result = writeClientKit(outdir, "prod", { ...environment, office: { products: ["ProPlus2024Volume"] } });
    const directory = path.join(outdir, "client-kit", "prod");
    expect(result).toEqual({
      directory,
      files: [path.join(directory, CLIENT_KIT_FILE_NAMES.officeConfiguration), path.join(directory, CLIENT_KIT_FILE_NAMES.testScript)],
    });
    expect(fs.readFileSync(result.files[0]!, "utf8")).toContain('PIDKEY="XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB"');
    expect(fs.readFileSync(result.files[1]!, "utf8")).toContain("$Domain = 'corp.example.com',");
  });

  test("without office settings only the script is written, and a stale configuration.xml is removed", () => {
    writeClientKit(outdir, "prod", { ...environment, office: { products: ["ProPlus2024Volume"] } });
    const result = writeClientKit(outdir, "prod", environment);
    expect(result.files).toEqual([path.join(outdir, "client-kit", "prod", "Test-KmsClient.ps1")]);
    expect(fs.readdirSync(result.directory)).toEqual(["Test-KmsClient.ps1"]);
  });

  test("invalid office settings throw before anything is written", () => {
    expect(() => writeClientKit(outdir, "prod", { ...environment, office: { products: ["O365ProPlusRetail"] } })).toThrow(/user sign-in/);
    expect(fs.existsSync(path.join(outdir, "client-kit"))).toBe(false);
  });

  test.each(["../escape", "a/b", "", ".."])("an environment name that is not a plain directory name is refused: %j", (name) => {
    expect(() => writeClientKit(outdir, name, environment)).toThrow(/cannot be used as a directory name/);
  });
});
