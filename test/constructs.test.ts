// Each construct alone, asserted on the synthesized JSON (snake_case keys, nested blocks as arrays).
import { TerraformStack, Testing } from "cdktf";
import { KmsDnsRecords, KmsDnsRecordsProps, KmsFirewallRule, KmsHost, KmsHostImage, KmsKeyVault, KmsNetwork, KmsSrvRecord, ManagementAccessRule } from "../constructs";
import { synthesizeConstruct } from "./support/synth";

const hostProps = {
  computerName: "kms01",
  resourceGroupName: "rg-kms",
  location: "westeurope",
  subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/k",
  adminPasswordKeyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
  dnsZoneName: "corp.contoso.com",
};

describe("KmsHost", () => {
  const synthesized = synthesizeConstruct((stack) => new KmsHost(stack, "host", hostProps));
  const [vm] = synthesized.resources("azurerm_windows_virtual_machine");
  const [nic] = synthesized.resources("azurerm_network_interface");

  test("turns on Trusted Launch and encryption at host by default", () => {
    expect(vm).toMatchObject({ secure_boot_enabled: true, vtpm_enabled: true, encryption_at_host_enabled: true });
  });

  test("uses a Datacenter Gen2 image that is not Azure Edition", () => {
    expect(vm.source_image_reference).toEqual({ publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-g2", version: "latest" });
    expect(vm.source_image_reference.sku).not.toMatch(/azure-edition/);
  });

  test("has a system-assigned identity, platform patching, the VM agent and managed boot diagnostics", () => {
    expect(vm).toMatchObject({
      identity: { type: "SystemAssigned" },
      patch_mode: "AutomaticByPlatform",
      provision_vm_agent: true,
      boot_diagnostics: {},
    });
  });

  test("has a NIC with a dynamic private IP and no public IP", () => {
    expect(nic.ip_configuration).toEqual([expect.objectContaining({ private_ip_address_allocation: "Dynamic", subnet_id: hostProps.subnetId })]);
    expect(nic.ip_configuration[0].public_ip_address_id).toBeUndefined();
    expect(nic.ip_forwarding_enabled).toBe(false);
    expect(synthesized.resources("azurerm_public_ip")).toHaveLength(0);
  });

  test("sets the admin password from a generated password, never a literal, and stores it in Key Vault", () => {
    expect(vm.admin_password).toMatch(/^\$\{random_password\.[^}]+\.result\}$/);
    const [secret] = synthesized.resources("azurerm_key_vault_secret");
    expect(secret).toMatchObject({ name: "kms01-admin-password", key_vault_id: hostProps.adminPasswordKeyVaultId, value: vm.admin_password });
  });

  test("takes a static private IP, a zone and Windows Server 2025 when asked", () => {
    const custom = synthesizeConstruct((stack) => new KmsHost(stack, "host", { ...hostProps, privateIpAddress: "10.0.0.10", zone: "2", image: KmsHostImage.WINDOWS_SERVER_2025 }));
    expect(custom.resources("azurerm_network_interface")[0].ip_configuration[0]).toMatchObject({ private_ip_address_allocation: "Static", private_ip_address: "10.0.0.10" });
    expect(custom.resources("azurerm_windows_virtual_machine")[0]).toMatchObject({ zone: "2", source_image_reference: { sku: "2025-datacenter-g2" } });
  });

  test("exposes its FQDN in the zone", () => {
    const host = new KmsHost(new TerraformStack(Testing.app(), "s"), "h", { ...hostProps, computerName: "KMSPRD01" });
    expect(host.fqdn).toBe("kmsprd01.corp.contoso.com");
  });

  test.each([
    ["16 characters", "kmsproduction016"],
    ["a leading hyphen", "-kms01"],
    ["only digits", "12345"],
    ["an underscore", "kms_01"],
  ])("refuses a computer name with %s", (_what, computerName) => {
    expect(() => synthesizeConstruct((stack) => new KmsHost(stack, "host", { ...hostProps, computerName }))).toThrow(/computerName .* not a valid Windows computer name/);
  });
});

describe("KmsFirewallRule", () => {
  const props = {
    networkSecurityGroupName: "nsg",
    resourceGroupName: "rg",
    clientCidrs: ["10.0.0.0/8", "192.168.1.0/24"],
    hostAddresses: ["10.1.0.4", "10.1.0.5"],
  };

  test("allows TCP 1688 inbound from exactly the client ranges to the hosts", () => {
    const rules = synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", props)).resources("azurerm_network_security_rule");
    const allow = rules.filter((r) => r.access === "Allow");
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      direction: "Inbound",
      protocol: "Tcp",
      destination_port_range: "1688",
      source_address_prefixes: ["10.0.0.0/8", "192.168.1.0/24"],
      destination_address_prefixes: ["10.1.0.4", "10.1.0.5"],
      priority: 200,
    });
  });

  test("denies the KMS port to every other source at a lower precedence than the allow rule", () => {
    const rules = synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, port: 1689 })).resources("azurerm_network_security_rule");
    const deny = rules.find((r) => r.access === "Deny");
    expect(deny).toMatchObject({ direction: "Inbound", destination_port_range: "1689", source_address_prefix: "*", priority: 4000 });
  });

  test.each(["0.0.0.0/0", "*", "Internet", "::/0", "Any", "VirtualNetwork"])("refuses the source %s and says why", (source) => {
    expect(() => synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, clientCidrs: ["10.0.0.0/8", source] }))).toThrow(
      /clientCidrs\[1\]: .*(Internet|service tag)/,
    );
  });

  test.each([0, 70000, 1.5])("refuses the port %s", (port) => {
    expect(() => synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, port }))).toThrow(/not a TCP port/);
  });

  test("refuses a deny priority that would shadow the allow rule", () => {
    expect(() => synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, priority: 500, denyOthersPriority: 400 }))).toThrow(/must be greater than priority/);
  });

  test("refuses an empty client list", () => {
    expect(() => synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, clientCidrs: [] }))).toThrow(/clientCidrs is empty/);
  });
});

describe("ManagementAccessRule", () => {
  test("denies RDP and WinRM from every source when no admin range is declared", () => {
    const rules = synthesizeConstruct((stack) => new ManagementAccessRule(stack, "m", { networkSecurityGroupName: "nsg", resourceGroupName: "rg" })).resources(
      "azurerm_network_security_rule",
    );
    expect(rules).toEqual([expect.objectContaining({ access: "Deny", direction: "Inbound", destination_port_ranges: ["3389", "5985", "5986"], source_address_prefix: "*" })]);
  });

  test("allows RDP and WinRM from the admin ranges only", () => {
    const rules = synthesizeConstruct((stack) =>
      new ManagementAccessRule(stack, "m", { networkSecurityGroupName: "nsg", resourceGroupName: "rg", adminCidrs: ["10.1.255.0/26"] }),
    ).resources("azurerm_network_security_rule");
    expect(rules.find((r) => r.access === "Allow")).toMatchObject({ source_address_prefixes: ["10.1.255.0/26"], destination_port_ranges: ["3389", "5985", "5986"] });
  });

  test("refuses an Internet-wide admin range", () => {
    expect(() =>
      synthesizeConstruct((stack) => new ManagementAccessRule(stack, "m", { networkSecurityGroupName: "nsg", resourceGroupName: "rg", adminCidrs: ["0.0.0.0/0"] })),
    ).toThrow(/adminCidrs\[0\]/);
  });
});

describe("KmsSrvRecord", () => {
  const model = (change: Partial<KmsDnsRecordsProps> = {}) =>
    new KmsDnsRecords({
      zoneName: "corp.contoso.com",
      hosts: [
        { name: "kms01", address: "10.1.0.4" },
        { name: "kms02", address: "10.1.0.5", priority: 10, weight: 20 },
      ],
      ...change,
    });
  const props = { resourceGroupName: "rg" };

  test("creates an A record per host", () => {
    const records = synthesizeConstruct((stack) => new KmsSrvRecord(stack, "dns", { ...props, records: model() })).resources("azurerm_private_dns_a_record");
    expect(records.map((r) => [r.name, r.records])).toEqual([
      ["kms01", ["10.1.0.4"]],
      ["kms02", ["10.1.0.5"]],
    ]);
  });

  test("creates one _vlmcs._tcp SRV record with an entry per host (its priority and weight) pointing at its A record", () => {
    const synthesized = synthesizeConstruct((stack) => new KmsSrvRecord(stack, "dns", { ...props, records: model({ ttl: 600 }) }));
    const srv = synthesized.resources("azurerm_private_dns_srv_record");
    expect(srv).toHaveLength(1);
    expect(srv[0]).toMatchObject({ name: "_vlmcs._tcp", zone_name: "corp.contoso.com", ttl: 600 });
    const aRecordKeys = Object.keys(synthesized.json.resource.azurerm_private_dns_a_record);
    expect(srv[0].record).toEqual([
      { priority: 0, weight: 0, port: 1688, target: `\${azurerm_private_dns_a_record.${aRecordKeys[0]}.fqdn}` },
      { priority: 10, weight: 20, port: 1688, target: `\${azurerm_private_dns_a_record.${aRecordKeys[1]}.fqdn}` },
    ]);
  });

  test("puts the configured port in every entry", () => {
    const [srv] = synthesizeConstruct((stack) => new KmsSrvRecord(stack, "dns", { ...props, records: model({ port: 1689 }) })).resources("azurerm_private_dns_srv_record");
    expect(srv.record.map((r: { port: number }) => r.port)).toEqual([1689, 1689]);
  });
});

describe("KmsNetwork and KmsKeyVault", () => {
  test("KmsNetwork refuses both or neither of vnet and subnetId", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const base = { resourceGroupName: "rg", location: "westeurope", nsgName: "nsg" };
    expect(() => new KmsNetwork(stack, "both", { ...base, subnetId: hostProps.subnetId, vnet: { name: "v", addressSpace: "10.0.0.0/24", subnetPrefix: "10.0.0.0/27" } })).toThrow(/exactly one of vnet .* and subnetId/);
    expect(() => new KmsNetwork(stack, "neither", base)).toThrow(/exactly one of vnet .* and subnetId/);
  });

  test("KmsKeyVault refuses both or neither of existingId and name", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const base = { resourceGroupName: "rg", location: "westeurope" };
    expect(() => new KmsKeyVault(stack, "both", { ...base, existingId: hostProps.adminPasswordKeyVaultId, name: "kv" })).toThrow(/exactly one of existingId .* and name/);
    expect(() => new KmsKeyVault(stack, "neither", base)).toThrow(/exactly one of existingId .* and name/);
  });

  test("an existing vault is read, not created, and needs no deployer role", () => {
    const synthesized = synthesizeConstruct((stack) => new KmsKeyVault(stack, "kv", { resourceGroupName: "rg", location: "westeurope", existingId: hostProps.adminPasswordKeyVaultId }));
    expect(synthesized.resources("azurerm_key_vault")).toHaveLength(0);
    expect(synthesized.resources("azurerm_role_assignment")).toHaveLength(0);
  });
});
