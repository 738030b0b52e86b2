// config/environment-schema.ts: the checks across fields (its superRefine blocks) and the
// warnings, each at its edge, with the whole message the loader prints. Built on the tests' own
// fixture environments (test/fixtures/base-environments), never on environments/.
import { environmentWarnings } from "../../config/environment-schema";
import { environmentWith, problemsOf, validEnvironment, type FixtureName } from "../support/environments";

/** A fixture with `change` applied, and its problems. */
function problemsWith(name: FixtureName, change: (data: Record<string, any>) => void): string[] {
  return problemsOf(environmentWith(name, change));
}

/** "field: message" for each warning of a valid fixture with `change` applied. */
function warningsWith(name: FixtureName, change: (data: Record<string, any>) => void): string[] {
  return environmentWarnings(validEnvironment(environmentWith(name, change))).map((w) => `${w.path.join(".")}: ${w.message}`);
}

const ZERO_ID = "00000000-0000-0000-0000-000000000000";
const REAL_ID = "3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d";
const PLACEHOLDER = "is still a placeholder (all-zero id); put the real id here before applying, or Azure refuses it";
const vnetId = (subscription: string, name: string) => `/subscriptions/${subscription}/resourceGroups/rg-dns/providers/Microsoft.Network/virtualNetworks/${name}`;
const vaultId = (subscription: string) => `/subscriptions/${subscription}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-kms-shared`;

describe("hosts.privateIpAddresses", () => {
  test("one address per host, each its own, is valid", () => {
    expect(problemsWith("lab", (d) => ((d.hosts.count = 2), (d.hosts.privateIpAddresses = ["10.50.0.10", "10.50.0.11"])))).toEqual([]);
  });

  test("an address listed twice is refused", () => {
    expect(problemsWith("lab", (d) => ((d.hosts.count = 2), (d.hosts.privateIpAddresses = ["10.50.0.10", "10.50.0.10"])))).toEqual([
      "hosts.privateIpAddresses: lists an address twice; give every host its own address",
    ]);
  });
});

describe("hosts.zones against hosts.count", () => {
  test("as many zones as hosts is valid", () => {
    expect(problemsWith("production", (d) => (d.hosts.zones = ["1", "2"]))).toEqual([]);
  });

  test("more zones than hosts is refused: a zone would stay empty", () => {
    expect(problemsWith("production", (d) => (d.hosts.zones = ["1", "2", "3"]))).toEqual([
      "hosts.zones: lists 3 zones for 2 host(s); some zones would stay empty, so list at most 2",
    ]);
  });

  test("no zones in a region without zones is valid", () => {
    expect(problemsWith("lab", (d) => ((d.location = "westus"), (d.hosts.zones = [])))).toEqual([]);
  });
});

describe("keyVault: an existing vault or one to create", () => {
  test("id together with name is refused", () => {
    expect(problemsWith("lab", (d) => (d.keyVault = { id: vaultId(REAL_ID), name: "kv-kms-lab-contoso" }))).toEqual([
      "keyVault: give either id (use an existing vault) or name with create: true (create one), not both",
    ]);
  });

  test("id together with create: true is refused", () => {
    expect(problemsWith("lab", (d) => (d.keyVault = { id: vaultId(REAL_ID), create: true }))).toEqual([
      "keyVault: give either id (use an existing vault) or name with create: true (create one), not both",
    ]);
  });

  test("id alone is valid", () => {
    expect(problemsWith("lab", (d) => (d.keyVault = { id: vaultId(REAL_ID) }))).toEqual([]);
  });
});

describe("backend.path (local state)", () => {
  test.each(["C:\\state\\kms.tfstate", "c:/state/kms.tfstate", "/var/state/kms.tfstate"])("refuses the absolute path %s", (statePath) => {
    expect(problemsWith("lab", (d) => (d.backend = { type: "local", path: statePath }))).toEqual([
      "backend.path: use a relative path: an absolute path ties the stack to one machine",
    ]);
  });

  test.each(["state/kms.tfstate", "../../../terraform.kms-lab.tfstate", "C.tfstate", "dir/C:/x.tfstate"])("takes the relative path %s", (statePath) => {
    expect(problemsWith("lab", (d) => (d.backend = { type: "local", path: statePath }))).toEqual([]);
  });
});

describe("tags: Azure's limits (go-azure-helpers tags/validate.go)", () => {
  test("a tag name of 512 bytes is valid, of 513 refused", () => {
    expect(problemsWith("lab", (d) => (d.tags = { ["k".repeat(512)]: "v" }))).toEqual([]);
    expect(problemsWith("lab", (d) => (d.tags = { ["k".repeat(513)]: "v" }))).toEqual([`tags.${"k".repeat(513)}: a tag name is at most 512 bytes; shorten it`]);
  });

  test("a tag name is counted in bytes: 256 two-byte characters are 512 bytes, 257 are too many", () => {
    expect(problemsWith("lab", (d) => (d.tags = { ["é".repeat(256)]: "v" }))).toEqual([]);
    expect(problemsWith("lab", (d) => (d.tags = { ["é".repeat(257)]: "v" }))).toEqual([`tags.${"é".repeat(257)}: a tag name is at most 512 bytes; shorten it`]);
  });

  test("an empty tag name is refused as too short", () => {
    expect(problemsWith("lab", (d) => (d.tags = { "": "v" }))).toEqual(['tags[""]: "" is too short; use at least 1']);
  });

  test("a tag value of 256 bytes is valid", () => {
    expect(problemsWith("lab", (d) => (d.tags = { note: "v".repeat(256) }))).toEqual([]);
  });

  test("48 tags of the file's own plus managed-by and environment are 50, valid; 50 of its own make 52, refused with the number to remove", () => {
    const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`t${i}`, "v"]));
    expect(problemsWith("lab", (d) => (d.tags = tags(48)))).toEqual([]);
    expect(problemsWith("lab", (d) => (d.tags = tags(50)))).toEqual(["tags: gives every resource 52 tags with managed-by and environment; Azure allows 50, so remove 2"]);
  });

  test("48 of the file's own make 50 with managed-by and environment: accepted (a file's own managed-by or environment is refused: test/config/tag-rules.test.ts)", () => {
    const tags = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`t${i}`, "v"]));
    expect(problemsWith("lab", (d) => (d.tags = tags))).toEqual([]);
  });
});

describe("network.vnet.subnetPrefix: room for every host", () => {
  // A /29 has 8 addresses; Azure keeps 5 of them, so 3 are usable.
  test("as many hosts as usable addresses is valid", () => {
    expect(problemsWith("lab", (d) => ((d.network.vnet.subnetPrefix = "10.50.0.0/29"), (d.hosts.count = 3)))).toEqual([]);
  });
});

describe("dns.linkedVnetIds", () => {
  test("a vnet listed twice, in any case, is refused at its second place", () => {
    const id = vnetId(REAL_ID, "vnet-resolver");
    expect(problemsWith("lab", (d) => (d.dns.linkedVnetIds = [vnetId(REAL_ID, "vnet-other"), id, id.replace("vnet-resolver", "VNET-RESOLVER")]))).toEqual([
      "dns.linkedVnetIds[2]: repeats dns.linkedVnetIds[1]; Azure links a vnet to a zone once, so list it once",
    ]);
  });
});

describe("kms.products", () => {
  test("a product listed twice is refused at its second place", () => {
    expect(
      problemsWith("lab", (d) => d.kms.products.push({ ...d.kms.products[1], secretName: "kms-host-key-office-2" })),
    ).toEqual(['kms.products[2].product: "office-ltsc-2024" is already listed as kms.products[1]; one KMS host key per product, so list it once']);
  });
});

describe("warnings: placeholder ids and an unset production subscription", () => {
  test("a production file without subscriptionId is warned that terraform then picks the subscription", () => {
    expect(warningsWith("production", (d) => delete d.subscriptionId)).toContain(
      "subscriptionId: is not set: terraform then uses ARM_SUBSCRIPTION_ID, and without it silently the Azure CLI's current subscription; set subscriptionId so production always lands in the right one",
    );
  });

  test("a lab file without subscriptionId is not warned", () => {
    expect(warningsWith("lab", (d) => delete d.subscriptionId)).toEqual([]);
  });

  test("each all-zero id is named by its field: a linked vnet, an existing vault, the state's subscription", () => {
    const warnings = warningsWith("production", (d) => {
      d.subscriptionId = REAL_ID;
      d.network.subnetId = d.network.subnetId.replaceAll(ZERO_ID, REAL_ID);
      d.dns.linkedVnetIds = [vnetId(REAL_ID, "vnet-a"), vnetId(ZERO_ID, "vnet-b")];
      // With a declared route to the vault (no "declares no route" warning: config/baseline-schema.ts).
      d.keyVault = { id: vaultId(ZERO_ID), privateEndpoint: {} };
      d.backend.subscriptionId = ZERO_ID;
    });
    expect(warnings).toEqual([
      `dns.linkedVnetIds.1: "${vnetId(ZERO_ID, "vnet-b")}" ${PLACEHOLDER}`,
      `keyVault.id: "${vaultId(ZERO_ID)}" ${PLACEHOLDER}`,
      `backend.subscriptionId: "${ZERO_ID}" ${PLACEHOLDER}`,
    ]);
  });

  test("the deployer principal's all-zero id is warned", () => {
    const warnings = warningsWith("production", (d) => {
      d.subscriptionId = REAL_ID;
      d.network.subnetId = d.network.subnetId.replaceAll(ZERO_ID, REAL_ID);
      d.dns.linkedVnetIds = [];
      d.keyVault.deployerPrincipalId = ZERO_ID;
    });
    expect(warnings).toEqual([`keyVault.deployerPrincipalId: "${ZERO_ID}" ${PLACEHOLDER}`]);
  });

  test("a local backend has no subscription to warn about", () => {
    expect(warningsWith("lab", (d) => (d.backend = { type: "local" }))).toEqual([]);
  });
});
