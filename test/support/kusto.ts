// Microsoft's Kusto language service (@kusto/language-service-next: Kusto.Language compiled to
// JavaScript) stands in for Log Analytics: a query that does not parse, or names a table, column or
// function the service does not know, comes back with error diagnostics. The tables are the ones
// the monitoring queries read, declared from monitoring/log-analytics-tables.ts. The service runs
// in one child node process per call (kusto-analyser.cjs explains why), so a test file analyses
// all its queries in one batch, in beforeAll.
import { execFileSync } from "child_process";
import * as path from "path";
import { MONITORING_TABLES, type LogAnalyticsTable } from "../../monitoring/log-analytics-tables";

/** One diagnostic of the analyser. */
export interface KqlDiagnostic {
  /** Error, Warning, Suggestion or Information. */
  readonly severity: string;
  readonly message: string;
  /** Offset in the query text. */
  readonly start: number;
}

const ANALYSER = path.join(__dirname, "kusto-analyser.cjs");
/**
 * --no-opt, as in the app command (cdktf.json), for the same reason: the analyser runs for two or
 * three seconds, too short for V8's optimizing compiler to pay for itself. Without these options it
 * took about 3.1 s of CPU for this project's batch, with them about 2.4 s; same diagnostics. (The
 * young generation's size barely matters here: 2, 8 and 16 MB measured within 0.2 s of each other.)
 */
const ANALYSER_NODE_OPTIONS = ["--no-opt", "--max-semi-space-size=8"];

/** Every diagnostic of each query (keyed as given), analysed against `tables` in one Kusto service process. */
export function analyseKql(queries: Readonly<Record<string, string>>, tables: readonly LogAnalyticsTable[] = MONITORING_TABLES): Record<string, KqlDiagnostic[]> {
  const input = JSON.stringify({ tables: tables.map((t) => ({ name: t.name, columns: t.columns })), queries });
  const output = execFileSync(process.execPath, [...ANALYSER_NODE_OPTIONS, ANALYSER], { input, encoding: "utf8", cwd: path.join(__dirname, "..", ".."), maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(output) as Record<string, KqlDiagnostic[]>;
}

/** The diagnostics of one query that are errors or warnings, each as `message @offset: <text there>`, for readable test failures. */
export function problems(query: string, diagnostics: readonly KqlDiagnostic[], severities: readonly string[] = ["Error", "Warning"]): string[] {
  return diagnostics.filter((d) => severities.includes(d.severity)).map((d) => `${d.severity}: ${d.message} @${d.start}: ${JSON.stringify(query.slice(d.start, d.start + 40))}`);
}
