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
});
