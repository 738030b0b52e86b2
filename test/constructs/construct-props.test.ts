// What the smaller constructs refuse, by name, and the exact values they write that the stack tests
// do not pin: the KMS port's bounds, the image catalogue, the key grants, the vault's secret
// ordering, the network's derived vnet id, the numbered associations and links, RFC 2136 records.
import { TerraformStack, Testing } from "cdktf";
import { KmsDnsRecords, KmsHost, KmsHostImage, KmsHostKeys, KmsKeyVault, KmsNetwork, KmsPrivateDns, KmsRfc2136Records, assertTcpPort } from "../../constructs";
import { synthesizeConstruct } from "../support/synth";

const VAULT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";
const stack = (): TerraformStack => new TerraformStack(Testing.app(), "s");

describe("assertTcpPort", () => {
  test.each([1, 1688, 65535])("accepts %i", (port) => {
    expect(() => assertTcpPort(port, "caller")).not.toThrow();
  });

  test.each([0, 65536, -1688, 1688.5])("refuses %p, naming the caller", (port) => {
    expect(() => assertTcpPort(port, "caller")).toThrow(new RangeError(`caller: port ${port} is not a TCP port; use a whole number from 1 to 65535 (KMS uses 1688 by default)`));
  });
});

describe("KmsHostImage.fromName", () => {
  test("refuses a name it does not know, listing the ones it does", () => {
    expect(() => KmsHostImage.fromName("windows-server-2016" as never)).toThrow(
      new RangeError('unknown KMS host image "windows-server-2016"; use one of windows-server-2019, windows-server-2022, windows-server-2025'),
    );
  });
});

describe("KmsHostKeys.grantRead", () => {
  test("refuses a secret it does not hold, listing the ones it does", () => {
    const scope = stack();
    const keys = new KmsHostKeys(scope, "keys", { keyVaultId: VAULT_ID, keyVaultName: "kv-test", secretNames: ["kms-windows", "kms-office"] });
    expect(() => keys.grantRead(scope, "g", "principal", ["kms-visio"], "kms01")).toThrow(new Error('KmsHostKeys s/keys: "kms-visio" is not one of the KMS host key secrets (kms-windows, kms-office)'));
  });

  test("describes each grant and makes it wait for the check that the secret exists", () => {
    const synthesized = synthesizeConstruct((scope) => {
      const keys = new KmsHostKeys(scope, "keys", { keyVaultId: VAULT_ID, keyVaultName: "kv-test", secretNames: ["kms-windows"] });
      keys.grantRead(scope, "g", "principal", ["kms-windows"], "kms01");
    });
    const [check] = Object.keys(synthesized.json.data.azurerm_key_vault_secrets);
    expect(synthesized.resources("azurerm_role_assignment")).toEqual([
      expect.objectContaining({ description: "Lets kms01 read the KMS host key in secret kms-windows, and no other secret.", depends_on: [`data.azurerm_key_vault_secrets.${check}`] }),
    ]);
  });
});

describe("KmsKeyVault.secretDependsOn", () => {
  test("an existing vault: nothing to wait for", () => {
    const vault = new KmsKeyVault(stack(), "vault", { resourceGroupName: "rg", location: "westeurope", existingId: VAULT_ID, purgeProtection: false });
    expect(vault.secretDependsOn).toEqual([]);
  });

  test("a created vault: the deployer's right to write secrets", () => {
    const vault = new KmsKeyVault(stack(), "vault", { resourceGroupName: "rg", location: "westeurope", name: "kv-kms-test", purgeProtection: false });
    expect(vault.secretDependsOn).toEqual([vault.deployerRoleAssignment]);
    expect(vault.deployerRoleAssignment).toBeDefined();
  });
});

describe("KmsNetwork on an existing subnet", () => {
  const SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/subnets/subnets/snet-kms";

  test("takes the vnet id from the end of the subnet id, even for a vnet named subnets", () => {
    const network = new KmsNetwork(stack(), "network", { resourceGroupName: "rg", location: "westeurope", nsgName: "nsg", subnetId: SUBNET });
    expect(network.vnetId).toBe("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/subnets");
  });

  test("associates the NSG with each host's NIC, named after the host", () => {
    const synthesized = synthesizeConstruct((scope) => {
      const network = new KmsNetwork(scope, "network", { resourceGroupName: "rg", location: "westeurope", nsgName: "nsg", subnetId: SUBNET });
      const hosts = ["kms01", "kms02"].map(
        (computerName) => new KmsHost(scope, computerName, { computerName, resourceGroupName: "rg", location: "westeurope", subnetId: SUBNET, adminPasswordKeyVaultId: VAULT_ID, dnsZoneName: "corp.test" }),
      );
      network.admit({ hosts, clientCidrs: ["10.0.0.0/8"], adminCidrs: [], port: 1688 });
    });
    expect(Object.keys(synthesized.json.resource.azurerm_network_interface_security_group_association)).toEqual(["kms01", "kms02"]);
  });
});

describe("KmsPrivateDns", () => {
  test("links each vnet under an address numbered from 1 (vnet_1, vnet_2)", () => {
    const synthesized = synthesizeConstruct((scope) => {
      new KmsPrivateDns(scope, "dns", {
        resourceGroupName: "rg",
        createZone: true,
        linkedVnetIds: ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/a", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/b"],
        linkNamePrefix: "link-kms-test",
        records: new KmsDnsRecords({ zoneName: "corp.test", hosts: [{ name: "kms01", address: "10.0.0.4" }] }),
      });
    });
    const links = synthesized.json.resource.azurerm_private_dns_zone_virtual_network_link as Record<string, { name: string }>;
    expect(Object.keys(links)).toEqual(["vnet_1", "vnet_2"]);
    expect(Object.values(links).map((link) => link.name)).toEqual(["link-kms-test", "link-kms-test-2"]);
  });
});

describe("KmsRfc2136Records props", () => {
  const records = new KmsDnsRecords({ zoneName: "corp.test", hosts: [{ name: "kms01", address: "10.0.0.4" }] });
  const gssapi = { kind: "gssapi", realm: "CORP.TEST" } as const;

  test.each(["", "dc01 corp.test", "dc01.corp.test\n"])("refuses the server %j, naming the construct", (server) => {
    expect(() => new KmsRfc2136Records(stack(), "rfc", { records, server, auth: gssapi })).toThrow(new Error(`KmsRfc2136Records s/rfc: server "${server}" is not a host name or address`));
  });

  test("refuses an IPv4 address as the server for GSS-TSIG, which needs the host name", () => {
    expect(() => new KmsRfc2136Records(stack(), "rfc", { records, server: "10.0.0.53", auth: gssapi })).toThrow(
      new Error('KmsRfc2136Records s/rfc: GSS-TSIG needs the server\'s host name, not "10.0.0.53", so that its Kerberos principal matches (hashicorp/dns docs, provider_gss_tsig.tf)'),
    );
  });

  test.each(["dc01.corp.test", "10.0.0.53.example", "x10.0.0.53", "10.0.53"])("takes %j as a GSS-TSIG server name", (server) => {
    expect(() => new KmsRfc2136Records(stack(), "rfc", { records, server, auth: gssapi })).not.toThrow();
  });

  test("takes an IPv4 address for TSIG, with port 53 over TCP by default, and documents the secret's variable", () => {
    const synthesized = synthesizeConstruct((scope) => {
      new KmsRfc2136Records(scope, "rfc", { records, server: "10.0.0.53", auth: { kind: "tsig", keyName: "kms-update", algorithm: "hmac-sha256" } });
    });
    expect(synthesized.json.provider.dns[0].update[0]).toMatchObject({ server: "10.0.0.53", port: 53, transport: "tcp" });
    expect(synthesized.json.variable.dns_update_keysecret.description).toBe(
      "TSIG secret (base64) of the key kms-update that signs the DNS updates. Set it at apply time: TF_VAR_dns_update_keysecret; never in a file.",
    );
  });
});
