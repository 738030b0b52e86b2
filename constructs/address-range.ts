// AddressRange: a validated CIDR block, and the single place that decides whether a range is too
// broad to be a source of traffic to a KMS host. The environment-file validation, the firewall
// rule construct and the security policy pack all ask this file, so they can never disagree.
import * as ipaddr from "ipaddr.js";

/**
 * Source words that Azure network security rules accept and that mean "anywhere". A KMS host
 * answers any client that reaches it, so none of them may ever be a source.
 */
const INTERNET_WIDE_WORDS = new Set(["*", "any", "internet", "0.0.0.0", "0.0.0.0/0", "::", "::/0", "::0/0"]);

/**
 * The shortest prefix accepted for a range of private or otherwise non-routable addresses
 * (RFC 1918, CGNAT, IPv6 unique-local). 10.0.0.0/8 is a real corporate network; anything wider
 * spills into public space.
 */
export const MIN_PREFIX_NON_PUBLIC = { ipv4: 8, ipv6: 7 } as const;

/**
 * The shortest prefix accepted for a range of public (Internet-routable) addresses. On-premises
 * networks with public addressing exist, but a public /16 is already 65,536 Internet addresses;
 * anything wider is "the Internet" in practice.
 */
export const MIN_PREFIX_PUBLIC = { ipv4: 16, ipv6: 48 } as const;

/** ipaddr.js range names that are not routed on the public Internet. */
const NON_PUBLIC_RANGES = new Set(["private", "carrierGradeNat", "uniqueLocal", "linkLocal", "loopback"]);

/** A CIDR block (IPv4 or IPv6) in canonical network-address form. */
export class AddressRange {
  /**
   * Parses `text` as a CIDR block. Throws a `RangeError` that says what is wrong and how to fix it.
   * A bare address is not accepted: write `/32` (IPv4) or `/128` (IPv6) to mean one address.
   */
  public static of(text: string): AddressRange {
    const problem = AddressRange.cidrProblem(text);
    if (problem) throw new RangeError(problem);
    const [address, prefixLength] = parseCidr(text.trim());
    return new AddressRange(address, prefixLength);
  }

  /**
   * Why `text` is not a valid CIDR block, or `undefined` when it is one. Does not judge breadth:
   * see {@link AddressRange.internetExposureProblem}.
   */
  public static cidrProblem(text: string): string | undefined {
    const trimmed = text.trim();
    if (!trimmed.includes("/")) {
      return `"${text}" is not a CIDR block; write an address range such as 10.20.0.0/16 (or ${trimmed}/32 for one IPv4 address)`;
    }
    const valid = trimmed.includes(":") ? ipaddr.IPv6.isValidCIDR(trimmed) : ipaddr.IPv4.isValidCIDRFourPartDecimal(trimmed);
    if (!valid) {
      return `"${text}" is not a valid CIDR block; write an address range such as 10.20.0.0/16 or fd00:1234::/48`;
    }
    const [address, prefixLength] = parseCidr(trimmed);
    const network = networkAddress(address, prefixLength);
    if (network.toString() !== address.toString()) {
      return `"${text}" has host bits set; write the network address ${network.toString()}/${prefixLength}`;
    }
    return undefined;
  }

  /**
   * Why an NSG source of `text` is Internet-wide, or `undefined` when it is not: the words `*`,
   * `Any`, `Internet`, the `AzureCloud` tags (every public IP of Azure, rentable by any tenant) and
   * CIDR blocks wider than the bounds above. Other service tags and non-CIDR text are not judged
   * here (they are not Internet-wide; whether they are acceptable is the caller's question).
   */
  public static internetWideProblem(text: string): string | undefined {
    const trimmed = text.trim();
    const lower = trimmed.toLowerCase();
    if (INTERNET_WIDE_WORDS.has(lower)) {
      return `"${text}" opens the port to the whole Internet; list your client networks instead`;
    }
    if (/^azurecloud(\.[a-z0-9]+)?$/.test(lower)) {
      return `"${text}" is every public IP address of Azure, which any tenant can rent; list your client networks instead`;
    }
    const range = AddressRange.tryParse(trimmed);
    if (!range) return undefined;
    const floor = range.isPublic ? MIN_PREFIX_PUBLIC[range.version] : MIN_PREFIX_NON_PUBLIC[range.version];
    if (range.prefixLength < floor) {
      const kind = range.isPublic ? "public (Internet-routable)" : "non-public";
      return `"${text}" is too broad: a ${kind} ${range.version === "ipv4" ? "IPv4" : "IPv6"} range must be /${floor} or narrower; list the client networks that need activation instead`;
    }
    return undefined;
  }

  /**
   * Why `text` is not acceptable as a declared network (a client or admin range), or `undefined`
   * when it is a valid, bounded CIDR block. Service tags are refused: `VirtualNetwork` alone
   * includes every peered and on-premises range.
   */
  public static declaredNetworkProblem(text: string): string | undefined {
    const wide = AddressRange.internetWideProblem(text);
    if (wide) return wide;
    const trimmed = text.trim();
    // A word: no "/" and never an IP address (those have digits first or a ":").
    if (/^[A-Za-z][A-Za-z0-9.]*$/.test(trimmed)) {
      return `"${text}" is a service tag, not a declared network; list the address ranges instead`;
    }
    return AddressRange.cidrProblem(text);
  }

  /**
   * A range for `text` if it is a CIDR block or a bare IP address (taken as /32 or /128), else
   * `undefined`. Lenient about host bits, as Azure is for NSG prefixes.
   */
  public static tryParse(text: string): AddressRange | undefined {
    const trimmed = text.trim();
    if (trimmed.includes("/")) {
      const valid = trimmed.includes(":") ? ipaddr.IPv6.isValidCIDR(trimmed) : ipaddr.IPv4.isValidCIDRFourPartDecimal(trimmed);
      if (!valid) return undefined;
      const [address, prefixLength] = parseCidr(trimmed);
      return new AddressRange(networkAddress(address, prefixLength), prefixLength);
    }
    const valid = trimmed.includes(":") ? ipaddr.IPv6.isValid(trimmed) : ipaddr.IPv4.isValidFourPartDecimal(trimmed);
    if (!valid) return undefined;
    const address = trimmed.includes(":") ? ipaddr.IPv6.parse(trimmed) : ipaddr.IPv4.parse(trimmed);
    return new AddressRange(address, address.kind() === "ipv4" ? 32 : 128);
  }

  /** `ipv4` or `ipv6`. */
  public readonly version: "ipv4" | "ipv6";
  /** Prefix length in bits. */
  public readonly prefixLength: number;
  /** Whether the range is Internet-routable (not private, CGNAT, unique-local, link-local or loopback). */
  public readonly isPublic: boolean;
  private readonly network: ipaddr.IPv4 | ipaddr.IPv6;

  private constructor(address: ipaddr.IPv4 | ipaddr.IPv6, prefixLength: number) {
    this.network = address;
    this.prefixLength = prefixLength;
    this.version = address.kind();
    this.isPublic = !NON_PUBLIC_RANGES.has(address.range());
  }

  /** The canonical CIDR text, e.g. `10.20.0.0/16`. */
  public get cidr(): string {
    return `${this.network.toString()}/${this.prefixLength}`;
  }

  /** Whether `address` (an IP address, not a range) lies inside this range. */
  public containsAddress(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.parse(address);
    if (parsed.kind() !== this.version) return false;
    return parsed.match(this.network, this.prefixLength);
  }

  /** Whether `other` lies entirely inside this range. */
  public containsRange(other: AddressRange): boolean {
    // containsAddress refuses an address of the other family.
    return other.prefixLength >= this.prefixLength && this.containsAddress(other.network.toString());
  }

  public toString(): string {
    return this.cidr;
  }
}

/**
 * ipaddr.parseCIDR for text already known to be a valid CIDR block of the family its colons say:
 * the generic one tries IPv6 first and throws and catches an error for every IPv4 block (about a
 * third of a synth's address handling).
 */
function parseCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return text.includes(":") ? ipaddr.IPv6.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text);
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, prefixLength: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = address.toByteArray();
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  }
  return ipaddr.fromByteArray(bytes);
}
