// Every monitoring query, analysed by Microsoft's Kusto language service against the documented
// Event and Heartbeat columns; and proof that the analysis fails on a bad column or bad syntax.
import * as fs from "fs";
import * as path from "path";
import { KQL_QUERIES_DIR, KQL_QUERY_NAMES, kqlQueryText, renderKqlQuery } from "../../monitoring/queries";
import { analyseKql, problems, type KqlDiagnostic } from "../support/kusto";

const FIXTURES = path.join(__dirname, "..", "fixtures", "kql");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const PARAMETERS = { hosts: ["KmsTest01", "kmstest02"], noRequestPeriodHours: 24 };

describe("monitoring queries under the Kusto language service", () => {
  const queries: Record<string, string> = {
    good: fixture("good.kql"),
    badColumn: fixture("bad-column.kql"),
    badSyntax: fixture("bad-syntax.kql"),
    unknownTable: "WindowsEvent | count",
    undeclaredParameter: kqlQueryText("alert-missing-heartbeat"),
    ...Object.fromEntries(KQL_QUERY_NAMES.map((name) => [name, renderKqlQuery(name, PARAMETERS)])),
  };
  let results: Record<string, KqlDiagnostic[]>;
  beforeAll(() => {
    results = analyseKql(queries);
  });
  const errors = (id: string) => problems(queries[id] ?? "", results[id], ["Error"]);

  test("the analyser accepts a correct query over Event and Heartbeat", () => {
    expect(problems(queries.good, results.good)).toEqual([]);
  });

  test("the analyser fails a query that names a column Event does not have", () => {
    expect(errors("badColumn")).toEqual([expect.stringMatching(/^Error: The name 'EventId' does not refer to any known column/)]);
  });

  test("the analyser fails a query that does not parse", () => {
    expect(errors("badSyntax")).toContainEqual(expect.stringMatching(/^Error: Query operator expected/));
  });

  test("the analyser fails a table that is not declared", () => {
    expect(errors("unknownTable")).toEqual([expect.stringMatching(/'WindowsEvent' does not refer to any known/)]);
  });

  test("a query file alone fails: its parameters are declared at synth", () => {
    expect(errors("undeclaredParameter")).toEqual([expect.stringMatching(/'KmsHosts' does not refer to any known/)]);
  });

  test.each([...KQL_QUERY_NAMES])("%s analyses with no error or warning", (name) => {
    expect(problems(queries[name], results[name])).toEqual([]);
  });
});

describe("monitoring/queries", () => {
  test("every .kql file is catalogued and every catalogued query has a file", () => {
    const files = fs.readdirSync(KQL_QUERIES_DIR).filter((f) => f.endsWith(".kql")).map((f) => f.replace(/\.kql$/, "")).sort();
    expect(files).toEqual([...KQL_QUERY_NAMES].sort());
  });

  test("declares exactly the parameters a query uses, host names lower case", () => {
    expect(renderKqlQuery("alert-no-client-requests", PARAMETERS)).toMatch(/^let KmsHosts = dynamic\(\["kmstest01","kmstest02"\]\);\nlet NoRequestPeriod = 24h;\n\/\/ Alert/);
    expect(renderKqlQuery("alert-missing-heartbeat", PARAMETERS)).not.toContain("NoRequestPeriod");
  });

  test("refuses a host name that would need escaping, and no hosts at all", () => {
    expect(() => renderKqlQuery("alert-missing-heartbeat", { hosts: ['kms"01'] })).toThrow(/hosts must be 1-15 letters, digits or hyphens/);
    expect(() => renderKqlQuery("alert-missing-heartbeat", { hosts: [] })).toThrow(/at least one/);
  });
});
