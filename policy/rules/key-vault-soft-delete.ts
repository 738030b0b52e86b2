import { show } from "../config";
import type { Rule } from "../rule";

/** Every Key Vault states its soft-delete retention explicitly. */
export const KeyVaultSoftDelete: Rule = {
  id: "KMS-KV-002",
  statement: "Every azurerm_key_vault sets soft_delete_retention_days (7-90).",
  level: "error",
  mirrors: ["CKV_AZURE_111"],
  explanation:
    "Soft delete is always on in azurerm 4, but the retention is the recovery window for a deleted KMS host key; it is fixed at creation, so it is stated explicitly rather than left to the provider default.",
  resourceTypes: ["azurerm_key_vault"],
  checkResource(resource) {
    const v = resource.config.soft_delete_retention_days;
    if (typeof v === "string" && v.includes("${")) return []; // a reference: Azure validates the range at apply
    const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
    return Number.isInteger(n) && n >= 7 && n <= 90
      ? []
      : [{ problem: `soft_delete_retention_days is ${show(v)}`, fix: "Set soft_delete_retention_days to a value between 7 and 90 (90 recommended)." }];
  },
};
