// stacks/zone-links.ts: a created zone is linked to the hosts' vnet once, whether or not
// dns.linkedVnetIds lists it too (Azure allows one link per zone and vnet).
import { isHostsVnet, zoneLinkVnetIds } from "../stacks/zone-links";
import { environmentWith, validEnvironment } from "./support/environments";

const SUB = "3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d";
const OTHER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const vnetId = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;

describe("a created vnet (fixture lab)", () => {
  const config = (linked: string[], subscriptionId: string | null = SUB) =>
    validEnvironment(
      environmentWith("lab", (d) => {
        if (subscriptionId) d.subscriptionId = subscriptionId;
        else delete d.subscriptionId;
        d.dns = { ...d.dns, createZone: true, linkedVnetIds: linked };
        d.network.vnet.name = "vnet-hub";
      }),
    );

  test("the hosts' own vnet listed again (any case) is dropped: the hosts' link covers it", () => {
    const c = config([vnetId(SUB, c0().resourceGroup.name.toUpperCase(), "VNET-HUB"), vnetId(SUB, "rg-dns", "vnet-resolver")]);
    expect(zoneLinkVnetIds(c, "${azurerm_virtual_network.x.id}")).toEqual(["${azurerm_virtual_network.x.id}", vnetId(SUB, "rg-dns", "vnet-resolver")]);
  });

  test("a same-named vnet in another group or another subscription is another vnet, and is linked", () => {
    const c = config([vnetId(SUB, "rg-other", "vnet-hub"), vnetId(OTHER, c0().resourceGroup.name, "vnet-hub")]);
    expect(zoneLinkVnetIds(c, "ref")).toHaveLength(3);
  });

  test("without a pinned subscription, a same-named vnet in the stack's group is taken for the hosts' vnet", () => {
    const c = config([vnetId(OTHER, c0().resourceGroup.name, "vnet-hub")], null);
    expect(isHostsVnet(c, c.dns.linkedVnetIds[0])).toBe(true);
  });

  function c0() {
    return config([]);
  }
});

describe("an existing subnet (fixture production)", () => {
  test("its vnet, derived from the subnet id, listed in dns.linkedVnetIds is linked once with a created zone", () => {
    const c = validEnvironment(
      environmentWith("production", (d) => {
        const vnet = String(d.network.subnetId).replace(/\/subnets\/[^/]+$/, "");
        // Resource names compare case-insensitively in Azure.
        d.dns = { ...d.dns, createZone: true, linkedVnetIds: [vnet.replace(/virtualNetworks\/(.+)$/, (_m, name: string) => `virtualNetworks/${name.toUpperCase()}`)] };
        delete d.dns.zoneResourceGroup;
      }),
    );
    const hostsVnet = c.network.subnetId!.replace(/\/subnets\/[^/]+$/, "");
    expect(zoneLinkVnetIds(c, hostsVnet)).toEqual([hostsVnet]);
  });

  test("an existing zone is linked to exactly the listed vnets", () => {
    const c = validEnvironment(environmentWith("production", (d) => void (d.dns = { ...d.dns, createZone: false, zoneResourceGroup: "rg-dns", linkedVnetIds: [vnetId(SUB, "rg-dns", "vnet-resolver")] })));
    expect(zoneLinkVnetIds(c, "ignored")).toEqual([vnetId(SUB, "rg-dns", "vnet-resolver")]);
  });
});
