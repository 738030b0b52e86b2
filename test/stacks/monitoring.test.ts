// Every shipped environment (whatever files environments/ holds) is monitored: the agent on every
// host, the data collection rule reading the Key Management Service log associated with every
// host, at least three alerts routed to an action group. And every KQL string in the synthesized
// stacks, shipped and fixture, analyses clean under Microsoft's Kusto language service, so the
// deployed queries cannot drift from the checked ones.
import { loadEnvironments } from "../../config/load-environments";
import { ENVIRONMENTS_DIR } from "../support/environments";
import { fixtureEnvironment } from "../support/fixtures";
import { analyseKql, problems, type KqlDiagnostic } from "../support/kusto";
import { SynthesizedStack, synthesizeEnvironment } from "../support/synth";

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

describe("every shipped stack, and the fixture", () => {
  const stacks: Record<string, SynthesizedStack> = {};
  let kql: Record<string, string>;
  let results: Record<string, KqlDiagnostic[]>;
  beforeAll(() => {
    for (const environment of shipped) stacks[environment.name] = synthesizeEnvironment(environment);
    stacks["fixture monitored"] = synthesizeEnvironment(fixtureEnvironment("monitored"));
    kql = Object.assign({}, ...Object.entries(stacks).map(([name, stack]) => kqlStrings(stack, name)));
    results = analyseKql(kql);
  });

  test("there are shipped environments to check", () => {
    expect(shipped.length).toBeGreaterThan(0);
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

  test("the stacks hold KQL (alerts and saved searches)", () => {
    expect(Object.keys(kql).length).toBeGreaterThanOrEqual(9 * Object.keys(stacks).length);
  });

  test("every KQL string in the synthesized stacks analyses with no error or warning", () => {
    const found = Object.entries(kql).flatMap(([where, query]) => problems(query, results[where]).map((p) => `${where}: ${p}`));
    expect(found).toEqual([]);
  });
});
