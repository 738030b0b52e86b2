// Every seam's fake in the Pester suite cites the documented behaviour it imitates. A seam is a
// function of a shipped script's "Seams" section (or of the shared checks' "Seams of the checks"),
// or a Windows-only cmdlet a test file mocks directly; its fake is the first `Mock <name>` in the
// test file, and the comment lines right above it must name a Microsoft Learn page. Mocks that only
// force one path of the script's own helpers are listed below with the reason.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const TESTS = path.join(ROOT, "test", "powershell");
const SHIPPED = path.join(ROOT, "powershell");
const CITATION = /learn\.microsoft\.com\/\S+/;

/** Mocks of the scripts' own logic (not of Windows), each with why it needs no citation. */
const NOT_SEAMS: Record<string, string> = {
  "Get-LicensingProduct": "the script's own lookup, mocked to make a product vanish mid-run",
  "Add-Content": "PowerShell's own cmdlet, mocked to make the log file unwritable",
  "Get-Command": "PowerShell's own cmdlet, mocked to hide the DnsServer module",
  "Stop-ProcessTree": "the script's own tree walk (its seams are faked and cited), mocked to count one call",
};

/** The seam functions a script declares: those between a "Seams" header and the next section. */
export function seamFunctions(text: string): string[] {
  const names: string[] = [];
  let inSeams = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^# (Seams\b|Seams of the checks)/.test(line)) {
      inSeams = true;
      continue;
    }
    // A section ends at "# End of seams." or at the next rule line once its functions began.
    if (inSeams && (/^# End of seams\./.test(line) || (/^# -{20,}$/.test(line) && names.length > 0))) inSeams = false;
    const fn = /^function ([A-Za-z]+-[A-Za-z0-9]+)/.exec(line);
    if (inSeams && fn) names.push(fn[1]);
  }
  return [...new Set(names)];
}

/** The first Mock of each name in a test file with the comment block right above it. */
export function firstMocks(text: string): Map<string, { line: number; comment: string }> {
  const lines = text.split(/\r?\n/);
  const found = new Map<string, { line: number; comment: string }>();
  lines.forEach((line, index) => {
    const mock = /^\s*Mock ([A-Za-z]+-[A-Za-z0-9]+)/.exec(line);
    if (!mock || found.has(mock[1])) return;
    const comment: string[] = [];
    for (let i = index - 1; i >= 0 && /^\s*#/.test(lines[i]); i--) comment.unshift(lines[i]);
    found.set(mock[1], { line: index + 1, comment: comment.join("\n") });
  });
  return found;
}

const testFiles = readdirSync(TESTS).filter((name) => name.endsWith(".Tests.ps1"));

describe("Pester fakes cite the behaviour they imitate", () => {
  test("the rule finds an uncited fake and a seam without a fake (proved on inline samples)", () => {
    const sample = "# Seams\nfunction Get-Thing { }\nfunction Set-Thing { }\n# ------------------------------\nfunction Helper-Thing { }\n";
    expect(seamFunctions(sample)).toEqual(["Get-Thing", "Set-Thing"]);
    const mocks = firstMocks("    # https://learn.microsoft.com/x\n    Mock Get-Thing { }\n    Mock Set-Thing { }\n    # cited\n    Mock Set-Thing { }\n");
    expect(CITATION.test(mocks.get("Get-Thing")!.comment)).toBe(true);
    expect(CITATION.test(mocks.get("Set-Thing")!.comment)).toBe(false);
    // And on the shipped bootstrap: its own seams and the shared checks' seams are found.
    expect(seamFunctions(readFileSync(path.join(SHIPPED, "Install-KmsHost.ps1"), "utf8"))).toEqual(expect.arrayContaining(["Invoke-SlMethod", "Start-PackProcess", "Test-PortListening"]));
  });

  describe.each(testFiles.map((name) => [name]))("%s", (name) => {
    const text = readFileSync(path.join(TESTS, name), "utf8");
    const mocks = firstMocks(text);
    const scriptPath = path.join(SHIPPED, name.replace(/\.Tests\.ps1$/, ".ps1"));
    const seams = seamFunctions(readFileSync(scriptPath, "utf8"));

    test("every fake (first Mock of a name) has a comment citing a Microsoft Learn page", () => {
      const uncited = [...mocks.entries()].filter(([mocked, at]) => !(mocked in NOT_SEAMS) && !CITATION.test(at.comment)).map(([mocked, at]) => `${name}:${at.line} Mock ${mocked}`);
      expect(uncited).toEqual([]);
    });

    test("every seam of the script it tests has a fake", () => {
      expect(seams.filter((seam) => !mocks.has(seam) && !new RegExp(`function ${seam}\\b`).test(text))).toEqual([]);
    });
  });
});
