// Terraform addresses are readable and stable (README, Safe changes: the -target, -replace and state
// commands name them): every element of every stack is named after what it is, never with cdktf's
// hash of the construct path (`host-1_vm_E56776DB`), and renaming one is a deliberate change of
// this test, since nothing would move the state for it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { App, TerraformStack } from "cdktf";
import { KmsFirewallRule, TERRAFORM_NAME } from "../constructs";
import { synthesizeAll } from "../stacks/synthesize";
import { ENVIRONMENTS_DIR, FIXTURE_ENVIRONMENTS_DIR } from "./support/environments";

const FIXTURES = path.join(__dirname, "fixtures");

/** Every address in a synthesized stack: resources, data sources, variables and outputs. */
function addresses(stackFile: string): string[] {
  const json = JSON.parse(fs.readFileSync(stackFile, "utf8")) as Record<string, Record<string, Record<string, unknown>>>;
  const list: string[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {})) for (const name of Object.keys(byName)) list.push(`${type}.${name}`);
  for (const [type, byName] of Object.entries(json.data ?? {})) for (const name of Object.keys(byName)) list.push(`data.${type}.${name}`);
  for (const name of Object.keys(json.variable ?? {})) list.push(`var.${name}`);
  for (const name of Object.keys(json.output ?? {})) list.push(`output.${name}`);
  return list.sort();
}

/** Synthesizes every environment of `dir` through the main job; the addresses of each stack, by environment name. */
function synthesizedAddresses(dir: string): Map<string, string[]> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-addresses-"));
  try {
    const result = synthesizeAll({ environmentsDir: dir, outdir });
    return new Map(result.environments.map((e, index) => [e.name, addresses(result.stackFiles[index])]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("the addresses of every fixture and shipped environment", () => {
  const dirs = [FIXTURE_ENVIRONMENTS_DIR, path.join(FIXTURES, "environments"), path.join(FIXTURES, "contract-environments"), ENVIRONMENTS_DIR];
  const all = new Map<string, string[]>();
  beforeAll(() => {
    for (const dir of dirs) for (const [name, list] of synthesizedAddresses(dir)) all.set(`${path.relative(path.join(__dirname, ".."), dir)}/${name}`, list);
  });

  test("synthesizes at least one stack from each directory", () => {
    for (const dir of dirs) expect([...all.keys()].some((key) => key.startsWith(path.relative(path.join(__dirname, ".."), dir)))).toBe(true);
  });

  test("no address ends in cdktf's 8-hex-digit hash, and every name is one Terraform accepts", () => {
    const hashed = [...all.entries()].flatMap(([stack, list]) => list.filter((a) => /_[0-9A-F]{8}$/.test(a)).map((a) => `${stack}: ${a}`));
    expect(hashed).toEqual([]);
    const invalid = [...all.entries()].flatMap(([stack, list]) => list.filter((a) => !TERRAFORM_NAME.test(a.split(".").pop() as string)).map((a) => `${stack}: ${a}`));
    expect(invalid).toEqual([]);
  });
});

describe("the addresses of the production fixture (two zoned hosts on an existing subnet, Office only)", () => {
  test("are exactly these, named after the hosts and what each resource is", () => {
    const production = synthesizedAddresses(FIXTURE_ENVIRONMENTS_DIR).get("production");
    expect(production).toEqual([
      "azurerm_key_vault.kms",
      "azurerm_key_vault_secret.kmsprd01_admin_password",
      "azurerm_key_vault_secret.kmsprd02_admin_password",
      "azurerm_log_analytics_saved_search.distinct_clients",
      "azurerm_log_analytics_saved_search.ingestion_per_host_per_day",
      "azurerm_log_analytics_saved_search.last_activity_per_host",
      "azurerm_log_analytics_saved_search.office_vs_windows_requests",
      "azurerm_log_analytics_saved_search.requests_per_host_per_day",
      "azurerm_log_analytics_workspace.kms",
      "azurerm_maintenance_assignment_virtual_machine.kmsprd01",
      "azurerm_maintenance_assignment_virtual_machine.kmsprd02",
      "azurerm_maintenance_configuration.kmsprd01",
      "azurerm_maintenance_configuration.kmsprd02",
      "azurerm_management_lock.key_vault",
      "azurerm_management_lock.kmsprd01",
      "azurerm_management_lock.kmsprd01_a_record",
      "azurerm_management_lock.kmsprd02",
      "azurerm_management_lock.kmsprd02_a_record",
      "azurerm_management_lock.vlmcs",
      "azurerm_monitor_action_group.kms",
      "azurerm_monitor_data_collection_rule.kms",
      "azurerm_monitor_data_collection_rule_association.kmsprd01",
      "azurerm_monitor_data_collection_rule_association.kmsprd02",
      "azurerm_monitor_diagnostic_setting.key_vault_audit",
      "azurerm_monitor_scheduled_query_rules_alert_v2.activation_errors",
      "azurerm_monitor_scheduled_query_rules_alert_v2.bootstrap_failed",
      "azurerm_monitor_scheduled_query_rules_alert_v2.heartbeat",
      "azurerm_monitor_scheduled_query_rules_alert_v2.key_vault_secret_read",
      "azurerm_monitor_scheduled_query_rules_alert_v2.no_requests",
      "azurerm_network_interface.kmsprd01",
      "azurerm_network_interface.kmsprd02",
      "azurerm_network_interface_security_group_association.kmsprd01",
      "azurerm_network_interface_security_group_association.kmsprd02",
      "azurerm_network_security_group.kms",
      "azurerm_network_security_rule.allow_kms_clients",
      "azurerm_network_security_rule.allow_management_admins",
      "azurerm_network_security_rule.deny_kms_others",
      "azurerm_network_security_rule.deny_management_others",
      "azurerm_private_dns_a_record.kmsprd01",
      "azurerm_private_dns_a_record.kmsprd02",
      "azurerm_private_dns_srv_record.vlmcs",
      "azurerm_private_dns_zone.key_vault_private_link",
      "azurerm_private_dns_zone.kms",
      "azurerm_private_dns_zone_virtual_network_link.key_vault_private_link",
      "azurerm_private_dns_zone_virtual_network_link.vnet_1",
      "azurerm_private_dns_zone_virtual_network_link.vnet_2",
      "azurerm_private_endpoint.key_vault",
      "azurerm_resource_group.kms",
      "azurerm_role_assignment.deployer_secrets_officer",
      "azurerm_role_assignment.kmsprd01_reads_kms-host-key-office-ltsc-2021",
      "azurerm_role_assignment.kmsprd01_reads_kms-host-key-office-ltsc-2024",
      "azurerm_role_assignment.kmsprd02_reads_kms-host-key-office-ltsc-2021",
      "azurerm_role_assignment.kmsprd02_reads_kms-host-key-office-ltsc-2024",
      "azurerm_virtual_machine_extension.kmsprd01_monitor_agent",
      "azurerm_virtual_machine_extension.kmsprd02_monitor_agent",
      "azurerm_virtual_machine_run_command.kmsprd01_bootstrap",
      "azurerm_virtual_machine_run_command.kmsprd02_bootstrap",
      "azurerm_windows_virtual_machine.kmsprd01",
      "azurerm_windows_virtual_machine.kmsprd02",
      "data.azurerm_client_config.current",
      "data.azurerm_key_vault_secrets.kms_host_keys",
      "output.client_kit_path",
      "output.client_manual_command",
      "output.host_names",
      "output.key_vault_uri",
      "output.kms_port",
      "output.log_analytics_workspace_id",
      "output.private_ips",
      "output.srv_record_fqdn",
      "random_password.kmsprd01",
      "random_password.kmsprd02",
      "terraform_data.key_vault_role_assignments",
    ]);
  });
});

describe("two elements never share an address", () => {
  test("a second construct that would take an address already taken is refused where it is created, naming both", () => {
    const stack = new TerraformStack(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "kms-addresses-")) }), "kms");
    const props = { networkSecurityGroupName: "nsg", resourceGroupName: "rg", clientCidrs: ["10.0.0.0/8"], hostAddresses: ["10.1.0.4"] };
    new KmsFirewallRule(stack, "first", props);
    expect(() => new KmsFirewallRule(stack, "second", props)).toThrow(
      "kms/second/allow-clients: the Terraform address azurerm_network_security_rule.allow_kms_clients is already taken by kms/first/allow-clients in stack kms",
    );
  });

  test("an element an extension adds to a KmsStack under a name the stack already uses fails the main job, and nothing is written", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kms-addresses-")), "cdktf.out");
    const clash = (stack: TerraformStack) => new NetworkSecurityGroup(stack, "kms", { name: "nsg-other", resourceGroupName: "rg", location: "westeurope" });
    expect(() => synthesizeAll({ environmentsDir: FIXTURE_ENVIRONMENTS_DIR, outdir, extend: clash })).toThrow(
      "kms-lab/kms: the Terraform address azurerm_network_security_group.kms is already taken by kms-lab/environment/network/nsg in stack kms-lab",
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
