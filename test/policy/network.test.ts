// policy/network.ts and the value helpers of policy/config.ts, on their own: how the network rules
// read NSG rules, port specs and source prefixes. A port read wrongly opens or hides the KMS or
// management ports, so each form is pinned here.
import { blocks, isFalse, isToken, isTrue, referencedAddress, strings } from "../../policy/config";
import { carriesPorts, nsgRules, portsInclude, prefixWithin } from "../../policy/network";
import { resolvedResource } from "./resolved-resource";

const resource = resolvedResource;

describe("portsInclude", () => {
  test.each([
    [["1688"], true],
    [[" 1688 "], true],
    [["*"], true],
    [["1000-2000"], true],
    [["1688-1688"], true],
    [["1688 - 1690"], true],
    [["1600-1688"], true],
    [["${var.port}"], true],
    [["3389", "1688"], true],
    [["1689"], false],
    [["1689-2000"], false],
    [["1000-1687"], false],
    [["11688"], false],
    [["16880"], false],
    [["1688x"], false],
    [["x1688"], false],
    [["1000-1700x"], false],
    [["x1000-1700"], false],
    [["1000 -x 1700"], false],
    [["3389"], false],
    [[], false],
  ])("%j includes 1688: %p", (ports, included) => {
    expect(portsInclude(ports, 1688)).toBe(included);
  });
});

describe("prefixWithin", () => {
  test.each([
    ["10.1.2.0/24", ["10.0.0.0/8"], true],
    ["10.1.2.3", ["10.0.0.0/8"], true],
    ["10.0.0.0/8", ["10.0.0.0/8"], true],
    ["10.0.0.0/7", ["10.0.0.0/8"], false],
    ["11.0.0.1", ["10.0.0.0/8", "not a range"], false],
    ["not a range", ["0.0.0.0/0"], false],
  ])("%s within %j: %p", (prefix, cidrs, within) => {
    expect(prefixWithin(prefix, cidrs)).toBe(within);
  });
});

describe("carriesPorts", () => {
  test.each([
    ["Tcp", true],
    ["udp", true],
    ["*", true],
    ["${var.protocol}", true],
    ["Icmp", false],
    ["Esp", false],
    ["", false],
  ])("protocol %j: %p", (protocol, carries) => {
    expect(carriesPorts({ label: "r", attributes: { protocol }, sources: [], ports: [] })).toBe(carries);
  });
});

describe("nsgRules", () => {
  test("reads a standalone rule under its name, or its resource name when it has none", () => {
    expect(nsgRules(resource("azurerm_network_security_rule", "allow", { name: "allow-kms", source_address_prefix: "10.0.0.0/8", destination_port_ranges: ["1688", 3389, ""] }))).toEqual([
      { label: 'rule "allow-kms"', attributes: expect.any(Object), sources: ["10.0.0.0/8"], ports: ["1688", "3389"] },
    ]);
    expect(nsgRules(resource("azurerm_network_security_rule", "allow", {}))[0].label).toBe('rule "allow"');
  });

  test("reads an NSG's inline rules, naming an unnamed one by its index", () => {
    const nsg = resource("azurerm_network_security_group", "nsg", { security_rule: [{ name: "a", destination_port_range: "1688" }, { destination_port_range: "3389" }] });
    expect(nsgRules(nsg).map((r) => [r.label, r.ports])).toEqual([
      ['security_rule "a"', ["1688"]],
      ['security_rule "#1"', ["3389"]],
    ]);
  });

  test("reads nothing from other resource types", () => {
    expect(nsgRules(resource("azurerm_network_interface", "nic", { security_rule: [{ name: "a" }] }))).toEqual([]);
  });
});

describe("policy/config.ts value helpers", () => {
  test("isTrue and isFalse take only the literal boolean or its string", () => {
    expect([true, "true", false, "false", "True", 1, undefined, "${var.x}"].map(isTrue)).toEqual([true, true, false, false, false, false, false, false]);
    expect([true, "true", false, "false", "False", 0, undefined, "${var.x}"].map(isFalse)).toEqual([false, false, true, true, false, false, false, false]);
  });

  test("isToken: a string holding a reference", () => {
    expect(["${var.x}", "prefix-${var.x}", "plain", 5, undefined].map(isToken)).toEqual([true, true, false, false, false]);
  });

  test("blocks: a list keeps only its objects, a single object becomes a list, anything else none", () => {
    expect(blocks([{ a: 1 }, "x", null, [1], { b: 2 }])).toEqual([{ a: 1 }, { b: 2 }]);
    expect(blocks({ a: 1 })).toEqual([{ a: 1 }]);
    expect(blocks("x")).toEqual([]);
  });

  test("strings: strings and numbers of scalars and lists (a number in a list is a port too), empty strings and other values dropped", () => {
    expect(strings("a", "", ["b", "", 3, null, "c"], 4, null, undefined, true)).toEqual(["a", "b", "3", "c", "4"]);
  });

  test("referencedAddress: the address of one whole reference to the given attribute", () => {
    expect(referencedAddress("${azurerm_resource_group.rg.id}", "id")).toBe("azurerm_resource_group.rg");
    expect(referencedAddress("${data.azurerm_resource_group.rg-1.name}", "name")).toBe("data.azurerm_resource_group.rg-1");
    expect(referencedAddress("${azurerm_resource_group.rg.name}", "id")).toBeUndefined();
    expect(referencedAddress("x${azurerm_resource_group.rg.id}", "id")).toBeUndefined();
    expect(referencedAddress("${azurerm_resource_group.rg.id}x", "id")).toBeUndefined();
    expect(referencedAddress(5, "id")).toBeUndefined();
  });
});
