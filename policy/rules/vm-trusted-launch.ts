import { isTrue, show } from "../config";
import type { Rule } from "../rule";

/** Every Windows VM runs as Trusted Launch with Secure Boot and vTPM on. */
export const VmTrustedLaunch: Rule = {
  id: "KMS-VM-001",
  statement: "Every azurerm_windows_virtual_machine sets secure_boot_enabled = true and vtpm_enabled = true.",
  level: "error",
  mirrors: ["Azure Policy 97566dd7-78ae-4997-8b36-1c7bfe0d8121", "Azure Policy 1c30f9cd-b84c-49cc-aa2c-9288447cc3b3"],
  explanation:
    "Secure Boot and a virtual TPM (Trusted Launch) protect the host against boot kits and let Defender attest boot integrity. Both default to false in azurerm, so they must be set explicitly (and need a Gen2 image).",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    return ["secure_boot_enabled", "vtpm_enabled"]
      .filter((key) => !isTrue(resource.config[key]))
      .map((key) => ({ problem: `${key} is ${show(resource.config[key])}`, fix: `Set ${key} = true (Gen2 image required).` }));
  },
};
