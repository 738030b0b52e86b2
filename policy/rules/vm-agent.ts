import { isFalse } from "../config";
import type { Rule } from "../rule";

/** Every Windows VM has the Azure VM agent provisioned. */
export const VmAgentProvisioned: Rule = {
  id: "KMS-VM-004",
  statement: "No azurerm_windows_virtual_machine sets provision_vm_agent = false.",
  level: "error",
  mirrors: ["CKV_AZURE_179"],
  explanation:
    "Platform patching, Defender, guest attestation and the bootstrap extension all need the VM agent. provision_vm_agent defaults to true and cannot be changed after creation, so only an explicit false fails.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    return isFalse(resource.config.provision_vm_agent)
      ? [{ problem: "provision_vm_agent is false", fix: "Remove provision_vm_agent or set it to true." }]
      : [];
  },
};
