// NSG rule extraction and CIDR math shared by the network rules. CIDR math uses ipaddr.js,
// not regular expressions: prefixes like "10.0.0.0/7" or "::ffff:0:0/96" are easy to misjudge by eye.
import * as ipaddr from "ipaddr.js";
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

/** Service tags that mean "anyone on the Internet" (Azure NSG docs: `*`, `Any`, `Internet`). */
const INTERNET_TAGS = new Set(["*", "any", "internet"]);

/**
 * `AzureCloud` (optionally `AzureCloud.<region>`) is every public IP of Azure: any tenant can
 * rent one, so for an inbound rule it is as good as the Internet.
 */
function isAzureCloudTag(prefix: string): boolean {
  return /^azurecloud(\.[a-z0-9]+)?$/i.test(prefix);
}

/** Ranges that are not reachable from the Internet (RFC 1918, CGNAT, loopback, link-local, ULA). */
const NON_PUBLIC: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
  "::1/128",
].map((c) => ipaddr.parseCIDR(c));

/** Parses `a.b.c.d`, `a.b.c.d/n` or IPv6 equivalents; undefined for service tags and tokens. */
export function parsePrefix(prefix: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const p = prefix.trim();
  if (ipaddr.isValidCIDR(p)) return ipaddr.parseCIDR(p);
  if (ipaddr.isValid(p)) {
    const a = ipaddr.parse(p);
    return [a, a.kind() === "ipv4" ? 32 : 128];
  }
  return undefined;
}

/** `inner` lies entirely inside `outer` (same family, at least as long a prefix, matching network bits). */
export function cidrWithin(
  inner: [ipaddr.IPv4 | ipaddr.IPv6, number],
  outer: [ipaddr.IPv4 | ipaddr.IPv6, number],
): boolean {
  return inner[0].kind() === outer[0].kind() && inner[1] >= outer[1] && inner[0].match(outer);
}

/** Whether a literal source prefix lies inside one of the given CIDRs. */
export function prefixWithin(prefix: string, cidrs: readonly string[]): boolean {
  const inner = parsePrefix(prefix);
  if (!inner) return false;
  return cidrs.some((c) => {
    const outer = parsePrefix(c);
    return outer !== undefined && cidrWithin(inner, outer);
  });
}

/**
 * Why a source prefix counts as Internet-wide, or undefined when it does not.
 *
 * The bound: any IPv4 prefix shorter than /8 or IPv6 prefix shorter than /32 (these always span
 * several allocations, most of it public), and any range reaching public address space that is
 * wider than /16 (IPv4, 65,536 addresses) or /48 (IPv6, one site). A KMS client estate that needs
 * more than a /16 of *public* sources should list its ranges, not open a continent. Private
 * ranges (RFC 1918 etc.) up to /8 are fine: they are only reachable from our own networks.
 */
export function internetWideReason(prefix: string): string | undefined {
  const p = prefix.trim();
  if (isToken(p)) return undefined; // not a literal: cannot be judged here
  if (INTERNET_TAGS.has(p.toLowerCase())) return `service tag/wildcard ${JSON.stringify(p)} means the whole Internet`;
  if (isAzureCloudTag(p)) return `service tag ${JSON.stringify(p)} is every public IP of Azure, usable by any tenant`;
  const cidr = parsePrefix(p);
  if (!cidr) return undefined; // other service tags (VirtualNetwork, AzureLoadBalancer, ...) are not Internet-wide
  const [addr, len] = cidr;
  const v4 = addr.kind() === "ipv4";
  if (len < (v4 ? 8 : 32)) return `${p} spans more than a /${v4 ? 8 : 32}`;
  const isPrivate = NON_PUBLIC.some((range) => cidrWithin(cidr, range));
  if (!isPrivate && len < (v4 ? 16 : 48)) return `${p} is a public range wider than /${v4 ? 16 : 48}`;
  return undefined;
}
