import { isTrue, show } from "../config";
import type { Rule } from "../rule";

/** Every Windows VM encrypts at host (temp disk and caches included). */
export const VmEncryptionAtHost: Rule = {
  id: "KMS-VM-002",
  statement: "Every azurerm_windows_virtual_machine sets encryption_at_host_enabled = true.",
  level: "error",
  mirrors: ["CKV_AZURE_151"],
  explanation:
    "Server-side encryption does not cover the temporary disk or the disk caches; encryption at host does. Needs the EncryptionAtHost feature registered on the subscription.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    const v = resource.config.encryption_at_host_enabled;
    return isTrue(v) ? [] : [{ problem: `encryption_at_host_enabled is ${show(v)}`, fix: "Set encryption_at_host_enabled = true." }];
  },
};
