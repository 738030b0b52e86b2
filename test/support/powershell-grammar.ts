// Parses PowerShell with a real grammar (tree-sitter-powershell) so that script tests fail on any
// syntax error, instead of trusting a string search.
import Parser from "tree-sitter";
import PowerShell from "tree-sitter-powershell";

/** One syntax problem found by the grammar, 1-based line and column. */
export interface PowerShellSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly kind: "error" | "missing";
  readonly text: string;
}

let parser: Parser | undefined;

function getParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(PowerShell as unknown as Parser.Language);
  }
  return parser;
}

/** Every ERROR or MISSING node in the parse tree of `source`; empty when the script parses cleanly. */
export function powerShellSyntaxErrors(source: string): PowerShellSyntaxError[] {
  // tree-sitter's node binding reads strings over 32 KiB through a callback; the callback form
  // handles any length.
  const tree = getParser().parse((index: number) => source.slice(index, index + 16384));
  const errors: PowerShellSyntaxError[] = [];
  const visit = (node: Parser.SyntaxNode): void => {
    if (node.type === "ERROR" || node.isMissing) {
      errors.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? "missing" : "error",
        text: node.isMissing ? `missing ${node.type}` : source.slice(node.startIndex, node.endIndex).slice(0, 80),
      });
    }
    if (node.hasError || node.isMissing) {
      for (const child of node.children) visit(child);
    }
  };
  visit(tree.rootNode);
  return errors;
}
