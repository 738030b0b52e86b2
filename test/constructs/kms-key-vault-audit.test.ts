// KmsKeyVaultAudit alone: the vault's audit events and metrics to the workspace, and the alert on a
// KMS host key read by an unexpected identity (its KQL is analysed in test/monitoring/queries.test.ts).
import { KmsKeyVaultAudit, type KmsHost } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";
const WORKSPACE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-test";
const GROUP = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ag-test";
const DEPLOYER = "6b1f0d3e-2a4c-4e8b-9f7a-5c3d2e1b0a99";
/** Stand-ins for KmsHost: the construct reads only the computer name and the identity's principal id. */
const hosts = ["kmstest01", "kmstest02"].map((computerName, i) => ({ computerName, principalId: `\${azurerm_windows_virtual_machine.host${i + 1}.identity[0].principal_id}` }) as unknown as KmsHost);
const build = (deployerPrincipalId?: string): SynthesizedStack =>
  synthesizeConstruct(
    (stack) =>
      new KmsKeyVaultAudit(stack, "key-vault-audit", {
        environmentName: "test",
        resourceGroupName: "rg-kms",
        keyVaultId: VAULT,
        workspaceId: WORKSPACE,
        workspaceLocation: "westeurope",
        actionGroupId: GROUP,
        hosts,
        hostKeySecretNames: ["key-windows", "key-office"],
        deployerPrincipalId,
      }),
  );

describe("KmsKeyVaultAudit", () => {
  let stack: SynthesizedStack;
  let query: string;
  beforeAll(() => {
    stack = build(DEPLOYER);
    query = stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2")[0].criteria[0].query;
  });

  test("sends the vault's AuditEvent log and all metrics to the workspace, in resource-specific tables", () => {
    expect(stack.resources("azurerm_monitor_diagnostic_setting")).toEqual([
      expect.objectContaining({
        name: "diag-kms-test",
        target_resource_id: VAULT,
        log_analytics_workspace_id: WORKSPACE,
        log_analytics_destination_type: "Dedicated",
        enabled_log: [{ category: "AuditEvent" }],
        enabled_metric: [{ category: "AllMetrics" }],
      }),
    ]);
  });

  test("alerts the action group once per unexpected caller, every 15 minutes, without auto-resolution", () => {
    expect(stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2")).toEqual([
      expect.objectContaining({
        name: "alert-kms-test-host-key-read",
        scopes: [WORKSPACE],
        location: "westeurope",
        severity: 1,
        window_duration: "PT15M",
        evaluation_frequency: "PT15M",
        auto_mitigation_enabled: false,
        action: { action_groups: [GROUP] },
      }),
    ]);
    expect(stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2")[0].criteria[0].dimension).toEqual([{ name: "Caller", operator: "Include", values: ["*"] }]);
  });

  test("declares the vault, the host key secrets, and the hosts' identities and the deployer as expected readers", () => {
    expect(query).toContain(`let KmsVaultId = "${VAULT}";`);
    expect(query).toContain('let KmsHostKeySecrets = dynamic(["key-windows","key-office"]);');
    expect(query).toContain(
      `let ExpectedReaders = dynamic(["\${azurerm_windows_virtual_machine.host1.identity[0].principal_id}","\${azurerm_windows_virtual_machine.host2.identity[0].principal_id}","${DEPLOYER}"]);`,
    );
  });

  test("without a deployer expects only the hosts, and looks nobody up", () => {
    const alone = build();
    expect(alone.resources("azurerm_monitor_scheduled_query_rules_alert_v2")[0].criteria[0].query).not.toContain(DEPLOYER);
    expect(alone.json.data).toBeUndefined();
  });

  test("refuses to watch no hosts", () => {
    expect(() =>
      synthesizeConstruct(
        (stack) =>
          new KmsKeyVaultAudit(stack, "a", { environmentName: "t", resourceGroupName: "rg", keyVaultId: VAULT, workspaceId: WORKSPACE, workspaceLocation: "westeurope", actionGroupId: GROUP, hosts: [], hostKeySecretNames: ["k"] }),
      ),
    ).toThrow(/hosts is empty/);
  });
});
