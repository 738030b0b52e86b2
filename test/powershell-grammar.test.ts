// Every shipped PowerShell script, checked with PowerShell's own parser: it parses, it uses no
// PowerShell 7-only syntax (the hosts and many clients run Windows PowerShell 5.1), and it invokes
// no VBScript (slmgr.vbs, ospp.vbs, cscript, wscript: VBScript is a Feature on Demand on its way
// out of Windows), and it calls no .NET member that only .NET Core / .NET 5+ has (Windows
// PowerShell 5.1 runs on .NET Framework 4.x). The facts come from the AST, so comments never count.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parsePowerShellFiles, type PowerShellFacts, type PowerShellMember } from "./support/powershell-ast";

const SHIPPED_DIR = path.join(__dirname, "..", "powershell");
const shipped = readdirSync(SHIPPED_DIR)
  .filter((name) => name.endsWith(".ps1"))
  .map((name) => path.join(SHIPPED_DIR, name));
const FIXTURES = path.join(__dirname, "fixtures", "powershell");
const PS7_FIXTURE = path.join(FIXTURES, "ps7-only-syntax.ps1");
const VBSCRIPT_FIXTURE = path.join(FIXTURES, "vbscript-invocations.ps1");
const BROKEN_FIXTURE = path.join(FIXTURES, "syntax-error.ps1");
const NETCORE_FIXTURE = path.join(FIXTURES, "netcore-only-apis.ps1");

const bare = (name: string | null): string => (name ?? "").replace(/^System\./i, "").toLowerCase();
const argIs = (m: PowerShellMember, index: number, kind: RegExp): boolean => kind.test(m.arguments[index]?.kind ?? "");
const CHAR = /^cast:(System\.)?char$/i;
const SPLIT_OPTIONS = /^static:(System\.)?StringSplitOptions$/i;
const EXPLICIT_ARRAY = /^(cast:(System\.)?(char|string)\[\]|ArrayExpressionAst|ArrayLiteralAst)$/i;

/** A static member by type and name, absent from .NET Framework 4.8 (the source page's "Applies to" list). */
const staticMember = (type: string, members: string[], source: string) => ({
  rule: `[${type}]::${members.join("/")}`,
  source,
  matches: (m: PowerShellMember) => m.static && bare(m.type) === type.toLowerCase() && members.some((name) => name.toLowerCase() === m.member.toLowerCase()),
});

/**
 * .NET members Windows PowerShell 5.1 (.NET Framework 4.x) does not have: each one's Microsoft
 * Learn page lists only .NET Core / .NET 5+ (and .NET Standard 2.1) under "Applies to". Overloads
 * are told apart by the shape of their arguments, as PowerShell's binder would pick them.
 */
const NETCORE_ONLY: { rule: string; source: string; matches: (m: PowerShellMember) => boolean }[] = [
  staticMember("Convert", ["FromHexString", "ToHexString", "ToHexStringLower", "TryFromHexString", "TryToHexString"], "https://learn.microsoft.com/dotnet/api/system.convert.fromhexstring (.NET 5+)"),
  staticMember("IO.Path", ["GetRelativePath", "Join", "TryJoin", "TrimEndingDirectorySeparator", "EndsInDirectorySeparator", "Exists"], "https://learn.microsoft.com/dotnet/api/system.io.path.getrelativepath (.NET Core 2.0+, .NET Standard 2.1)"),
  staticMember("Environment", ["ProcessPath", "ProcessId"], "https://learn.microsoft.com/dotnet/api/system.environment.processpath (.NET 6+)"),
  staticMember("Math", ["Clamp"], "https://learn.microsoft.com/dotnet/api/system.math.clamp (.NET Core 2.0+)"),
  staticMember("Random", ["Shared"], "https://learn.microsoft.com/dotnet/api/system.random.shared (.NET 6+)"),
  staticMember("ArgumentNullException", ["ThrowIfNull"], "https://learn.microsoft.com/dotnet/api/system.argumentnullexception.throwifnull (.NET 6+)"),
  staticMember("OperatingSystem", ["IsWindows", "IsLinux", "IsMacOS", "IsWindowsVersionAtLeast"], "https://learn.microsoft.com/dotnet/api/system.operatingsystem.iswindows (.NET 5+)"),
  {
    rule: "[string]::Join(char, ...)",
    source: "https://learn.microsoft.com/dotnet/api/system.string.join#system-string-join(system-char-system-string()) (.NET Core 2.0+)",
    matches: (m) => m.static && bare(m.type) === "string" && m.member.toLowerCase() === "join" && argIs(m, 0, CHAR),
  },
  {
    rule: ".Contains(char) / .Contains(string, StringComparison)",
    source: "https://learn.microsoft.com/dotnet/api/system.string.contains#system-string-contains(system-char) (.NET Core 2.1+, .NET Standard 2.1)",
    matches: (m) => !m.static && m.invoked && m.member.toLowerCase() === "contains" && (argIs(m, 0, CHAR) || argIs(m, 1, /^static:(System\.)?StringComparison$/i)),
  },
  {
    rule: ".StartsWith(char) / .EndsWith(char)",
    source: "https://learn.microsoft.com/dotnet/api/system.string.startswith#system-string-startswith(system-char) (.NET Core 2.0+)",
    matches: (m) => !m.static && m.invoked && /^(startswith|endswith)$/i.test(m.member) && argIs(m, 0, CHAR),
  },
  {
    rule: ".Split(char or string, StringSplitOptions)",
    source: "https://learn.microsoft.com/dotnet/api/system.string.split#system-string-split(system-char-system-stringsplitoptions) (.NET Core 2.0+); .NET Framework has only the char[]/string[] overloads",
    matches: (m) => !m.static && m.invoked && m.member.toLowerCase() === "split" && m.arguments.some((a) => SPLIT_OPTIONS.test(a.kind)) && !argIs(m, 0, EXPLICIT_ARRAY),
  },
  {
    rule: ".ReplaceLineEndings()",
    source: "https://learn.microsoft.com/dotnet/api/system.string.replacelineendings (.NET 6+)",
    matches: (m) => !m.static && m.member.toLowerCase() === "replacelineendings",
  },
];

/** The .NET Core-only members a file uses, as "line N: text (rule)". */
function netCoreOnly(facts: PowerShellFacts): string[] {
  return facts.members.flatMap((m) => NETCORE_ONLY.filter((r) => r.matches(m)).map((r) => `line ${m.line}: ${m.text} (${r.rule})`));
}

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
    const all = parsePowerShellFiles([...shipped, PS7_FIXTURE, VBSCRIPT_FIXTURE, BROKEN_FIXTURE, NETCORE_FIXTURE]);
    facts = new Map(all.map((entry) => [path.resolve(entry.path), entry]));
  });
  const of = (file: string): PowerShellFacts => {
    const found = facts.get(path.resolve(file));
    if (!found) throw new Error(`no parse facts for ${file}`);
    return found;
  };

  test("there are scripts to check", () => {
    expect(shipped.map((file) => path.basename(file))).toEqual(expect.arrayContaining(["Install-KmsHost.ps1", "Test-KmsClient.ps1", "Test-KmsHost.ps1"]));
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

  test("the .NET Core-only check finds every such member in the fixture, and none of its allowed forms", () => {
    expect(netCoreOnly(of(NETCORE_FIXTURE)).map((line) => Number(/^line (\d+)/.exec(line)?.[1]))).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  describe.each(shipped.map((file) => [path.basename(file), file]))("%s", (_name, file) => {
    test("uses no .NET Core-only API (Windows PowerShell 5.1 runs on .NET Framework)", () => {
      expect(of(file).members.length).toBeGreaterThan(10);
      expect(netCoreOnly(of(file))).toEqual([]);
    });
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
