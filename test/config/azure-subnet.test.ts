// config/azure-subnet.ts: what Azure keeps of every subnet (the virtual network FAQ cited there).
import { AZURE_RESERVED_ADDRESSES_PER_SUBNET, reservedAddressRole, usableAddressCount } from "../../config/azure-subnet";

describe("reservedAddressRole", () => {
  test.each([
    ["10.50.0.0/27", "10.50.0.0", "the network address"],
    ["10.50.0.0/27", "10.50.0.1", "the default gateway"],
    ["10.50.0.0/27", "10.50.0.2", "an Azure DNS address"],
    ["10.50.0.0/27", "10.50.0.3", "an Azure DNS address"],
    ["10.50.0.0/27", "10.50.0.4", undefined],
    ["10.50.0.0/27", "10.50.0.30", undefined],
    ["10.50.0.0/27", "10.50.0.31", "the broadcast address"],
    ["10.50.0.32/27", "10.50.0.32", "the network address"],
    ["10.50.0.32/27", "10.50.0.63", "the broadcast address"],
    // Subnets that span octets: offsets count across them.
    ["10.50.0.0/23", "10.50.1.0", undefined],
    ["10.50.0.0/23", "10.50.0.255", undefined],
    ["10.50.0.0/23", "10.50.1.255", "the broadcast address"],
    ["10.0.0.0/8", "10.255.255.255", "the broadcast address"],
    ["10.0.0.0/8", "10.0.1.1", undefined],
    ["10.50.0.0/29", "10.50.0.7", "the broadcast address"],
    ["10.50.0.0/29", "10.50.0.4", undefined],
  ])("in %s, %s is %s", (cidr, address, role) => {
    expect(reservedAddressRole(cidr, address)).toBe(role);
  });
});

describe("usableAddressCount", () => {
  test.each([
    [29, 3],
    [27, 27],
    [24, 251],
    [30, 0],
    [32, 0],
  ])("a /%i leaves %i addresses", (prefixLength, usable) => {
    expect(usableAddressCount(prefixLength)).toBe(usable);
  });

  test("Azure keeps five addresses of every subnet", () => {
    expect(AZURE_RESERVED_ADDRESSES_PER_SUBNET).toBe(5);
  });
});
