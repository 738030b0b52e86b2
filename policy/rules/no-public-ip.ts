import { blocks, show } from "../config";
import type { ResourceConfig, Rule, StackViolation, Violation } from "../rule";

/** The association that makes a public IP a NAT gateway's egress address (and nothing else). */
const NAT_ASSOCIATION = "azurerm_nat_gateway_public_ip_association";

/**
 * No public IP reaches a host: no NIC ip_configuration sets public_ip_address_id, no public IP
 * prefix exists, and the only public IPs are NAT gateway egress addresses.
 */
export const NoPublicIp: Rule = {
  id: "KMS-NET-001",
  statement:
    "No NIC ip_configuration sets public_ip_address_id, no azurerm_public_ip_prefix exists, and every azurerm_public_ip is associated with a NAT gateway (azurerm_nat_gateway_public_ip_association) and referenced by nothing else.",
  level: "error",
  mirrors: ["CKV_AZURE_119", "AZU-0076 (AVD-AZU-0076)"],
  explanation:
    "A KMS host answers anyone who can reach TCP 1688; a public IP makes it an activation service for the Internet, while volume licensing limits KMS activation to the organisation's own devices. Clients reach it over private networking (VNet, peering, VPN/ExpressRoute). The one public IP allowed is a NAT gateway's: it carries the hosts' outbound connections only (the activation of their own KMS host key), and a NAT gateway admits no connection started from the Internet (learn.microsoft.com/azure/nat-gateway/nat-overview, \"outbound only\").",
  resourceTypes: ["azurerm_public_ip_prefix", "azurerm_network_interface"],
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
  checkStack({ resources }) {
    const out: StackViolation[] = [];
    const referenceTo = (pip: ResourceConfig) => `\${azurerm_public_ip.${pip.name}.`;
    for (const pip of resources.filter((r) => r.type === "azurerm_public_ip")) {
      const ref = referenceTo(pip);
      const users = resources.filter((r) => r !== pip && JSON.stringify(r.config).includes(ref));
      const natAssociated = users.some((r) => r.type === NAT_ASSOCIATION && String(r.config.public_ip_address_id).startsWith(ref));
      const others = users.filter((r) => r.type !== NAT_ASSOCIATION);
      if (!natAssociated) {
        out.push({
          resource: pip,
          problem: "azurerm_public_ip is not a NAT gateway's egress address (no azurerm_nat_gateway_public_ip_association uses it)",
          fix: "Remove it; reach the host over private networking (VNet peering, VPN, ExpressRoute, Bastion), and give the hosts outbound access with network.egress: natGateway.",
        });
      }
      for (const other of others) {
        out.push({
          resource: other,
          problem: `${other.type}.${other.name} uses the public IP azurerm_public_ip.${pip.name}`,
          fix: "A public IP here may only be a NAT gateway's egress address; remove the reference.",
        });
      }
    }
    return out;
  },
};
