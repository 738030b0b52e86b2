// Alerts that mean what they say (issue 23, item 8). No Log Analytics here, so the semantics are
// checked in two ways, both stated honestly: Microsoft's Kusto language service proves each alert
// query returns the columns the rule relies on (TimeGenerated and the Host dimension: a query that
// lacks one fails `| project TimeGenerated, Host`), and the query text is checked for the structure
// that implements each alert's meaning (a table first; the latest outcome per host; the grace
// period of a new host). The rules' settings (stateless or not, time range) are checked on a
// synthesized stack in test/constructs/kms-monitoring.test.ts.
import { MAX_ALERT_QUERY_TIME_RANGE } from "../../constructs/kms-monitoring";
import { MONITORING_TABLES } from "../../monitoring/log-analytics-tables";
import { kqlQueryText, renderKqlQuery, type KqlQueryName } from "../../monitoring/queries";
import { analyseKql, problems, type KqlDiagnostic } from "../support/kusto";

const ALERTS: readonly KqlQueryName[] = ["alert-missing-heartbeat", "alert-no-client-requests", "alert-bootstrap-failed", "alert-activation-errors"];
const PARAMETERS = { hosts: ["kmsfix01", "kmsfix02"], noRequestPeriodHours: 24 };

/** The query without its comments and `let` statements: what Azure runs as the tabular expression. */
function tabularExpression(query: string): string {
  return query
    .split("\n")
    .map((line) => line.replace(/\/\/.*$/, ""))
    .join("\n")
    .replace(/^\s*(let\s+\w+\s*=[^;]*;\s*)*/, "")
    .trim();
}

/** The first name of the tabular expression, when it is a table of the workspace. */
function startsWithTable(query: string): boolean {
  const first = /^([A-Za-z_]\w*)/.exec(tabularExpression(query))?.[1];
  return first !== undefined && MONITORING_TABLES.some((t) => t.name === first);
}

const withColumns = (name: KqlQueryName) => `${renderKqlQuery(name, PARAMETERS).trimEnd()}\n| project TimeGenerated, Host\n`;
let results: Record<string, KqlDiagnostic[]>;
beforeAll(() => {
  results = analyseKql({
    ...Object.fromEntries(ALERTS.map((name) => [name, withColumns(name)])),
    // The check can fail: a result without TimeGenerated (the heartbeat query as it was, from print).
    withoutTimeGenerated: 'let KmsHosts = dynamic(["kmsfix01"]);\nprint Host = KmsHosts | mv-expand Host to typeof(string)\n| project TimeGenerated, Host\n',
  });
});

describe("every alert query", () => {
  test.each([...ALERTS])("%s returns TimeGenerated and Host (Kusto language service)", (name) => {
    expect(problems(withColumns(name), results[name])).toEqual([]);
  });

  test("the column check fails a query whose result has no TimeGenerated", () => {
    expect(problems("", results.withoutTimeGenerated, ["Error"])).toEqual([expect.stringMatching(/'TimeGenerated' does not refer to any known column/)]);
  });

  test.each([...ALERTS])("%s starts with a table (Microsoft: a log search alert query starts with a table)", (name) => {
    expect(startsWithTable(kqlQueryText(name))).toBe(true);
  });

  test("the table check fails a query that starts with print, as the heartbeat alert once did", () => {
    expect(startsWithTable('// comment\nlet Seen = Heartbeat | distinct Computer;\nprint Host = "x"')).toBe(false);
    expect(startsWithTable("let X = 1;\nHeartbeat | take 1")).toBe(true);
  });
});

describe("KMS host bootstrap failed", () => {
  const text = tabularExpression(kqlQueryText("alert-bootstrap-failed"));

  test("judges each host by its latest outcome (1000 or 1001), so a later success clears it", () => {
    expect(text).toMatch(/EventID in \(1000, 1001\)[\s\S]*summarize arg_max\(TimeGenerated, EventID, [^)]*\) by Host\s*\|\s*where EventID == 1001/);
  });

  test("fires once per failure: only a failure that arrived since the previous evaluation, by ingestion time", () => {
    expect(text).toMatch(/extend Ingested = ingestion_time\(\)[\s\S]*where EventID == 1001 and Ingested > ago\(NewEventPeriod\)/);
    expect(renderKqlQuery("alert-bootstrap-failed", PARAMETERS)).toMatch(/^let NewEventPeriod = 16m;$/m);
  });

  test("has no time filter of its own: the rule's time range (the longest, two days) decides how far back it sees", () => {
    expect(text).not.toMatch(/ago\(\d/);
    expect(MAX_ALERT_QUERY_TIME_RANGE).toBe("P2D");
  });
});

describe("KMS host heartbeat missing", () => {
  const text = tabularExpression(kqlQueryText("alert-missing-heartbeat"));

  test("reports every host of the stack that sent no heartbeat for 15 minutes, also one that never sent any", () => {
    expect(text).toMatch(/^Heartbeat\b/);
    expect(text).toMatch(/union \(print Host = KmsHosts \| mv-expand Host to typeof\(string\)/);
    expect(text).toMatch(/where isnull\(LastHeartbeat\) or LastHeartbeat < ago\(15m\)/);
  });
});

describe("KMS host answers no clients", () => {
  const text = tabularExpression(kqlQueryText("alert-no-client-requests"));

  test("only for a host that ran throughout the period (heartbeats from its start): a new host waits a whole period for its first client", () => {
    expect(text).toMatch(/summarize FirstHeartbeat = min\(TimeGenerated\), TimeGenerated = max\(TimeGenerated\) by Host\s*\|\s*where FirstHeartbeat <= ago\(NoRequestPeriod\) \+ NoRequestPeriod \/ 10/);
  });

  test("and that answered no request (event 12290) in it", () => {
    expect(text).toMatch(/join kind=leftanti \(\s*Event[\s\S]*EventID == 12290[\s\S]*\) on Host/);
  });
});
