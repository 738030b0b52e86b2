// Each construct alone, asserted on the synthesized JSON (snake_case keys, nested blocks as arrays).
import { TerraformStack, Testing } from "cdktf";
import { KmsDnsRecords, KmsDnsRecordsProps, KmsFirewallRule, KmsHost, KmsHostImage, KmsKeyVault, KmsNetwork, KmsSrvRecord, ManagementAccessRule } from "../constructs";
import { synthesizeConstruct, type SynthesizedStack } from "./support/synth";

/** A synthesized resource without cdktf's "//" metadata, to compare whole. */
const withoutMetadata = ({ "//": _metadata, ...config }: Record<string, any>): Record<string, any> => config;

const hostProps = {
  computerName: "kms01",
  resourceGroupName: "rg-kms",
  location: "westeurope",
  subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/k",
  adminPasswordKeyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
  dnsZoneName: "corp.contoso.com",
};

describe("KmsHost", () => {
  let synthesized: SynthesizedStack;
  let vm: Record<string, any>;
  let nic: Record<string, any>;
  beforeAll(() => {
    synthesized = synthesizeConstruct((stack) => new KmsHost(stack, "host", hostProps));
    [vm] = synthesized.resources("azurerm_windows_virtual_machine");
    [nic] = synthesized.resources("azurerm_network_interface");
  });

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

  test("builds the NIC, the password, its secret and the VM exactly so by default", () => {
    const [password] = synthesized.resources("random_password");
    const [secret] = synthesized.resources("azurerm_key_vault_secret");
    const nicKey = Object.keys(synthesized.json.resource.azurerm_network_interface)[0];
    const passwordRef = `\${random_password.${Object.keys(synthesized.json.resource.random_password)[0]}.result}`;
    expect(withoutMetadata(nic)).toEqual({
      name: "nic-kms01",
      resource_group_name: "rg-kms",
      location: "westeurope",
      ip_forwarding_enabled: false,
      ip_configuration: [{ name: "primary", subnet_id: hostProps.subnetId, private_ip_address_version: "IPv4", private_ip_address_allocation: "Dynamic" }],
    });
    expect(withoutMetadata(password)).toEqual({ length: 32, special: true, min_lower: 2, min_upper: 2, min_numeric: 2, min_special: 2, override_special: "!#%*()-_=+[]{}:?" });
    expect(withoutMetadata(secret)).toEqual({ name: "kms01-admin-password", key_vault_id: hostProps.adminPasswordKeyVaultId, value: passwordRef, content_type: "Local administrator password of kms01 (user kmsadmin)" });
    expect(withoutMetadata(vm)).toEqual({
      name: "vm-kms01",
      computer_name: "kms01",
      resource_group_name: "rg-kms",
      location: "westeurope",
      size: "Standard_D2s_v5",
      admin_username: "kmsadmin",
      admin_password: passwordRef,
      network_interface_ids: [`\${azurerm_network_interface.${nicKey}.id}`],
      os_disk: { caching: "ReadWrite", storage_account_type: "Premium_LRS" },
      source_image_reference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-g2", version: "latest" },
      secure_boot_enabled: true,
      vtpm_enabled: true,
      encryption_at_host_enabled: true,
      identity: { type: "SystemAssigned" },
      provision_vm_agent: true,
      allow_extension_operations: true,
      patch_mode: "AutomaticByPlatform",
      patch_assessment_mode: "AutomaticByPlatform",
      bypass_platform_safety_checks_on_user_schedule_enabled: false,
      license_type: "None",
      boot_diagnostics: {},
      lifecycle: { ignore_changes: ["admin_password"], prevent_destroy: false },
    });
  });

  test("takes the size, admin user, disk type and destroy protection it is given, and names them in lower case", () => {
    const custom = synthesizeConstruct((stack) => new KmsHost(stack, "host", { ...hostProps, computerName: "KMSPRD01", size: "Standard_B2s", adminUsername: "opsadmin", osDiskStorageAccountType: "StandardSSD_LRS", preventDestroy: true }));
    expect(custom.resources("azurerm_windows_virtual_machine")[0]).toMatchObject({
      name: "vm-kmsprd01",
      computer_name: "KMSPRD01",
      size: "Standard_B2s",
      admin_username: "opsadmin",
      os_disk: { storage_account_type: "StandardSSD_LRS" },
      lifecycle: { prevent_destroy: true },
    });
    expect(custom.resources("azurerm_network_interface")[0].name).toBe("nic-kmsprd01");
    expect(custom.resources("azurerm_key_vault_secret")[0]).toMatchObject({ name: "kmsprd01-admin-password", content_type: "Local administrator password of KMSPRD01 (user opsadmin)" });
  });

  test.each(["10.0.0", "10.0.0.256", "fd00::10", "10.0.0.10/32"])("refuses the private IP %j by name", (privateIpAddress) => {
    expect(() => synthesizeConstruct((stack) => new KmsHost(stack, "host", { ...hostProps, privateIpAddress }))).toThrow(
      new Error(`KmsHost stack/host: privateIpAddress "${privateIpAddress}" is not an IPv4 address`),
    );
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

  test("writes both rules exactly so, named after the port", () => {
    const rules = synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, port: 1689 })).resources("azurerm_network_security_rule");
    expect(rules.map(withoutMetadata)).toEqual([
      {
        name: "allow-kms-1689-from-clients",
        description: "KMS activation (TCP 1689) from the declared client networks only",
        resource_group_name: "rg",
        network_security_group_name: "nsg",
        priority: 200,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        source_port_range: "*",
        destination_port_range: "1689",
        source_address_prefixes: ["10.0.0.0/8", "192.168.1.0/24"],
        destination_address_prefixes: ["10.1.0.4", "10.1.0.5"],
      },
      {
        name: "deny-kms-1689-from-others",
        description: "KMS activation (TCP 1689) from any network that is not a declared client network",
        resource_group_name: "rg",
        network_security_group_name: "nsg",
        priority: 4000,
        direction: "Inbound",
        access: "Deny",
        protocol: "Tcp",
        source_port_range: "*",
        destination_port_range: "1689",
        source_address_prefix: "*",
        destination_address_prefix: "*",
      },
    ]);
  });

  test("refuses an empty host list, naming the construct", () => {
    expect(() => synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, hostAddresses: [] }))).toThrow(
      new Error("KmsFirewallRule stack/fw: hostAddresses is empty; pass the private IP of every KMS host"),
    );
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

  test("writes both rules exactly so", () => {
    const rules = synthesizeConstruct((stack) =>
      new ManagementAccessRule(stack, "m", { networkSecurityGroupName: "nsg", resourceGroupName: "rg", adminCidrs: ["10.1.255.0/26"] }),
    ).resources("azurerm_network_security_rule");
    expect(rules.map(withoutMetadata)).toEqual([
      {
        name: "allow-management-from-admins",
        description: "RDP and WinRM from the declared admin networks only",
        resource_group_name: "rg",
        network_security_group_name: "nsg",
        priority: 300,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        source_port_range: "*",
        destination_port_ranges: ["3389", "5985", "5986"],
        source_address_prefixes: ["10.1.255.0/26"],
        destination_address_prefix: "*",
      },
      {
        name: "deny-management-from-others",
        description: "RDP and WinRM from any network that is not a declared admin network",
        resource_group_name: "rg",
        network_security_group_name: "nsg",
        priority: 4010,
        direction: "Inbound",
        access: "Deny",
        protocol: "Tcp",
        source_port_range: "*",
        destination_port_ranges: ["3389", "5985", "5986"],
        source_address_prefix: "*",
        destination_address_prefix: "*",
      },
    ]);
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
