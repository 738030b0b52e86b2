// The `monitoring` section of an environment file: where the KMS hosts' events go and who hears
// about a host that stops working. On by default in every tier. Each limit below is the one the
// azurerm provider (v4.55.0) enforces, cited by file, so a bad value fails at synth with the field
// and the fix instead of at `terraform plan`.
import * as z from "zod";
import { ACTION_GROUP_ID, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, NO_REQUEST_PERIOD_HOURS, WORKSPACE_ID } from "../constructs/kms-monitoring";
import { addProblem } from "./add-problem";

/** Workspace name: 4-63 letters, digits and hyphens, not starting or ending with a hyphen (internal/services/loganalytics/validate/log_analytics_workspace_name.go). */
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/;

const emailReceiverSchema = z
  .strictObject({
    name: z
      .string()
      // email_receiver.name and .email_address: StringIsNotEmpty (internal/services/monitor/monitor_action_group_resource.go).
      .min(1, "give the receiver a name, e.g. kms-operations")
      .describe("Name of the receiver inside the action group (e.g. kms-operations)."),
    // Stricter than the provider (non-empty only): a malformed address would silently never receive an alert.
    address: z.email("write an e-mail address such as kms-ops@contoso.com").describe("E-mail address that receives the alerts."),
  })
  .describe("One e-mail receiver of the action group the stack creates.");

/** Schema of `monitoring`. */
export const monitoringSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe("Install the Azure Monitor Agent on every host, collect the Key Management Service log and raise the alerts. Default true in every tier."),
    workspaceId: z
      .string()
      .regex(WORKSPACE_ID, "write a Log Analytics workspace resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>")
      .optional()
      .describe("An existing Log Analytics workspace (resource id) to send the events to. Default: the stack creates one (monitoring.workspace)."),
    workspace: z
      .strictObject({
        name: z
          .string()
          .regex(WORKSPACE_NAME, "use 4-63 letters, digits and hyphens, not starting or ending with a hyphen")
          .optional()
          .describe("Name of the workspace to create. Default: log-kms-<environment name>."),
        retentionInDays: z
          .number()
          .int()
          .min(MIN_RETENTION_DAYS, `the azurerm provider accepts ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} days; use at least ${MIN_RETENTION_DAYS}`)
          .max(MAX_RETENTION_DAYS, `the azurerm provider accepts ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} days; use at most ${MAX_RETENTION_DAYS}`)
          .default(MIN_RETENTION_DAYS)
          .describe(`Days the created workspace keeps the events, ${MIN_RETENTION_DAYS}-${MAX_RETENTION_DAYS}. Default ${MIN_RETENTION_DAYS} (included in the ingestion price).`),
      })
      .optional()
      .describe("The workspace the stack creates when workspaceId is not given."),
    actionGroupId: z
      .string()
      .regex(ACTION_GROUP_ID, "write an action group resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>")
      .optional()
      .describe("An existing action group (resource id) the alerts notify. Default: the stack creates one with emailReceivers."),
    emailReceivers: z
      .array(emailReceiverSchema)
      .default([])
      .describe("Who the action group the stack creates e-mails. Empty: the alerts only show in the Azure portal (synth warns)."),
    noClientRequestHours: z
      .literal(NO_REQUEST_PERIOD_HOURS, {
        error: `use one of ${NO_REQUEST_PERIOD_HOURS.join(", ")} hours (an alert window the azurerm provider accepts: up to 6 hours, 1 day or 2 days)`,
      })
      .default(48)
      .describe(
        `Alert when a healthy host has answered no client request (event 12290) for this many hours: ${NO_REQUEST_PERIOD_HOURS.join(", ")}. Default 48 (clients renew every 7 days, so a small fleet can be quiet for a day).`,
      ),
  })
  .superRefine((m, ctx) => {
    if (m.workspaceId && m.workspace) {
      addProblem(ctx, "give either workspaceId (use an existing workspace) or workspace (create one), not both", ["workspace"]);
    }
    if (m.actionGroupId && m.emailReceivers.length > 0) {
      addProblem(ctx, "applies only to an action group this stack creates; add the receivers to the existing action group, or remove actionGroupId", ["emailReceivers"]);
    }
    // Receiver names identify receivers inside one action group, so they must differ
    // (https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups: "unique name").
    const seen = new Map<string, number>();
    m.emailReceivers.forEach((r, index) => {
      // Stryker disable next-line MethodExpression: equivalent; folded to upper or to lower case, names that differ only in case compare equal (these names are ASCII)
      const key = r.name.toLowerCase();
      if (seen.has(key)) {
        addProblem(ctx, `"${r.name}" is already the name of emailReceivers[${seen.get(key)}]; give each receiver its own name`, ["emailReceivers", index, "name"]);
      }
      seen.set(key, index);
    });
  })
  .default({ enabled: true, emailReceivers: [], noClientRequestHours: 48 })
  .describe("Operations: the Azure Monitor Agent on every host, a data collection rule for the Key Management Service log, alerts to an action group, saved queries. On by default.");

/** A validated `monitoring` section, defaults filled in. */
export type MonitoringConfig = z.output<typeof monitoringSchema>;
