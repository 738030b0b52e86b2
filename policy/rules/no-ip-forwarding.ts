import { isFalse, show } from "../config";
import type { Rule } from "../rule";

/** No network interface forwards IP traffic. */
export const NoIpForwarding: Rule = {
  id: "KMS-NET-002",
  statement: "No azurerm_network_interface has ip_forwarding_enabled = true.",
  level: "error",
  mirrors: ["CKV_AZURE_118", "AZU-0075 (AVD-AZU-0075)"],
  explanation:
    "A KMS host is an endpoint, never a router: IP forwarding would let it relay traffic between networks and bypass NSGs. azurerm 4 calls the attribute ip_forwarding_enabled (3.x: enable_ip_forwarding); both are checked so an escape-hatch override cannot slip through.",
  resourceTypes: ["azurerm_network_interface"],
  checkResource(resource) {
    return ["ip_forwarding_enabled", "enable_ip_forwarding"]
      .filter((key) => resource.config[key] !== undefined && !isFalse(resource.config[key]))
      .map((key) => ({ problem: `${key} = ${show(resource.config[key])}`, fix: `Set ${key} to false or remove it.` }));
  },
};
