// What Azure keeps of every subnet. Source: Microsoft's virtual network FAQ
// (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq), "Are there any
// restrictions on using IP addresses within these subnets?": Azure reserves the first four and the
// last IP address of every subnet (x.x.x.0 network address, x.x.x.1 default gateway, x.x.x.2 and
// x.x.x.3 Azure DNS, x.x.x.255 broadcast in a /24), five in all; and "How small and how large can
// virtual networks and subnets be?": the smallest supported IPv4 subnet is /29.
import * as ipaddr from "ipaddr.js";

/** Addresses Azure keeps in every subnet. */
export const AZURE_RESERVED_ADDRESSES_PER_SUBNET = 5;

/** Longest IPv4 prefix Azure accepts for a subnet (/29, eight addresses, three usable). */
export const MIN_AZURE_SUBNET_PREFIX = 29;

/** Addresses left for VMs in an IPv4 subnet of this prefix length. */
export function usableAddressCount(prefixLength: number): number {
  return Math.max(0, 2 ** (32 - prefixLength) - AZURE_RESERVED_ADDRESSES_PER_SUBNET);
}

/**
 * What Azure uses `address` for in the IPv4 subnet `cidr` (e.g. "the default gateway"), or
 * undefined when a VM may have it. `address` must lie inside `cidr`.
 */
export function reservedAddressRole(cidr: string, address: string): string | undefined {
  const [network, prefixLength] = ipaddr.IPv4.parseCIDR(cidr);
  const offset = toNumber(ipaddr.IPv4.parse(address)) - toNumber(ipaddr.IPv4.networkAddressFromCIDR(`${network.toString()}/${prefixLength}`));
  const size = 2 ** (32 - prefixLength);
  const roles: readonly (string | undefined)[] = ["the network address", "the default gateway", "an Azure DNS address", "an Azure DNS address"];
  return roles[offset] ?? (offset === size - 1 ? "the broadcast address" : undefined);
}

function toNumber(address: ipaddr.IPv4): number {
  return address.octets.reduce((sum, octet) => sum * 256 + octet, 0);
}
