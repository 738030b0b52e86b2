// The stacks built from the test's fixture environment files, checked on the synthesized JSON.
import { isTaggable } from "../constructs/standard-tags";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { App, Aspects, TerraformResource, Testing } from "cdktf";
import type { EnvironmentConfig } from "../config/environment-schema";
import type { IConstruct } from "constructs";
import { KmsPolicyPack } from "../policy";
import { environmentFieldsOf } from "../stacks/environment-fields";
import { KmsStack } from "../stacks/kms-stack";
import { environmentWith, fixtureEnvironmentData, validEnvironment } from "./support/environments";
import { SharedResults } from "./support/shared-result";
import { NEVER_SYNTHESIZED } from "./support/scratch";
import { SynthesizedStack, parsed, synthesizeEnvironment } from "./support/synth";

/**
 * Many tests here read the stack of the same environment (the lab and production fixtures above
 * all): each distinct environment is synthesized once for the file, and every caller gets a copy
 * parsed afresh from its text, so no test sees what another did to its copy. Synthesis is
 * deterministic; no test here compares two syntheses of one environment. (SharedResults tells
 * Stryker that every test reading a stack covers what synthesizing it ran.)
 */
const synthesizedText = new SharedResults<string>();
function synthesize(environment: EnvironmentConfig): SynthesizedStack {
  return parsed(synthesizedText.get(JSON.stringify(environment), () => synthesizeEnvironment(environment).text));
}

describe.each(["lab", "production"] as const)("the %s stack", (name) => {
  let environment: EnvironmentConfig;
  let stack: SynthesizedStack;
  beforeAll(() => {
    environment = validEnvironment(fixtureEnvironmentData(name));
    stack = synthesize(environment);
  });

  test("has exactly hosts.count Windows VMs", () => {
    expect(stack.resources("azurerm_windows_virtual_machine")).toHaveLength(environment.hosts.count);
  });

  test("gives every VM secure boot, vTPM, encryption at host and a Datacenter (not Azure Edition) image", () => {
    for (const vm of stack.resources("azurerm_windows_virtual_machine")) {
      expect(vm).toMatchObject({ secure_boot_enabled: true, vtpm_enabled: true, encryption_at_host_enabled: true });
      expect(vm.source_image_reference.sku).toMatch(/^20(22|25)-datacenter-g2$/);
    }
  });

  test("has no public IP on a NIC: the only public IP is the NAT gateway's egress address", () => {
    expect(stack.resources("azurerm_network_interface").flatMap((n) => n.ip_configuration).filter((c) => c.public_ip_address_id !== undefined)).toEqual([]);
    const pips = Object.keys(stack.json.resource.azurerm_public_ip ?? {}).map((name) => `\${azurerm_public_ip.${name}.id}`);
    expect(stack.resources("azurerm_nat_gateway_public_ip_association").map((a) => a.public_ip_address_id).sort()).toEqual(pips.sort());
  });

  test("has one Allow Inbound Tcp rule on the KMS port whose sources are exactly clientCidrs", () => {
    const allows = stack.resources("azurerm_network_security_rule").filter((r) => r.access === "Allow" && r.destination_port_range === String(environment.kms.port));
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ direction: "Inbound", protocol: "Tcp", source_address_prefixes: environment.clientCidrs });
    expect(allows[0].source_address_prefix).toBeUndefined();
  });

  test("has one _vlmcs._tcp SRV record with an entry per host, each with the KMS port and its A record's FQDN", () => {
    const srv = stack.resources("azurerm_private_dns_srv_record");
    expect(srv).toHaveLength(1);
    expect(srv[0].name).toBe("_vlmcs._tcp");
    const aRecords = Object.entries(stack.json.resource.azurerm_private_dns_a_record as Record<string, { name: string }>);
    expect(aRecords).toHaveLength(environment.hosts.count);
    expect(srv[0].record).toEqual(aRecords.map(([key]) => expect.objectContaining({ port: environment.kms.port, target: `\${azurerm_private_dns_a_record.${key}.fqdn}` })));
  });

  test("spreads hosts round-robin across the zones", () => {
    const zones = stack.resources("azurerm_windows_virtual_machine").map((vm) => vm.zone);
    expect(zones).toEqual(environment.hosts.zones.length ? Array.from({ length: environment.hosts.count }, (_, i) => environment.hosts.zones[i % environment.hosts.zones.length]) : zones.map(() => undefined));
  });

  test("contains no literal password: admin passwords come from random_password", () => {
    for (const vm of stack.resources("azurerm_windows_virtual_machine")) expect(vm.admin_password).toMatch(/^\$\{random_password\.[^}]+\.result\}$/);
    for (const secret of stack.resources("azurerm_key_vault_secret")) expect(secret.value).toMatch(/^\$\{random_password\.[^}]+\.result\}$/);
    expect(stack.text).not.toMatch(/"(admin_)?password"\s*:\s*"(?!\$\{)/);
  });

  test("contains no product-key-shaped value", () => {
    expect(stack.text).not.toMatch(/[A-Z0-9]{5}(-[A-Z0-9]{5}){4}/);
  });

  test("grants each host identity Key Vault Secrets User on exactly its KMS host key secrets", () => {
    const grants = stack.resources("azurerm_role_assignment").filter((r) => r.role_definition_name === "Key Vault Secrets User");
    expect(grants).toHaveLength(environment.hosts.count * environment.kms.products.length);
    for (const grant of grants) expect(grant.principal_id).toMatch(/^\$\{azurerm_windows_virtual_machine\.[^}]+\.identity\[0\]\.principal_id\}$/);
    const scopes = grants.map((g) => g.scope as string);
    const [vaultKey] = Object.keys(stack.json.resource.azurerm_key_vault);
    expect(new Set(scopes)).toEqual(new Set(environment.kms.products.map((p) => `\${azurerm_key_vault.${vaultKey}.id}/secrets/${p.secretName}`)));
  });

  test("creates a Key Vault with RBAC authorization and soft delete, purge protection only in production", () => {
    const [vault] = stack.resources("azurerm_key_vault");
    expect(vault).toMatchObject({ rbac_authorization_enabled: true, soft_delete_retention_days: 90, purge_protection_enabled: name === "production" });
  });

  test("outputs host names, private IPs, the SRV FQDN, the port and the manual client command", () => {
    expect(Object.keys(stack.json.output)).toEqual(expect.arrayContaining(["host_names", "private_ips", "srv_record_fqdn", "kms_port", "client_manual_command"]));
    expect(stack.json.output.kms_port.value).toBe(environment.kms.port);
    expect(stack.json.output.client_manual_command.value).toBe(
      `$s = Get-CimInstance SoftwareLicensingService; Invoke-CimMethod -InputObject $s -MethodName SetKeyManagementServiceMachine -Arguments @{ MachineName = '${environment.hosts.namePrefix}01.${environment.dns.zoneName}' }; Invoke-CimMethod -InputObject $s -MethodName SetKeyManagementServicePort -Arguments @{ PortNumber = [uint32]${environment.kms.port} }`,
    );
    expect(stack.json.output.client_manual_command.value).not.toMatch(/slmgr|cscript/i);
  });

  test("sets the backend explicitly, with no absolute path", () => {
    const backend = stack.json.terraform.backend;
    expect(Object.keys(backend)).toEqual([environment.backend.type]);
    expect(JSON.stringify(backend)).not.toMatch(/"\/|[A-Za-z]:\\\\/);
  });
});

describe("KmsStack", () => {
  test("moves the NSG rule and every SRV entry together when kms.port is 1689", () => {
    const stack = synthesize(validEnvironment(environmentWith("production", (d) => (d.kms.port = 1689))));
    const kmsRules = stack.resources("azurerm_network_security_rule").filter((r) => r.destination_port_range !== undefined);
    expect(kmsRules.map((r) => r.destination_port_range)).toEqual(["1689", "1689"]);
    expect(stack.resources("azurerm_private_dns_srv_record")[0].record.map((r: { port: number }) => r.port)).toEqual([1689, 1689]);
    for (const command of stack.resources("azurerm_virtual_machine_run_command")) {
      expect(command.parameter).toContainEqual({ name: "KmsPort", value: "1689" });
    }
    // Nothing but the script's own documented default mentions 1688.
    const withoutScripts = stack.text.replace(/"script": "(?:[^"\\]|\\.)*"/g, '""');
    expect(withoutScripts).not.toMatch(/1688/);
  });

  test("puts the environment's tags on every taggable resource", () => {
    const environment = validEnvironment(fixtureEnvironmentData("production"));
    // The construct tree tells which resource types accept tags; the synthesized JSON must carry them.
    const stack = new KmsStack(new App({ outdir: NEVER_SYNTHESIZED }), environment);
    const synthesized = synthesize(environment);
    const taggableTypes = new Set(
      stack.node
        .findAll()
        .filter((c): c is TerraformResource => c instanceof TerraformResource && isTaggable(c))
        // Run Commands stay untagged on purpose: a tag change would re-run the bootstrap (test/provider-contract.test.ts).
        .filter((r) => r.terraformResourceType !== "azurerm_virtual_machine_run_command")
        .map((r) => r.terraformResourceType),
    );
    expect(taggableTypes.size).toBeGreaterThan(5);
    for (const type of taggableTypes) {
      for (const resource of synthesized.resources(type)) {
        expect(resource.tags).toMatchObject({ "managed-by": "azure-kms-host", environment: "production", "cost-center": "it-infrastructure" });
      }
    }
  });

  test("associates the NSG with the subnet it creates, and with the NICs on a subnet it does not own", () => {
    const lab = synthesize(validEnvironment(fixtureEnvironmentData("lab")));
    expect(lab.resources("azurerm_subnet_network_security_group_association")).toHaveLength(1);
    expect(lab.resources("azurerm_network_interface_security_group_association")).toHaveLength(0);
    const production = synthesize(validEnvironment(fixtureEnvironmentData("production")));
    expect(production.resources("azurerm_subnet_network_security_group_association")).toHaveLength(0);
    expect(production.resources("azurerm_network_interface_security_group_association")).toHaveLength(2);
  });

  test("uses an existing Key Vault by id without creating one", () => {
    const id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-shared";
    const stack = synthesize(validEnvironment(environmentWith("lab", (d) => (d.keyVault = { id }))));
    expect(stack.resources("azurerm_key_vault")).toHaveLength(0);
    expect(Object.values(stack.json.data.azurerm_key_vault)).toEqual([expect.objectContaining({ name: "kv-shared", resource_group_name: "rg-sec" })]);
    for (const grant of stack.resources("azurerm_role_assignment")) expect(grant.scope).toMatch(new RegExp(`^${id}/secrets/kms-host-key-`));
    expect(Object.values(stack.json.data.azurerm_key_vault_secrets)).toEqual([expect.objectContaining({ key_vault_id: id })]);
  });

  test("links a created zone to the KMS vnet and every extra vnet", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("production")));
    // The vault's privatelink zone has its own link (KmsKeyVaultPrivateEndpoint, named link-pe-...).
    const links = stack.resources("azurerm_private_dns_zone_virtual_network_link").filter((l) => !String(l.name).startsWith("link-pe-")).map((l) => l.virtual_network_id);
    expect(links).toEqual([
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub-weu",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/Microsoft.Network/virtualNetworks/vnet-dns-resolver",
    ]);
  });

  test("uses an existing zone and resource group without creating them", () => {
    const stack = synthesize(
      validEnvironment(
        environmentWith("lab", (d) => {
          d.resourceGroup.create = false;
          d.dns = { ...d.dns, createZone: false, zoneResourceGroup: "rg-dns" };
        }),
      ),
    );
    expect(stack.resources("azurerm_resource_group")).toHaveLength(0);
    expect(stack.resources("azurerm_private_dns_zone")).toHaveLength(0);
    expect(stack.resources("azurerm_private_dns_srv_record")[0]).toMatchObject({ zone_name: "lab.contoso.internal", resource_group_name: "rg-dns" });
  });
});

describe("Key Vault firewall", () => {
  test("allowedCidrs turns the firewall on for those ranges and the KMS subnet, through its service endpoint", () => {
    const stack = synthesize(validEnvironment(environmentWith("lab", (d) => (d.keyVault.allowedCidrs = ["203.0.113.0/28"]))));
    const [vault] = stack.resources("azurerm_key_vault");
    const [subnet] = stack.resources("azurerm_subnet");
    expect(vault.network_acls).toEqual({ default_action: "Deny", bypass: "AzureServices", ip_rules: ["203.0.113.0/28"], virtual_network_subnet_ids: [`\${azurerm_subnet.${Object.keys(stack.json.resource.azurerm_subnet)[0]}.id}`] });
    expect(subnet.service_endpoints).toEqual(["Microsoft.KeyVault"]);
  });

  test("with a private endpoint the vault's public access is off, its firewall admits nothing and the subnet gets no service endpoint", () => {
    const stack = synthesize(validEnvironment(environmentWith("lab", (d) => {
      const kv = d.keyVault as Record<string, unknown>;
      delete kv.allowedCidrs;
      kv.privateEndpoint = {};
    })));
    const vault = stack.resources("azurerm_key_vault")[0];
    expect(vault.public_network_access_enabled).toBe(false);
    expect(vault.network_acls).toEqual(expect.objectContaining({ default_action: "Deny", ip_rules: [], virtual_network_subnet_ids: [] }));
    expect(stack.resources("azurerm_subnet")[0].service_endpoints).toBeUndefined();
  });
});

test("an existing Key Vault needs no client config lookup", () => {
  const id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-shared";
  const stack = synthesize(validEnvironment(environmentWith("lab", (d) => (d.keyVault = { id }))));
  expect(stack.json.data.azurerm_client_config).toBeUndefined();
});

test("bumping kms.bootstrapRevision changes every host's Run Command, so the bootstrap re-runs in place", () => {
  const before = synthesize(validEnvironment(fixtureEnvironmentData("production")));
  const after = synthesize(validEnvironment(environmentWith("production", (d) => (d.kms.bootstrapRevision = 2))));
  const revisions = (stack: typeof before) => stack.resources("azurerm_virtual_machine_run_command").map((c) => c.parameter.find((p: { name: string }) => p.name === "Revision").value);
  expect(revisions(before)).toEqual(["1", "1"]);
  expect(revisions(after)).toEqual(["2", "2"]);
});

describe("what KmsStack wires together", () => {
  test("configures azurerm to use Entra ID for storage, keep a destroyed vault recoverable, recover a soft-deleted one and never delete a resource group that still holds resources", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("production")));
    expect(stack.json.provider.azurerm).toEqual([
      {
        subscription_id: "00000000-0000-0000-0000-000000000000",
        storage_use_azuread: true,
        features: [{ key_vault: [{ purge_soft_delete_on_destroy: false, recover_soft_deleted_key_vaults: true }], resource_group: [{ prevent_deletion_if_contains_resources: true }] }],
      },
    ]);
    expect(stack.json.provider.random).toEqual([{}]);
  });

  test("keeps azurerm state in the storage account the environment names, reached with Entra ID", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("production")));
    expect(stack.json.terraform.backend).toEqual({
      azurerm: { resource_group_name: "rg-terraform-state", storage_account_name: "sttfstatecontoso", container_name: "tfstate", key: "kms-production.tfstate", use_azuread_auth: true },
    });
  });

  test("creates the resource group where the environment says, and names the NSG and a created vnet after the environment", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("lab")));
    expect(stack.resources("azurerm_resource_group")).toEqual([expect.objectContaining({ name: "rg-kms-lab", location: "westeurope" })]);
    expect(stack.resources("azurerm_network_security_group").map((nsg) => [nsg.name, nsg.resource_group_name, nsg.location])).toEqual([["nsg-kms-lab", "${azurerm_resource_group.kms.name}", "westeurope"]]);
    expect(stack.resources("azurerm_virtual_network").map((vnet) => vnet.name)).toEqual(["vnet-kms-lab"]);
    const named = synthesize(validEnvironment(environmentWith("lab", (d) => (d.network.vnet.name = "vnet-activation"))));
    expect(named.resources("azurerm_virtual_network").map((vnet) => vnet.name)).toEqual(["vnet-activation"]);
  });

  test("monitors the hosts by default, in a workspace and action group named after the environment", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("lab")));
    expect(stack.resources("azurerm_log_analytics_workspace").map((workspace) => workspace.name)).toEqual(["log-kms-lab"]);
    expect(stack.resources("azurerm_monitor_action_group").map((group) => group.name)).toEqual(["ag-kms-lab"]);
  });

  test("writes every output with a description, and values that point at the resources", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("lab")));
    const outputs = stack.json.output as Record<string, { value: unknown; description: string }>;
    for (const [name, output] of Object.entries(outputs)) expect([name, output.description.length > 20]).toEqual([name, true]);
    const [vaultKey] = Object.keys(stack.json.resource.azurerm_key_vault);
    const [nicKey] = Object.keys(stack.json.resource.azurerm_network_interface);
    const [srvKey] = Object.keys(stack.json.resource.azurerm_private_dns_srv_record);
    expect(outputs.host_names.value).toEqual(["kmslab01.lab.contoso.internal"]);
    expect(outputs.private_ips.value).toEqual([`\${azurerm_network_interface.${nicKey}.private_ip_address}`]);
    expect(outputs.srv_record_fqdn.value).toBe(`\${azurerm_private_dns_srv_record.${srvKey}.fqdn}`);
    expect(outputs.key_vault_uri.value).toBe(`\${azurerm_key_vault.${vaultKey}.vault_uri}`);
  });

  test("by default keeps the state in the project root and the client kit under cdktf.out/", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("lab")));
    expect(stack.json.terraform.backend).toEqual({ local: { path: "../../../terraform.kms-lab.tfstate" } });
    expect(stack.json.output.client_kit_path.value).toBe("cdktf.out/client-kit/lab");
  });

  test("runs each host's bootstrap after its key grants, and, when monitored, after its agent and data collection association too", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("production")));
    const commands = Object.entries(stack.json.resource.azurerm_virtual_machine_run_command as Record<string, { depends_on: string[] }>);
    expect(commands.map(([key]) => key)).toEqual(["kmsprd01_bootstrap", "kmsprd02_bootstrap"]);
    commands.forEach(([, command], index) => {
      const host = `kmsprd0${index + 1}`;
      expect(command.depends_on).toEqual([
        `azurerm_role_assignment.${host}_reads_kms-host-key-office-ltsc-2024`,
        `azurerm_role_assignment.${host}_reads_kms-host-key-office-ltsc-2021`,
        `azurerm_virtual_machine_extension.${host}_monitor_agent`,
        `azurerm_monitor_data_collection_rule_association.${host}`,
      ]);
    });
  });

  test("locks each host, the vault, the SRV record and each A record in production, under addresses named after what they lock", () => {
    const stack = synthesize(validEnvironment(fixtureEnvironmentData("production")));
    const locks = Object.keys(stack.json.resource.azurerm_management_lock);
    expect(locks.sort()).toEqual(["key_vault", "kmsprd01", "kmsprd01_a_record", "kmsprd02", "kmsprd02_a_record", "vlmcs"]);
  });

  test("applies the policy pack with the environment's client and admin networks, KMS port and tier", () => {
    for (const name of ["lab", "production"] as const) {
      const environment = validEnvironment(environmentWith(name, (d) => (d.kms.port = 1689)));
      const stack = new KmsStack(new App({ outdir: NEVER_SYNTHESIZED }), environment);
      const packs = Aspects.of(stack).all.filter((aspect): aspect is KmsPolicyPack => aspect instanceof KmsPolicyPack);
      expect(packs).toHaveLength(1);
      expect(packs[0].context).toMatchObject({ clientCidrs: environment.clientCidrs, adminCidrs: environment.adminCidrs, kmsPort: 1689, production: name === "production" });
    }
  });

  test("tags a resource that another aspect adds during synthesis", () => {
    const app = Testing.app();
    const stack = new KmsStack(app, validEnvironment(fixtureEnvironmentData("lab")));
    let added = false;
    Aspects.of(stack).add({
      visit(node) {
        if (node !== stack || added) return;
        added = true;
        new ResourceGroup(stack, "added-by-an-aspect", { name: "rg-added", location: "westeurope" });
      },
    });
    const synthesized = parsed(Testing.synth(stack));
    expect(synthesized.resources("azurerm_resource_group").find((group) => group.name === "rg-added")?.tags).toEqual({ "managed-by": "azure-kms-host", environment: "lab", "cost-center": "it-lab" });
  });

  test("records, for every construct built from the environment file, the fields a policy error on it points back at", () => {
    const stack = new KmsStack(new App({ outdir: NEVER_SYNTHESIZED }), validEnvironment(environmentWith("production", (d) => (d.adminCidrs = ["10.60.0.0/27"]))));
    /** The fields recorded for the construct at `path` (ids below the environment construct, slash-separated). */
    const fields = (path: string): readonly (readonly string[])[] => environmentFieldsOf(path.split("/").reduce<IConstruct>((construct, id) => construct.node.findChild(id), stack.environment));
    expect(environmentFieldsOf(stack.keyVault)).toEqual([["keyVault"]]);
    expect(fields("network")).toEqual([["network"]]);
    expect(fields("network/management-access")).toEqual([["adminCidrs"], ["kms", "port"]]);
    expect(environmentFieldsOf(stack.firewallRule)).toEqual([["kms", "port"], ["clientCidrs"], ["adminCidrs"]]);
    for (const host of stack.hosts) expect(environmentFieldsOf(host.vm)).toEqual([["hosts"]]);
    for (const bootstrap of stack.bootstraps) expect(environmentFieldsOf(bootstrap.runCommand)).toEqual([["kms", "products"], ["kms", "bootstrapRevision"]]);
    expect(fields("monitoring")).toEqual([["monitoring"]]);
  });

  test("validates an environment built without the schema: an RFC 2136 section with neither gssapi nor tsig is refused with the field and the fix", () => {
    const environment = validEnvironment(environmentWith("lab", (d) => ((d.dns.privateZone = false), (d.dns.rfc2136 = { server: "dc01.corp.example.test", gssapi: { realm: "CORP.EXAMPLE.TEST" } }))));
    const broken = { ...environment, dns: { ...environment.dns, rfc2136: { ...environment.dns.rfc2136!, gssapi: undefined } } } as EnvironmentConfig;
    expect(() => new KmsStack(new App({ outdir: NEVER_SYNTHESIZED }), broken)).toThrow(
      new Error("KmsEnvironment kms-lab/environment: invalid props; nothing was built:\n  dns.rfc2136: missing: give gssapi (realm, username: Active Directory secure updates) or tsig (keyName, algorithm)"),
    );
  });
});
