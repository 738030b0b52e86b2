// What production asks of an environment beyond what every tier asks (issue 23, item 5). Errors
// where the choice breaks a production promise and costs nothing to fix; warnings where it trades
// availability for cost or capacity and an operator may make it knowingly.
import type * as z from "zod";
import { AZURE_REGIONS } from "../catalog/azure-regions";
import { addProblem } from "./add-problem";

/** Fewest hosts in production. */
export const MIN_PRODUCTION_HOSTS = 2;

/** Burstable VM sizes: the B family (Bv1, Bsv2, Basv2, Bpsv2), all named Standard_B<...>. */
const BURSTABLE_SIZE = /^Standard_B\d/i;

/** The parts of an environment the production rules read. */
interface ProductionInput {
  readonly tier: string;
  readonly location: string;
  readonly hosts: { readonly count: number; readonly zones: readonly string[]; readonly size: string };
  readonly backend: { readonly type: string };
}

/**
 * Production errors:
 * - fewer than two hosts: one host is every host, so a reboot for patching, a host failure or a
 *   zone outage stops activation for the whole estate (new and re-imaged clients cannot activate
 *   until it is back), and "never take every host down" (staggered maintenance windows) cannot hold;
 * - a local state backend: the state holds the hosts' generated admin passwords in plain text
 *   (random_password results; developer.hashicorp.com/terraform/language/state/sensitive-data) on
 *   whichever disk ran terraform, with no locking and no shared copy, so a second operator plans to
 *   create everything again under production's delete locks. An azurerm backend (Azure AD auth, the
 *   stack's default for it) keeps one locked, encrypted copy.
 */
export function checkProduction(env: ProductionInput, ctx: z.RefinementCtx): void {
  if (env.tier !== "production") return;
  if (env.hosts.count < MIN_PRODUCTION_HOSTS) {
    addProblem(
      ctx,
      `${env.hosts.count} host in production: a reboot for patching or a host or zone failure then stops activation for every client; use at least ${MIN_PRODUCTION_HOSTS} hosts (hosts.count: ${MIN_PRODUCTION_HOSTS}), in different zones where the region has them`,
      ["hosts", "count"],
    );
  }
  // A KmsEnvironment in a library user's stack has no backend of its own (the stack holds it).
  if (env.backend?.type === "local") {
    addProblem(
      ctx,
      "a local state file in production: the state holds the hosts' admin passwords in plain text on whichever disk ran terraform, with no lock and no shared copy; use backend.type: azurerm (resourceGroupName, storageAccountName, containerName, key)",
      ["backend", "type"],
    );
  }
}

/**
 * Production warnings, which do not stop synthesis:
 * - no availability zones in a region that has them (catalog/azure-regions.ts, from Learn's
 *   regions list): the hosts may share one datacenter. A warning, not an error: a VM size is not
 *   offered in every zone of every subscription (az vm list-skus shows the restrictions;
 *   learn.microsoft.com/azure/virtual-machines/windows/create-powershell-availability-zone), and
 *   activated clients ride out an outage (they renew every 7 days and stay activated for 180:
 *   learn.microsoft.com/windows-server/get-started/kms-activation-planning).
 * - a burstable (B-series) size: it runs at a baseline share of its vCPUs and bursts on credits
 *   (learn.microsoft.com/azure/virtual-machines/sizes/general-purpose/b-family); patching, the
 *   bootstrap and antimalware scans can spend them and leave the host slow. KMS itself is light, so
 *   a warning: the cost saving may be worth it.
 */
export function productionWarnings(env: ProductionInput): { path: (string | number)[]; message: string }[] {
  if (env.tier !== "production") return [];
  const warnings: { path: (string | number)[]; message: string }[] = [];
  if (env.hosts.zones.length === 0 && AZURE_REGIONS[env.location]?.zones) {
    warnings.push({
      path: ["hosts", "zones"],
      message: `is empty, but ${env.location} has availability zones: the hosts may share one datacenter; list one zone per host, e.g. zones: ["1", "2"] (check the size is offered there: az vm list-skus -l ${env.location} --size ${env.hosts.size})`,
    });
  }
  if (BURSTABLE_SIZE.test(env.hosts.size)) {
    warnings.push({
      path: ["hosts", "size"],
      message: `${env.hosts.size} is a burstable (B-series) size: it runs at a baseline CPU share and bursts on credits, which patching and scans can spend, leaving the host slow; prefer a general-purpose size such as Standard_D2s_v5 in production`,
    });
  }
  return warnings;
}
