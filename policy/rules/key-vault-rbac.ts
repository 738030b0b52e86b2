import { isFalse, isTrue, show } from "../config";
import type { Rule } from "../rule";

/** Every Key Vault uses the Azure RBAC permission model. */
export const KeyVaultRbac: Rule = {
  id: "KMS-KV-001",
  statement: "Every azurerm_key_vault sets rbac_authorization_enabled = true (azurerm 4.55 name; the deprecated enable_rbac_authorization is accepted).",
  level: "error",
  mirrors: ["Azure Policy 12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5"],
  explanation:
    "Access policies are a second, vault-local permission system that escapes Azure RBAC reviews and PIM. azurerm 4.55 has both rbac_authorization_enabled and the deprecated enable_rbac_authorization; one must be true and neither may be false.",
  resourceTypes: ["azurerm_key_vault"],
  checkResource(resource) {
    const keys = ["rbac_authorization_enabled", "enable_rbac_authorization"];
    const values = keys.map((k) => resource.config[k]);
    if (values.some(isTrue) && !values.some(isFalse)) return [];
    return [{
      problem: keys.map((k, i) => `${k} is ${show(values[i])}`).join(", "),
      fix: "Set rbac_authorization_enabled = true and grant access with role assignments.",
    }];
  },
};
