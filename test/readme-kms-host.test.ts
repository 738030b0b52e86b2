// The README's promises about a KMS host's bootstrap: how to retry a failed one (a failed create
// is tainted, so a plain apply runs it again; a failed update needs kms.bootstrapRevision bumped),
// the script's own retry advice saying the same, and "Verify a host" using Test-KmsHost.ps1 with
// a sample of its output.
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const bootstrap = readFileSync(path.join(ROOT, "powershell", "Install-KmsHost.ps1"), "utf8");

/** The retry advice: what follows each bold "Retry a failed bootstrap" / "When a bootstrap fails" lead-in, up to the next one or heading. */
const retryParagraphs = (text: string): string[] =>
  [...text.matchAll(/\*\*(Retry a failed bootstrap|When a bootstrap fails)\.?\*\*[\s\S]*?(?=\n\*\*|\n#)/g)].map((m) => m[0]);

describe("README: KMS host bootstrap", () => {
  test("every retry paragraph tells a failed create (tainted, a plain apply re-runs it) from a failed update (bump kms.bootstrapRevision)", () => {
    const paragraphs = retryParagraphs(readme);
    expect(paragraphs.length).toBeGreaterThan(0);
    for (const p of paragraphs) {
      expect(p).toMatch(/tainted/);
      expect(p).toMatch(/apply[\s\S]{0,120}(runs|re-runs)[\s\S]{0,40}again/);
      expect(p).not.toMatch(/plain `?terraform apply`? does \*\*not\*\* run the bootstrap again\.?\s*Fix/);
    }
    expect(readme).toMatch(/\(an \*update\*[\s\S]{0,300}kms\.bootstrapRevision/);
  });

  test("the script's own retry advice tells create from update", () => {
    const advice = /\$script:RetryAdvice = '([^']+)'/.exec(bootstrap)?.[1] ?? "";
    expect(advice).toMatch(/first run[\s\S]*plain terraform apply runs it again/);
    expect(advice).toMatch(/re-run[\s\S]*bump kms\.bootstrapRevision/);
  });

  test("Verify a host runs Test-KmsHost.ps1 through Run Command and shows a sample of its output", () => {
    const section = readme.split(/\n(?=#{2,4} )/).find((s) => /^#{2,4} Verify a host/.test(s)) ?? "";
    expect(section).toMatch(/az vm run-command invoke[^\n]*--command-id RunPowerShellScript[^\n]*--scripts @powershell\/Test-KmsHost\.ps1/);
    expect(section).toMatch(/VERDICT: PASS \(\d+ checks\)/);
    expect(section).toMatch(/VERDICT: FAIL/);
  });

  test("the Volume License Pack's one-time check on the first host is described", () => {
    expect(readme).toMatch(/#{2,4} The Volume License Pack: a one-time check/);
  });
});
