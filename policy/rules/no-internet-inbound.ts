import { internetWideReason, isInboundAllow, nsgRules } from "../network";
import type { Rule, Violation } from "../rule";

/** No NSG rule allows inbound traffic from the Internet or an Internet-wide range, on any port. */
export const NoInternetInbound: Rule = {
  id: "KMS-NET-003",
  statement: "No NSG rule (standalone or inline) allows Inbound traffic from *, Any, Internet, AzureCloud, 0.0.0.0/0, ::/0 or another Internet-wide prefix, on any port.",
  level: "error",
  mirrors: ["AZU-0047 (AVD-AZU-0047)", "AZU-0048 (AVD-AZU-0048)"],
  explanation:
    "Checkov has no generic rule for this, so port 1688 open to the world passes Checkov. Internet-wide means: a wildcard or the Internet/Any/AzureCloud tags; an IPv4 prefix shorter than /8 or IPv6 shorter than /32; or a public range wider than /16 (IPv4) or /48 (IPv6). Private ranges up to /8 are fine.",
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
