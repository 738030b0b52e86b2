// KmsMonitoring, in a stack built from a fixture environment (three hosts, created workspace and
// action group), and with an existing workspace and action group; errors at construction.
import { Testing, TerraformStack } from "cdktf";
import { KmsHost, KmsMonitoring, isoHours, type KmsMonitoringProps } from "../../constructs";
import { addMonitoring } from "../../stacks/monitoring";
import { fixtureEnvironment } from "../support/fixtures";
import { SynthesizedStack, parsed, synthesizeEnvironment } from "../support/synth";

const WORKSPACE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/log-ops";
const ACTION_GROUP = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops";

/** Terraform addresses of every resource of a type, e.g. azurerm_virtual_machine_extension.x. */
const addresses = (stack: SynthesizedStack, type: string): string[] => Object.keys(stack.json.resource?.[type] ?? {}).map((key) => `${type}.${key}`);

describe("a monitored stack (fixture: three hosts, created workspace and action group)", () => {
  const environment = fixtureEnvironment("monitored");
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeEnvironment(environment);
  });

  test("creates the workspace with the configured name and retention, and no shared keys", () => {
    expect(stack.resources("azurerm_log_analytics_workspace")).toEqual([
      expect.objectContaining({ name: "log-kms-fixture", retention_in_days: 90, sku: "PerGB2018", local_authentication_enabled: false, location: "northeurope" }),
    ]);
  });

  test("creates the action group with the e-mail receivers", () => {
    expect(stack.resources("azurerm_monitor_action_group")).toEqual([
      expect.objectContaining({
        name: "ag-kms-monitored",
        short_name: "kms-monitore",
        email_receiver: [
          { name: "kms-operations", email_address: "kms-ops@example.com", use_common_alert_schema: true },
          { name: "on-call", email_address: "on-call@example.com", use_common_alert_schema: true },
        ],
      }),
    ]);
  });

  test("installs exactly the Azure Monitor Agent for Windows on every host", () => {
    const vms = addresses(stack, "azurerm_windows_virtual_machine");
    expect(vms).toHaveLength(3);
    const agents = stack.resources("azurerm_virtual_machine_extension");
    expect(agents.map((a) => a.virtual_machine_id).sort()).toEqual(vms.map((vm) => `\${${vm}.id}`).sort());
    for (const agent of agents) {
      expect(agent).toMatchObject({ publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorWindowsAgent", auto_upgrade_minor_version: true, automatic_upgrade_enabled: true });
    }
  });

  test("associates every host with one data collection rule that reads the Key Management Service log and the bootstrap events", () => {
    const [rule] = addresses(stack, "azurerm_monitor_data_collection_rule");
    expect(addresses(stack, "azurerm_monitor_data_collection_rule")).toHaveLength(1);
    const associations = stack.resources("azurerm_monitor_data_collection_rule_association");
    expect(associations.map((a) => a.target_resource_id).sort()).toEqual(addresses(stack, "azurerm_windows_virtual_machine").map((vm) => `\${${vm}.id}`).sort());
    for (const a of associations) expect(a.data_collection_rule_id).toBe(`\${${rule}.id}`);
    const [dcr] = stack.resources("azurerm_monitor_data_collection_rule");
    expect(dcr.data_sources.windows_event_log).toEqual([
      {
        name: "kms-events",
        streams: ["Microsoft-Event"],
        x_path_queries: [
          "Key Management Service!*[System[(EventID=12290 or EventID=12293)]]",
          "Application!*[System[(EventID=12293)]]",
          "Application!*[System[Provider[@Name='AzureKmsHost'] and (EventID=1000 or EventID=1001)]]",
        ],
      },
    ]);
    const [workspace] = addresses(stack, "azurerm_log_analytics_workspace");
    expect(dcr.destinations.log_analytics).toEqual([{ name: "kms-workspace", workspace_resource_id: `\${${workspace}.id}` }]);
    expect(dcr.data_flow).toEqual([{ streams: ["Microsoft-Event"], destinations: ["kms-workspace"] }]);
  });

  test("routes four alerts to the action group, one alert per host (Host dimension), each with a description", () => {
    const [group] = addresses(stack, "azurerm_monitor_action_group");
    const [workspace] = addresses(stack, "azurerm_log_analytics_workspace");
    const alerts = monitoringAlerts(stack);
    expect(alerts.map((a) => a.name).sort()).toEqual(
      ["activation-errors", "bootstrap-failed", "heartbeat", "no-requests"].map((id) => `alert-kms-monitored-${id}`),
    );
    for (const alert of alerts) {
      expect(alert.action).toEqual({ action_groups: [`\${${group}.id}`] });
      expect(alert.scopes).toEqual([`\${${workspace}.id}`]);
      expect(alert.criteria).toEqual([expect.objectContaining({ time_aggregation_method: "Count", operator: "GreaterThan", threshold: 0, dimension: [{ name: "Host", operator: "Include", values: ["*"] }] })]);
      expect(alert.description).toMatch(/First response: /);
      expect(alert.criteria[0].query).toMatch(/^let KmsHosts = dynamic\(\["kmsfix01","kmsfix02","kmsfix03"\]\);\n/);
    }
  });

  test("the no-request alert looks back over monitoring.noClientRequestHours", () => {
    const alert = monitoringAlerts(stack).find((a) => a.name.endsWith("no-requests"));
    expect(alert).toMatchObject({ window_duration: "PT6H", evaluation_frequency: "PT15M" });
    expect(alert?.criteria[0].query).toContain("let NoRequestPeriod = 6h;");
    expect(alert?.description).toContain("running for the last 6 hours (a new or restarted host waits that long first)");
  });

  test("gives each alert its name, severity, window, frequency and auto-resolution, fires on one failing period, and skips Azure's query check", () => {
    const alerts = monitoringAlerts(stack);
    const byName = [...alerts].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(byName.map((a) => [a.name, a.display_name, a.severity, a.window_duration, a.evaluation_frequency, a.query_time_range_override, a.auto_mitigation_enabled])).toEqual([
      ["alert-kms-monitored-activation-errors", "KMS activation errors (monitored)", 2, "PT15M", "PT15M", undefined, false],
      // Stateless, over the longest range a log alert sees (P2D): fires once per failure, stays open until closed.
      ["alert-kms-monitored-bootstrap-failed", "KMS host bootstrap failed (monitored)", 1, "PT15M", "PT15M", "P2D", false],
      ["alert-kms-monitored-heartbeat", "KMS host heartbeat missing (monitored)", 1, "PT15M", "PT5M", "P1D", true],
      ["alert-kms-monitored-no-requests", "KMS host answers no clients (monitored)", 2, "PT6H", "PT15M", undefined, true],
    ]);
    for (const alert of alerts) {
      expect(alert.criteria[0].failing_periods).toEqual({ minimum_failing_periods_to_trigger_alert: 1, number_of_evaluation_periods: 1 });
      expect(alert.skip_query_validation).toBe(true);
      expect(alert.resource_group_name).toBe("${azurerm_resource_group.kms.name}");
    }
  });

  test("names the collection rule, agents and associations after the environment and hosts, one per host numbered from 1", () => {
    const [dcr] = stack.resources("azurerm_monitor_data_collection_rule");
    expect(dcr).toMatchObject({ name: "dcr-kms-monitored", kind: "Windows", location: "${azurerm_log_analytics_workspace.kms.location}" });
    expect(dcr.description).toMatch(/^KMS hosts: the Key Management Service log \(12290 client requests, 12293 DNS publishing failures\)/);
    expect(Object.keys(stack.json.resource.azurerm_virtual_machine_extension)).toEqual(["kmsfix01_monitor_agent", "kmsfix02_monitor_agent", "kmsfix03_monitor_agent"]);
    expect(Object.keys(stack.json.resource.azurerm_monitor_data_collection_rule_association)).toEqual(["kmsfix01", "kmsfix02", "kmsfix03"]);
    for (const agent of stack.resources("azurerm_virtual_machine_extension")) expect(agent).toMatchObject({ name: "AzureMonitorWindowsAgent", type_handler_version: "1.0" });
    expect(stack.resources("azurerm_monitor_data_collection_rule_association").map((a) => [a.name, a.description])).toEqual(
      // The names in lower case, as Azure resource names; the descriptions as the hosts are named.
      ["KmsFix01", "KmsFix02", "KmsFix03"].map((host) => [`dcra-kms-${host.toLowerCase()}`, `Sends ${host}'s KMS events to the workspace.`]),
    );
  });

  test("files the saved searches under the environment's category, each named for the environment", () => {
    expect(stack.resources("azurerm_log_analytics_saved_search").map((s) => [s.category, s.display_name]).sort()).toEqual([
      ["KMS hosts (monitored)", "KMS distinct clients per host (monitored)"],
      ["KMS hosts (monitored)", "KMS last activity per host (monitored)"],
      ["KMS hosts (monitored)", "KMS monitoring: billed ingestion per host per day (monitored)"],
      ["KMS hosts (monitored)", "KMS requests per host per day (monitored)"],
      ["KMS hosts (monitored)", "KMS requests: Office/Windows Server (5) versus Windows clients (25) (monitored)"],
    ]);
  });

  test("outputs the workspace id", () => {
    const [workspace] = addresses(stack, "azurerm_log_analytics_workspace");
    expect(stack.json.output.log_analytics_workspace_id.value).toBe(`\${${workspace}.id}`);
  });

  test("saves the daily-view searches in the workspace", () => {
    expect(stack.resources("azurerm_log_analytics_saved_search").map((s) => s.name).sort()).toEqual(
      ["distinct-clients", "ingestion-per-host-per-day", "last-activity-per-host", "office-vs-windows-requests", "requests-per-host-per-day"].map((q) => `kms-monitored-${q}`),
    );
  });

  test("each host's bootstrap waits for that host's agent and association", () => {
    const agents = addresses(stack, "azurerm_virtual_machine_extension");
    const associations = addresses(stack, "azurerm_monitor_data_collection_rule_association");
    const runCommands = stack.resources("azurerm_virtual_machine_run_command");
    expect(runCommands).toHaveLength(3);
    runCommands.forEach((rc, i) => {
      const agent = stack.json.resource.azurerm_virtual_machine_extension[agents[i].split(".")[1]];
      expect(agent.virtual_machine_id).toBe(rc.virtual_machine_id);
      expect(rc.depends_on).toEqual(expect.arrayContaining([agents[i], associations[i]]));
    });
  });
});

describe("a stack with an existing workspace and action group", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeEnvironment(fixtureEnvironment("monitored", (d) => void (d.monitoring = { workspaceId: WORKSPACE, actionGroupId: ACTION_GROUP })));
  });

  test("creates neither, reads the workspace for its region, and routes the alerts to the given group", () => {
    expect(stack.resources("azurerm_log_analytics_workspace")).toEqual([]);
    expect(stack.resources("azurerm_monitor_action_group")).toEqual([]);
    const [key] = Object.keys(stack.json.data.azurerm_log_analytics_workspace);
    expect(stack.json.data.azurerm_log_analytics_workspace[key]).toMatchObject({ name: "log-ops", resource_group_name: "rg-ops" });
    for (const alert of monitoringAlerts(stack)) {
      expect(alert.action.action_groups).toEqual([ACTION_GROUP]);
      expect(alert.location).toBe(`\${data.azurerm_log_analytics_workspace.${key}.location}`);
    }
    expect(stack.resources("azurerm_monitor_data_collection_rule")[0].location).toBe(`\${data.azurerm_log_analytics_workspace.${key}.location}`);
  });
});

describe("monitoring.enabled: false", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeEnvironment(fixtureEnvironment("monitored", (d) => void (d.monitoring = { enabled: false })));
  });

  test("adds no agent, rule, association, alert or search", () => {
    for (const type of [
      "azurerm_virtual_machine_extension",
      "azurerm_monitor_data_collection_rule",
      "azurerm_monitor_data_collection_rule_association",
      "azurerm_monitor_scheduled_query_rules_alert_v2",
      "azurerm_log_analytics_saved_search",
      "azurerm_log_analytics_workspace",
      "azurerm_monitor_action_group",
    ]) {
      expect(stack.resources(type)).toEqual([]);
    }
  });
});

describe("KmsMonitoring props", () => {
  const hostIn = (stack: TerraformStack): KmsHost =>
    new KmsHost(stack, "host", {
      computerName: "kmst01",
      resourceGroupName: "rg",
      location: "westeurope",
      subnetId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
      adminPasswordKeyVaultId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
      dnsZoneName: "example.internal",
    });
  const build = (change: Partial<KmsMonitoringProps> = {}): KmsMonitoring => {
    const stack = new TerraformStack(Testing.app(), "test");
    const host = hostIn(stack);
    return new KmsMonitoring(stack, "monitoring", {
      environmentName: "t",
      resourceGroupName: "rg",
      location: "westeurope",
      hosts: [host],
      workspace: { name: "log-kms-t" },
      actionGroup: { name: "ag-kms-t", emailReceivers: [] },
      ...change,
    });
  };

  test("warns when the created action group has no receivers", () => {
    expect(build().node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data)).toEqual([expect.stringMatching(/^monitoring.emailReceivers is empty: /)]);
    expect(build({ actionGroup: { id: ACTION_GROUP } }).node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
    expect(build({ actionGroup: { name: "ag-kms-t", emailReceivers: [{ name: "ops", address: "ops@example.com" }] } }).node.metadata.filter((m) => m.type === "@cdktf/warn")).toEqual([]);
  });

  test.each([
    [1, "PT1H", "PT15M"],
    [6, "PT6H", "PT15M"],
    [24, "P1D", "PT1H"],
    [48, "P2D", "PT1H"],
  ])("a no-request period of %i hours is the window %s, evaluated every %s", (hours, window, frequency) => {
    expect(isoHours(hours)).toBe(window);
    const monitoring = build({ noClientRequestHours: hours });
    const alerts = parsed(Testing.synth(monitoring.node.scope as TerraformStack)).resources("azurerm_monitor_scheduled_query_rules_alert_v2");
    expect(alerts.find((a) => a.name === "alert-kms-t-no-requests")).toMatchObject({ window_duration: window, evaluation_frequency: frequency });
  });

  test.each([30, 730])("accepts a retention of %i days, the provider's bounds", (retentionInDays) => {
    const monitoring = build({ workspace: { name: "log-kms-t", retentionInDays } });
    expect(parsed(Testing.synth(monitoring.node.scope as TerraformStack)).resources("azurerm_log_analytics_workspace")[0].retention_in_days).toBe(retentionInDays);
  });

  test("refuses a retention over 730 days, naming the construct", () => {
    expect(() => build({ workspace: { name: "log-kms-t", retentionInDays: 731 } })).toThrow(
      new RangeError("KmsMonitoring test/monitoring: workspace.retentionInDays 731 is outside 30-730, the range the azurerm provider accepts"),
    );
  });

  const errors: Array<[string, Partial<KmsMonitoringProps>, RegExp]> = [
    ["no hosts", { hosts: [] }, /hosts is empty/],
    ["a period no alert window has", { noClientRequestHours: 12 }, /noClientRequestHours 12 is not an alert window .* use one of 1, 2, 3, 4, 5, 6, 24, 48/],
    ["retention under 30 days", { workspace: { name: "log-kms-t", retentionInDays: 7 } }, /retentionInDays 7 is outside 30-730/],
    ["a workspace id of another type", { workspace: { id: ACTION_GROUP } }, /workspace.id .* is not a Log Analytics workspace resource id/],
    ["an action group id of another type", { actionGroup: { id: WORKSPACE } }, /actionGroup.id .* is not an action group resource id/],
  ];
  test.each(errors)("throws at construction on %s", (_what, change, message) => {
    expect(() => build(change)).toThrow(message);
  });

  test("the stack's wiring refuses bootstraps that do not pair with the hosts", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(() => addMonitoring(stack, fixtureEnvironment("monitored"), { hosts: [hostIn(stack)], bootstraps: [], resourceGroupName: "rg" })).toThrow(/0 bootstraps for 1 hosts; give one bootstrap per host/);
  });
});

/** The alerts KmsMonitoring builds (the vault's audit alert is KmsKeyVaultAudit's: test/constructs/kms-key-vault-audit.test.ts). */
function monitoringAlerts(stack: { resources(type: string): Record<string, any>[] }): Record<string, any>[] {
  return stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2").filter((a) => !String(a["//"]?.metadata?.path ?? "").includes("/key-vault-audit/"));
}
