// README.md's "Deploying", "Safe changes" and "Decommissioning" sections: every statement (a
// paragraph, a list item, a numbered step) names the scenario that rehearses it,
// `<!-- scenario: <id>[, <id>] -->`, or says why no terraform run can (`<!-- not-rehearsed: <reason> -->`).
// Every id named is a scenario (scenarios.ts) that scenarios.test.ts runs; the scenario's assertions
// are the statement's outcome, so a contradiction fails there.
import * as fs from "fs";
import * as path from "path";
import { SCENARIOS } from "./scenarios";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const SCENARIO_TESTS = fs
  .readdirSync(__dirname)
  .filter((f) => /^scenarios.*\.test\.ts$/.test(f))
  .map((f) => fs.readFileSync(path.join(__dirname, f), "utf8"))
  .join("\n");
const SECTIONS = ["## Deploying", "## Safe changes", "## Decommissioning"];

/** The statements of a `## ` section: paragraphs and list items, code blocks and tables attached to the one before. */
function statements(heading: string): { text: string; line: number }[] {
  const lines = README.split("\n");
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const result: { text: string; line: number }[] = [];
  let fenced = false;
  let current: { text: string; line: number } | undefined;
  let last: { text: string; line: number } | undefined;
  for (let i = start + 1; i < lines.length && !lines[i].startsWith("## "); i++) {
    const line = lines[i];
    // An indented line after a blank one still belongs to the list item before (a code block in it).
    if (!current && last && line.startsWith("  ") && line.trim() !== "") current = last;
    if (line.trimStart().startsWith("```")) {
      fenced = !fenced;
      if (current) current.text += `\n${line}`;
      continue;
    }
    if (fenced || line.startsWith("|") || line.startsWith("### ")) {
      if (current) current.text += `\n${line}`;
      continue;
    }
    if (line.trim() === "") {
      current = undefined;
      continue;
    }
    if (!current || /^([-*]|\d+\.) /.test(line)) {
      current = { text: line, line: i + 1 };
      result.push(current);
    } else current.text += `\n${line}`;
    last = current;
  }
  return result;
}

const MARKER = /<!-- (scenario|not-rehearsed): ([^>]*?) -->/g;

describe.each(SECTIONS)("README.md %s", (heading) => {
  const found = statements(heading);
  it("has statements", () => expect(found.length).toBeGreaterThan(0));
  it.each(found.map((s) => [s.line, s.text.split("\n")[0].slice(0, 70), s.text]))("line %d (%s) names its scenario", (_line, _start, text) => {
    const markers = [...String(text).matchAll(MARKER)];
    expect(markers.length).toBeGreaterThan(0);
    for (const [, kind, value] of markers) {
      if (kind === "not-rehearsed") expect(value.length).toBeGreaterThanOrEqual(20);
      else for (const id of value.split(",").map((v) => v.trim())) expect(Object.keys(SCENARIOS)).toContain(id);
    }
  });
});

describe("scenario ids", () => {
  it.each(Object.keys(SCENARIOS))("%s is run by a scenarios*.test.ts file", (id) => {
    expect(SCENARIO_TESTS).toContain(`scenario("${id}"`);
  });
});
