import { isFalse, show } from "../config";
import type { Rule } from "../rule";

/** In production every Key Vault the stack creates has public network access off. */
export const KeyVaultPublicAccessOff: Rule = {
  id: "KMS-KV-005",
  statement: "In production, every azurerm_key_vault sets public_network_access_enabled = false.",
  level: "error",
  mirrors: ["CKV_AZURE_189"],
  explanation:
    "The vault holds the KMS host keys. In production it is reached through its private endpoint only (keyVault.privateEndpoint, the production default), so an IP firewall mistake or a leaked credential used from the Internet cannot reach it. Lab vaults may keep a public endpoint behind keyVault.allowedCidrs, so a laptop can run terraform.",
  resourceTypes: ["azurerm_key_vault"],
  checkResource(resource, context) {
    if (!context.production) return [];
    const v = resource.config.public_network_access_enabled;
    return isFalse(v)
      ? []
      : [{ problem: `public_network_access_enabled is ${show(v)} in production`, fix: "Reach the vault through a private endpoint (keyVault.privateEndpoint in the environment file) and set public_network_access_enabled = false." }];
  },
};
