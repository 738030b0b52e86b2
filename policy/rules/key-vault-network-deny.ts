import { blocks, literalEquals, show } from "../config";
import type { Rule } from "../rule";

/** Every Key Vault denies network access by default. */
export const KeyVaultNetworkDeny: Rule = {
  id: "KMS-KV-004",
  statement: "Every azurerm_key_vault has network_acls { default_action = \"Deny\" }.",
  level: "warning",
  mirrors: ["CKV_AZURE_109"],
  explanation:
    "A vault reachable from any network relies on identity alone. A warning, not an error: locking the network also locks out the deployment pipeline unless it runs inside the network or is allow-listed.",
  resourceTypes: ["azurerm_key_vault"],
  checkResource(resource) {
    const acl = blocks(resource.config.network_acls)[0];
    return acl && literalEquals(acl.default_action, "Deny")
      ? []
      : [{ problem: `network_acls.default_action is ${show(acl?.default_action)}`, fix: 'Set keyVault.allowedCidrs in the environment file to the public ranges that run terraform (the vault firewall then denies everything else and admits the KMS subnet through its service endpoint); a vault built in code needs network_acls { default_action = "Deny", bypass = "AzureServices" }.' }];
  },
};
