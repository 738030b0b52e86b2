import { AddressRange } from "../constructs/address-range";

describe("AddressRange", () => {
  test.each(["10.0.0.0/8", "192.168.10.0/24", "172.16.0.0/12", "100.64.0.0/10", "203.0.113.0/24", "fd00:1234::/48", "10.1.2.3/32"])(
    "accepts the bounded network %s",
    (cidr) => {
      expect(AddressRange.cidrProblem(cidr)).toBeUndefined();
      expect(AddressRange.declaredNetworkProblem(cidr)).toBeUndefined();
    },
  );

  test.each(["0.0.0.0/0", "*", "Any", "any", "Internet", "INTERNET", "::/0", "0.0.0.0"])("refuses the Internet-wide source %s", (source) => {
    expect(AddressRange.internetWideProblem(source)).toMatch(/whole Internet/);
    expect(AddressRange.declaredNetworkProblem(source)).toMatch(/whole Internet/);
  });

  test.each([
    ["a /7 that spills past 10.0.0.0/8", "8.0.0.0/7"],
    ["a public /12", "20.0.0.0/12"],
    ["a public IPv6 /32", "2001:db8::/32"],
    ["a unique-local IPv6 /6", "fc00::/6"],
  ])("refuses %s as too broad", (_what, cidr) => {
    expect(AddressRange.internetWideProblem(cidr)).toMatch(/too broad/);
  });

  test.each(["AzureCloud", "AzureCloud.westeurope"])("judges %s Internet-wide: any tenant can rent its addresses", (tag) => {
    expect(AddressRange.internetWideProblem(tag)).toMatch(/any tenant can rent/);
  });

  test.each(["VirtualNetwork", "AzureLoadBalancer"])("refuses the service tag %s as a declared network, without calling it Internet-wide", (tag) => {
    expect(AddressRange.declaredNetworkProblem(tag)).toMatch(/service tag/);
    expect(AddressRange.internetWideProblem(tag)).toBeUndefined();
  });

  test("parses bare addresses leniently for NSG prefixes", () => {
    expect(AddressRange.tryParse("10.0.0.4")?.cidr).toBe("10.0.0.4/32");
    expect(AddressRange.tryParse("10.0.0.5/8")?.cidr).toBe("10.0.0.0/8");
    expect(AddressRange.tryParse("${azurerm_network_interface.x.private_ip_address}")).toBeUndefined();
  });

  test.each([
    ["a bare address", "10.0.0.1", /not a CIDR block.*10\.0\.0\.1\/32/],
    ["a prefix over 32", "10.0.0.0/33", /not a valid CIDR/],
    ["an octet over 255", "10.300.0.0/16", /not a valid CIDR/],
    ["a short form", "10/8", /not a valid CIDR/],
    ["host bits set", "10.0.0.5/8", /host bits set.*10\.0\.0\.0\/8/],
    ["text", "corp-network", /not a CIDR block/],
  ])("explains %s", (_what, text, message) => {
    expect(AddressRange.cidrProblem(text)).toMatch(message);
    expect(() => AddressRange.of(text)).toThrow(message);
  });

  test("contains addresses and ranges of its own family only", () => {
    const range = AddressRange.of("10.50.0.0/24");
    expect(range.containsAddress("10.50.0.10")).toBe(true);
    expect(range.containsAddress("10.50.1.10")).toBe(false);
    expect(range.containsAddress("::1")).toBe(false);
    expect(range.containsRange(AddressRange.of("10.50.0.0/27"))).toBe(true);
    expect(range.containsRange(AddressRange.of("10.50.0.0/23"))).toBe(false);
    expect(range.containsRange(AddressRange.of("fd00::/64"))).toBe(false);
  });

  test.each([
    ["10.0.0.1/8", "10.0.0.0/8"],
    ["11.0.0.0/7", "10.0.0.0/7"],
    ["192.168.10.128/24", "192.168.10.0/24"],
    ["192.168.10.1/31", "192.168.10.0/31"],
    ["fd00:1234::1/48", "fd00:1234::/48"],
  ])("the host bits of %s are refused, naming the network address %s", (text, network) => {
    expect(AddressRange.cidrProblem(text)).toBe(`"${text}" has host bits set; write the network address ${network}`);
  });

  test.each(["10.0.0.0/32", "10.0.0.1/32", "192.168.10.2/31", "fd00::1/128"])("a single address (or /31 pair) %s has no host bits", (text) => {
    expect(AddressRange.cidrProblem(text)).toBeUndefined();
  });

  test("names the kind and family of a too-broad range and its bound", () => {
    expect(AddressRange.internetWideProblem("20.0.0.0/12")).toBe('"20.0.0.0/12" is too broad: a public (Internet-routable) IPv4 range must be /16 or narrower; list the client networks that need activation instead');
    expect(AddressRange.internetWideProblem("fc00::/6")).toBe('"fc00::/6" is too broad: a non-public IPv6 range must be /7 or narrower; list the client networks that need activation instead');
    expect(AddressRange.internetWideProblem("2001:db8::/47")).toMatch(/a public \(Internet-routable\) IPv6 range must be \/48/);
    expect(AddressRange.internetWideProblem("8.0.0.0/7")).toMatch(/a public \(Internet-routable\) IPv4 range must be \/16/);
    // Exactly at the bounds: accepted.
    for (const cidr of ["20.0.0.0/16", "2001:db8::/48", "10.0.0.0/8", "fc00::/7"]) expect(AddressRange.internetWideProblem(cidr)).toBeUndefined();
  });

  test.each(["::", "::0/0", "0.0.0.0"])("the unspecified address %s is Internet-wide", (text) => {
    expect(AddressRange.internetWideProblem(text)).toMatch(/whole Internet/);
  });

  test.each([
    ["private", "10.0.0.0/8", false],
    ["CGNAT", "100.64.0.0/10", false],
    ["unique-local", "fd00::/8", false],
    ["link-local IPv4", "169.254.0.0/16", false],
    ["link-local IPv6", "fe80::/10", false],
    ["loopback", "127.0.0.0/8", false],
    ["public IPv4", "8.8.8.0/24", true],
    ["public IPv6", "2001:db8::/48", true],
  ])("a %s range is public: %s", (_what, cidr, isPublic) => {
    expect(AddressRange.of(cidr).isPublic).toBe(isPublic);
  });

  test("ignores surrounding spaces everywhere", () => {
    expect(AddressRange.of(" 10.0.0.0/8 ").cidr).toBe("10.0.0.0/8");
    expect(AddressRange.cidrProblem(" 10.0.0.0/8 ")).toBeUndefined();
    expect(AddressRange.internetWideProblem(" Internet ")).toMatch(/whole Internet/);
    expect(AddressRange.declaredNetworkProblem(" VirtualNetwork ")).toMatch(/service tag/);
    expect(AddressRange.tryParse(" 10.0.0.4 ")?.cidr).toBe("10.0.0.4/32");
    expect(AddressRange.tryParse(" 10.0.0.0/8 ")?.cidr).toBe("10.0.0.0/8");
  });

  test("recognises AzureCloud tags exactly, not names that merely contain them", () => {
    expect(AddressRange.internetWideProblem("AzureCloudish")).toBeUndefined();
    expect(AddressRange.internetWideProblem("NotAzureCloud")).toBeUndefined();
    expect(AddressRange.internetWideProblem("AzureCloud.eastus2")).toMatch(/any tenant can rent/);
  });

  test("calls only a word a service tag; other text is not a CIDR block", () => {
    expect(AddressRange.declaredNetworkProblem("corp-network")).toMatch(/is not a CIDR block/);
    expect(AddressRange.declaredNetworkProblem("1abc")).toMatch(/is not a CIDR block/);
    expect(AddressRange.declaredNetworkProblem("Storage.WestEurope")).toMatch(/service tag/);
  });

  test("parses a bare IPv6 address as /128 and refuses invalid text", () => {
    expect(AddressRange.tryParse("fd00::4")?.cidr).toBe("fd00::4/128");
    expect(AddressRange.tryParse("10.0.0.0/33")).toBeUndefined();
    expect(AddressRange.tryParse("fd00::/129")).toBeUndefined();
    expect(AddressRange.tryParse("10.0.0.256")).toBeUndefined();
    expect(AddressRange.tryParse("kms")).toBeUndefined();
  });

  test("a range contains itself; text that is not an address is contained nowhere", () => {
    const range = AddressRange.of("10.50.0.0/24");
    expect(range.containsRange(AddressRange.of("10.50.0.0/24"))).toBe(true);
    expect(range.containsAddress("not-an-address")).toBe(false);
    expect(range.containsAddress("10.50.0.255")).toBe(true);
    expect(`${range}`).toBe("10.50.0.0/24");
  });
});
