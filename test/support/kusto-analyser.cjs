// Runs Microsoft's Kusto language service (@kusto/language-service-next) in a plain node process.
// Jest runs test code inside a vm context, where every global lookup of the Bridge.NET runtime is
// slow (about 10 s for the first query instead of 1.5 s), so test/support/kusto.ts sends its
// queries here in one batch per test file. stdin: {"tables":[{"name","columns":{col:type}}],
// "queries":{"id":"text"}}; stdout: {"id":[{"severity","message","start"}]}.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script that node runs outside jest */
"use strict";
const fs = require("fs");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
require("@kusto/language-service-next/bridge.min.js");
require("@kusto/language-service-next/Kusto.Language.Bridge.min.js");
const kusto = globalThis.Kusto.Language;
const tables = input.tables.map((t) =>
  kusto.Symbols.TableSymbol.From(`(${Object.entries(t.columns).map(([name, type]) => `${name}:${type}`).join(", ")})`).WithName(t.name),
);
const globals = kusto.GlobalState.Default.WithDatabase(new kusto.Symbols.DatabaseSymbol("LogAnalytics", tables));
const output = {};
for (const [id, text] of Object.entries(input.queries)) {
  const diagnostics = kusto.KustoCode.ParseAndAnalyze(text, globals).GetDiagnostics();
  output[id] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    output[id].push({ severity: String(d.Severity), message: String(d.Message), start: d.Start });
  }
}
process.stdout.write(JSON.stringify(output));
