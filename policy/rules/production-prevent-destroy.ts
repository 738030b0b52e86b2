import { blocks, isTrue } from "../config";
import type { Rule } from "../rule";

/** In production, Terraform refuses to destroy a KMS host. */
export const ProductionPreventDestroy: Rule = {
  id: "KMS-OPS-002",
  statement: "In production, every azurerm_windows_virtual_machine sets lifecycle.prevent_destroy = true.",
  level: "error",
  mirrors: [],
  explanation:
    "A renamed construct id or a ForceNew attribute change makes Terraform replace the VM; the host's activation count and KMS key installation are lost. prevent_destroy turns that plan into an error a human must look at.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource, context) {
    if (!context.production) return [];
    const ok = blocks(resource.config.lifecycle).some((l) => isTrue(l.prevent_destroy));
    return ok ? [] : [{ problem: "lifecycle.prevent_destroy is not true in production", fix: "Set lifecycle { preventDestroy: true } on the VM." }];
  },
};
