// Parses PowerShell with a real grammar (tree-sitter-powershell) so that script tests fail on any
// syntax error, instead of trusting a string search.
import * as NodeModule from "module";
import type Parser from "tree-sitter";

// tree-sitter must be loaded once per process. Jest gives every test file its own module registry,
// so a second test file re-ran tree-sitter's index.js, which then read its own getter back as
// `Tree.prototype.rootNode` and returned undefined for every tree ("Cannot read properties of
// undefined (reading 'type')" when two script test files share a worker). Node's own loader
// (Module._load, which jest does not wrap; its createRequire is wrapped) caches it process-wide.
const nodeLoad = (NodeModule as unknown as { _load(request: string, parent: null, isMain: boolean): unknown })._load;
const TreeSitter = nodeLoad(require.resolve("tree-sitter"), null, false) as typeof Parser;
const PowerShell = nodeLoad(require.resolve("tree-sitter-powershell"), null, false);

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
    parser = new TreeSitter();
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
