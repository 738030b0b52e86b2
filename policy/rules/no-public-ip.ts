import { blocks, show } from "../config";
import type { Rule, Violation } from "../rule";

/** No public IP resource exists and no NIC IP configuration attaches one: clients reach KMS privately. */
export const NoPublicIp: Rule = {
  id: "KMS-NET-001",
  statement: "No azurerm_public_ip / azurerm_public_ip_prefix exists and no NIC ip_configuration sets public_ip_address_id.",
  level: "error",
  mirrors: ["CKV_AZURE_119", "AZU-0076 (AVD-AZU-0076)"],
  explanation:
    "A KMS host answers anyone who can reach TCP 1688; a public IP makes it an activation service for the Internet, while volume licensing limits KMS activation to the organisation's own devices. Clients reach it over private networking (VNet, peering, VPN/ExpressRoute).",
  resourceTypes: ["azurerm_public_ip", "azurerm_public_ip_prefix", "azurerm_network_interface"],
  checkResource(resource) {
    if (resource.type !== "azurerm_network_interface") {
      return [{ problem: `${resource.type} is not allowed in this stack`, fix: "Remove it; reach the host over private networking (VNet peering, VPN, ExpressRoute, Bastion)." }];
    }
    const out: Violation[] = [];
    blocks(resource.config.ip_configuration).forEach((ipc, i) => {
      if (ipc.public_ip_address_id !== undefined && ipc.public_ip_address_id !== null && ipc.public_ip_address_id !== "") {
        out.push({
          problem: `ip_configuration ${show(ipc.name ?? i)} sets public_ip_address_id = ${show(ipc.public_ip_address_id)}`,
          fix: "Remove public_ip_address_id from the NIC.",
        });
      }
    });
    return out;
  },
};
