import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLIENT_KIT_FILE_NAMES, TEST_KMS_CLIENT_SCRIPT_PATH, powerShellSingleQuoted, renderTestKmsClientScript, writeClientKit } from "../client-kit";
import { powerShellSyntaxErrors } from "./support/powershell-grammar";

const environment = {
  domain: "corp.example.com",
  zoneName: "kms.internal.example.com",
  hosts: ["kms1.kms.internal.example.com", "kms2.kms.internal.example.com"],
  port: 1688,
};
const unrendered = fs.readFileSync(TEST_KMS_CLIENT_SCRIPT_PATH, "utf8");

// The param block, where the defaults must land (not somewhere in the body).
function paramBlock(script: string): string {
  const start = script.indexOf("param(");
  return script.slice(start, script.indexOf("\n)\n", start) + 2);
}

describe("Test-KmsClient.ps1", () => {
  test("the unrendered script parses with zero syntax errors", () => {
    expect(powerShellSyntaxErrors(unrendered)).toEqual([]);
  });

  test("the rendered script parses with zero syntax errors", () => {
    expect(powerShellSyntaxErrors(renderTestKmsClientScript(environment))).toEqual([]);
  });

  test("the rendered script carries the environment's domain, zone, hosts and port as parameter defaults", () => {
    const params = paramBlock(renderTestKmsClientScript({ ...environment, port: 1690 }));
    expect(params).toContain("[string] $Domain = 'corp.example.com', # kit-default: Domain");
    expect(params).toContain("[string] $ZoneName = 'kms.internal.example.com', # kit-default: ZoneName");
    expect(params).toContain(
      "[string[]] $KmsHosts = @('kms1.kms.internal.example.com', 'kms2.kms.internal.example.com'), # kit-default: KmsHosts",
    );
    expect(params).toContain("[int] $Port = 1690, # kit-default: Port");
    expect(params).toContain("[switch] $Fix");
  });

  test("a value with a quote is escaped by doubling it, and the script still parses", () => {
    const rendered = renderTestKmsClientScript({ ...environment, domain: "o'brien.example.com", hosts: ["a'; Remove-Item C:\\ -Recurse; 'b"] });
    expect(rendered).toContain("$Domain = 'o''brien.example.com',");
    expect(rendered).toContain("$KmsHosts = @('a''; Remove-Item C:\\ -Recurse; ''b'),");
    expect(powerShellSyntaxErrors(rendered)).toEqual([]);
  });

  test("typographic single quotes, which PowerShell also ends strings on, are doubled too", () => {
    expect(powerShellSingleQuoted("a\u2019b")).toBe("'a\u2019\u2019b'");
  });

  test("non-ASCII values are refused, because Windows PowerShell 5.1 reads BOM-less scripts as ANSI", () => {
    expect(() => renderTestKmsClientScript({ ...environment, domain: "bücher.example" })).toThrow(/punycode/);
  });

  test("the script itself is pure ASCII, for the same reason", () => {
    expect(unrendered).toMatch(/^[\x09\x0A\x0D\x20-\x7E]*$/);
  });

  test("an empty host list renders an empty array", () => {
    expect(renderTestKmsClientScript({ ...environment, hosts: [] })).toContain("[string[]] $KmsHosts = @(), # kit-default: KmsHosts");
  });

  test("a port outside 1-65535 is refused", () => {
    expect(() => renderTestKmsClientScript({ ...environment, port: 70000 })).toThrow(/not a TCP port/);
  });

  test("a missing default marker throws instead of silently shipping empty defaults", () => {
    const broken = unrendered.replace("$Domain = '', # kit-default: Domain", "$Domain = ''");
    expect(() => renderTestKmsClientScript(environment, broken)).toThrow(/"\$Domain = '', # kit-default: Domain" exactly once, found it 0 times/);
  });

  test("a repeated default marker throws", () => {
    const doubled = unrendered + "\n# $Port = 1688, # kit-default: Port\n";
    expect(() => renderTestKmsClientScript(environment, doubled)).toThrow(/found it 2 times/);
  });

  test("only the four defaults change when rendering", () => {
    const rendered = renderTestKmsClientScript({ ...environment, port: 1690 }).split("\n");
    const original = unrendered.split("\n");
    expect(rendered).toHaveLength(original.length);
    expect(rendered.filter((line, i) => line !== original[i])).toHaveLength(4);
  });

  test("the script stays PowerShell 5.1 compatible (no ??, ?., ternary or && / || chains)", () => {
    const code = unrendered
      .replace(/<#[\s\S]*?#>/g, "")
      .split("\n")
      .map((l) => l.replace(/'[^']*'/g, "''").replace(/#.*$/, ""));
    for (const line of code) {
      expect(line).not.toMatch(/\?\?|\?\.|&&|\|\||\s\?\s[^:]+\s:\s/);
    }
  });

  test("the script is read-only unless -Fix: slmgr and ospp only change settings inside the -Fix block", () => {
    const fixStart = unrendered.indexOf("# ---- 7. Safe fixes (-Fix only)");
    expect(fixStart).toBeGreaterThan(0);
    const beforeFix = unrendered.slice(0, fixStart);
    expect(beforeFix).not.toMatch(/\/(skms|ato|ipk|upk|sethst|setprt|act|inpkey|remhst)\b'/);
    const fixBlock = unrendered.slice(fixStart, unrendered.indexOf("# ---- Summary"));
    expect(fixBlock).toContain("if ($Fix) {");
    const writes = [...fixBlock.matchAll(/@\(('\/[a-z]+'|\('\/[a-z]+:)/g)].map((m) => m[1]);
    const reads = [...beforeFix.matchAll(/@\(('\/[a-z]+'|\('\/[a-z]+:)/g)].map((m) => m[1]);
    expect(reads).toEqual(["'/dlv'", "'/dstatus'"]);
    expect(writes).toEqual(["'/skms'", "('/sethst:", "('/setprt:"]);
  });

  test.each(["0xC004F074", "0xC004F038", "0x8007232B", "0xC004F042", "0xC004F06C", "0x800706BA", "0xC004F039", "0xC004F041"])(
    "the script explains error code %s",
    (code) => {
      expect(unrendered).toMatch(new RegExp(`'${code}' = @\\('[^']+', '[^']+`));
    },
  );

  test("the script tells Microsoft 365 Apps users that KMS is not the way: they activate by sign-in", () => {
    expect(unrendered).toContain("SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration");
    expect(unrendered).toContain("They activate by user sign-in, never by KMS");
  });
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
