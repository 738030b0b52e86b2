import { carriesPorts, isInboundAllow, nsgRules, portsInclude, sourcesOutside } from "../network";
import type { Rule, Violation } from "../rule";

/** RDP and WinRM ports, TCP (RDP also uses UDP 3389 for its UDP transport). */
const ADMIN_PORTS: ReadonlyArray<[number, string]> = [
  [3389, "RDP"],
  [5985, "WinRM HTTP"],
  [5986, "WinRM HTTPS"],
];

/** RDP (3389) and WinRM (5985/5986) are allowed inbound only from the admin CIDRs. */
export const AdminPortsRestricted: Rule = {
  id: "KMS-NET-004",
  statement: "Inbound Allow rules covering RDP 3389 or WinRM 5985/5986 (including ranges and *) have every source inside the admin CIDRs.",
  level: "error",
  mirrors: ["CKV_AZURE_9", "AZU-0048 (AVD-AZU-0048)"],
  explanation:
    "Remote administration is the usual way into a Windows host. It is allowed only from the configured admin ranges (e.g. the Azure Bastion subnet); with no admin CIDRs, no rule may allow these ports at all. Sources that are tokens or service tags cannot be proven inside the admin ranges and fail; rules whose sources are only application security groups (our own NICs) are not judged here.",
  resourceTypes: ["azurerm_network_security_rule", "azurerm_network_security_group"],
  checkResource(resource, context) {
    const out: Violation[] = [];
    for (const rule of nsgRules(resource)) {
      if (!isInboundAllow(rule) || !carriesPorts(rule)) continue;
      const hit = ADMIN_PORTS.filter(([port]) => portsInclude(rule.ports, port));
      if (hit.length === 0) continue;
      const bad = sourcesOutside(rule, context.adminCidrs);
      if (bad.length === 0) continue;
      out.push({
        problem: `${rule.label} allows ${hit.map(([p, n]) => `${n} ${p}`).join(", ")} inbound from ${bad.map((s) => JSON.stringify(s)).join(", ")}, outside the admin CIDRs [${context.adminCidrs.join(", ")}]`,
        fix: "Limit the source to the admin CIDRs (e.g. the Bastion subnet) or narrow the destination ports.",
      });
    }
    return out;
  },
};
