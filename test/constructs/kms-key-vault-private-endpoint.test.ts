// KmsKeyVaultPrivateEndpoint alone: the endpoint to the vault, with a created or an existing
// privatelink.vaultcore.azure.net zone.
import { KEY_VAULT_PRIVATE_LINK_ZONE, KmsKeyVaultPrivateEndpoint } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";
const SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-pe";
const VNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet";
const ZONE = `/subscriptions/s/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${KEY_VAULT_PRIVATE_LINK_ZONE}`;
const build = (extra: { existingZoneId?: string; linkedVnetId?: string }): SynthesizedStack =>
  synthesizeConstruct((stack) => new KmsKeyVaultPrivateEndpoint(stack, "pe", { resourceGroupName: "rg-kms", location: "westeurope", name: "pe-kv-test", keyVaultId: VAULT, subnetId: SUBNET, ...extra }));

describe("KmsKeyVaultPrivateEndpoint", () => {
  let created: SynthesizedStack;
  let existing: SynthesizedStack;
  beforeAll(() => {
    created = build({ linkedVnetId: VNET });
    existing = build({ existingZoneId: ZONE });
  });

  test("connects the endpoint in the subnet to the vault's 'vault' sub-resource, automatically approved", () => {
    expect(created.resources("azurerm_private_endpoint")).toEqual([
      expect.objectContaining({
        name: "pe-kv-test",
        subnet_id: SUBNET,
        private_service_connection: { name: "psc-pe-kv-test", private_connection_resource_id: VAULT, subresource_names: ["vault"], is_manual_connection: false },
      }),
    ]);
  });

  test("creates privatelink.vaultcore.azure.net, links it to the given vnet without registration, and registers the endpoint in it", () => {
    const [zone] = Object.keys(created.json.resource.azurerm_private_dns_zone);
    expect(created.resources("azurerm_private_dns_zone")).toEqual([expect.objectContaining({ name: KEY_VAULT_PRIVATE_LINK_ZONE, resource_group_name: "rg-kms" })]);
    expect(created.resources("azurerm_private_dns_zone_virtual_network_link")).toEqual([expect.objectContaining({ virtual_network_id: VNET, registration_enabled: false, name: "link-pe-kv-test" })]);
    expect(created.resources("azurerm_private_endpoint")[0].private_dns_zone_group).toEqual({ name: "vault", private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zone}.id}`] });
  });

  test("with an existing zone creates no zone and no link, and registers the endpoint in that zone", () => {
    expect(existing.resources("azurerm_private_dns_zone")).toEqual([]);
    expect(existing.resources("azurerm_private_dns_zone_virtual_network_link")).toEqual([]);
    expect(existing.resources("azurerm_private_endpoint")[0].private_dns_zone_group).toEqual({ name: "vault", private_dns_zone_ids: [ZONE] });
  });

  test("refuses a created zone with no vnet to link it to", () => {
    expect(() => build({})).toThrow(/a created privatelink.vaultcore.azure.net zone needs linkedVnetId/);
  });
});
