// The stack's monitoring (README, Operations): the environment's `monitoring` section turned into a
// KmsMonitoring construct for the stack's hosts. Kept out of KmsStack's constructor so that the
// stack only calls it.
import { DefaultTokenResolver, StringConcat, TerraformStack, Tokenization, dependable } from "cdktf";
import type { EnvironmentConfig } from "../config/environment-schema";
import { KmsHostBootstrap, KmsMonitoring, type KmsHost } from "../constructs";

/**
 * Watches `hosts` as `config.monitoring` says, creating what it needs in `resourceGroupName` (the
 * stack's resource group, a reference when the stack creates it), or returns undefined when
 * monitoring is off. Each
 * host's bootstrap Run Command waits for that host's agent and association, so the agent is
 * collecting when the bootstrap writes its outcome event (and the two VM extension operations never
 * run at once).
 */
export function addMonitoring(stack: TerraformStack, config: EnvironmentConfig, hosts: readonly KmsHost[], resourceGroupName: string): KmsMonitoring | undefined {
  const monitoring = config.monitoring;
  if (!monitoring.enabled) return undefined;
  const construct = new KmsMonitoring(stack, "monitoring", {
    environmentName: config.name,
    resourceGroupName,
    location: config.location,
    hosts,
    workspace: monitoring.workspaceId
      ? { id: monitoring.workspaceId }
      : { name: monitoring.workspace?.name ?? `log-kms-${config.name}`, retentionInDays: monitoring.workspace?.retentionInDays },
    actionGroup: monitoring.actionGroupId ? { id: monitoring.actionGroupId } : { name: `ag-kms-${config.name}`, emailReceivers: monitoring.emailReceivers },
    noClientRequestHours: monitoring.noClientRequestHours,
  });
  const bootstraps = stack.node.findAll().filter((c): c is KmsHostBootstrap => c instanceof KmsHostBootstrap);
  hosts.forEach((host, index) => {
    // Each reference to an attribute is a fresh token: compare what they resolve to.
    const vmId = resolve(host.vmId);
    for (const bootstrap of bootstraps.filter((b) => resolve(b.runCommand.virtualMachineIdInput) === vmId)) {
      bootstrap.runCommand.dependsOn = [...(bootstrap.runCommand.dependsOn ?? []), dependable(construct.agents[index]), dependable(construct.associations[index])];
    }
  });
  return construct;

  function resolve(value: unknown): unknown {
    return Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) });
  }
}
