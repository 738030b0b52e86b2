import { isFalse, show } from "../config";
import type { Rule, Violation } from "../rule";

/**
 * The one VM extension the pack accepts: the Azure Monitor Agent for Windows, exactly as Microsoft
 * names it (publisher `Microsoft.Azure.Monitor`, type `AzureMonitorWindowsAgent`;
 * https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-manage). The KMS hosts
 * need it to send their "Key Management Service" event log and heartbeats to Log Analytics.
 */
export const ALLOWED_VM_EXTENSION = { publisher: "Microsoft.Azure.Monitor", type: "AzureMonitorWindowsAgent" } as const;

/** Every Windows VM disallows extension operations, and no VM extension exists but the Azure Monitor Agent. */
export const VmNoExtensions: Rule = {
  id: "KMS-VM-007",
  statement: `Every azurerm_windows_virtual_machine sets allow_extension_operations = false, and no azurerm_virtual_machine_extension exists except exactly the Azure Monitor Agent (publisher ${ALLOWED_VM_EXTENSION.publisher}, type ${ALLOWED_VM_EXTENSION.type}).`,
  level: "error",
  mirrors: ["CKV_AZURE_50"],
  explanation:
    "Extensions and Run Command execute arbitrary code as SYSTEM on the host, granted to anyone with VM contributor rights. Known conflict: the KMS host needs extension operations to bootstrap (a managed Run Command) and to be monitored, so the stack ships a suppression of the VM setting on its hosts with the reason recorded in the output. Extension resources stay checked: the only one accepted is Microsoft's Azure Monitor Agent for Windows (publisher and type spelt exactly as Microsoft documents them; any other type, publisher or case, the Linux agent included, fails), because it is how the host's Key Management Service event log and heartbeats reach the alerts (README, Operations).",
  resourceTypes: ["azurerm_windows_virtual_machine", "azurerm_virtual_machine_extension"],
  checkResource(resource) {
    if (resource.type === "azurerm_virtual_machine_extension") return extensionViolations(resource.config);
    const v = resource.config.allow_extension_operations;
    return isFalse(v)
      ? []
      : [{ problem: `allow_extension_operations is ${show(v)} (defaults to true)`, fix: "Set allow_extension_operations = false, or suppress this rule with the reason the extension is needed." }];
  },
};

function extensionViolations(config: Readonly<Record<string, unknown>>): Violation[] {
  const { publisher, type } = config;
  if (publisher === ALLOWED_VM_EXTENSION.publisher && type === ALLOWED_VM_EXTENSION.type) return [];
  return [
    {
      problem: `VM extension publisher ${show(publisher)} type ${show(type)} is not the Azure Monitor Agent for Windows`,
      fix: `Remove the extension (do the work in the bootstrap Run Command instead); the only extension allowed is publisher "${ALLOWED_VM_EXTENSION.publisher}", type "${ALLOWED_VM_EXTENSION.type}".`,
    },
  ];
}
