// KmsKeyVaultAudit: who read the KMS host keys. A diagnostic setting sends the vault's audit events
// (category AuditEvent) and metrics to the environment's workspace, in resource-specific mode
// (table AZKVAuditLogs), and a log search alert fires when a KMS host key secret is read
// (SecretGet) by any identity other than the hosts and the deployer. The KQL is
// monitoring/queries/alert-key-vault-secret-read.kql; the hosts' principal ids are references
// known at apply, declared in front of it.
//
// An existing vault (keyVault.id) gets the setting too: it is one more diagnostic setting, named
// for this environment, next to whatever its owner configured (Azure allows five per resource and
// refuses a second one sending the same category to the same workspace: README, Key Vault audit).
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { MonitorScheduledQueryRulesAlertV2 } from "@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2";
import { Construct } from "constructs";
import { nameElement } from "./terraform-name";
import { renderKqlQuery } from "../monitoring/queries";
import type { KmsHost } from "./kms-host";

/** The vault's audit log category (learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-vaults-logs). */
export const KEY_VAULT_AUDIT_CATEGORY = "AuditEvent";

/** Properties of {@link KmsKeyVaultAudit}. */
export interface KmsKeyVaultAuditProps {
  /** Short name of the environment, used in resource names. */
  readonly environmentName: string;
  /** Resource group of the alert. */
  readonly resourceGroupName: string;
  /** Resource id of the vault (created or existing). */
  readonly keyVaultId: string;
  /** Resource id of the Log Analytics workspace. */
  readonly workspaceId: string;
  /** Region of the workspace (the alert's). */
  readonly workspaceLocation: string;
  /** Resource id of the action group the alert notifies. */
  readonly actionGroupId: string;
  /** The hosts: their managed identities read the keys. */
  readonly hosts: readonly KmsHost[];
  /** Names of the KMS host key secrets. */
  readonly hostKeySecretNames: readonly string[];
  /**
   * Object id of the identity that runs terraform and uploads the keys (its reads are expected too).
   * @default - none: only the hosts' reads are expected
   */
  readonly deployerPrincipalId?: string;
}

/** The vault's audit log in the workspace, and the alert on unexpected reads of the KMS host keys. */
export class KmsKeyVaultAudit extends Construct {
  /** The diagnostic setting. */
  public readonly diagnosticSetting: MonitorDiagnosticSetting;
  /** The alert. */
  public readonly alert: MonitorScheduledQueryRulesAlertV2;

  constructor(scope: Construct, id: string, props: KmsKeyVaultAuditProps) {
    super(scope, id);
    if (props.hosts.length === 0) throw new Error(`KmsKeyVaultAudit ${this.node.path}: hosts is empty; give the KMS hosts whose identities read the keys`);
    this.diagnosticSetting = new MonitorDiagnosticSetting(this, "diagnostic-setting", {
      name: `diag-kms-${props.environmentName}`,
      targetResourceId: props.keyVaultId,
      logAnalyticsWorkspaceId: props.workspaceId,
      // Resource-specific tables (AZKVAuditLogs) rather than the shared AzureDiagnostics table.
      logAnalyticsDestinationType: "Dedicated",
      enabledLog: [{ category: KEY_VAULT_AUDIT_CATEGORY }],
      enabledMetric: [{ category: "AllMetrics" }],
    });
    nameElement(this.diagnosticSetting, "key_vault_audit");
    this.alert = new MonitorScheduledQueryRulesAlertV2(this, "alert", {
      resourceGroupName: props.resourceGroupName,
      name: `alert-kms-${props.environmentName}-host-key-read`,
      location: props.workspaceLocation,
      scopes: [props.workspaceId],
      displayName: `KMS host key read by an unexpected identity (${props.environmentName})`,
      description:
        "An identity other than the KMS hosts and the deployer read (SecretGet) a KMS host key secret; the Caller dimension is its object id. First response: look the id up (az ad sp show --id <id>, or az ad user show), check its role assignments on the vault, remove what it should not have, and rotate the KMS host key with Microsoft if the read was not legitimate (README, Key Vault audit).",
      severity: 1,
      windowDuration: "PT15M",
      evaluationFrequency: "PT15M",
      // One alert per read: every read is its own event.
      autoMitigationEnabled: false,
      criteria: [
        {
          query: renderKqlQuery("alert-key-vault-secret-read", {
            hosts: props.hosts.map((h) => h.computerName),
            keyVaultId: props.keyVaultId,
            hostKeySecretNames: props.hostKeySecretNames,
            expectedReaderIds: [...props.hosts.map((h) => h.principalId), ...(props.deployerPrincipalId ? [props.deployerPrincipalId] : [])],
          }),
          timeAggregationMethod: "Count",
          operator: "GreaterThan",
          threshold: 0,
          dimension: [{ name: "Caller", operator: "Include", values: ["*"] }],
          failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
        },
      ],
      action: { actionGroups: [props.actionGroupId] },
      // The table exists only after the first audit record: Azure would refuse the rule before that
      // (as for the host alerts); the query is checked by the Kusto language service in the tests.
      skipQueryValidation: true,
    });
    nameElement(this.alert, "key_vault_secret_read");
  }
}
