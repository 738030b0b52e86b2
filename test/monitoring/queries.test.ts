// The monitoring's KQL under Microsoft's Kusto language service, against the documented Event and
// Heartbeat columns: proof that the analysis fails on a bad column, bad syntax or an unknown
// table; every query file; and every KQL string in every shipped stack (whatever files
// environments/ holds), so the deployed queries cannot drift from the checked ones. The shipped
// stacks are also checked for the agent, the rule and the alerts on every host. One analyser
// process and one synthesis per shipped stack for the whole file.
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../../config/load-environments";
import { KQL_QUERY_NAMES, kqlQueriesDir, kqlQueryText, renderKqlQuery } from "../../monitoring/queries";
import { ENVIRONMENTS_DIR } from "../support/environments";
import { analyseKql, problems, type KqlDiagnostic } from "../support/kusto";
import { SynthesizedStack, synthesizeEnvironment } from "../support/synth";

const FIXTURES = path.join(__dirname, "..", "fixtures", "kql");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const PARAMETERS = {
  hosts: ["KmsTest01", "kmstest02"],
  noRequestPeriodHours: 24,
  keyVaultId: "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-fixture/providers/Microsoft.KeyVault/vaults/kv-fixture",
  hostKeySecretNames: ["fixture-key-windows", "fixture-key-office"],
  expectedReaderIds: ["${azurerm_windows_virtual_machine.host.identity[0].principal_id}", "6b1f0d3e-2a4c-4e8b-9f7a-5c3d2e1b0a99"],
};

/** Attribute names that hold KQL in azurerm resources (alerts and saved searches: query; data collection rules: transform_kql). */
const KQL_ATTRIBUTES = new Set(["query", "transform_kql"]);

/** Every KQL string anywhere in a synthesized stack's resources, keyed by where it is. */
function kqlStrings(stack: SynthesizedStack, label: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (value: unknown, at: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        if (KQL_ATTRIBUTES.has(key) && typeof v === "string") found[`${label}: ${at}.${key}`] = v;
        else walk(v, `${at}.${key}`);
      }
    }
  };
  for (const [type, byName] of Object.entries((stack.json.resource ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [name, config] of Object.entries(byName)) walk(config, `${type}.${name}`);
  }
  return found;
}

const shipped = loadEnvironments(ENVIRONMENTS_DIR);
const stacks: Record<string, SynthesizedStack> = {};
const queries: Record<string, string> = {
  good: fixture("good.kql"),
  badColumn: fixture("bad-column.kql"),
  badSyntax: fixture("bad-syntax.kql"),
  unknownTable: "WindowsEvent | count",
  undeclaredParameter: kqlQueryText("alert-missing-heartbeat"),
  ...Object.fromEntries(KQL_QUERY_NAMES.map((name) => [name, renderKqlQuery(name, PARAMETERS)])),
};
let synthesizedKql: Record<string, string>;
let results: Record<string, KqlDiagnostic[]>;
beforeAll(() => {
  for (const environment of shipped) stacks[environment.name] = synthesizeEnvironment(environment);
  synthesizedKql = Object.assign({}, ...Object.entries(stacks).map(([name, stack]) => kqlStrings(stack, name)));
  results = analyseKql({ ...queries, ...synthesizedKql });
});
const errors = (id: string) => problems(queries[id], results[id], ["Error"]);

describe("the Kusto language service", () => {
  test("accepts a correct query over Event and Heartbeat", () => {
    expect(problems(queries.good, results.good)).toEqual([]);
  });

  test("fails a query that names a column Event does not have", () => {
    expect(errors("badColumn")).toEqual([expect.stringMatching(/^Error: The name 'EventId' does not refer to any known column/)]);
  });

  test("fails a query that does not parse", () => {
    expect(errors("badSyntax")).toContainEqual(expect.stringMatching(/^Error: Query operator expected/));
  });

  test("fails a table that is not declared", () => {
    expect(errors("unknownTable")).toEqual([expect.stringMatching(/'WindowsEvent' does not refer to any known/)]);
  });

  test("fails a query file alone: its parameters are declared at synth", () => {
    const found = errors("undeclaredParameter");
    expect(found.length).toBeGreaterThan(0);
    for (const error of found) expect(error).toMatch(/'KmsHosts' does not refer to any known/);
  });
});

describe("monitoring/queries", () => {
  test.each([...KQL_QUERY_NAMES])("%s analyses with no error or warning", (name) => {
    expect(problems(queries[name], results[name])).toEqual([]);
  });

  test("every .kql file is catalogued and every catalogued query has a file", () => {
    const files = fs.readdirSync(kqlQueriesDir()).filter((f) => f.endsWith(".kql")).map((f) => f.replace(/\.kql$/, "")).sort();
    expect(files).toEqual([...KQL_QUERY_NAMES].sort());
  });

  test("declares exactly the parameters a query uses, host names lower case", () => {
    expect(renderKqlQuery("alert-no-client-requests", PARAMETERS)).toMatch(/^let KmsHosts = dynamic\(\["kmstest01","kmstest02"\]\);\nlet NoRequestPeriod = 24h;\n\/\/ Alert/);
    expect(renderKqlQuery("alert-missing-heartbeat", PARAMETERS)).not.toContain("NoRequestPeriod");
  });

  test("declares the vault, the host key secrets and the expected readers, references left as Terraform wrote them", () => {
    expect(renderKqlQuery("alert-key-vault-secret-read", PARAMETERS)).toMatch(
      /^let KmsVaultId = "\/subscriptions\/[^"]+\/vaults\/kv-fixture";\nlet KmsHostKeySecrets = dynamic\(\["fixture-key-windows","fixture-key-office"\]\);\nlet ExpectedReaders = dynamic\(\["\$\{azurerm_windows_virtual_machine\.host\.identity\[0\]\.principal_id\}","6b1f0d3e-2a4c-4e8b-9f7a-5c3d2e1b0a99"\]\);\n\/\/ Alert/,
    );
  });

  test("refuses the key vault alert without its readers, or with a value that would break out of a string literal", () => {
    expect(() => renderKqlQuery("alert-key-vault-secret-read", { ...PARAMETERS, expectedReaderIds: [] })).toThrow(/expectedReaderIds must be given, at least one/);
    expect(() => renderKqlQuery("alert-key-vault-secret-read", { ...PARAMETERS, hostKeySecretNames: ['a"b'] })).toThrow(/without quotes/);
    expect(() => renderKqlQuery("alert-key-vault-secret-read", { ...PARAMETERS, keyVaultId: undefined })).toThrow(/keyVaultId must be given/);
  });

  test("refuses a host name that would need escaping, and no hosts at all", () => {
    expect(() => renderKqlQuery("alert-missing-heartbeat", { hosts: ['kms"01'] })).toThrow(/hosts must be 1-15 letters, digits or hyphens/);
    expect(() => renderKqlQuery("alert-missing-heartbeat", { hosts: [] })).toThrow(/at least one/);
  });
});

describe("every shipped stack", () => {
  test("there are shipped environments, and their stacks hold the alert and saved-search KQL", () => {
    expect(shipped.length).toBeGreaterThan(0);
    expect(Object.keys(synthesizedKql).length).toBeGreaterThanOrEqual(KQL_QUERY_NAMES.length * shipped.length);
  });

  test("every KQL string in the synthesized stacks analyses with no error or warning", () => {
    const found = Object.entries(synthesizedKql).flatMap(([where, query]) => problems(query, results[where]).map((p) => `${where}: ${p}`));
    expect(found).toEqual([]);
  });

  test("every KQL string in the synthesized stacks is a query file with its parameters declared in front", () => {
    const bodies = KQL_QUERY_NAMES.map((name) => `\n${kqlQueryText(name).trimEnd()}\n`);
    const strays = Object.entries(synthesizedKql).filter(([, query]) => !bodies.some((body) => query.endsWith(body) && /^(let \w+ = [^\n]+;\n)+$/.test(query.slice(0, -body.length + 1))));
    expect(strays.map(([where]) => where)).toEqual([]);
  });

  test.each(shipped.map((e) => e.name))("%s: the agent on every host, the rule reading the Key Management Service log associated with every host, at least three alerts routed to an action group", (name) => {
    const stack = stacks[name];
    const vmIds = Object.keys(stack.json.resource.azurerm_windows_virtual_machine).map((key) => `\${azurerm_windows_virtual_machine.${key}.id}`).sort();
    expect(vmIds.length).toBeGreaterThan(0);
    const agents = stack.resources("azurerm_virtual_machine_extension").filter((e) => e.publisher === "Microsoft.Azure.Monitor" && e.type === "AzureMonitorWindowsAgent");
    expect(agents.map((a) => a.virtual_machine_id).sort()).toEqual(vmIds);

    const rules = Object.entries((stack.json.resource.azurerm_monitor_data_collection_rule ?? {}) as Record<string, any>).filter(([, rule]) =>
      (rule.data_sources?.windows_event_log ?? []).some((log: any) => log.x_path_queries.some((q: string) => q.startsWith("Key Management Service!"))),
    );
    expect(rules).toHaveLength(1);
    const ruleId = `\${azurerm_monitor_data_collection_rule.${rules[0][0]}.id}`;
    const associated = stack.resources("azurerm_monitor_data_collection_rule_association").filter((a) => a.data_collection_rule_id === ruleId);
    expect(associated.map((a) => a.target_resource_id).sort()).toEqual(vmIds);

    const routed = stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2").filter((a) => (a.action?.action_groups ?? []).length > 0);
    expect(routed.length).toBeGreaterThanOrEqual(3);
  });
});
