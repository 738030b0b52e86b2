// KmsEnvironment: one construct for the YAML path and the library path. Its props are the
// environment file's fields, validated and defaulted at construction; KmsStack is providers, a
// backend and this construct, so a library stack holding it deploys what the stack deploys.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { KmsEnvironment, KmsHost, KmsKeyVault, KmsNetwork, type KmsEnvironmentProps } from "../../constructs";
import { KmsStack } from "../../stacks/kms-stack";
import { environmentWith, fixtureEnvironmentData, validEnvironment } from "../support/environments";
import { parsed, synthesizeConstruct, type SynthesizedStack } from "../support/synth";

const SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups";

/** A library user's minimal props: everything else defaulted. */
const minimal: KmsEnvironmentProps = {
  name: "example",
  tier: "lab",
  location: "westeurope",
  resourceGroup: { name: "rg-kms-example" },
  network: { vnet: { addressSpace: "10.70.0.0/24", subnetPrefix: "10.70.0.0/27" } },
  clientCidrs: ["10.20.0.0/16"],
  kms: { products: [{ product: "windows", secretName: "kms-host-key-windows" }] },
  hosts: { count: 1, namePrefix: "kmsex" },
  dns: { zoneName: "corp.example.internal" },
  keyVault: { name: "kv-kms-example", create: true, allowedCidrs: ["198.51.100.7/32"] },
};

/** Synthesizes `build` in a plain stack with providers and a backend, as a library user's stack. */
function libraryStack(build: (stack: TerraformStack) => void): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-environment-"));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "kms-library");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    new RandomProvider(stack, "random");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    build(stack);
    app.synth();
    return parsed(fs.readFileSync(path.join(outdir, "stacks", "kms-library", "cdk.tf.json"), "utf8"));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("KmsEnvironment props", () => {
  test("fills in the environment file's defaults, and takes no backend", () => {
    const environment = new KmsEnvironment(new TerraformStack(new App({ outdir: os.tmpdir() }), "s"), "kms", minimal);
    expect(environment.config).toMatchObject({
      adminCidrs: [],
      kms: { port: 1688, bootstrapRevision: 1 },
      hosts: { size: "Standard_D2s_v5", image: "windows-server-2022", zones: [], osDiskType: "Premium_LRS", encryptionAtHost: true, adminUsername: "kmsadmin" },
      dns: { createZone: true, ttl: 3600, linkedVnetIds: [] },
      monitoring: { enabled: true },
      tags: {},
    });
    expect(environment.config.backend).toBeUndefined();
    expect(environment.hosts.map((h) => h.computerName)).toEqual(["kmsex01"]);
  });

  test("refuses invalid props at construction with every field and its fix, and builds nothing", () => {
    const stack = new TerraformStack(new App({ outdir: os.tmpdir() }), "s");
    expect(() => new KmsEnvironment(stack, "kms", { ...minimal, clientCidrs: ["0.0.0.0/0"], hosts: { count: 7, namePrefix: "kmsex" } })).toThrow(
      /^KmsEnvironment s\/kms: invalid props; nothing was built:\n {2}clientCidrs\[0\]: "0\.0\.0\.0\/0" opens the port to the whole Internet[^\n]*\n {2}hosts\.count: [^\n]*use 6 or fewer/,
    );
    expect(stack.node.tryFindChild("kms")?.node.children ?? []).toEqual([]);
  });

  test("applies the environment file's cross-field checks too (production needs keyVault.deployerPrincipalId)", () => {
    const stack = new TerraformStack(new App({ outdir: os.tmpdir() }), "s");
    expect(() => new KmsEnvironment(stack, "kms", { ...minimal, tier: "production" })).toThrow(/keyVault\.deployerPrincipalId: required in production/);
  });
});

describe("the YAML path and the library path build the same resources", () => {
  test.each(["lab", "production"] as const)("the %s fixture: a KmsStack and a KmsEnvironment in a plain stack hold the same resources and data sources", (name) => {
    const environment = validEnvironment(fixtureEnvironmentData(name));
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-environment-"));
    let viaStack: SynthesizedStack;
    try {
      const app = new App({ outdir });
      new KmsStack(app, environment);
      app.synth();
      viaStack = parsed(fs.readFileSync(path.join(outdir, "stacks", `kms-${name}`, "cdk.tf.json"), "utf8"));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    const viaLibrary = libraryStack((stack) => new KmsEnvironment(stack, "environment", environment));
    // The construct path of the first stack's resources differs only in the stack's name.
    const normalise = (json: unknown) => JSON.parse(JSON.stringify(json).replaceAll(`kms-${name}/`, "STACK/").replaceAll("kms-library/", "STACK/"));
    expect(normalise(viaLibrary.json.resource)).toEqual(normalise(viaStack.json.resource));
    expect(normalise(viaLibrary.json.data)).toEqual(normalise(viaStack.json.data));
    // Only client_kit_path is the stack's own.
    expect(viaLibrary.json.output).toEqual(Object.fromEntries(Object.entries(viaStack.json.output).filter(([key]) => key !== "client_kit_path")));
    expect(Object.keys(viaStack.json.output)).toContain("client_kit_path");
  });
});

describe("KmsHost tags and licenseType", () => {
  const props = {
    computerName: "kms01",
    resourceGroupName: "rg",
    location: "westeurope",
    subnetId: `${SUBSCRIPTION}/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet`,
    adminPasswordKeyVaultId: `${SUBSCRIPTION}/rg/providers/Microsoft.KeyVault/vaults/kv`,
    dnsZoneName: "corp.test",
  };

  test("puts its tags on the VM, the NIC and the admin password secret, and license_type on the VM", () => {
    const synthesized = synthesizeConstruct((stack) => new KmsHost(stack, "host", { ...props, tags: { owner: "it-ops" }, licenseType: "Windows_Server" }));
    const [vm] = synthesized.resources("azurerm_windows_virtual_machine");
    expect(vm).toMatchObject({ license_type: "Windows_Server", tags: { owner: "it-ops" } });
    expect(synthesized.resources("azurerm_network_interface")[0].tags).toEqual({ owner: "it-ops" });
    expect(synthesized.resources("azurerm_key_vault_secret")[0].tags).toEqual({ owner: "it-ops" });
  });

  test("by default says the Windows licence comes with the VM (None: no Azure Hybrid Benefit claimed) and sets no tags", () => {
    const [vm] = synthesizeConstruct((stack) => new KmsHost(stack, "host", props)).resources("azurerm_windows_virtual_machine");
    expect(vm.license_type).toBe("None");
    expect(vm.tags).toBeUndefined();
  });

  test("refuses a license type a Windows Server VM does not take", () => {
    const stack = new TerraformStack(new App({ outdir: os.tmpdir() }), "s");
    expect(() => new KmsHost(stack, "host", { ...props, licenseType: "Windows_Client" as "None" })).toThrow(
      'KmsHost s/host: licenseType "Windows_Client" is not one a Windows Server VM takes; use Windows_Server (Azure Hybrid Benefit) or None',
    );
  });

  test("in an environment, the hosts carry the standard tags with the environment's own", () => {
    const synthesized = libraryStack((stack) => {
      const environment = new KmsEnvironment(stack, "kms", { ...minimal, tags: { owner: "environment" } });
      void environment;
    });
    const [vm] = synthesized.resources("azurerm_windows_virtual_machine");
    expect(vm.tags).toEqual({ "managed-by": "azure-kms-host", environment: "example", owner: "environment" });
  });
});

describe("environmentWith builds on the fixtures for library props too", () => {
  test("a validated environment file is valid props (the YAML path's config goes in as it is)", () => {
    const environment = validEnvironment(environmentWith("lab", (d) => (d.kms.port = 1689)));
    const built = new KmsEnvironment(new TerraformStack(new App({ outdir: os.tmpdir() }), "s"), "kms", environment);
    expect(built.firewallRule.port).toBe(1689);
  });
});

describe("KmsNetwork and KmsKeyVault tags", () => {
  test("go on the vnet, the NSG and a created vault", () => {
    const synthesized = synthesizeConstruct((stack) => {
      new KmsNetwork(stack, "network", { resourceGroupName: "rg", location: "westeurope", nsgName: "nsg", vnet: { name: "vnet", addressSpace: "10.70.0.0/24", subnetPrefix: "10.70.0.0/27" }, tags: { owner: "net" } });
      new KmsKeyVault(stack, "vault", { resourceGroupName: "rg", location: "westeurope", name: "kv-kms-tags", tags: { owner: "sec" } });
    });
    expect(synthesized.resources("azurerm_virtual_network")[0].tags).toEqual({ owner: "net" });
    expect(synthesized.resources("azurerm_network_security_group")[0].tags).toEqual({ owner: "net" });
    expect(synthesized.resources("azurerm_key_vault")[0].tags).toEqual({ owner: "sec" });
  });
});
