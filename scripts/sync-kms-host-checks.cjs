// Copies the shared "KMS host checks" block from powershell/Test-KmsHost.ps1 (its source) into
// powershell/Install-KmsHost.ps1, so the bootstrap's final verification and the post-deploy check
// are one implementation. test/powershell-shared-checks.test.ts fails when the copies differ.
// Usage: node scripts/sync-kms-host-checks.cjs
const fs = require("fs");
const path = require("path");
const dir = path.join(__dirname, "..", "powershell");
const BLOCK = /# >>> KMS host checks[\s\S]*?# <<< KMS host checks\r?\n/;
const source = fs.readFileSync(path.join(dir, "Test-KmsHost.ps1"), "utf8").match(BLOCK);
if (!source) throw new Error("powershell/Test-KmsHost.ps1: no '# >>> KMS host checks' ... '# <<< KMS host checks' block");
const target = path.join(dir, "Install-KmsHost.ps1");
const text = fs.readFileSync(target, "utf8");
if (!BLOCK.test(text)) throw new Error("powershell/Install-KmsHost.ps1: no '# >>> KMS host checks' block to replace");
fs.writeFileSync(target, text.replace(BLOCK, () => source[0]));
