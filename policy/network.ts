// NSG rule extraction shared by the network rules. CIDR math lives in constructs/address-range.ts.
import { AddressRange } from "../constructs/address-range";
import { blocks, isLiteralString, isToken, literalEquals, strings, type JsonObject } from "./config";
import type { ResourceConfig } from "./rule";

/** One NSG security rule, from a standalone `azurerm_network_security_rule` or an inline `security_rule` block. */
export interface NsgRule {
  /** How to name the rule in messages, e.g. `security_rule "allow-rdp"`. */
  readonly label: string;
  /** Raw attributes of the rule. */
  readonly attributes: JsonObject;
  /** `source_address_prefix` plus `source_address_prefixes`. */
  readonly sources: readonly string[];
  /** `destination_port_range` plus `destination_port_ranges`. */
  readonly ports: readonly string[];
}

/** The NSG rules a resource defines (none for other resource types). */
export function nsgRules(resource: ResourceConfig): NsgRule[] {
  const toRule = (attributes: JsonObject, label: string): NsgRule => ({
    label,
    attributes,
    sources: strings(attributes.source_address_prefix, attributes.source_address_prefixes),
    ports: strings(attributes.destination_port_range, attributes.destination_port_ranges),
  });
  if (resource.type === "azurerm_network_security_rule") {
    return [toRule(resource.config, `rule ${JSON.stringify(resource.config.name ?? resource.name)}`)];
  }
  if (resource.type === "azurerm_network_security_group") {
    return blocks(resource.config.security_rule).map((b, i) =>
      toRule(b, `security_rule ${JSON.stringify(b.name ?? `#${i}`)}`),
    );
  }
  return [];
}

/** Inbound Allow, or unknowable (a token), which we must assume could be Inbound Allow. */
export function isInboundAllow(rule: NsgRule): boolean {
  const { direction, access } = rule.attributes;
  const inbound = isToken(direction) || literalEquals(direction, "Inbound");
  const allow = isToken(access) || literalEquals(access, "Allow");
  return inbound && allow;
}

/** Whether the rule's protocol can carry a TCP/UDP port (ICMP, ESP and AH cannot). */
export function carriesPorts(rule: NsgRule): boolean {
  const p = rule.attributes.protocol;
  return !isLiteralString(p) || ["*", "tcp", "udp"].includes(p.toLowerCase());
}

/** Whether any destination port spec (`*`, `3389`, `3000-4000`, or a token) may include `port`. */
export function portsInclude(ports: readonly string[], port: number): boolean {
  return ports.some((spec) => {
    if (isToken(spec)) return true; // unknown at synth time: assume the worst
    const s = spec.trim();
    if (s === "*") return true;
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(s);
    if (range) return Number(range[1]) <= port && port <= Number(range[2]);
    return /^\d+$/.test(s) && Number(s) === port;
  });
}

/** The sources of `rule` that cannot be proven inside `cidrs` (tokens never can). */
export function sourcesOutside(rule: NsgRule, cidrs: readonly string[]): string[] {
  return rule.sources.filter((s) => isToken(s) || !prefixWithin(s, cidrs));
}

/** Whether a literal source prefix (CIDR or bare address) lies inside one of the given CIDRs. */
export function prefixWithin(prefix: string, cidrs: readonly string[]): boolean {
  const inner = AddressRange.tryParse(prefix);
  if (!inner) return false;
  return cidrs.some((c) => AddressRange.tryParse(c)?.containsRange(inner) ?? false);
}

/**
 * Why a source prefix counts as Internet-wide, or undefined when it does not. The judgement is
 * AddressRange's, shared with environment-file validation, so the two can never disagree.
 */
export function internetWideReason(prefix: string): string | undefined {
  if (isToken(prefix)) return undefined; // not a literal: cannot be judged here
  return AddressRange.internetWideProblem(prefix);
}
