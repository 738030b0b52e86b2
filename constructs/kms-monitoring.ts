// KmsMonitoring: see every KMS host working, and hear about it when it stops. The Azure Monitor
// Agent on every host, a data collection rule that sends the host's "Key Management Service" event
// log (client requests 12290, DNS publishing failures 12293) and the bootstrap's own outcome
// (Application log, source AzureKmsHost, 1000/1001) to a Log Analytics workspace, one association
// per host, log search alerts (scheduled query rules v2) routed to an action group, and saved
// searches for the daily view. The KQL lives in monitoring/queries/, one file per query.
import { DataAzurermLogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/data-azurerm-log-analytics-workspace";
import { LogAnalyticsSavedSearch } from "@cdktf/provider-azurerm/lib/log-analytics-saved-search";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MonitorActionGroup } from "@cdktf/provider-azurerm/lib/monitor-action-group";
import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import { MonitorDataCollectionRuleAssociation } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association";
import { MonitorScheduledQueryRulesAlertV2 } from "@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2";
import { VirtualMachineExtension } from "@cdktf/provider-azurerm/lib/virtual-machine-extension";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { ALLOWED_VM_EXTENSION } from "../policy/rules/vm-no-extensions";
import { type KqlQueryName, renderKqlQuery } from "../monitoring/queries";
import type { KmsHost } from "./kms-host";
import { providerForSubscription, resourceIdParts } from "./azure-resource-id";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** Workspace retention bounds: `validation.IntBetween(30, 730)` (internal/services/loganalytics/log_analytics_workspace_resource.go, `retention_in_days`, azurerm v4.55.0). */
export const MIN_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 730;

/**
 * The "no client request" alert looks back over its whole period in one evaluation, so the period
 * must be a `window_duration` the provider accepts
 * (internal/services/monitor/monitor_scheduled_query_rules_alert_v2_resource.go at v4.55.0: PT1M …
 * PT6H, P1D, P2D); the whole hours among them are 1-6, 24 and 48.
 */
export const NO_REQUEST_PERIOD_HOURS = [1, 2, 3, 4, 5, 6, 24, 48] as const;

/** ISO 8601 duration of a period in hours, as `window_duration` wants it. */
export function isoHours(hours: number): string {
  return hours % 24 === 0 ? `P${hours / 24}D` : `PT${hours}H`;
}

/**
 * Resource id of a Log Analytics workspace, the form the provider's `workspaces.ValidateWorkspaceID`
 * parses (go-azure-sdk operationalinsights workspaces id_workspace.go; used for
 * `workspace_resource_id` in internal/services/monitor/monitor_data_collection_rule_resource.go).
 */
export const WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;
/** Resource id of an action group (Microsoft.Insights/actionGroups; internal/services/monitor/monitor_action_group_resource.go). */
export const ACTION_GROUP_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Insights\/actionGroups\/[^/]+$/i;

/** The bootstrap's event source and ids in the Application log (written by powershell/Install-KmsHost.ps1). */
export const BOOTSTRAP_EVENT = { log: "Application", source: "AzureKmsHost", succeeded: 1000, failed: 1001 } as const;

/**
 * What the data collection rule reads, as `<log>!<XPath>` queries
 * (https://learn.microsoft.com/azure/azure-monitor/agents/data-collection-windows-events#filter-events-using-xpath-queries).
 * 12290: one event per client request, in the "Key Management Service" log; 12293: DNS publishing
 * failed, which Microsoft's Volume Activation reference logs in the Application log (both are read,
 * so the alert sees it wherever the host writes it). Microsoft Learn, activation-troubleshoot-kms-general
 * ("Useful KMS host events") and previous-versions ff793440 (KMS events in the Windows event log).
 */
export const KMS_EVENT_XPATH_QUERIES: readonly string[] = [
  "Key Management Service!*[System[(EventID=12290 or EventID=12293)]]",
  "Application!*[System[(EventID=12293)]]",
  `${BOOTSTRAP_EVENT.log}!*[System[Provider[@Name='${BOOTSTRAP_EVENT.source}'] and (EventID=${BOOTSTRAP_EVENT.succeeded} or EventID=${BOOTSTRAP_EVENT.failed})]]`,
];

/** Where the events go: an existing workspace, or one the construct creates. */
export type KmsMonitoringWorkspace =
  | {
      /** Resource id of an existing Log Analytics workspace. */
      readonly id: string;
    }
  | {
      /** Name of the workspace to create (4-63 letters, digits and hyphens). */
      readonly name: string;
      /**
       * Days the workspace keeps data, 30-730.
       * @default 30
       */
      readonly retentionInDays?: number;
    };

/** Who hears the alerts: an existing action group, or one the construct creates. */
export type KmsMonitoringActionGroup =
  | {
      /** Resource id of an existing action group. */
      readonly id: string;
    }
  | {
      /** Name of the action group to create. */
      readonly name: string;
      /** E-mail receivers; empty means the alerts show only in the Azure portal (a synth warning says so). */
      readonly emailReceivers: readonly { readonly name: string; readonly address: string }[];
    };

/** Properties of {@link KmsMonitoring}. */
export interface KmsMonitoringProps {
  /** Short name of the environment, used in resource names (e.g. `lab`). */
  readonly environmentName: string;
  /** Resource group of the resources the construct creates. */
  readonly resourceGroupName: string;
  /** Region of a created workspace (an existing workspace's own region is read from Azure). */
  readonly location: string;
  /** The hosts to watch; each gets the agent and an association. */
  readonly hosts: readonly KmsHost[];
  /** The workspace. */
  readonly workspace: KmsMonitoringWorkspace;
  /** The action group the alerts notify. */
  readonly actionGroup: KmsMonitoringActionGroup;
  /**
   * Hours a running host may answer no client request before the alert fires: 1-6, 24 or 48.
   * @default 48
   */
  readonly noClientRequestHours?: number;
}

/** One log search alert: its query file and how it is evaluated. */
interface AlertDefinition {
  readonly id: string;
  readonly query: KqlQueryName;
  readonly displayName: string;
  /** 0 critical … 4 verbose. */
  readonly severity: number;
  readonly windowDuration: string;
  readonly evaluationFrequency: string;
  /** How far back the query sees, when longer than the window (at most P2D: the provider's query_time_range_override). */
  readonly queryTimeRange?: string;
  /** Stateful (fires once, resolves by itself) for conditions; stateless for one-off events. */
  readonly autoMitigation: boolean;
  /** What it means and the first response; shown in the alert e-mail and the portal. */
  readonly description: string;
}

/** A saved search: its query file and its title. */
const SAVED_SEARCHES: readonly { readonly query: KqlQueryName; readonly displayName: string }[] = [
  { query: "requests-per-host-per-day", displayName: "KMS requests per host per day" },
  { query: "distinct-clients", displayName: "KMS distinct clients per host" },
  { query: "office-vs-windows-requests", displayName: "KMS requests: Office/Windows Server (5) versus Windows clients (25)" },
  { query: "last-activity-per-host", displayName: "KMS last activity per host" },
  { query: "ingestion-per-host-per-day", displayName: "KMS monitoring: billed ingestion per host per day" },
];

/** The Azure Monitor Agent, data collection, alerts and saved searches for a set of KMS hosts. */
export class KmsMonitoring extends Construct {
  /** Resource id of the workspace (created or existing). */
  public readonly workspaceId: string;
  /** Resource id of the action group (created or existing). */
  public readonly actionGroupId: string;
  /** Region of the workspace (created or existing): alerts on the workspace go there. */
  public readonly workspaceLocation: string;
  /** The data collection rule. */
  public readonly dataCollectionRule: MonitorDataCollectionRule;
  /** The Azure Monitor Agent extension of each host, in host order. */
  public readonly agents: VirtualMachineExtension[];
  /** The data collection rule association of each host, in host order. */
  public readonly associations: MonitorDataCollectionRuleAssociation[];
  /** The alert rules. */
  public readonly alerts: MonitorScheduledQueryRulesAlertV2[];
  /** The saved searches. */
  public readonly savedSearches: LogAnalyticsSavedSearch[];

  constructor(scope: Construct, id: string, props: KmsMonitoringProps) {
    super(scope, id);
    const where = `KmsMonitoring ${this.node.path}`;
    if (props.hosts.length === 0) throw new Error(`${where}: hosts is empty; give the KMS hosts to watch`);
    const hours = props.noClientRequestHours ?? 48;
    if (!(NO_REQUEST_PERIOD_HOURS as readonly number[]).includes(hours)) {
      throw new RangeError(`${where}: noClientRequestHours ${hours} is not an alert window the azurerm provider accepts; use one of ${NO_REQUEST_PERIOD_HOURS.join(", ")}`);
    }
    const inGroup = { resourceGroupName: props.resourceGroupName };

    // Workspace. An existing one is read so that the rule and the alerts land in its region.
    let workspaceLocation: string;
    if ("id" in props.workspace) {
      if (!WORKSPACE_ID.test(props.workspace.id)) {
        throw new Error(`${where}: workspace.id "${props.workspace.id}" is not a Log Analytics workspace resource id (…/providers/Microsoft.OperationalInsights/workspaces/<name>)`);
      }
      const { subscription, resourceGroup, name } = resourceIdParts(props.workspace.id);
      // Read in the workspace's own subscription, which may not be the stack's (azure-resource-id.ts).
      const existing = nameElement(new DataAzurermLogAnalyticsWorkspace(this, "workspace", { name, resourceGroupName: resourceGroup, provider: providerForSubscription(this, subscription) }), "kms");
      this.workspaceId = existing.id;
      workspaceLocation = existing.location;
    } else {
      const retention = props.workspace.retentionInDays ?? MIN_RETENTION_DAYS;
      if (!Number.isInteger(retention) || retention < MIN_RETENTION_DAYS || retention > MAX_RETENTION_DAYS) {
        // internal/services/loganalytics/log_analytics_workspace_resource.go: retention_in_days IntBetween(30, 730).
        throw new RangeError(`${where}: workspace.retentionInDays ${retention} is outside ${MIN_RETENTION_DAYS}-${MAX_RETENTION_DAYS}, the range the azurerm provider accepts`);
      }
      const workspace = new LogAnalyticsWorkspace(this, "workspace", {
        ...inGroup,
        location: props.location,
        name: props.workspace.name,
        sku: "PerGB2018",
        retentionInDays: retention,
        // The agent authenticates with the VM's managed identity; shared workspace keys stay off.
        localAuthenticationEnabled: false,
      });
      nameElement(workspace, "kms");
      this.workspaceId = workspace.id;
      workspaceLocation = workspace.location;
    }

    this.workspaceLocation = workspaceLocation;

    // Action group.
    if ("id" in props.actionGroup) {
      if (!ACTION_GROUP_ID.test(props.actionGroup.id)) {
        throw new Error(`${where}: actionGroup.id "${props.actionGroup.id}" is not an action group resource id (…/providers/Microsoft.Insights/actionGroups/<name>)`);
      }
      this.actionGroupId = props.actionGroup.id;
    } else {
      if (props.actionGroup.emailReceivers.length === 0) {
        Annotations.of(this).addWarning(
          "monitoring.emailReceivers is empty: the KMS alerts notify nobody and show only in the Azure portal; add monitoring.emailReceivers (or monitoring.actionGroupId) to the environment file",
        );
      }
      const group = new MonitorActionGroup(this, "action-group", {
        ...inGroup,
        name: props.actionGroup.name,
        // short_name: StringLenBetween(1, 12) (internal/services/monitor/monitor_action_group_resource.go).
        shortName: `kms-${props.environmentName}`.slice(0, 12),
        emailReceiver: props.actionGroup.emailReceivers.map((r) => ({ name: r.name, emailAddress: r.address, useCommonAlertSchema: true })),
      });
      nameElement(group, "kms");
      this.actionGroupId = group.id;
    }

    // Collection: one rule for every host, read by the agent on each.
    this.dataCollectionRule = new MonitorDataCollectionRule(this, "data-collection-rule", {
      ...inGroup,
      name: `dcr-kms-${props.environmentName}`,
      // A rule sending to a workspace lives in the workspace's region.
      location: workspaceLocation,
      kind: "Windows",
      description: "KMS hosts: the Key Management Service log (12290 client requests, 12293 DNS publishing failures) and the bootstrap outcome (Application log, AzureKmsHost 1000/1001).",
      destinations: { logAnalytics: [{ name: "kms-workspace", workspaceResourceId: this.workspaceId }] },
      dataFlow: [{ streams: ["Microsoft-Event"], destinations: ["kms-workspace"] }],
      // windows_event_log.name: StringLenBetween(1, 32) (internal/services/monitor/monitor_data_collection_rule_resource.go).
      dataSources: { windowsEventLog: [{ name: "kms-events", streams: ["Microsoft-Event"], xPathQueries: [...KMS_EVENT_XPATH_QUERIES] }] },
    });
    nameElement(this.dataCollectionRule, "kms");
    this.agents = props.hosts.map(
      (host, index) =>
        nameElement(new VirtualMachineExtension(this, `agent-${index + 1}`, {
          // https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-manage: publisher
          // Microsoft.Azure.Monitor, type AzureMonitorWindowsAgent, handler 1.x with automatic upgrade.
          name: ALLOWED_VM_EXTENSION.type,
          virtualMachineId: host.vmId,
          publisher: ALLOWED_VM_EXTENSION.publisher,
          type: ALLOWED_VM_EXTENSION.type,
          typeHandlerVersion: "1.0",
          autoUpgradeMinorVersion: true,
          automaticUpgradeEnabled: true,
        }), `${terraformIdentifier(host.computerName)}_monitor_agent`),
    );
    this.associations = props.hosts.map(
      (host, index) =>
        nameElement(new MonitorDataCollectionRuleAssociation(this, `association-${index + 1}`, {
          name: `dcra-kms-${host.computerName.toLowerCase()}`,
          targetResourceId: host.vmId,
          dataCollectionRuleId: this.dataCollectionRule.id,
          description: `Sends ${host.computerName}'s KMS events to the workspace.`,
        }), terraformIdentifier(host.computerName)),
    );

    // Alerts. Every query is limited to this stack's hosts, so a shared workspace is fine.
    const parameters = { hosts: props.hosts.map((h) => h.computerName), noRequestPeriodHours: hours, newEventPeriodMinutes: BOOTSTRAP_EVALUATION_MINUTES + 1 };
    const period = isoHours(hours);
    this.alerts = alertDefinitions(period, hours).map(
      (alert) =>
        nameElement(new MonitorScheduledQueryRulesAlertV2(this, `alert-${alert.id}`, {
          ...inGroup,
          name: `alert-kms-${props.environmentName}-${alert.id}`,
          location: workspaceLocation,
          scopes: [this.workspaceId],
          displayName: `${alert.displayName} (${props.environmentName})`,
          description: alert.description,
          severity: alert.severity,
          windowDuration: alert.windowDuration,
          evaluationFrequency: alert.evaluationFrequency,
          queryTimeRangeOverride: alert.queryTimeRange,
          autoMitigationEnabled: alert.autoMitigation,
          criteria: [
            {
              query: renderKqlQuery(alert.query, parameters),
              timeAggregationMethod: "Count",
              operator: "GreaterThan",
              threshold: 0,
              // One alert per host: every query returns a Host column.
              dimension: [{ name: "Host", operator: "Include", values: ["*"] }],
              failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
            },
          ],
          action: { actionGroups: [this.actionGroupId] },
          // A new workspace has no Event or Heartbeat table until the first record arrives, and Azure
          // refuses a rule whose query names a missing table; the queries are checked by Microsoft's
          // Kusto language service in the tests instead (test/monitoring/).
          skipQueryValidation: true,
        }), terraformIdentifier(alert.id).replace(/-/g, "_")),
    );

    this.savedSearches = SAVED_SEARCHES.map(
      (search) =>
        nameElement(new LogAnalyticsSavedSearch(this, `search-${search.query}`, {
          name: `kms-${props.environmentName}-${search.query}`,
          logAnalyticsWorkspaceId: this.workspaceId,
          category: `KMS hosts (${props.environmentName})`,
          displayName: `${search.displayName} (${props.environmentName})`,
          query: renderKqlQuery(search.query, parameters),
        }), terraformIdentifier(search.query).replace(/-/g, "_")),
    );
  }
}

/** Evaluation frequency of the bootstrap alert, in minutes (its query looks for failures that arrived in the last this + 1 minutes). */
export const BOOTSTRAP_EVALUATION_MINUTES = 15;

/**
 * The longest time range a log search alert's query can see: `window_duration` and
 * `query_time_range_override` both stop at P2D (internal/services/monitor/
 * monitor_scheduled_query_rules_alert_v2_resource.go at v4.55.0, their StringInSlice lists).
 */
export const MAX_ALERT_QUERY_TIME_RANGE = "P2D";

/**
 * The alerts; the README's Operations section (alert table) says when each fires and when it
 * resolves. Stateful rules (auto-mitigation) resolve when their query stops returning the host;
 * a stateless one stays fired until closed (learn.microsoft.com/azure/azure-monitor/alerts/alerts-types#log-alerts).
 */
function alertDefinitions(period: string, hours: number): AlertDefinition[] {
  return [
    {
      id: "heartbeat",
      query: "alert-missing-heartbeat",
      displayName: "KMS host heartbeat missing",
      severity: 1,
      windowDuration: "PT15M",
      evaluationFrequency: "PT5M",
      // A day of heartbeats, so the alert shows when a host fell silent (its LastHeartbeat).
      queryTimeRange: "P1D",
      autoMitigation: true,
      description:
        "The KMS host has sent no Azure Monitor Agent heartbeat for 15 minutes: it is stopped or hung, or its agent cannot reach Azure Monitor. Clients keep their activation for up to 180 days, so this is not yet an outage. First response: check the VM's power state and boot diagnostics in the portal, start or restart it, then check the AzureMonitorWindowsAgent extension status (README, Operations).",
    },
    {
      id: "no-requests",
      query: "alert-no-client-requests",
      displayName: "KMS host answers no clients",
      severity: 2,
      windowDuration: period,
      evaluationFrequency: hours >= 24 ? "PT1H" : "PT15M",
      autoMitigation: true,
      description: `The KMS host has been running for the last ${hours} hours (a new or restarted host waits that long first) and answered no client activation request (event 12290) in them. Clients cannot reach it or cannot find it. First response: from a client run Test-KmsClient.ps1 from the client kit (SRV lookup, TCP port, licence state); check the NSG rule for the KMS port and clientCidrs, the _vlmcs._tcp SRV record, and on the host Get-CimInstance SoftwareLicensingService (KeyManagementServiceListeningPort, KeyManagementServiceCurrentCount) (README, Operations).`,
    },
    {
      id: "bootstrap-failed",
      query: "alert-bootstrap-failed",
      displayName: "KMS host bootstrap failed",
      severity: 1,
      windowDuration: `PT${BOOTSTRAP_EVALUATION_MINUTES}M`,
      evaluationFrequency: `PT${BOOTSTRAP_EVALUATION_MINUTES}M`,
      // The latest outcome per host over the longest range a log alert can see.
      queryTimeRange: MAX_ALERT_QUERY_TIME_RANGE,
      // Stateless: it fires once per failure and stays open until closed. Stateful, it would
      // resolve itself once the failure is older than the two days its query can see, whether
      // or not the host was fixed.
      autoMitigation: false,
      description:
        "The last run of the KMS host bootstrap (Install-KmsHost.ps1, Application log event 1001, source AzureKmsHost) failed; the alert's Advice column carries the script's advice. It fires once per failure and stays open until you close it: close it once a later bootstrap reported success (event 1000; saved search 'KMS last activity per host'). First response: follow the advice (usually a missing Key Vault secret, a Volume License Pack hash mismatch, or no outbound access to Microsoft's activation service), read C:\\ProgramData\\AzureKmsHost\\bootstrap.log on the host, fix, then bump kms.bootstrapRevision and apply (README, Operations).",
    },
    {
      id: "activation-errors",
      query: "alert-activation-errors",
      displayName: "KMS activation errors",
      severity: 2,
      windowDuration: "PT15M",
      evaluationFrequency: "PT15M",
      autoMitigation: false,
      description:
        "The KMS host answered client requests with an error (event 12290 with a result other than 0x0) or failed to publish DNS records (event 12293); the Results column lists the codes. First response: look the code up (README, Activating clients: 0xC004F042 wrong product for this host, 0xC004F038 count below threshold, 0xC004C008 key over its activation limit); on the host check each product's LicenseStatus with Get-CimInstance SoftwareLicensingProduct (README, Operations).",
    },
  ];
}
