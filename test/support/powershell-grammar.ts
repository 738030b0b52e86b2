// Parses PowerShell with a real grammar (tree-sitter-powershell) so that script tests fail on any
// syntax error, instead of trusting a string search.
//
// The grammar runs in a child Node process. tree-sitter's JavaScript wrapper patches the
// prototypes of its native classes when it is evaluated, and that patch is not idempotent. Jest
// evaluates every module once per test file but loads the native addon once per process, so the
// second test file in a worker that parsed PowerShell got `tree.rootNode === undefined` (which
// file failed depended on the order Jest chose). Jest also intercepts node:module's
// createRequire and process.getBuiltinModule, so there is no clean way to share one evaluation.
// A child process evaluates the wrapper exactly once, and the tree comes back as plain objects.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** One syntax problem found by the grammar, 1-based line and column. */
export interface PowerShellSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly kind: "error" | "missing";
  readonly text: string;
}

/** A node of the parse tree: the part of tree-sitter's SyntaxNode that tests need. */
export interface PowerShellNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { readonly row: number; readonly column: number };
  readonly text: string;
  readonly parent: PowerShellNode | null;
  readonly children: readonly PowerShellNode[];
  readonly namedChildren: readonly PowerShellNode[];
  /** This node and every node below it with the given type, in document order. */
  descendantsOfType(type: string): PowerShellNode[];
}

// [type, named, missing, hasError, startIndex, endIndex, row, column, children]
type WireNode = [string, 0 | 1, 0 | 1, 0 | 1, number, number, number, number, WireNode[]];

// Runs in the child: read the script from stdin, parse it, print the tree as nested arrays.
// tree-sitter's node binding reads strings over 32 KiB through a callback; the callback form
// handles any length.
const CHILD_SCRIPT = `
const Parser = require("tree-sitter");
const PowerShell = require("tree-sitter-powershell");
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const source = Buffer.concat(chunks).toString("utf8");
  const parser = new Parser();
  parser.setLanguage(PowerShell);
  const tree = parser.parse((index) => source.slice(index, index + 16384));
  const wire = (node) => [node.type, node.isNamed ? 1 : 0, node.isMissing ? 1 : 0, node.hasError ? 1 : 0,
    node.startIndex, node.endIndex, node.startPosition.row, node.startPosition.column, node.children.map(wire)];
  process.stdout.write(JSON.stringify(wire(tree.rootNode)));
});
`;

const projectRoot = path.join(__dirname, "..", "..");

class Node implements PowerShellNode {
  readonly children: Node[] = [];
  constructor(
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly hasError: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly startPosition: { readonly row: number; readonly column: number },
    readonly parent: Node | null,
  ) {}

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): Node[] {
    return this.children.filter((child) => child.isNamed);
  }

  descendantsOfType(type: string): Node[] {
    const found: Node[] = [];
    const visit = (node: Node): void => {
      if (node.type === type) found.push(node);
      for (const child of node.children) visit(child);
    };
    visit(this);
    return found;
  }
}

function build(source: string, wire: WireNode, parent: Node | null): Node {
  const [type, named, missing, hasError, start, end, row, column, children] = wire;
  const node = new Node(source, type, named === 1, missing === 1, hasError === 1, start, end, { row, column }, parent);
  for (const child of children) node.children.push(build(source, child, node));
  return node;
}

/** The root node of the parse tree of `source` (any length). */
export function parsePowerShell(source: string): PowerShellNode {
  const output = execFileSync(process.execPath, ["-e", CHILD_SCRIPT], {
    cwd: projectRoot,
    input: source,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  return build(source, JSON.parse(output) as WireNode, null);
}

/** Every ERROR or MISSING node in the parse tree of `source`; empty when the script parses cleanly. */
export function powerShellSyntaxErrors(source: string): PowerShellSyntaxError[] {
  const errors: PowerShellSyntaxError[] = [];
  const visit = (node: PowerShellNode): void => {
    if (node.type === "ERROR" || node.isMissing) {
      errors.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? "missing" : "error",
        text: node.isMissing ? `missing ${node.type}` : node.text.slice(0, 80),
      });
    }
    if (node.hasError || node.isMissing) {
      for (const child of node.children) visit(child);
    }
  };
  visit(parsePowerShell(source));
  return errors;
}
