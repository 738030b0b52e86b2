import { isTrue, show } from "../config";
import type { Rule } from "../rule";

/** In production every Key Vault has purge protection. */
export const KeyVaultPurgeProtection: Rule = {
  id: "KMS-KV-003",
  statement: "In production, every azurerm_key_vault sets purge_protection_enabled = true.",
  level: "error",
  mirrors: ["CKV_AZURE_110"],
  explanation:
    "Without purge protection a soft-deleted vault (and the KMS host key in it) can be purged immediately by anyone with the permission. Only enforced in production because it blocks re-creating a vault with the same name for the retention period, which hampers test environments.",
  resourceTypes: ["azurerm_key_vault"],
  checkResource(resource, context) {
    if (!context.production) return [];
    const v = resource.config.purge_protection_enabled;
    return isTrue(v) ? [] : [{ problem: `purge_protection_enabled is ${show(v)} in production`, fix: "Set purge_protection_enabled = true." }];
  },
};
