// Every shipped PowerShell script, checked with PowerShell's own parser: it parses, it uses no
// PowerShell 7-only syntax (the hosts and many clients run Windows PowerShell 5.1), and it invokes
// no VBScript (slmgr.vbs, ospp.vbs, cscript, wscript: VBScript is a Feature on Demand on its way
// out of Windows). The facts come from the AST, so comments never count.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parsePowerShellFiles, type PowerShellFacts } from "./support/powershell-ast";

const SHIPPED_DIR = path.join(__dirname, "..", "powershell");
const shipped = readdirSync(SHIPPED_DIR)
  .filter((name) => name.endsWith(".ps1"))
  .map((name) => path.join(SHIPPED_DIR, name));
const FIXTURES = path.join(__dirname, "fixtures", "powershell");
const PS7_FIXTURE = path.join(FIXTURES, "ps7-only-syntax.ps1");
const VBSCRIPT_FIXTURE = path.join(FIXTURES, "vbscript-invocations.ps1");
const BROKEN_FIXTURE = path.join(FIXTURES, "syntax-error.ps1");

const VBSCRIPT = /(^|[\\/\s'"])(cscript|wscript)(\.exe)?($|[\s'"])|slmgr(\.vbs)?|ospp\.vbs/i;

/** Commands and string values that would run VBScript. */
function vbscriptInvocations(facts: PowerShellFacts): string[] {
  return [
    ...facts.commands.filter((command) => VBSCRIPT.test(command.name)).map((command) => `line ${command.line}: ${command.text}`),
    ...facts.strings.filter((value) => VBSCRIPT.test(value)).map((value) => `string ${JSON.stringify(value)}`),
  ];
}

describe("shipped PowerShell scripts", () => {
  let facts: Map<string, PowerShellFacts>;
  beforeAll(() => {
    const all = parsePowerShellFiles([...shipped, PS7_FIXTURE, VBSCRIPT_FIXTURE, BROKEN_FIXTURE]);
    facts = new Map(all.map((entry) => [path.resolve(entry.path), entry]));
  });
  const of = (file: string): PowerShellFacts => {
    const found = facts.get(path.resolve(file));
    if (!found) throw new Error(`no parse facts for ${file}`);
    return found;
  };

  test("there are scripts to check", () => {
    expect(shipped.map((file) => path.basename(file))).toEqual(expect.arrayContaining(["Install-KmsHost.ps1", "Test-KmsClient.ps1"]));
  });

  test("the parser reports syntax errors (proved on a broken fixture)", () => {
    expect(of(BROKEN_FIXTURE).errors.length).toBeGreaterThan(0);
  });

  test("the 7-only check finds every such construct in the fixture", () => {
    expect([...new Set(of(PS7_FIXTURE).ps7Only.map((node) => node.kind))].sort()).toEqual(
      ["AndAnd", "OrOr", "PipelineChainAst", "QuestionDot", "QuestionLBracket", "QuestionQuestion", "QuestionQuestionEquals", "TernaryExpressionAst"].sort(),
    );
  });

  test("the VBScript check finds every invocation in the fixture and ignores its comment", () => {
    // Two commands, and the names and paths they carry as strings; nothing from the comment.
    expect(vbscriptInvocations(of(VBSCRIPT_FIXTURE))).toEqual([
      "line 3: cscript.exe //nologo C:\\Windows\\System32\\slmgr.vbs /dlv",
      "line 4: & wscript 'x.vbs'",
      'string "cscript.exe"',
      'string "C:\\\\Windows\\\\System32\\\\slmgr.vbs"',
      'string "wscript"',
      'string "cscript.exe"',
      'string "ospp.vbs /dstatus"',
    ]);
  });

  describe.each(shipped.map((file) => [path.basename(file), file]))("%s", (_name, file) => {
    test("parses with zero syntax errors", () => {
      expect(of(file).errors).toEqual([]);
    });
    test("uses no PowerShell 7-only syntax (runs under Windows PowerShell 5.1)", () => {
      expect(of(file).ps7Only).toEqual([]);
    });
    test("invokes no VBScript (cscript, wscript, slmgr.vbs, ospp.vbs)", () => {
      expect(of(file).commands.length).toBeGreaterThan(20);
      expect(vbscriptInvocations(of(file))).toEqual([]);
    });
    test("is pure ASCII (Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page)", () => {
      expect(readFileSync(file, "utf8")).toMatch(/^[\x09\x0A\x0D\x20-\x7E]*$/);
    });
  });

  test("Install-KmsHost.ps1 declares exactly the Run Command parameters KmsHostBootstrap sends, all strings", () => {
    expect(of(path.join(SHIPPED_DIR, "Install-KmsHost.ps1")).parameters.map((p) => [p.name, p.type])).toEqual([
      ["KeyVaultUri", "String"],
      ["WindowsKeySecretName", "String"],
      ["OfficeProductsBase64", "String"],
      ["KmsPort", "String"],
      ["ClientCidrs", "String"],
      ["DisableDnsPublishing", "String"],
      ["LogPath", "String"],
      ["Revision", "String"],
    ]);
  });
});
