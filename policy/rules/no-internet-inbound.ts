import { MIN_PREFIX_NON_PUBLIC, MIN_PREFIX_PUBLIC } from "../../constructs/address-range";
import { internetWideReason, isInboundAllow, nsgRules } from "../network";
import type { Rule, Violation } from "../rule";

/** No NSG rule allows inbound traffic from the Internet or an Internet-wide range, on any port. */
export const NoInternetInbound: Rule = {
  id: "KMS-NET-003",
  statement: "No NSG rule (standalone or inline) allows Inbound traffic from *, Any, Internet, AzureCloud, 0.0.0.0/0, ::/0 or another Internet-wide prefix, on any port.",
  level: "error",
  mirrors: ["AZU-0047 (AVD-AZU-0047)", "AZU-0048 (AVD-AZU-0048)"],
  explanation:
    // The bounds come from AddressRange, which makes the judgement, so this text cannot drift from it.
    `Checkov has no generic rule for this, so port 1688 open to the world passes Checkov. Internet-wide means: a wildcard or the Internet/Any/AzureCloud tags; a public (Internet-routable) range wider than /${MIN_PREFIX_PUBLIC.ipv4} (IPv4) or /${MIN_PREFIX_PUBLIC.ipv6} (IPv6); or any other range wider than /${MIN_PREFIX_NON_PUBLIC.ipv4} (IPv4) or /${MIN_PREFIX_NON_PUBLIC.ipv6} (IPv6). Private ranges up to /${MIN_PREFIX_NON_PUBLIC.ipv4} are fine.`,
  resourceTypes: ["azurerm_network_security_rule", "azurerm_network_security_group"],
  checkResource(resource) {
    const out: Violation[] = [];
    for (const rule of nsgRules(resource)) {
      if (!isInboundAllow(rule)) continue;
      for (const source of rule.sources) {
        const reason = internetWideReason(source);
        if (reason) {
          out.push({
            problem: `${rule.label} allows Inbound from ${JSON.stringify(source)} (${reason})`,
            fix: "Restrict the source to the KMS client or admin CIDRs.",
          });
        }
      }
    }
    return out;
  },
};
