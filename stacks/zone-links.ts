// Which vnets a stack links its private DNS zone to. Azure allows one link per zone and vnet
// (learn.microsoft.com/azure/dns/private-dns-virtual-network-links; rehearsal/azure-rules.ts,
// one-link-per-zone-vnet), and the usual hub layout puts the resolver in the hosts' own vnet, so
// dns.linkedVnetIds often lists the vnet a created zone is linked to anyway: that entry is the
// same link, written once.
import type { EnvironmentConfig } from "../config/environment-schema";

/** The fields the zone links are decided by (an environment file's, or a KmsEnvironment's props). */
type ZoneLinkConfig = Pick<EnvironmentConfig, "name" | "subscriptionId" | "network" | "dns" | "resourceGroup">;

const VNET_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)/i;

/** The hosts' vnet as subscription (undefined when the stack's is not pinned), resource group and name, lower case. */
function hostsVnet(config: ZoneLinkConfig): { subscription?: string; resourceGroup: string; name: string } | undefined {
  if (config.network.vnet) {
    return { subscription: config.subscriptionId?.toLowerCase(), resourceGroup: config.resourceGroup.name.toLowerCase(), name: (config.network.vnet.name ?? `vnet-kms-${config.name}`).toLowerCase() };
  }
  const id = config.network.subnetId ? VNET_ID.exec(config.network.subnetId) : null;
  return id ? { subscription: id[1].toLowerCase(), resourceGroup: id[2].toLowerCase(), name: id[3].toLowerCase() } : undefined;
}

/** Whether `id` (a vnet id from dns.linkedVnetIds) names the hosts' own vnet. Resource ids compare case-insensitively. */
export function isHostsVnet(config: ZoneLinkConfig, id: string): boolean {
  const hosts = hostsVnet(config);
  const listed = VNET_ID.exec(id);
  if (!hosts || !listed) return false;
  // A created vnet lives in the stack's subscription; when that is not pinned (ARM_SUBSCRIPTION_ID),
  // a same-named vnet in a same-named group is taken for it.
  const sameSubscription = hosts.subscription === undefined || hosts.subscription === listed[1].toLowerCase();
  return sameSubscription && hosts.resourceGroup === listed[2].toLowerCase() && hosts.name === listed[3].toLowerCase();
}

/**
 * The vnet ids to link the zone to: a created zone to the hosts' vnet (`hostsVnetId`, a reference
 * when the stack creates it) and every listed vnet but the hosts' own; an existing zone to exactly
 * the listed vnets.
 */
export function zoneLinkVnetIds(config: ZoneLinkConfig, hostsVnetId: string): string[] {
  if (!config.dns.createZone) return [...config.dns.linkedVnetIds];
  return [hostsVnetId, ...config.dns.linkedVnetIds.filter((id) => !isHostsVnet(config, id))];
}
