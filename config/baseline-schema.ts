// The production baseline fields of issue 23 (items 1, 2 and 6): how the Key Vault is reached
// (a private endpoint, or a service endpoint for an existing vault), how the hosts reach the
// Internet (network.egress), the hosts' Windows licence (Azure Hybrid Benefit) and their patch
// window. Kept out of environment-schema.ts, which only plugs these in; every limit cites its source.
import * as z from "zod";
import { MAINTENANCE_TIME_ZONES } from "../catalog/maintenance-time-zones";
import { addProblem } from "./add-problem";

/** A subnet id as the provider's commonids.ValidateSubnetID parses it (case-sensitive segment names). */
const SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/;

/**
 * The private DNS zone of Key Vault's private endpoints: privatelink.vaultcore.azure.net in Azure's
 * public cloud, .usgovcloudapi.net and .azure.cn in the sovereign ones
 * (learn.microsoft.com/azure/private-link/private-endpoint-dns, "Security": Key Vault, vault).
 */
export const KEY_VAULT_PRIVATE_DNS_ZONES = ["privatelink.vaultcore.azure.net", "privatelink.vaultcore.usgovcloudapi.net", "privatelink.vaultcore.azure.cn"] as const;

/** A private DNS zone id (privatezones.ValidatePrivateDnsZoneID: …/providers/Microsoft.Network/privateDnsZones/<name>). */
const PRIVATE_DNS_ZONE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/;

/** `keyVault.privateEndpoint`. */
export const keyVaultPrivateEndpointSchema = z
  .strictObject({
    subnetId: z
      .string()
      .regex(SUBNET_ID, "write a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>")
      .optional()
      .describe("Subnet of the private endpoint (resource id). Default: the hosts' subnet."),
    privateDnsZone: z
      .union([
        z.strictObject({ create: z.literal(true).describe("Create privatelink.vaultcore.azure.net in the resource group and link it to the hosts' vnet.") }),
        z.strictObject({
          id: z
            .string()
            .regex(PRIVATE_DNS_ZONE_ID, "write a private DNS zone resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net")
            .refine((id) => (KEY_VAULT_PRIVATE_DNS_ZONES as readonly string[]).includes(PRIVATE_DNS_ZONE_ID.exec(id)?.[1] ?? ""), {
              message: `is not a Key Vault private link zone; the zone must be named ${KEY_VAULT_PRIVATE_DNS_ZONES.join(" or ")}`,
            })
            .describe("An existing privatelink.vaultcore.azure.net zone (resource id), e.g. the hub's; already linked to the hosts' vnet."),
        }),
      ])
      .default({ create: true })
      .describe("The privatelink.vaultcore.azure.net zone: { create: true } (default) or { id: <existing zone> } (a hub's central zone)."),
  })
  .describe(
    "Reach the vault through a private endpoint, with its public network access off. Default in production (in the hosts' subnet, zone created); the deploying pipeline must then reach the vault through the endpoint too (README, Key Vault exposure).",
  );

/** `network.egress`: how the hosts reach the activation service and the other outbound needs (README, Outbound access). */
export const EGRESS_MODES = ["natGateway", "existing", "defaultOutbound"] as const;
export const egressSchema = z
  .enum(EGRESS_MODES)
  .optional()
  .describe(
    "The hosts' outbound route: natGateway (the stack creates a NAT gateway for the subnet it creates), existing (your route table or firewall provides it; default for an existing subnet) or defaultOutbound (Azure's default outbound access, being retired; refused in production). Default: natGateway for a created subnet.",
  );

/** `hosts.licenseType` (provider: windows_virtual_machine_resource.go, license_type StringInSlice None, Windows_Client, Windows_Server). */
export const licenseTypeSchema = z
  .enum(["None", "Windows_Server"])
  .default("None")
  .describe("Windows_Server: Azure Hybrid Benefit (you bring Windows Server licences with Software Assurance; you pay compute only). None (default): the Windows licence is included in the VM price.");

/** In-guest patch window bounds: 1 h 30 min to 3 h 55 min (learn.microsoft.com/azure/virtual-machines/maintenance-configurations, "Guest"). */
export const MIN_PATCH_WINDOW_HOURS = 1.5;
export const MAX_PATCH_WINDOW_HOURS = 3.9;
/** A recurrence the stagger stays correct for: days, weeks or months (hourly windows would overlap). Maintenance API `recurEvery`, e.g. 1Day, 1Week Saturday, 1Month Third Sunday. */
const RECUR_EVERY = /^[1-9][0-9]{0,2}(Day|Week|Month)( [A-Za-z0-9, ]+)?$/;

/** `hosts.patchWindow`: host 1's window; host N starts (N-1) × durationHours later, so two hosts never patch or reboot together. */
export const patchWindowSchema = z
  .strictObject({
    startDate: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "write a date as YYYY-MM-DD")
      .default("2026-01-03")
      .describe("First day of host 1's window, YYYY-MM-DD. Default 2026-01-03 (a Saturday)."),
    startTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "write a time as HH:mm (24-hour), e.g. 02:00")
      .default("02:00")
      .describe("Time host 1's window opens, HH:mm in timeZone. Default 02:00."),
    durationHours: z
      .number()
      .min(MIN_PATCH_WINDOW_HOURS, `a patch window lasts at least ${MIN_PATCH_WINDOW_HOURS} hours (Azure Update Manager)`)
      .max(MAX_PATCH_WINDOW_HOURS, `a patch window lasts at most 3 h 55 min (Azure Update Manager); use ${MAX_PATCH_WINDOW_HOURS} or less`)
      .refine((h) => Number.isInteger(h * 4), "use quarter hours, e.g. 2, 2.5 or 3.75")
      .default(3)
      .describe(`Length of each host's window in hours, ${MIN_PATCH_WINDOW_HOURS}-${MAX_PATCH_WINDOW_HOURS} in quarter hours. Default 3. Host N's window opens (N-1) × durationHours after host 1's.`),
    recurEvery: z
      .string()
      .regex(RECUR_EVERY, "write a daily, weekly or monthly recurrence such as 1Day, 1Week Saturday or 1Month Third Sunday (hourly windows would make the hosts overlap)")
      .default("1Week Saturday")
      .describe("How often the window recurs (Azure maintenance recurEvery): 1Day, 1Week Saturday, 1Month Third Sunday... Default 1Week Saturday."),
    timeZone: z
      .string()
      .refine((tz) => MAINTENANCE_TIME_ZONES.includes(tz), "is not a Windows time zone id the azurerm provider accepts; use e.g. UTC or W. Europe Standard Time (catalog/maintenance-time-zones.ts)")
      .default("UTC")
      .describe("Windows time zone id of the window, e.g. UTC or W. Europe Standard Time. Default UTC."),
  })
  .default({ startDate: "2026-01-03", startTime: "02:00", durationHours: 3, recurEvery: "1Week Saturday", timeZone: "UTC" })
  .describe("Each host's Azure Update Manager patch window; the hosts are staggered so that never two patch or reboot at once.");

/** The parts of an environment the baseline checks read. */
export interface BaselineCheckInput {
  readonly tier: "lab" | "production";
  readonly network: { readonly subnetId?: string; readonly vnet?: unknown; readonly egress?: (typeof EGRESS_MODES)[number] };
  readonly keyVault: {
    readonly id?: string;
    readonly name?: string;
    readonly create?: boolean;
    readonly allowedCidrs?: readonly string[];
    readonly privateEndpoint?: unknown;
    readonly serviceEndpoint?: boolean;
  };
}

/**
 * The vault's exposure and the egress route. A created vault is never open to the Internet: it has
 * a firewall (allowedCidrs) or a private endpoint, and in production always the private endpoint.
 */
export function checkBaseline(env: BaselineCheckInput, ctx: z.RefinementCtx): void {
  const kv = env.keyVault;
  const created = kv.id === undefined;
  // Only once the section itself is complete (name and create: true), so a missing name is reported alone.
  if (created && kv.name && kv.create === true && env.tier === "lab" && !kv.allowedCidrs && !kv.privateEndpoint) {
    addProblem(
      ctx,
      "a vault with neither allowedCidrs nor privateEndpoint would be open to the Internet; add keyVault.allowedCidrs (the public egress ranges of whoever runs terraform) or keyVault.privateEndpoint: {} (README, Key Vault exposure)",
      ["keyVault"],
    );
  }
  if (created && env.tier === "production" && kv.allowedCidrs) {
    addProblem(ctx, "does nothing in production: the vault's public network access is off and it is reached through its private endpoint; remove allowedCidrs and let the pipeline reach the vault through the endpoint (README, Key Vault exposure)", ["keyVault", "allowedCidrs"]);
  }
  if (kv.privateEndpoint && kv.allowedCidrs) {
    addProblem(ctx, "does nothing with a private endpoint: the vault's public network access is off; remove allowedCidrs", ["keyVault", "allowedCidrs"]);
  }
  if (kv.serviceEndpoint !== undefined && env.network.subnetId) {
    addProblem(ctx, "applies only to a subnet this stack creates; add the Microsoft.KeyVault service endpoint to your subnet where it is managed, or use keyVault.privateEndpoint", ["keyVault", "serviceEndpoint"]);
  }
  if (kv.serviceEndpoint !== undefined && created) {
    addProblem(ctx, "applies only to an existing vault (keyVault.id); a created vault gets the service endpoint from allowedCidrs, or a private endpoint", ["keyVault", "serviceEndpoint"]);
  }
  const egress = env.network.egress;
  if (env.network.subnetId && (egress === "natGateway" || egress === "defaultOutbound")) {
    addProblem(ctx, `"${egress}" applies only to a subnet this stack creates (network.vnet); for an existing subnet use existing (your route table or firewall provides the outbound route)`, ["network", "egress"]);
  }
  if (env.tier === "production" && egress === "defaultOutbound") {
    // learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access: default
    // outbound access is being retired; new virtual networks get private subnets by default.
    addProblem(
      ctx,
      "is refused in production: Azure is retiring default outbound access (new virtual networks get private subnets, learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access) and its address is shared and unannounced; use natGateway or existing",
      ["network", "egress"],
    );
  }
}

/** Warnings of the baseline: a route to an existing vault that is not declared, default outbound access in a lab. */
export function baselineWarnings(env: BaselineCheckInput): { path: (string | number)[]; message: string }[] {
  const warnings: { path: (string | number)[]; message: string }[] = [];
  if (env.keyVault.id && !env.keyVault.privateEndpoint && !env.keyVault.serviceEndpoint) {
    warnings.push({
      path: ["keyVault", "id"],
      message:
        "declares no route to the vault: if its firewall is on, the hosts' bootstrap gets 403 and fails after 15 minutes; add keyVault.privateEndpoint, or keyVault.serviceEndpoint: true (created subnet) and allow the subnet in the vault's firewall, or ignore this if the vault admits the hosts' network already",
    });
  }
  if (env.network.egress === "defaultOutbound") {
    warnings.push({ path: ["network", "egress"], message: "uses Azure's default outbound access, which Azure is retiring; use natGateway (README, Outbound access)" });
  }
  return warnings;
}
