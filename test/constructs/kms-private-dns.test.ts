// KmsPrivateDns alone: the zone it creates (or not), the links it adds to either, and the records.
import { KmsDnsRecords, KmsPrivateDns } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const VNET = (n: number) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-${n}`;
const records = () => new KmsDnsRecords({ zoneName: "corp.contoso.com", hosts: [{ name: "kms01", address: "10.1.0.4" }] });

function build(createZone: boolean | undefined, linkedVnetIds?: string[]): SynthesizedStack {
  return synthesizeConstruct((stack) => new KmsPrivateDns(stack, "dns", { resourceGroupName: "rg-dns", createZone, linkedVnetIds, linkNamePrefix: "link-kms-lab", records: records() }));
}

describe("KmsPrivateDns", () => {
  let created: SynthesizedStack;
  let defaulted: SynthesizedStack;
  let existing: SynthesizedStack;
  beforeAll(() => {
    created = build(true, [VNET(1), VNET(2), VNET(3)]);
    defaulted = build(undefined);
    existing = build(false, [VNET(7)]);
  });

  test("creates the zone by default and when asked, in the given group", () => {
    for (const stack of [created, defaulted]) {
      expect(stack.resources("azurerm_private_dns_zone")).toEqual([expect.objectContaining({ name: "corp.contoso.com", resource_group_name: "rg-dns" })]);
    }
  });

  test("creates no zone when createZone is false, and publishes into the existing one by name", () => {
    expect(existing.resources("azurerm_private_dns_zone")).toHaveLength(0);
    for (const record of [...existing.resources("azurerm_private_dns_a_record"), ...existing.resources("azurerm_private_dns_srv_record")]) expect(record.zone_name).toBe("corp.contoso.com");
  });

  test("records in a created zone reference it, so Terraform orders them after the zone", () => {
    for (const record of [...created.resources("azurerm_private_dns_a_record"), ...created.resources("azurerm_private_dns_srv_record")]) {
      expect(record.zone_name).toMatch(/^\$\{azurerm_private_dns_zone\.[^}]+\.name\}$/);
    }
  });

  test("links every listed vnet without auto-registration: the first link takes the prefix, the others -2, -3, ...", () => {
    const links = created.resources("azurerm_private_dns_zone_virtual_network_link");
    expect(links.map((l) => [l.name, l.virtual_network_id, l.registration_enabled])).toEqual([
      ["link-kms-lab", VNET(1), false],
      ["link-kms-lab-2", VNET(2), false],
      ["link-kms-lab-3", VNET(3), false],
    ]);
    for (const link of links) expect(link.resource_group_name).toBe("rg-dns");
  });

  test("links a listed vnet to an existing zone too, by the zone's name", () => {
    expect(existing.resources("azurerm_private_dns_zone_virtual_network_link")).toEqual([
      expect.objectContaining({ name: "link-kms-lab", private_dns_zone_name: "corp.contoso.com", virtual_network_id: VNET(7), registration_enabled: false }),
    ]);
  });

  test("adds no link when no vnet is listed", () => {
    expect(defaulted.resources("azurerm_private_dns_zone_virtual_network_link")).toHaveLength(0);
  });
});
