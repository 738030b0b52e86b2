// PowerShell's own parser ([System.Management.Automation.Language.Parser]::ParseFile), run once per
// call through pwsh: the real grammar, not an imitation. Tests call parsePowerShellFiles in
// beforeAll with every file they need, because starting pwsh costs about a second.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** What powershell-ast.ps1 reports for one file. Comments are in none of these. */
export interface PowerShellFacts {
  readonly path: string;
  readonly errors: readonly { message: string; line: number }[];
  /** PowerShell 7-only syntax: TernaryExpressionAst, PipelineChainAst, ??, ??=, ?., ?[, &&, ||. */
  readonly ps7Only: readonly { kind: string; line: number; text: string }[];
  readonly commands: readonly { name: string; line: number; text: string }[];
  /** Values of every string literal (single- or double-quoted, and bare words). */
  readonly strings: readonly string[];
  readonly functions: readonly string[];
  readonly parameters: readonly { name: string; type: string; default: string | null }[];
}

const REPO = path.join(__dirname, "..", "..");

/** The pwsh the project installed (scripts/install-powershell.sh), else pwsh on PATH. */
export function pwshPath(): string {
  const local = path.join(REPO, ".tools", "pwsh", "pwsh");
  if (existsSync(local)) return local;
  return "pwsh";
}

export function parsePowerShellFiles(files: readonly string[]): PowerShellFacts[] {
  let output: string;
  try {
    output = execFileSync(pwshPath(), ["-NoProfile", "-NonInteractive", "-File", path.join(__dirname, "powershell-ast.ps1"), ...files], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(`PowerShell's parser could not run (${(error as Error).message.split("\n")[0]}). Run scripts/install-powershell.sh (npm test does) to install pwsh into .tools/.`);
  }
  return JSON.parse(output) as PowerShellFacts[];
}
