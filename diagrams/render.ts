// Lays out an environment's DOT (diagrams/environment-diagram.ts) with Graphviz compiled to
// WebAssembly (@viz-js/viz, pinned) and writes it as SVG. The WebAssembly module is loaded only
// here, on first use: a synth whose stacks have not changed since the SVGs were written never
// loads it (each SVG records the SHA-256 of the DOT it was drawn from).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { environmentDiagramDot, type StackJson } from "./environment-diagram";

/** The comment each SVG carries on its second line: which environment, and the DOT it was drawn from. */
export function diagramMarker(environment: string, dot: string): string {
  return `<!-- azure-kms-host diagram of environment ${environment}; dot-sha256 ${crypto.createHash("sha256").update(dot).digest("hex")}; redraw with npm run diagrams -->`;
}

/** The marker an SVG file carries, or undefined (no file, or not one of ours). */
export function markerOf(svg: string): string | undefined {
  return /<!-- azure-kms-host diagram of environment [^\n]*? -->/.exec(svg)?.[0];
}

type Viz = { renderString(dot: string, options: { format: "svg"; engine: "dot" }): string };
let viz: Promise<Viz> | undefined;

/** Graphviz's SVG for a DOT text, with the marker after the XML declaration. */
export async function renderSvg(environment: string, dot: string): Promise<string> {
  // `require`, not `import()`: the main job's bundle leaves the package out (scripts/build.cjs) and
  // is CommonJS; the package's "require" export is its CommonJS build.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require, so the bundle leaves the package out and loads it on first use
  viz ??= (require("@viz-js/viz") as { instance(): Promise<Viz> }).instance();
  const svg = (await viz).renderString(dot, { format: "svg", engine: "dot" });
  const firstLineEnd = svg.indexOf("\n");
  return `${svg.slice(0, firstLineEnd + 1)}${diagramMarker(environment, dot)}\n${svg.slice(firstLineEnd + 1)}`;
}

/** The DOT of an environment's picture, from its synthesized stack file. */
export function diagramDotOf(environment: string, stackFile: string): string {
  const stack = JSON.parse(fs.readFileSync(stackFile, "utf8")) as StackJson;
  return environmentDiagramDot(stack, `Environment ${environment} (stack ${path.basename(path.dirname(stackFile))})`);
}

/** What writeDiagrams did. */
export interface DiagramsResult {
  /** SVG files drawn anew. */
  readonly written: string[];
  /** SVG files already drawn from the same DOT, left as they were. */
  readonly unchanged: string[];
}

/**
 * Writes `<outdir>/diagrams/<environment>.svg` for each synthesized stack, from its cdk.tf.json.
 * Each file is written whole (a temporary file renamed into place) or not at all.
 */
export async function writeDiagrams(outdir: string, stacks: readonly { environment: string; stackFile: string }[]): Promise<DiagramsResult> {
  const dir = path.join(outdir, "diagrams");
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const { environment, stackFile } of stacks) {
    const dot = diagramDotOf(environment, stackFile);
    const file = path.join(dir, `${environment}.svg`);
    let current: string | undefined;
    try {
      current = markerOf(fs.readFileSync(file, "utf8"));
    } catch {
      current = undefined;
    }
    if (current === diagramMarker(environment, dot)) {
      unchanged.push(file);
      continue;
    }
    const svg = await renderSvg(environment, dot);
    fs.mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, svg);
    fs.renameSync(temporary, file);
    written.push(file);
  }
  return { written, unchanged };
}
