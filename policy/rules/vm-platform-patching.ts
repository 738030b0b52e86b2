import { literalEquals, show } from "../config";
import type { Rule } from "../rule";

const PLATFORM = "AutomaticByPlatform";

/** Every Windows VM is patched and assessed by the platform. */
export const VmPlatformPatching: Rule = {
  id: "KMS-VM-003",
  statement: "Every azurerm_windows_virtual_machine sets patch_mode and patch_assessment_mode to AutomaticByPlatform.",
  level: "error",
  mirrors: ["Azure Policy bd876905-5b84-4f73-ab2d-2e7a7c4568d9"],
  explanation:
    "A long-lived, rarely touched host is exactly the machine that misses updates. The mirrored Azure Policy checks the assessment mode (periodic checks for missing updates); patch_mode AutomaticByPlatform additionally installs them with orchestration by Azure Update Manager.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    return ["patch_mode", "patch_assessment_mode"]
      .filter((key) => !literalEquals(resource.config[key], PLATFORM))
      .map((key) => ({ problem: `${key} is ${show(resource.config[key])}`, fix: `Set ${key} = "${PLATFORM}".` }));
  },
};
