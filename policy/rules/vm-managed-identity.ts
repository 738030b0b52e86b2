import { blocks, isLiteralString } from "../config";
import type { Rule } from "../rule";

/** Every Windows VM has a system-assigned managed identity. */
export const VmSystemAssignedIdentity: Rule = {
  id: "KMS-VM-006",
  statement: "Every azurerm_windows_virtual_machine has an identity block whose type includes SystemAssigned.",
  level: "error",
  mirrors: [],
  explanation:
    "The host reads its KMS host key from Key Vault with its own identity (RBAC), so no credential is stored in configuration or on disk.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    const ok = blocks(resource.config.identity).some((b) => isLiteralString(b.type) && /systemassigned/i.test(b.type));
    return ok ? [] : [{ problem: "no SystemAssigned identity", fix: 'Add identity { type = "SystemAssigned" } (or "SystemAssigned, UserAssigned").' }];
  },
};
