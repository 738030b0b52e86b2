// The stack's monitoring (README, Operations): the environment's `monitoring` section turned into a
// KmsMonitoring construct for the stack's hosts. Kept out of KmsStack's constructor so that the
// stack only calls it.
import { TerraformOutput, dependable } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/environment-schema";
import type { KmsHost } from "../constructs/kms-host";
import type { KmsHostBootstrap } from "../constructs/kms-host-bootstrap";
import { KmsMonitoring } from "../constructs/kms-monitoring";
import { nameElement } from "../constructs/terraform-name";
import { recordEnvironmentFields } from "./environment-fields";

/** What the stack's monitoring watches. */
export interface StackMonitoringTargets {
  /** The hosts, in host order. */
  readonly hosts: readonly KmsHost[];
  /** Each host's bootstrap, in host order (bootstraps[i] runs on hosts[i]). */
  readonly bootstraps: readonly KmsHostBootstrap[];
  /** The stack's resource group (a reference when the stack creates it, so creation is ordered). */
  readonly resourceGroupName: string;
}

/**
 * Watches the hosts as `config.monitoring` says, or returns undefined when monitoring is off. Each
 * host's bootstrap Run Command waits for that host's agent and association, so the agent is
 * collecting when the bootstrap writes its outcome event (and the two VM extension operations never
 * run at once).
 */
export function addMonitoring(scope: Construct, config: Pick<EnvironmentConfig, "monitoring" | "name" | "location">, targets: StackMonitoringTargets): KmsMonitoring | undefined {
  const monitoring = config.monitoring;
  if (!monitoring.enabled) return undefined;
  if (targets.bootstraps.length !== targets.hosts.length) {
    throw new Error(`addMonitoring(${scope.node.path}): ${targets.bootstraps.length} bootstraps for ${targets.hosts.length} hosts; give one bootstrap per host, in host order`);
  }
  const construct = new KmsMonitoring(scope, "monitoring", {
    environmentName: config.name,
    resourceGroupName: targets.resourceGroupName,
    location: config.location,
    hosts: targets.hosts,
    workspace: monitoring.workspaceId
      ? { id: monitoring.workspaceId }
      : { name: monitoring.workspace?.name ?? `log-kms-${config.name}`, retentionInDays: monitoring.workspace?.retentionInDays },
    actionGroup: monitoring.actionGroupId ? { id: monitoring.actionGroupId } : { name: `ag-kms-${config.name}`, emailReceivers: monitoring.emailReceivers },
    noClientRequestHours: monitoring.noClientRequestHours,
  });
  // A policy or provider error on a monitoring resource points back at this section of the file.
  recordEnvironmentFields(construct, ["monitoring"]);
  const output = new TerraformOutput(scope, "log_analytics_workspace_id", {
    value: construct.workspaceId,
    description: "Log Analytics workspace holding the KMS hosts' events and heartbeats (saved searches under KMS hosts (<name>)).",
  });
  nameElement(output, "log_analytics_workspace_id");
  targets.bootstraps.forEach((bootstrap, index) => {
    const runCommand = bootstrap.runCommand;
    // Stryker disable next-line ArrayDeclaration: unreachable from KmsStack, whose Run Commands always depend on their key grants; kept for a bootstrap without any
    runCommand.dependsOn = [...(runCommand.dependsOn ?? []), dependable(construct.agents[index]), dependable(construct.associations[index])];
  });
  return construct;
}
