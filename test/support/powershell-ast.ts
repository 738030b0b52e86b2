// PowerShell's own parser ([System.Management.Automation.Language.Parser]::ParseFile), run on
// PowerShell 7 (test/support/powershell.ts: the jest run's pwsh server): the real grammar, not an
// imitation. Tests call parsePowerShellFiles in beforeAll with every file they need, one request each.
import * as path from "node:path";
import { runPowerShell } from "./powershell";

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
  /** Every .NET member used: static ones with their type's full name, instance ones with the shape of their arguments. */
  readonly members: readonly PowerShellMember[];
  readonly parameters: readonly { name: string; type: string; default: string | null }[];
}

export interface PowerShellMember {
  readonly static: boolean;
  /** The type's full name for [Type]::Member, else null. */
  readonly type: string | null;
  readonly member: string;
  readonly invoked: boolean;
  /** Each argument: "cast:<type>" for a [type] cast, "static:<type>" for [Type]::Member, else the AST kind. */
  readonly arguments: readonly { kind: string; text: string }[];
  readonly line: number;
  readonly text: string;
}

export function parsePowerShellFiles(files: readonly string[]): PowerShellFacts[] {
  return JSON.parse(runPowerShell({ file: path.join(__dirname, "powershell-ast.ps1"), args: files })) as PowerShellFacts[];
}
