// The bootstrap's final verification (Install-KmsHost.ps1, step 6) and the post-deploy check
// (Test-KmsHost.ps1) are one implementation: the "KMS host checks" block, carried identically by
// both scripts because a Run Command ships exactly one script. scripts/sync-kms-host-checks.cjs
// copies it from Test-KmsHost.ps1; this test fails when the copies differ or a script stops using it.
import { readFileSync } from "node:fs";
import * as path from "node:path";

const DIR = path.join(__dirname, "..", "powershell");
const BLOCK = /# >>> KMS host checks[\s\S]*?# <<< KMS host checks\r?\n/g;

function blocks(file: string): string[] {
  return readFileSync(path.join(DIR, file), "utf8").match(BLOCK) ?? [];
}

describe("the shared KMS host checks", () => {
  test("Test-KmsHost.ps1 and Install-KmsHost.ps1 each carry the block exactly once", () => {
    expect(blocks("Test-KmsHost.ps1")).toHaveLength(1);
    expect(blocks("Install-KmsHost.ps1")).toHaveLength(1);
  });

  test("both copies are identical (edit Test-KmsHost.ps1, then run node scripts/sync-kms-host-checks.cjs)", () => {
    expect(blocks("Install-KmsHost.ps1")[0]).toBe(blocks("Test-KmsHost.ps1")[0]);
  });

  test("the bootstrap's verification and the post-deploy check both call the block's Get-KmsHostCheckResults", () => {
    const outside = (file: string): string => readFileSync(path.join(DIR, file), "utf8").replace(BLOCK, "");
    expect(outside("Install-KmsHost.ps1")).toMatch(/function Confirm-KmsHost \{[\s\S]*?Get-KmsHostCheckResults /);
    expect(outside("Test-KmsHost.ps1")).toMatch(/function Invoke-KmsHostVerification \{[\s\S]*?Get-KmsHostCheckResults /);
  });
});
