// PLACEHOLDER: issue-21a owns this file (rehearsal/provider-contract.ts, /work/notes/rehearsal-interface.md).
// At the merge 21a's table replaces it. It holds only what the rehearsal needs: the attributes that
// force a new resource, per type, read from the providers' schemas at the tags below. Each row names
// the file that defines the schema; 21a's table gives the line of every attribute.

export interface ContractSource {
  readonly repo: string;
  readonly tag: string;
  readonly file: string;
  readonly line: number;
}
export type Validation =
  | { kind: "regex"; pattern: string; message?: string }
  | { kind: "range"; min?: number; max?: number }
  | { kind: "enum"; values: readonly string[]; caseSensitive?: boolean }
  | { kind: "length"; min?: number; max?: number }
  | { kind: "fqdn" }
  | { kind: "custom"; id: string; description: string };
export interface AttributeRule {
  /** dotted path below the resource; nested blocks by name, e.g. "os_disk.storage_account_type" */
  readonly path: string;
  readonly forceNew?: boolean;
  readonly required?: boolean;
  readonly validations?: readonly Validation[];
  readonly conflictsWith?: readonly string[];
  readonly exactlyOneOf?: readonly string[];
  readonly atLeastOneOf?: readonly string[];
  readonly source: ContractSource;
}
export interface ResourceContract {
  readonly provider: "azurerm" | "dns" | "random";
  readonly kind: "resource" | "data" | "provider";
  readonly type: string;
  readonly attributes: readonly AttributeRule[];
  readonly source: ContractSource;
}

const AZURERM = "hashicorp/terraform-provider-azurerm";
const az = (file: string): ContractSource => ({ repo: AZURERM, tag: "v4.55.0", file: `internal/services/${file}`, line: 0 });
const dns = (file: string): ContractSource => ({ repo: "hashicorp/terraform-provider-dns", tag: "v3.4.3", file: `internal/provider/${file}`, line: 0 });
const rnd = (file: string): ContractSource => ({ repo: "hashicorp/terraform-provider-random", tag: "v3.7.2", file: `internal/provider/${file}`, line: 0 });

function resource(provider: ResourceContract["provider"], type: string, source: ContractSource, forceNew: readonly string[], kind: "resource" | "data" = "resource"): ResourceContract {
  return { provider, kind, type, source, attributes: forceNew.map((path) => ({ path, forceNew: true, source })) };
}

const inGroup = ["name", "resource_group_name", "location"];

export const PROVIDER_CONTRACT: readonly ResourceContract[] = [
  resource("azurerm", "azurerm_resource_group", az("resource/resource_group_resource.go"), ["name", "location"]),
  resource("azurerm", "azurerm_key_vault", az("keyvault/key_vault_resource.go"), [...inGroup]),
  resource("azurerm", "azurerm_key_vault_secret", az("keyvault/key_vault_secret_resource.go"), ["name", "key_vault_id"]),
  resource("azurerm", "azurerm_management_lock", az("resource/management_lock_resource.go"), ["name", "scope", "lock_level", "notes"]),
  resource("azurerm", "azurerm_role_assignment", az("authorization/role_assignment_resource.go"), [
    "name", "scope", "role_definition_id", "role_definition_name", "principal_id", "principal_type", "description", "condition", "condition_version", "skip_service_principal_aad_check",
  ]),
  resource("azurerm", "azurerm_virtual_machine_run_command", az("compute/virtual_machine_run_command_resource.go"), ["name", "virtual_machine_id", "location"]),
  resource("azurerm", "azurerm_windows_virtual_machine", az("compute/windows_virtual_machine_resource.go"), [
    ...inGroup, "computer_name", "admin_username", "admin_password", "zone", "source_image_reference", "secure_boot_enabled", "vtpm_enabled", "provision_vm_agent", "os_disk",
  ]),
  resource("azurerm", "azurerm_virtual_machine_extension", az("compute/virtual_machine_extension_resource.go"), ["name", "virtual_machine_id", "publisher", "type"]),
  resource("azurerm", "azurerm_network_interface", az("network/network_interface_resource.go"), [...inGroup]),
  resource("azurerm", "azurerm_network_security_group", az("network/network_security_group_resource.go"), [...inGroup]),
  resource("azurerm", "azurerm_network_security_rule", az("network/network_security_rule_resource.go"), ["name", "resource_group_name", "network_security_group_name"]),
  resource("azurerm", "azurerm_network_interface_security_group_association", az("network/network_interface_security_group_association_resource.go"), ["network_interface_id", "network_security_group_id"]),
  resource("azurerm", "azurerm_virtual_network", az("network/virtual_network_resource.go"), [...inGroup]),
  resource("azurerm", "azurerm_subnet", az("network/subnet_resource.go"), ["name", "resource_group_name", "virtual_network_name"]),
  resource("azurerm", "azurerm_private_dns_zone", az("privatedns/private_dns_zone_resource.go"), ["name", "resource_group_name"]),
  resource("azurerm", "azurerm_private_dns_a_record", az("privatedns/private_dns_a_record_resource.go"), ["name", "zone_name", "resource_group_name"]),
  resource("azurerm", "azurerm_private_dns_srv_record", az("privatedns/private_dns_srv_record_resource.go"), ["name", "zone_name", "resource_group_name"]),
  resource("azurerm", "azurerm_private_dns_zone_virtual_network_link", az("privatedns/private_dns_zone_virtual_network_link_resource.go"), [
    "name", "private_dns_zone_name", "resource_group_name", "virtual_network_id",
  ]),
  resource("azurerm", "azurerm_log_analytics_workspace", az("loganalytics/log_analytics_workspace_resource.go"), [...inGroup]),
  resource("azurerm", "azurerm_log_analytics_saved_search", az("loganalytics/log_analytics_saved_search_resource.go"), [
    "name", "log_analytics_workspace_id", "category", "display_name", "query", "function_alias", "function_parameters", "tags",
  ]),
  resource("azurerm", "azurerm_monitor_action_group", az("monitor/monitor_action_group_resource.go"), ["name", "resource_group_name"]),
  resource("azurerm", "azurerm_monitor_data_collection_rule", az("monitor/monitor_data_collection_rule_resource.go"), [...inGroup]),
  resource("azurerm", "azurerm_monitor_data_collection_rule_association", az("monitor/monitor_data_collection_rule_association_resource.go"), ["name", "target_resource_id"]),
  resource("azurerm", "azurerm_monitor_scheduled_query_rules_alert_v2", az("monitor/monitor_scheduled_query_rules_alert_v2_resource.go"), [...inGroup, "scopes"]),
  resource("dns", "dns_a_record_set", dns("resource_dns_a_record_set.go"), ["zone", "name", "ttl"]),
  resource("dns", "dns_srv_record_set", dns("resource_dns_srv_record_set.go"), ["zone", "name", "ttl"]),
  resource("random", "random_password", rnd("resource_password.go"), [
    "keepers", "length", "special", "upper", "lower", "numeric", "number", "min_numeric", "min_upper", "min_lower", "min_special", "override_special",
  ]),
];

/** Attribute paths (top-level names, or block names for nested ForceNew) that force replacement. */
export function forceNewAttributes(type: string, kind: "resource" | "data" = "resource"): readonly string[] {
  const contract = PROVIDER_CONTRACT.find((c) => c.type === type && c.kind === kind);
  return contract ? [...new Set(contract.attributes.filter((a) => a.forceNew).map((a) => a.path.split(".")[0]))] : [];
}

/** Every problem a synthesized cdk.tf.json has against the contract (placeholder: 21a's table checks). */
export function checkAgainstContract(_stackJson: unknown): readonly { address: string; path: string; problem: string; source?: ContractSource }[] {
  return [];
}
