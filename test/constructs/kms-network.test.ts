// KmsNetwork alone: a created network or an existing subnet, the NSG, and what admit() attaches.
import { TerraformStack, Testing } from "cdktf";
import { KmsHost, KmsNetwork } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const SUBNET = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-shared/subnets/snet-apps";
const base = { resourceGroupName: "rg-kms", location: "westeurope", nsgName: "nsg-kms-lab" };
const newVnet = { name: "vnet-kms-lab", addressSpace: "10.60.0.0/24", subnetPrefix: "10.60.0.0/27" };
const access = { clientCidrs: ["10.0.0.0/8"], adminCidrs: ["10.9.0.0/24"], port: 1688 };

function hosts(stack: TerraformStack, subnetId: string, count: number): KmsHost[] {
  return Array.from({ length: count }, (_, i) =>
    new KmsHost(stack, `host-${i + 1}`, {
      computerName: `kms0${i + 1}`,
      resourceGroupName: "rg-kms",
      location: "westeurope",
      subnetId,
      adminPasswordKeyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
      dnsZoneName: "corp.contoso.com",
    }),
  );
}

describe("KmsNetwork", () => {
  let created: SynthesizedStack;
  let createdWithEndpoint: SynthesizedStack;
  let existing: SynthesizedStack;
  let existingVnetId = "";
  beforeAll(() => {
    created = synthesizeConstruct((stack) => {
      const network = new KmsNetwork(stack, "network", { ...base, vnet: newVnet });
      network.admit({ ...access, hosts: hosts(stack, network.subnetId, 2) });
    });
    createdWithEndpoint = synthesizeConstruct((stack) => new KmsNetwork(stack, "network", { ...base, vnet: newVnet, keyVaultServiceEndpoint: true }));
    existing = synthesizeConstruct((stack) => {
      const network = new KmsNetwork(stack, "network", { ...base, subnetId: SUBNET });
      existingVnetId = network.vnetId;
      network.admit({ ...access, hosts: hosts(stack, network.subnetId, 2) });
    });
  });

  test("creates the vnet and a subnet named snet-kms without default outbound access (egress goes through a NAT gateway or the customer's route)", () => {
    expect(created.resources("azurerm_virtual_network")).toEqual([
      expect.objectContaining({ name: "vnet-kms-lab", address_space: ["10.60.0.0/24"], resource_group_name: "rg-kms", location: "westeurope" }),
    ]);
    const [subnet] = created.resources("azurerm_subnet");
    expect(subnet).toMatchObject({ name: "snet-kms", address_prefixes: ["10.60.0.0/27"], resource_group_name: "rg-kms", default_outbound_access_enabled: false });
    expect(subnet.virtual_network_name).toMatch(/^\$\{azurerm_virtual_network\.[^}]+\.name\}$/);
  });

  test("adds the Microsoft.KeyVault service endpoint only when asked", () => {
    expect(created.resources("azurerm_subnet")[0].service_endpoints).toBeUndefined();
    expect(createdWithEndpoint.resources("azurerm_subnet")[0].service_endpoints).toEqual(["Microsoft.KeyVault"]);
  });

  test("creates the NSG with its name, group and region", () => {
    for (const stack of [created, existing]) {
      expect(stack.resources("azurerm_network_security_group")).toEqual([expect.objectContaining({ name: "nsg-kms-lab", resource_group_name: "rg-kms", location: "westeurope" })]);
    }
  });

  test("on a created subnet, guards the subnet and no NIC", () => {
    const [association] = created.resources("azurerm_subnet_network_security_group_association");
    expect(association.subnet_id).toMatch(/^\$\{azurerm_subnet\.[^}]+\.id\}$/);
    expect(association.network_security_group_id).toMatch(/^\$\{azurerm_network_security_group\.[^}]+\.id\}$/);
    expect(created.resources("azurerm_network_interface_security_group_association")).toHaveLength(0);
  });

  test("on an existing subnet, creates no network and guards each host's NIC instead", () => {
    expect(existing.resources("azurerm_virtual_network")).toHaveLength(0);
    expect(existing.resources("azurerm_subnet")).toHaveLength(0);
    expect(existing.resources("azurerm_subnet_network_security_group_association")).toHaveLength(0);
    const nics = Object.keys(existing.json.resource.azurerm_network_interface);
    const associations = existing.resources("azurerm_network_interface_security_group_association");
    expect(associations.map((a) => a.network_interface_id)).toEqual(nics.map((key) => `\${azurerm_network_interface.${key}.id}`));
    for (const a of associations) expect(a.network_security_group_id).toMatch(/^\$\{azurerm_network_security_group\.[^}]+\.id\}$/);
  });

  test("derives the existing subnet's vnet id by dropping /subnets/<name>", () => {
    expect(existingVnetId).toBe("/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-shared");
  });

  test("admit() adds the KMS rule to the hosts' addresses and the management rules, in the NSG's group", () => {
    const rules = existing.resources("azurerm_network_security_rule");
    const kmsAllow = rules.find((r) => r.access === "Allow" && r.destination_port_range === "1688");
    expect(kmsAllow).toMatchObject({ source_address_prefixes: ["10.0.0.0/8"], resource_group_name: "rg-kms" });
    expect(kmsAllow?.destination_address_prefixes).toHaveLength(2);
    expect(rules.filter((r) => r.access === "Allow" && r.source_address_prefixes?.includes("10.9.0.0/24")).length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.network_security_group_name).toMatch(/^\$\{azurerm_network_security_group\.[^}]+\.name\}$/);
  });

  test("names its own path in the error for both or neither of vnet and subnetId", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => new KmsNetwork(stack, "both", { ...base, vnet: newVnet, subnetId: SUBNET })).toThrow(/^KmsNetwork s\/both: give exactly one/);
  });
});
