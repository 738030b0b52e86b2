// The providers' contract (rehearsal/provider-contract.ts) and the Azure rules a stack can break by
// itself (rehearsal/azure-rule-checks.ts), on every stack we write: every fixture environment
// under test/fixtures/ and every shipped environment (checked generically, whatever files exist).
// Each check also refuses a bad input, so none can pass by checking nothing.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesizeAll } from "../../stacks/synthesize";
import { checkAgainstContract, CHECKERS, forceNewAttributes, PROVIDER_CONTRACT, VALIDATOR_SOURCES } from "../../rehearsal/provider-contract";
import { checkAzureRules } from "../../rehearsal/azure-rule-checks";
import { AZURE_RULES } from "../../rehearsal/azure-rules";
import { ENVIRONMENTS_DIR } from "../support/environments";

const FIXTURES = path.join(__dirname, "..", "fixtures");
/** Every folder of environment files: the shipped ones and every fixture folder that holds any. */
const ENVIRONMENT_DIRS = [
  ENVIRONMENTS_DIR,
  ...fs
    .readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.readdirSync(path.join(FIXTURES, d.name)).some((f) => /\.ya?ml$/.test(f)))
    .map((d) => path.join(FIXTURES, d.name)),
];

type Json = Record<string, any>;

/** Every environment of every folder, synthesized in-process: `folder/name` to its cdk.tf.json. */
function synthesizeEverything(): Map<string, Json> {
  const stacks = new Map<string, Json>();
  for (const dir of ENVIRONMENT_DIRS) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-contract-"));
    try {
      const result = synthesizeAll({ environmentsDir: dir, outdir });
      result.stackFiles.forEach((file, i) => stacks.set(`${path.relative(path.join(__dirname, "..", ".."), dir)}/${result.environments[i].name}`, JSON.parse(fs.readFileSync(file, "utf8"))));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return stacks;
}

/** A stack holding one resource (or data source) of `type` with `config`. */
const stackWith = (type: string, config: Json, kind: "resource" | "data" = "resource"): Json => ({ [kind]: { [type]: { x: config } } });

describe("the contract's rows", () => {
  test("every row and attribute cites a file and line at a provider tag", () => {
    expect(PROVIDER_CONTRACT.length).toBeGreaterThan(30);
    for (const row of PROVIDER_CONTRACT) {
      for (const source of [row.source, ...row.attributes.map((a) => a.source)]) {
        expect({ type: row.type, source }).toEqual({ type: row.type, source: expect.objectContaining({ repo: expect.stringMatching(/^hashicorp\/terraform-provider-(azurerm|dns|random)$/), tag: expect.stringMatching(/^v\d+\.\d+\.\d+$/), file: expect.stringMatching(/\.go$/), line: expect.any(Number) }) });
        expect(source.line).toBeGreaterThan(0);
      }
    }
  });

  test("the replacement rules the README and the rehearsal rely on are rows", () => {
    expect(forceNewAttributes("dns_a_record_set")).toContain("ttl");
    expect(forceNewAttributes("dns_srv_record_set")).toContain("ttl");
    expect(forceNewAttributes("azurerm_windows_virtual_machine")).toEqual(expect.arrayContaining(["os_disk", "admin_username", "admin_password", "zone", "name", "computer_name"]));
    expect(forceNewAttributes("azurerm_windows_virtual_machine")).not.toContain("size");
    expect(forceNewAttributes("azurerm_windows_virtual_machine")).not.toContain("encryption_at_host_enabled");
    expect(forceNewAttributes("azurerm_role_assignment")).toEqual(expect.arrayContaining(["scope", "principal_id", "role_definition_name", "description"]));
    expect(forceNewAttributes("azurerm_virtual_machine_run_command")).toEqual(expect.arrayContaining(["name", "virtual_machine_id", "location"]));
    expect(forceNewAttributes("azurerm_virtual_machine_run_command")).not.toContain("parameter");
    expect(forceNewAttributes("azurerm_key_vault")).not.toContain("purge_protection_enabled");
    expect(forceNewAttributes("azurerm_private_dns_a_record")).not.toContain("ttl");
    expect(forceNewAttributes("no_such_type")).toEqual([]);
  });

  test("the dns provider's key_name must be fully qualified (internal/provider/config.go:79)", () => {
    const keyName = PROVIDER_CONTRACT.find((r) => r.kind === "provider" && r.type === "dns")?.attributes.find((a) => a.path === "update.key_name");
    expect(keyName?.validations).toContainEqual({ kind: "fqdn" });
    expect(keyName?.source).toMatchObject({ file: "internal/provider/config.go", line: 79, tag: "v3.4.3" });
  });

  test("every restated validator has its source and refuses a bad value", () => {
    const bad: Record<string, string> = {
      "computeValidate.VirtualMachineName": "-vm-kmslab01",
      "validate.VirtualMachineRunCommandName": "-bootstrap",
      "computeValidate.WindowsComputerNameFull": "kms-laboratory-host01",
      "computeValidate.WindowsAdminUsername": "admin",
      "validate.VaultName": "kv_kms",
      "keyVaultValidate.NestedItemName": "kmslab01_admin",
      "validate.ManagementLockName": "kms do not delete",
      "commonschema.ResourceGroupName": "rg kms.",
      "validate.LowerCasedString": "KMSLAB01",
      "validate.NatGatewayName": "ng-kms-",
      "validate.PrivateLinkName": "pe kv kms",
      "validate.PrivateLinkSubResourceName": "-vault",
      "validate.MonitorDiagnosticSettingName": "diag:kms",
      "privatezones.ValidatePrivateDnsZoneID": "/subscriptions/x/resourceGroups/rg-dns/providers/Microsoft.Network/privatednszones/privatelink.vaultcore.azure.net",
      "validation.IsUUID": "deployer",
      "commonids.ValidateSubnetID": "/subscriptions/x/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
      "commonids.ValidateVirtualNetworkID": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/z/subnets/s",
      "workspaces.ValidateWorkspaceID": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Insights/actionGroups/z",
      "savedsearches.ValidateWorkspaceID": "log-kms",
      validateZone: "corp.example",
      validateName: "kmslab01.",
      "dnsvalidator.IsZoneNameValid": "corp.example",
      "dnsvalidator.IsRecordNameValid": "_vlmcs._tcp.corp.example.",
      "run-command-timeout": "120m",
      location: "westeurope2",
    };
    expect(Object.keys(bad).sort()).toEqual(Object.keys(CHECKERS).sort());
    for (const [id, value] of Object.entries(bad)) {
      expect({ id, problems: CHECKERS[id](value).length > 0 }).toEqual({ id, problems: true });
      expect(VALIDATOR_SOURCES[id]).toMatchObject({ file: expect.stringMatching(/\.go$/) });
    }
  });
});

describe("checkAgainstContract refuses what the providers refuse", () => {
  test.each<[string, Json, RegExp]>([
    ["a type the table does not hold, naming the row to add", stackWith("azurerm_storage_account", { name: "x" }), /resource type azurerm_storage_account is not in the providers' contract: add \{ type: "azurerm_storage_account", kind: "resource".*spec\.mjs.*extract\.mjs/],
    ["a data source the table does not hold", stackWith("azurerm_subnet", { name: "x" }, "data"), /data type azurerm_subnet is not in the providers' contract/],
    ["an attribute the table does not hold, naming the entry to add", stackWith("azurerm_key_vault", { name: "kv-kms", enabled_for_deployment: true }), /attribute enabled_for_deployment of azurerm_key_vault is not in the providers' contract: add "enabled_for_deployment" to the azurerm_key_vault entry/],
    ["a nested attribute the table does not hold", stackWith("azurerm_windows_virtual_machine", { os_disk: [{ disk_size_gb: 128 }] }), /attribute os_disk\.disk_size_gb/],
    ["a range (soft_delete_retention_days 7-90)", stackWith("azurerm_key_vault", { soft_delete_retention_days: 120 }), /120 is outside 7\.\.90/],
    ["an enum (principal_type)", stackWith("azurerm_role_assignment", { principal_type: "Identity" }), /"Identity" is not one of User, Group, ServicePrincipal/],
    ["a length (action group short_name at most 12)", stackWith("azurerm_monitor_action_group", { short_name: "kms-operations-x" }), /is not 1 to 12 characters/],
    ["an empty run command parameter value", stackWith("azurerm_virtual_machine_run_command", { parameter: [{ name: "WindowsKeySecretName", value: "" }] }), /parameter\.value|"" is not 1/],
    ["a run command timeout over 90 minutes", stackWith("azurerm_virtual_machine_run_command", { timeouts: { create: "120m" } }), /120m is not at most 90m/],
    ["an NSG rule priority out of range", stackWith("azurerm_network_security_rule", { priority: 4097 }), /4097 is outside 100\.\.4096/],
    ["an SRV record port 0", stackWith("azurerm_private_dns_srv_record", { record: [{ priority: 0, weight: 0, port: 0, target: "kms" }] }), /0 is outside 1\.\.65535/],
    ["a VM admin username Azure reserves", stackWith("azurerm_windows_virtual_machine", { admin_username: "admin" }), /"admin" is refused/],
    ["a location that is not a region", stackWith("azurerm_resource_group", { name: "rg", location: "westeurope2" }), /"westeurope2" is not an Azure region/],
    ["51 tags", stackWith("azurerm_resource_group", { name: "rg", tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"])) }), /51 tags/],
    ["a dns zone not fully qualified", stackWith("dns_a_record_set", { zone: "corp.example", name: "kms" }), /is not fully qualified/],
    ["an SRV record set target not fully qualified", stackWith("dns_srv_record_set", { zone: "corp.example.", name: "_vlmcs._tcp", srv: [{ priority: 0, weight: 0, port: 1688, target: "kms01.corp.example" }] }), /"kms01\.corp\.example" is not fully qualified/],
    ["two sources of one run command (ExactlyOneOf)", stackWith("azurerm_virtual_machine_run_command", { source: [{ script: "Write-Output 1", command_id: "RunPowerShellScript" }] }), /exactly one of source\.command_id, source\.script, source\.script_uri must be set/],
    ["an NSG rule with both a port range and port ranges (ConflictsWith)", stackWith("azurerm_network_security_rule", { destination_port_range: "1688", destination_port_ranges: ["1688"] }), /destination_port_range and destination_port_ranges conflict/],
    ["TSIG and GSS-TSIG in one dns provider (framework ConflictsWith)", { provider: { dns: [{ update: [{ server: "ns1", key_name: "k.", key_algorithm: "hmac-sha256", key_secret: "${var.s}", gssapi: [{ realm: "CORP.EXAMPLE" }] }] }] } }, /update\.gssapi and update\.key_name conflict/],
    ["a TSIG key_name not fully qualified", { provider: { dns: [{ update: [{ server: "ns1", key_name: "kms-update", key_algorithm: "hmac-sha256", key_secret: "${var.s}" }] }] } }, /"kms-update" is not fully qualified: write "kms-update\."/],
    ["a maintenance window time zone not in validate.MaintenanceTimeZone()'s list (a named validator's literal list, read as an enum)", stackWith("azurerm_maintenance_configuration", { window: [{ start_date_time: "2026-01-03 02:00", time_zone: "CET" }] }), /"CET" is not one of .*W\. Europe Standard Time/],
    ["a maintenance window duration not HH:mm (StringMatch, read as a regex)", stackWith("azurerm_maintenance_configuration", { window: [{ start_date_time: "2026-01-03 02:00", time_zone: "UTC", duration: "3:00" }] }), /window\.duration: duration must match the format HH:mm/],
    ["a Windows update classification the list's Elem refuses (each element is checked)", stackWith("azurerm_maintenance_configuration", { install_patches: [{ reboot: "IfRequired", windows: [{ classifications_to_include: ["Critical", "Other"] }] }] }), /"Other" is not one of Critical, Security, UpdateRollup/],
    ["a reboot option outside the SDK's PossibleValuesForRebootOptions()", stackWith("azurerm_maintenance_configuration", { install_patches: [{ reboot: "Sometimes" }] }), /"Sometimes" is not one of Always, IfRequired, Never/],
    ["a licence type the VM refuses", stackWith("azurerm_windows_virtual_machine", { license_type: "Windows_Server_BYOL" }), /"Windows_Server_BYOL" is not one of None, Windows_Client, Windows_Server/],
    ["an alert query time range override outside the list", stackWith("azurerm_monitor_scheduled_query_rules_alert_v2", { query_time_range_override: "P3D" }), /"P3D" is not one of PT5M/],
    ["a NAT gateway idle timeout under 4 minutes", stackWith("azurerm_nat_gateway", { idle_timeout_in_minutes: 2 }), /2 is outside 4\.\.120/],
    ["a private endpoint subresource name too short", stackWith("azurerm_private_endpoint", { private_service_connection: [{ name: "psc", is_manual_connection: false, subresource_names: ["kv"] }] }), /"kv" is not 3-63/],
    ["a VM extension name with a slash (validation.All: each member applies)", stackWith("azurerm_virtual_machine_extension", { name: "kms/boot" }), /name: must not contain any of \//],
    ["bypassing the platform's safety checks without AutomaticByPlatform patching (a create-time rule)", stackWith("azurerm_windows_virtual_machine", { patch_mode: "AutomaticByOS", bypass_platform_safety_checks_on_user_schedule_enabled: true }), /`patch_mode` must be set to `AutomaticByPlatform`/],
    ["an InGuestPatch maintenance configuration without install_patches (a create-time rule)", stackWith("azurerm_maintenance_configuration", { scope: "InGuestPatch", in_guest_user_patch_mode: "User", window: [{ start_date_time: "2026-01-03 02:00", time_zone: "UTC" }] }), /`install_patches` must be specified when `scope` is `InGuestPatch`/],
    ["an unknown argument of terraform_data", stackWith("terraform_data", { inputs: {} }), /inputs is not an argument of Terraform's built-in terraform_data/],
  ])("%s", (_name, stack, expected) => {
    const problems = checkAgainstContract(stack).map((p) => `${p.address} ${p.path}: ${p.problem}`);
    expect(problems.join("\n")).toMatch(expected);
  });

  test("references are unknown until apply and are not checked; meta-arguments are not attributes", () => {
    expect(checkAgainstContract(stackWith("azurerm_key_vault", { name: "${var.name}", soft_delete_retention_days: 90, depends_on: ["x"], lifecycle: { prevent_destroy: true } }))).toEqual([]);
    expect(checkAgainstContract({ provider: { dns: [{ update: [{ server: "ns1", key_name: "kms-update.", key_algorithm: "hmac-sha256", key_secret: "${var.s}" }] }] } })).toEqual([]);
  });
});

describe("checkAzureRules", () => {
  test("two links of one zone to one vnet, one created in the stack and one given by its id, break one-link-per-zone-vnet", () => {
    const stack = {
      provider: { azurerm: [{ subscription_id: "S1" }] },
      resource: {
        azurerm_virtual_network: { hub: { name: "vnet-hub", resource_group_name: "${azurerm_resource_group.rg.name}" } },
        azurerm_resource_group: { rg: { name: "rg-hub" } },
        azurerm_private_dns_zone_virtual_network_link: {
          a: { private_dns_zone_name: "z.example", resource_group_name: "rg-hub", virtual_network_id: "${azurerm_virtual_network.hub.id}" },
          b: { private_dns_zone_name: "z.example", resource_group_name: "rg-hub", virtual_network_id: "/subscriptions/s1/resourceGroups/RG-HUB/providers/Microsoft.Network/virtualNetworks/vnet-hub" },
          c: { private_dns_zone_name: "z.example", resource_group_name: "rg-hub", virtual_network_id: "/subscriptions/s1/resourceGroups/rg-dns/providers/Microsoft.Network/virtualNetworks/vnet-hub" },
        },
      },
    };
    expect(checkAzureRules(stack)).toEqual([expect.objectContaining({ rule: "one-link-per-zone-vnet", addresses: ["azurerm_private_dns_zone_virtual_network_link.a", "azurerm_private_dns_zone_virtual_network_link.b"] })]);
  });

  test("two NSG rules of one direction with one priority break nsg-rule-priority-unique", () => {
    const rule = { network_security_group_name: "nsg", direction: "Inbound", priority: 100 };
    expect(checkAzureRules({ resource: { azurerm_network_security_rule: { a: rule, b: rule, c: { ...rule, direction: "Outbound" } } } }).map((p) => p.rule)).toEqual(["nsg-rule-priority-unique"]);
  });

  test("a literal principal_id that is not an object id breaks role-assignment-principal-is-object-id", () => {
    const stack = { resource: { azurerm_role_assignment: { a: { principal_id: "deployer" }, b: { principal_id: "6b1f0d3e-2a4c-4e8b-9f7a-5c3d2e1b0a99" }, c: { principal_id: "${data.azurerm_client_config.c.object_id}" } } } };
    expect(checkAzureRules(stack).map((p) => [p.rule, p.addresses])).toEqual([["role-assignment-principal-is-object-id", ["azurerm_role_assignment.a"]]]);
  });

  test("every rule a check reports is in AZURE_RULES, cited to Microsoft Learn", () => {
    for (const rule of AZURE_RULES) expect(rule.learnUrl).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\//);
    expect(new Set(AZURE_RULES.map((r) => r.id)).size).toBe(AZURE_RULES.length);
    for (const id of ["lock-blocks-delete", "lock-blocks-child-delete", "purge-protection-irreversible", "one-link-per-zone-vnet", "key-vault-name-global", "key-vault-soft-deleted-name-blocks-reuse", "resize-powers-off", "encryption-at-host-change-deallocates", "role-assignment-no-update", "run-command-failure-fails-deployment"]) {
      expect(AZURE_RULES.map((r) => r.id)).toContain(id);
    }
  });
});

describe("every synthesized stack (every fixture folder and every shipped environment)", () => {
  let stacks: Map<string, Json>;
  beforeAll(() => {
    stacks = synthesizeEverything();
  });

  test("covers the shipped folder and at least the contract fixtures, and every provider and route", () => {
    expect([...stacks.keys()].some((k) => k.startsWith("environments/"))).toBe(true);
    expect([...stacks.keys()].filter((k) => k.startsWith("test/fixtures/contract-environments/")).length).toBeGreaterThanOrEqual(5);
    const all = [...stacks.values()];
    expect(all.some((s) => s.provider?.dns?.[0]?.update?.[0]?.key_name !== undefined)).toBe(true);
    expect(all.some((s) => s.provider?.dns?.[0]?.update?.[0]?.gssapi !== undefined)).toBe(true);
    expect(all.some((s) => s.resource?.dns_srv_record_set)).toBe(true);
    expect(all.some((s) => s.data?.azurerm_log_analytics_workspace)).toBe(true);
  });

  test("uses only types and attributes the contract holds, with values it accepts", () => {
    const problems = Object.fromEntries([...stacks].map(([name, stack]) => [name, checkAgainstContract(stack).map((p) => `${p.address} ${p.path}: ${p.problem}`)]).filter(([, p]) => p.length > 0));
    expect(problems).toEqual({});
  });

  test("breaks none of Azure's rules a stack can break by itself", () => {
    const problems = Object.fromEntries([...stacks].map(([name, stack]) => [name, checkAzureRules(stack).map((p) => `${p.rule}: ${p.problem}`)]).filter(([, p]) => p.length > 0));
    expect(problems).toEqual({});
  });
});
