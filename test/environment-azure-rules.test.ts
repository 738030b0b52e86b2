// What Azure or the azurerm provider would refuse at apply, refused at synth by the schema and the
// loader with file, line, field and fix (issue 9, items 2, 5 and 6). Built on the fixture
// environments in test/fixtures/contract-environments, never on environments/.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { AZURE_REGION_NAMES, CATALOG_SOURCES } from "../catalog";
import { reservedAddressRole, usableAddressCount } from "../config/azure-subnet";
import { ConfigError, loadEnvironmentFiles } from "../config/load-environments";
import { problemsOf } from "./support/environments";

const FIXTURES_DIR = path.join(__dirname, "fixtures", "contract-environments");
type Fixture = "lab" | "production" | "vault-prod";
const VNET = "/subscriptions/3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d/resourceGroups/rg-dns/providers/Microsoft.Network/virtualNetworks/vnet-resolver";

function fixture(name: Fixture, change: (data: Record<string, any>) => void = () => undefined): Record<string, any> {
  const data = parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.yaml`), "utf8")) as Record<string, any>;
  change(data);
  return data;
}

test("the fixtures are valid", () => {
  for (const name of ["lab", "production", "vault-prod"] as const) expect(problemsOf(fixture(name))).toEqual([]);
});

describe("location: a region Azure has (catalog/azure-regions.ts, from Microsoft's regions list)", () => {
  test("the catalog names its source and holds the usual regions", () => {
    expect(CATALOG_SOURCES.azureRegions).toBe("https://learn.microsoft.com/azure/reliability/regions-list");
    expect(AZURE_REGION_NAMES).toEqual(expect.arrayContaining(["westeurope", "northeurope", "eastus2", "swedencentral"]));
  });

  test("refuse a misspelt region, suggesting the right one", () => {
    expect(problemsOf(fixture("lab", (d) => (d.location = "westeurop")))).toEqual([expect.stringMatching(/^location: "westeurop" is not an Azure region name; did you mean "westeurope"\?/)]);
  });

  test("refuse a display name, pointing at the programmatic names", () => {
    expect(problemsOf(fixture("lab", (d) => (d.location = "West Europe")))).toEqual([expect.stringMatching(/^location: "West Europe" is not an Azure region name; did you mean "westeurope"\?.*az account list-locations/)]);
  });

  test("refuse zones in a region without availability zones", () => {
    expect(problemsOf(fixture("lab", (d) => (d.location = "westus")))).toEqual([expect.stringMatching(/^hosts\.zones: westus has no availability zones/)]);
  });
});

describe("subnet and static addresses (Azure keeps 5 addresses of every subnet)", () => {
  test("reserved addresses are the first four and the last", () => {
    expect(usableAddressCount(29)).toBe(3);
    expect(usableAddressCount(24)).toBe(251);
    expect(["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.14", "10.0.0.15"].map((ip) => reservedAddressRole("10.0.0.0/28", ip))).toEqual([
      "the network address",
      "the default gateway",
      "an Azure DNS address",
      "an Azure DNS address",
      undefined,
      undefined,
      "the broadcast address",
    ]);
  });

  test("refuse a subnet too small for the hosts", () => {
    const data = fixture("lab", (d) => {
      d.network.vnet.subnetPrefix = "10.60.0.0/29";
      d.hosts.count = 4;
      d.hosts.zones = ["1", "2"];
      delete d.hosts.privateIpAddresses;
    });
    expect(problemsOf(data)).toEqual([expect.stringMatching(/^network\.vnet\.subnetPrefix: "10\.60\.0\.0\/29" has 3 usable addresses \(Azure keeps 5 of every subnet\) for 4 hosts; use a larger subnet/)]);
  });

  test("refuse a subnet smaller than /29 and an IPv6 subnet", () => {
    expect(problemsOf(fixture("lab", (d) => ((d.network.vnet.subnetPrefix = "10.60.0.0/30"), delete d.hosts.privateIpAddresses)))).toEqual([
      expect.stringMatching(/^network\.vnet\.subnetPrefix: "10\.60\.0\.0\/30" is smaller than Azure's smallest subnet, \/29/),
    ]);
    const v6 = fixture("lab", (d) => {
      d.network.vnet = { addressSpace: "fd00:60::/48", subnetPrefix: "fd00:60::/64" };
      delete d.hosts.privateIpAddresses;
    });
    expect(problemsOf(v6)).toEqual([expect.stringMatching(/^network\.vnet\.subnetPrefix: "fd00:60::\/64" is IPv6; the hosts need an IPv4 subnet/)]);
  });

  test.each([
    ["10.60.0.0", "the network address"],
    ["10.60.0.1", "the default gateway"],
    ["10.60.0.3", "an Azure DNS address"],
    ["10.60.0.15", "the broadcast address"],
  ])("refuse static address %s (%s)", (ip, role) => {
    expect(problemsOf(fixture("lab", (d) => (d.hosts.privateIpAddresses[1] = ip)))).toEqual([`hosts.privateIpAddresses[1]: ${ip} is ${role}, one of the 5 addresses Azure keeps in 10.60.0.0/28; choose an address from the fifth to the second-to-last of the subnet`]);
  });

  test("refuse a static address outside the subnet", () => {
    expect(problemsOf(fixture("lab", (d) => (d.hosts.privateIpAddresses[0] = "10.60.0.40")))).toEqual([expect.stringMatching(/^hosts\.privateIpAddresses\[0\]: 10\.60\.0\.40 is not inside network\.vnet\.subnetPrefix/)]);
  });
});

describe("names and values the provider validates", () => {
  test.each([
    ["a disallowed admin user name", (d: any) => (d.hosts.adminUsername = "admin"), /^hosts\.adminUsername: .*Azure refuses for a Windows administrator/],
    ["an admin user name ending with a dot", (d: any) => (d.hosts.adminUsername = "kmsadmin."), /^hosts\.adminUsername: must not end with '\.'/],
    ["a Key Vault name with two hyphens in a row", (d: any) => (d.keyVault.name = "kv--fixture"), /^keyVault\.name: must not contain two hyphens in a row/],
    ["a vnet name ending with a hyphen", (d: any) => (d.network.vnet.name = "vnet-kms-"), /^network\.vnet\.name: "vnet-kms-" is not valid; use 2-64 letters/],
    ["a zone resource group ending with a dot", (d: any) => (d.dns.zoneResourceGroup = "rg-dns."), /^dns\.zoneResourceGroup: "rg-dns\." is not valid; use letters, digits/],
    ["a tag value over 256 bytes", (d: any) => (d.tags.note = "é".repeat(129)), /^tags\.note: a tag value is at most 256 bytes/],
    ["a subnet id spelt in lower case (the provider parses ids case-sensitively)", (d: any) => (d.network.subnetId = d.network.subnetId.replace("resourceGroups", "resourcegroups")), /^network\.subnetId: .*write a subnet resource id/, "production"],
    ["an existing vault whose name the provider refuses", (d: any) => (d.keyVault.id = d.keyVault.id.replace("kv-fixture-shared", "kv_fixture_shared")), /^keyVault\.id: .*write a Key Vault resource id/, "production"],
    ["a vnet linked to the zone twice", (d: any) => (d.dns.linkedVnetIds = [VNET, VNET.replace("vnet-resolver", "VNET-Resolver")]), /^dns\.linkedVnetIds\[1\]: repeats dns\.linkedVnetIds\[0\]/],
    ["a state container name with upper case", (d: any) => ((d.backend = { type: "azurerm", resourceGroupName: "rg-state", storageAccountName: "stfixture", containerName: "TFState", key: "k" })), /^backend\.containerName: "TFState" is not valid; use 3-63 lower-case/],
    ["more than 50 tags with the two standard ones", (d: any) => (d.tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, "v"]))), /^tags: gives every resource 51 tags/],
  ])("refuse %s", (_what, change, expected, base = "lab") => {
    expect(problemsOf(fixture(base as Fixture, change))).toEqual([expect.stringMatching(expected)]);
  });
});

describe("keyVault.deployerPrincipalId (a stable deployer under the vault's lock)", () => {
  test("required for a production stack that creates its vault", () => {
    expect(problemsOf(fixture("vault-prod", (d) => delete d.keyVault.deployerPrincipalId))).toEqual([expect.stringMatching(/^keyVault\.deployerPrincipalId: required in production: add the object id/)]);
  });

  test("optional in a lab, refused with an existing vault", () => {
    expect(problemsOf(fixture("lab"))).toEqual([]);
    expect(problemsOf(fixture("production", (d) => (d.keyVault.deployerPrincipalId = "6b1f0d3e-2a4c-4e8b-9f7a-5c3d2e1b0a99")))).toEqual([
      expect.stringMatching(/^keyVault\.deployerPrincipalId: applies only to a vault this stack creates/),
    ]);
  });
});

describe("the client kit and the hosts agree", () => {
  test("refuse an Office product no host key activates, naming both fields", () => {
    const data = fixture("lab", (d) => (d.clients.office.products = ["ProPlus2021Volume"]));
    expect(problemsOf(data)).toEqual([expect.stringMatching(/^clients\.office\.products\[0\]: ProPlus2021Volume is Office LTSC 2021, but kms\.products has no office-ltsc-2021 entry/)]);
  });

  test("accept products of a version the hosts activate", () => {
    expect(problemsOf(fixture("lab", (d) => (d.clients.office.products = ["ProPlus2024Volume", "VisioStd2024Volume"])))).toEqual([]);
  });
});

describe("across environment files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-cross-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, data: Record<string, unknown>) => fs.writeFileSync(path.join(dir, `${name}.yaml`), stringify({ ...data, name }));

  test("refuse a Key Vault name used by another file, at the second file's line", () => {
    write("lab", fixture("lab"));
    write("lab2", fixture("lab", (d) => ((d.keyVault.name = "KV-Fixture-Lab"), (d.resourceGroup.name = "rg-fixture-lab2"), (d.dns.zoneName = "lab2.fixture.internal"))));
    try {
      loadEnvironmentFiles(dir);
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ field: "keyVault.name", line: expect.any(Number) });
      expect(problems[0].file).toMatch(/lab2\.yaml$/);
      expect(problems[0].message).toMatch(/"KV-Fixture-Lab" is already the Key Vault name of .*lab\.yaml; Key Vault names are unique across all of Azure/);
    }
  });

  test("refuse two files creating one resource group, and one private DNS zone", () => {
    write("lab", fixture("lab"));
    write("lab2", fixture("lab", (d) => (d.keyVault.name = "kv-fixture-lab2")));
    expect(() => loadEnvironmentFiles(dir)).toThrow(/lab2\.yaml:\d+: resourceGroup\.name: "rg-fixture-lab" is already the resource group \(created\) in the same subscription of .*\n.*lab2\.yaml:\d+: dns\.zoneName: .* is already the private DNS zone \(created\)/);
    write("lab2", fixture("lab", (d) => ((d.keyVault.name = "kv-fixture-lab2"), (d.resourceGroup.name = "rg-fixture-lab2"), (d.dns.zoneName = "lab2.fixture.internal"))));
    expect(loadEnvironmentFiles(dir).map((l) => l.environment.name)).toEqual(["lab", "lab2"]);
  });

  test("refuse two stacks writing one state blob", () => {
    write("production", fixture("production"));
    write("other", fixture("production", (d) => (d.keyVault.id = d.keyVault.id.replace("kv-fixture-shared", "kv-other"))));
    expect(() => loadEnvironmentFiles(dir)).toThrow(/backend\.key: "stfixturestate\/tfstate\/kms-production\.tfstate" is already the state blob of/);
  });

  test("warn (without refusing) about all-zero placeholder ids, with file, line and field", () => {
    write(
      "production",
      fixture("production", (d) => {
        d.subscriptionId = "00000000-0000-0000-0000-000000000000";
        d.network.subnetId = d.network.subnetId.replace("3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d", "00000000-0000-0000-0000-000000000000");
        // A declared route to the existing vault (otherwise config/baseline-schema.ts warns about it).
        d.keyVault.privateEndpoint = {};
      }),
    );
    const [loaded] = loadEnvironmentFiles(dir);
    expect(loaded.warnings.map((w) => [w.field, typeof w.line, w.message.replace(/^"[^"]*" /, "")])).toEqual([
      ["subscriptionId", "number", "is still a placeholder (all-zero id); put the real id here before applying, or Azure refuses it"],
      ["network.subnetId", "number", "is still a placeholder (all-zero id); put the real id here before applying, or Azure refuses it"],
    ]);
  });
});
