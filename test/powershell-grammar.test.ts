import { powerShellSyntaxErrors } from "./support/powershell-grammar";

describe("powerShellSyntaxErrors", () => {
  test("accepts a well-formed script", () => {
    expect(powerShellSyntaxErrors("param([string]$Name = 'x')\nif ($Name) { Write-Output \"hi $Name\" }\n")).toEqual([]);
  });

  test.each([
    ["an unclosed block", "if ($x) { Write-Output 1\n"],
    ["an unclosed parenthesis", "if ($x { Write-Output 1 }\n"],
    ["an unterminated string", "Write-Output 'abc\n"],
  ])("reports %s", (_what, source) => {
    expect(powerShellSyntaxErrors(source).length).toBeGreaterThan(0);
  });

  test("parses scripts longer than 32 KiB", () => {
    const long = "Write-Output 'line'\n".repeat(3000);
    expect(powerShellSyntaxErrors(long)).toEqual([]);
    expect(powerShellSyntaxErrors(long + "if ($x {\n").length).toBeGreaterThan(0);
  });
});
