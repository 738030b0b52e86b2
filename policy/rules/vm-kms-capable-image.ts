import { blocks, isLiteralString, literalEquals, show } from "../config";
import type { Rule } from "../rule";

/** Every Windows VM boots a Windows Server Datacenter/Standard marketplace image that can be a KMS host. */
export const VmKmsCapableImage: Rule = {
  id: "KMS-VM-005",
  statement: "Every azurerm_windows_virtual_machine uses source_image_reference MicrosoftWindowsServer/WindowsServer with a Datacenter or Standard sku that is not Azure Edition.",
  level: "error",
  mirrors: [],
  explanation:
    "The KMS host key is installed on Windows Server Standard or Datacenter. Datacenter: Azure Edition (skus containing azure-edition) is activated by Azure and cannot host KMS; custom images (source_image_id) cannot be verified here.",
  resourceTypes: ["azurerm_windows_virtual_machine"],
  checkResource(resource) {
    const refs = blocks(resource.config.source_image_reference);
    if (refs.length === 0) {
      return [{
        problem: `no source_image_reference (source_image_id = ${show(resource.config.source_image_id)})`,
        fix: "Use a marketplace image: publisher MicrosoftWindowsServer, offer WindowsServer, a Datacenter/Standard sku (e.g. 2022-datacenter-g2).",
      }];
    }
    const { publisher, offer, sku } = refs[0];
    const problems: string[] = [];
    if (!literalEquals(publisher, "MicrosoftWindowsServer")) problems.push(`publisher is ${show(publisher)}`);
    if (!literalEquals(offer, "WindowsServer")) problems.push(`offer is ${show(offer)}`);
    if (!isLiteralString(sku)) problems.push(`sku is ${show(sku)}, not a literal`);
    else if (sku.toLowerCase().includes("azure-edition")) problems.push(`sku ${JSON.stringify(sku)} is Datacenter: Azure Edition, which cannot be a KMS host`);
    else if (!/datacenter|standard/i.test(sku)) problems.push(`sku ${JSON.stringify(sku)} is neither Datacenter nor Standard`);
    return problems.length === 0
      ? []
      : [{ problem: problems.join("; "), fix: "Use MicrosoftWindowsServer/WindowsServer with a non-Azure-Edition Datacenter or Standard sku (e.g. 2022-datacenter-g2)." }];
  },
};
