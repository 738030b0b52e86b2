import { isFalse, show } from "../config";
import type { Rule } from "../rule";

/** Every Windows VM disallows extension operations. */
export const VmNoExtensions: Rule = {
  id: "KMS-VM-007",
  statement: "Every azurerm_windows_virtual_machine sets allow_extension_operations = false.",
  level: "error",
  mirrors: ["CKV_AZURE_50"],
  explanation:
    "Extensions and Run Command execute arbitrary code as SYSTEM on the host, granted to anyone with VM contributor rights. Known conflict: the KMS host needs one extension to bootstrap, so the stack ships a suppression of this rule on its hosts with the reason recorded in the output.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    const v = resource.config.allow_extension_operations;
    return isFalse(v)
      ? []
      : [{ problem: `allow_extension_operations is ${show(v)} (defaults to true)`, fix: "Set allow_extension_operations = false, or suppress this rule with the reason the extension is needed." }];
  },
};
