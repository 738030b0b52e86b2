import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NatGateway } from "@cdktf/provider-azurerm/lib/nat-gateway";
import { NatGatewayPublicIpAssociation } from "@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { PublicIpPrefix } from "@cdktf/provider-azurerm/lib/public-ip-prefix";
import { findings, nic, nsgRule, synth } from "./harness";

/** A NAT gateway with its public IP (azurerm_public_ip.pip), as KmsNatGateway builds it. */
function natEgress(b: { stack: import("cdktf").TerraformStack; rg: { name: string } }): void {
  const pip = new PublicIp(b.stack, "pip", { name: "pip", location: "westeurope", resourceGroupName: b.rg.name, allocationMethod: "Static", sku: "Standard" });
  const nat = new NatGateway(b.stack, "nat", { name: "ng", location: "westeurope", resourceGroupName: b.rg.name });
  new NatGatewayPublicIpAssociation(b.stack, "nat-pip", { natGatewayId: nat.id, publicIpAddressId: pip.id });
}

describe("KMS-NET-001 no public IP", () => {
  test("Noncompliance 1: an azurerm_public_ip resource", () => {
    const r = synth((b) => {
      new PublicIp(b.stack, "pip", { name: "pip", location: "westeurope", resourceGroupName: b.rg.name, allocationMethod: "Static" });
    });
    expect(findings(r, "KMS-NET-001")).toEqual([expect.stringContaining("[KMS-NET-001] azurerm_public_ip.pip: azurerm_public_ip is not a NAT gateway's egress address")]);
    expect(r.thrown?.message).toContain("KMS-NET-001");
  });

  test("Noncompliance 5: a NAT gateway's public IP also attached to a NIC", () => {
    const r = synth((b) => {
      natEgress(b);
      nic(b.stack, b, "nic", {
        ipConfiguration: [{ name: "primary", subnetId: "${var.subnet_id}", privateIpAddressAllocation: "Dynamic", publicIpAddressId: "${azurerm_public_ip.pip.id}" }],
      });
    });
    expect(findings(r, "KMS-NET-001")).toEqual(
      expect.arrayContaining([expect.stringContaining("azurerm_network_interface.nic uses the public IP azurerm_public_ip.pip"), expect.stringMatching(/azurerm_network_interface\.nic: ip_configuration "primary" sets public_ip_address_id/)]),
    );
  });

  test("Noncompliance 6: an azurerm_public_ip_prefix, even for a NAT gateway", () => {
    const r = synth((b) => void new PublicIpPrefix(b.stack, "prefix", { name: "ippre", location: "westeurope", resourceGroupName: b.rg.name, prefixLength: 31 }));
    expect(findings(r, "KMS-NET-001")).toEqual([expect.stringContaining("[KMS-NET-001] azurerm_public_ip_prefix.prefix: azurerm_public_ip_prefix is not allowed")]);
  });

  test("Compliance: a public IP that is only a NAT gateway's egress address", () => {
    const r = synth((b) => natEgress(b));
    expect(findings(r, "KMS-NET-001")).toEqual([]);
  });

  test("Noncompliance 2: a NIC ip_configuration with public_ip_address_id", () => {
    const r = synth((b) => {
      nic(b.stack, b, "nic", {
        ipConfiguration: [{ name: "primary", subnetId: "${var.subnet_id}", privateIpAddressAllocation: "Dynamic", publicIpAddressId: "${var.pip_id}" }],
      });
    });
    expect(findings(r, "KMS-NET-001")).toEqual([expect.stringMatching(/^\[KMS-NET-001\] azurerm_network_interface\.nic: ip_configuration "primary" sets public_ip_address_id/)]);
  });

  test("Noncompliance 3: public_ip_address_id added through an escape-hatch override into the list", () => {
    // cdktf's deepMerge walks into the existing list, so "ip_configuration.0.x" patches the first block.
    const r = synth((b) => nic(b.stack, b, "nic").addOverride("ip_configuration.0.public_ip_address_id", "${azurerm_public_ip.x.id}"));
    expect(findings(r, "KMS-NET-001")).toEqual([expect.stringContaining('[KMS-NET-001] azurerm_network_interface.nic: ip_configuration "primary" sets public_ip_address_id = "${azurerm_public_ip.x.id}"')]);
    expect(r.thrown?.message).toMatch(/\[KMS-NET-001\] azurerm_network_interface\.nic/);
  });

  test("Noncompliance 4: an extra ip_configuration block appended by an override", () => {
    const r = synth((b) =>
      nic(b.stack, b, "nic").addOverride("ip_configuration", [{ name: "sneaky", subnet_id: "x", private_ip_address_allocation: "Dynamic", public_ip_address_id: "pip" }]),
    );
    expect(findings(r, "KMS-NET-001")).toEqual([expect.stringContaining('azurerm_network_interface.nic: ip_configuration "sneaky" sets public_ip_address_id')]);
  });

  test("Compliance: private NIC", () => {
    const r = synth((b) => void nic(b.stack, b, "nic"));
    expect(findings(r, "KMS-NET-001")).toEqual([]);
  });
});

describe("KMS-NET-002 no IP forwarding", () => {
  test("Noncompliance 1: ip_forwarding_enabled = true", () => {
    const r = synth((b) => void nic(b.stack, b, "nic", { ipForwardingEnabled: true }));
    expect(findings(r, "KMS-NET-002")).toEqual(["[KMS-NET-002] azurerm_network_interface.nic: ip_forwarding_enabled = true. Set ip_forwarding_enabled to false or remove it."]);
  });

  test("Noncompliance 2: the azurerm 3 name through an override", () => {
    const r = synth((b) => nic(b.stack, b, "nic").addOverride("enable_ip_forwarding", true));
    expect(findings(r, "KMS-NET-002")).toEqual([expect.stringContaining("enable_ip_forwarding = true")]);
  });

  test("Compliance: explicit false", () => {
    const r = synth((b) => void nic(b.stack, b, "nic", { ipForwardingEnabled: false }));
    expect(findings(r, "KMS-NET-002")).toEqual([]);
  });
});

describe("KMS-NET-003 no Internet-wide inbound", () => {
  test.each([["*"], ["Internet"], ["Any"], ["0.0.0.0/0"], ["::/0"], ["AzureCloud"], ["8.0.0.0/7"], ["20.0.0.0/12"], ["2001:db8::/32"]])(
    "Noncompliance: inbound Allow from %s",
    (source) => {
      const r = synth((b) => void nsgRule(b.stack, b, "open", { sourceAddressPrefixes: undefined, sourceAddressPrefix: source, destinationPortRange: "443" }));
      expect(findings(r, "KMS-NET-003")).toEqual([expect.stringContaining(`[KMS-NET-003] azurerm_network_security_rule.open: rule "open" allows Inbound from ${JSON.stringify(source)}`)]);
    },
  );

  test("Noncompliance: one broad entry in source_address_prefixes of an inline security_rule", () => {
    const r = synth((b) => {
      new NetworkSecurityGroup(b.stack, "nsg", {
        name: "nsg", location: "westeurope", resourceGroupName: b.rg.name,
        securityRule: [{
          name: "mixed", priority: 100, direction: "Inbound", access: "Allow", protocol: "Udp", sourcePortRange: "*",
          destinationPortRange: "53", sourceAddressPrefixes: ["10.20.0.0/16", "0.0.0.0/0"], destinationAddressPrefix: "*",
        }],
      });
    });
    expect(findings(r, "KMS-NET-003")).toEqual([expect.stringContaining('azurerm_network_security_group.nsg: security_rule "mixed" allows Inbound from "0.0.0.0/0"')]);
  });

  test("Noncompliance: an escape-hatch override opening the source to the Internet", () => {
    const r = synth((b) => nsgRule(b.stack, b, "kms").addOverride("source_address_prefix", "Internet"));
    expect(findings(r, "KMS-NET-003")).toEqual([expect.stringContaining('[KMS-NET-003] azurerm_network_security_rule.kms: rule "kms" allows Inbound from "Internet"')]);
    expect(r.thrown?.message).toMatch(/KMS-NET-003.*azurerm_network_security_rule\.kms/);
  });

  test("Compliance: private /8, public /24, Deny and Outbound rules, service tag VirtualNetwork", () => {
    const r = synth((b) => {
      nsgRule(b.stack, b, "private8", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "10.0.0.0/8", destinationPortRange: "443" });
      nsgRule(b.stack, b, "public24", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "203.0.113.0/24", destinationPortRange: "443" });
      nsgRule(b.stack, b, "vnet", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "VirtualNetwork", destinationPortRange: "443" });
      nsgRule(b.stack, b, "deny", { access: "Deny", sourceAddressPrefixes: undefined, sourceAddressPrefix: "*", destinationPortRange: "*" });
      nsgRule(b.stack, b, "egress", { direction: "Outbound", sourceAddressPrefixes: undefined, sourceAddressPrefix: "*", destinationPortRange: "1688" });
    });
    expect(findings(r, "KMS-NET-003")).toEqual([]);
  });
});

describe("KMS-NET-004 RDP/WinRM only from admin CIDRs", () => {
  test("Noncompliance 1: RDP from a client range", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "rdp", { destinationPortRange: "3389", sourceAddressPrefixes: ["10.20.0.0/16"] }));
    expect(findings(r, "KMS-NET-004")).toEqual([expect.stringContaining('azurerm_network_security_rule.rdp: rule "rdp" allows RDP 3389 inbound from "10.20.0.0/16"')]);
  });

  test("Noncompliance: RDP given as a number in destination_port_ranges, through an override", () => {
    const r = synth((b) => nsgRule(b.stack, b, "numeric", { destinationPortRange: undefined, sourceAddressPrefixes: ["10.20.0.0/16"] }).addOverride("destination_port_ranges", [3389]));
    expect(findings(r, "KMS-NET-004")).toEqual([expect.stringContaining('azurerm_network_security_rule.numeric: rule "numeric" allows RDP 3389 inbound from "10.20.0.0/16"')]);
  });

  test("Noncompliance 2: a port range 3000-4000 includes RDP", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "range", { destinationPortRange: "3000-4000", sourceAddressPrefixes: ["10.9.0.0/24"] }));
    expect(findings(r, "KMS-NET-004")).toEqual([expect.stringContaining("RDP 3389")]);
  });

  test("Noncompliance 3: * ports include WinRM; a wider range than the admin CIDR is outside it", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "all", { protocol: "*", destinationPortRange: "*", sourceAddressPrefixes: ["10.0.1.0/24"] }));
    expect(findings(r, "KMS-NET-004")).toEqual([expect.stringContaining("RDP 3389, WinRM HTTP 5985, WinRM HTTPS 5986 inbound from \"10.0.1.0/24\"")]);
  });

  test("Noncompliance 4: no admin CIDRs means no RDP at all", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "rdp", { destinationPortRange: "3389", sourceAddressPrefixes: ["10.0.1.0/27"] }), { adminCidrs: [] });
    expect(findings(r, "KMS-NET-004")).toHaveLength(1);
  });

  test("Compliance: RDP/WinRM from inside the admin CIDR; ICMP is not a port rule", () => {
    const r = synth((b) => {
      nsgRule(b.stack, b, "rdp", { destinationPortRanges: ["3389", "5985-5986"], destinationPortRange: undefined, sourceAddressPrefixes: ["10.0.1.0/27", "10.0.1.5"] });
      nsgRule(b.stack, b, "icmp", { protocol: "Icmp", destinationPortRange: "*", sourceAddressPrefixes: ["10.20.0.0/16"] });
    });
    expect(findings(r, "KMS-NET-004")).toEqual([]);
  });
});

describe("KMS-NET-005 KMS port only from client CIDRs", () => {
  test("Noncompliance 1: 1688 from a range outside the clients", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "kms", { sourceAddressPrefixes: ["10.99.0.0/16"] }));
    expect(findings(r, "KMS-NET-005")).toEqual([expect.stringContaining('azurerm_network_security_rule.kms: rule "kms" allows KMS port 1688 inbound from "10.99.0.0/16"')]);
  });

  test("Noncompliance 2: a source that is a reference cannot be verified", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "kms", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "${var.clients}" }));
    expect(findings(r, "KMS-NET-005")).toEqual([expect.stringContaining('"${var.clients}"')]);
  });

  test("Noncompliance 3: a custom KMS port inside a range", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "kms", { destinationPortRange: "10000-11000", sourceAddressPrefixes: ["VirtualNetwork"] }), { kmsPort: 10688 });
    expect(findings(r, "KMS-NET-005")).toEqual([expect.stringContaining("KMS port 10688")]);
  });

  test("Compliance: clients and a subnet of a client range", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "kms", { sourceAddressPrefixes: ["10.20.5.0/24", "192.168.10.0/24"] }));
    expect(findings(r, "KMS-NET-005")).toEqual([]);
  });
});
