import { carriesPorts, isInboundAllow, nsgRules, portsInclude, sourcesOutside } from "../network";
import type { Rule, Violation } from "../rule";

/** The KMS port is allowed inbound only from the client CIDRs. */
export const KmsPortRestricted: Rule = {
  id: "KMS-NET-005",
  statement: "Inbound Allow rules covering the KMS port (default 1688, including ranges and *) have every source inside the client CIDRs.",
  level: "error",
  mirrors: [],
  explanation:
    "Only the organisation's own machines may activate against the KMS host (Microsoft licensing terms). Sources that are tokens or service tags cannot be proven inside the client ranges and fail; rules whose sources are only application security groups are not judged here.",
  resourceTypes: ["azurerm_network_security_rule", "azurerm_network_security_group"],
  checkResource(resource, context) {
    const out: Violation[] = [];
    for (const rule of nsgRules(resource)) {
      if (!isInboundAllow(rule) || !carriesPorts(rule) || !portsInclude(rule.ports, context.kmsPort)) continue;
      const bad = sourcesOutside(rule, context.clientCidrs);
      if (bad.length === 0) continue;
      out.push({
        problem: `${rule.label} allows KMS port ${context.kmsPort} inbound from ${bad.map((s) => JSON.stringify(s)).join(", ")}, outside the client CIDRs [${context.clientCidrs.join(", ")}]`,
        fix: "Limit the source to the KMS client CIDRs.",
      });
    }
    return out;
  },
};
