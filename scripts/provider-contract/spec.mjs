// What scripts/provider-contract/extract.mjs reads: every resource type, data source and provider
// configuration our stacks write, with every attribute path they write (found by synthesizing
// every fixture and shipped environment; test/rehearsal/provider-contract.test.ts fails, naming
// the entry to add here, when a stack writes one that is missing). Paths are dotted through
// nested blocks; meta-arguments (depends_on, lifecycle, count, provider, timeouts) are not listed.
export const PROVIDERS = {
  azurerm: { repo: "hashicorp/terraform-provider-azurerm", tag: "v4.55.0" },
  dns: { repo: "hashicorp/terraform-provider-dns", tag: "v3.4.3" },
  random: { repo: "hashicorp/terraform-provider-random", tag: "v3.7.2" },
};

const az = (type, file, attributes, extra = {}) => ({ provider: "azurerm", kind: "resource", type, file: `internal/services/${file}`, attributes, ...extra });
const azData = (type, file, attributes, extra = {}) => ({ provider: "azurerm", kind: "data", type, file: `internal/services/${file}`, attributes, ...extra });
const TAGGED = ["location", "resource_group_name", "tags"];

export const SPEC = [
  { provider: "azurerm", kind: "provider", type: "azurerm", file: "internal/provider/provider.go", attributes: ["subscription_id", "storage_use_azuread", "features.key_vault.purge_soft_delete_on_destroy", "features.key_vault.recover_soft_deleted_key_vaults", "features.resource_group.prevent_deletion_if_contains_resources"] },
  { provider: "dns", kind: "provider", type: "dns", file: "internal/provider/provider_framework.go", schemaAnchor: "Blocks: map\\[string\\]schema\\.Block", attributes: ["update.server", "update.port", "update.transport", "update.key_name", "update.key_algorithm", "update.key_secret", "update.gssapi.realm", "update.gssapi.username"] },
  { provider: "random", kind: "provider", type: "random", file: "internal/provider/provider.go", schemaAnchor: "func \\(p \\*randomProvider\\) Schema", attributes: [] },
  az("azurerm_key_vault", "keyvault/key_vault_resource.go", ["name", ...TAGGED, "network_acls.bypass", "network_acls.default_action", "network_acls.ip_rules", "network_acls.virtual_network_subnet_ids", "public_network_access_enabled", "purge_protection_enabled", "rbac_authorization_enabled", "sku_name", "soft_delete_retention_days", "tenant_id"]),
  az("azurerm_key_vault_secret", "keyvault/key_vault_secret_resource.go", ["content_type", "key_vault_id", "name", "tags", "value"]),
  az("azurerm_log_analytics_saved_search", "loganalytics/log_analytics_saved_search_resource.go", ["category", "display_name", "log_analytics_workspace_id", "name", "query", "tags"]),
  az("azurerm_log_analytics_workspace", "loganalytics/log_analytics_workspace_resource.go", ["local_authentication_enabled", ...TAGGED, "name", "retention_in_days", "sku"]),
  az("azurerm_maintenance_assignment_virtual_machine", "maintenance/maintenance_assignment_virtual_machine_resource.go", ["location", "maintenance_configuration_id", "virtual_machine_id"]),
  az("azurerm_maintenance_configuration", "maintenance/maintenance_configuration_resource.go", ["in_guest_user_patch_mode", "install_patches.reboot", "install_patches.windows.classifications_to_include", ...TAGGED, "name", "scope", "window.duration", "window.recur_every", "window.start_date_time", "window.time_zone"]),
  az("azurerm_management_lock", "resource/management_lock_resource.go", ["lock_level", "name", "notes", "scope"]),
  az("azurerm_monitor_action_group", "monitor/monitor_action_group_resource.go", ["email_receiver.email_address", "email_receiver.name", "email_receiver.use_common_alert_schema", "name", "resource_group_name", "short_name", "tags"]),
  az("azurerm_monitor_data_collection_rule", "monitor/monitor_data_collection_rule_resource.go", ["data_flow.destinations", "data_flow.streams", "data_sources.windows_event_log.name", "data_sources.windows_event_log.streams", "data_sources.windows_event_log.x_path_queries", "description", "destinations.log_analytics.name", "destinations.log_analytics.workspace_resource_id", "kind", ...TAGGED, "name"], { schemaAnchor: "Arguments\\(\\) map" }),
  az("azurerm_monitor_data_collection_rule_association", "monitor/monitor_data_collection_rule_association_resource.go", ["data_collection_rule_id", "description", "name", "target_resource_id"], { schemaAnchor: "Arguments\\(\\) map" }),
  az("azurerm_monitor_diagnostic_setting", "monitor/monitor_diagnostic_setting_resource.go", ["enabled_log.category", "enabled_metric.category", "log_analytics_destination_type", "log_analytics_workspace_id", "name", "target_resource_id"]),
  az("azurerm_monitor_scheduled_query_rules_alert_v2", "monitor/monitor_scheduled_query_rules_alert_v2_resource.go", ["action.action_groups", "auto_mitigation_enabled", "criteria.dimension.name", "criteria.dimension.operator", "criteria.dimension.values", "criteria.failing_periods.minimum_failing_periods_to_trigger_alert", "criteria.failing_periods.number_of_evaluation_periods", "criteria.operator", "criteria.query", "criteria.threshold", "criteria.time_aggregation_method", "description", "display_name", "evaluation_frequency", ...TAGGED, "name", "query_time_range_override", "scopes", "severity", "skip_query_validation", "window_duration"], { schemaAnchor: "Arguments\\(\\) map" }),
  az("azurerm_nat_gateway", "network/nat_gateway_resource.go", ["idle_timeout_in_minutes", ...TAGGED, "name", "sku_name"], { schemaAnchor: "return map\\[string\\]\\*pluginsdk.Schema" }),
  az("azurerm_nat_gateway_public_ip_association", "network/nat_gateway_public_ip_association_resource.go", ["nat_gateway_id", "public_ip_address_id"]),
  az("azurerm_network_interface", "network/network_interface_resource.go", ["ip_configuration.name", "ip_configuration.private_ip_address", "ip_configuration.private_ip_address_allocation", "ip_configuration.private_ip_address_version", "ip_configuration.subnet_id", "ip_forwarding_enabled", ...TAGGED, "name"]),
  az("azurerm_network_interface_security_group_association", "network/network_interface_security_group_association_resource.go", ["network_interface_id", "network_security_group_id"]),
  az("azurerm_network_security_group", "network/network_security_group_resource.go", [...TAGGED, "name"]),
  az("azurerm_network_security_rule", "network/network_security_rule_resource.go", ["access", "description", "destination_address_prefix", "destination_address_prefixes", "destination_port_range", "destination_port_ranges", "direction", "name", "network_security_group_name", "priority", "protocol", "resource_group_name", "source_address_prefix", "source_address_prefixes", "source_port_range"]),
  az("azurerm_private_endpoint", "network/private_endpoint_resource.go", [...TAGGED, "name", "private_dns_zone_group.name", "private_dns_zone_group.private_dns_zone_ids", "private_service_connection.is_manual_connection", "private_service_connection.name", "private_service_connection.private_connection_resource_id", "private_service_connection.subresource_names", "subnet_id"]),
  az("azurerm_private_dns_a_record", "privatedns/private_dns_a_record_resource.go", ["name", "records", "resource_group_name", "tags", "ttl", "zone_name"]),
  az("azurerm_private_dns_srv_record", "privatedns/private_dns_srv_record_resource.go", ["name", "record.port", "record.priority", "record.target", "record.weight", "resource_group_name", "tags", "ttl", "zone_name"]),
  az("azurerm_private_dns_zone", "privatedns/private_dns_zone_resource.go", ["name", "resource_group_name", "tags"]),
  az("azurerm_private_dns_zone_virtual_network_link", "privatedns/private_dns_zone_virtual_network_link_resource.go", ["name", "private_dns_zone_name", "registration_enabled", "resource_group_name", "tags", "virtual_network_id"]),
  az("azurerm_public_ip", "network/public_ip_resource.go", ["allocation_method", ...TAGGED, "name", "sku"]),
  az("azurerm_resource_group", "resource/resource_group_resource.go", ["location", "name", "tags"]),
  az("azurerm_role_assignment", "authorization/role_assignment_resource.go", ["description", "principal_id", "principal_type", "role_definition_name", "scope"]),
  az("azurerm_subnet", "network/subnet_resource.go", ["address_prefixes", "default_outbound_access_enabled", "name", "resource_group_name", "service_endpoints", "virtual_network_name"]),
  az("azurerm_subnet_nat_gateway_association", "network/subnet_nat_gateway_association_resource.go", ["nat_gateway_id", "subnet_id"]),
  az("azurerm_subnet_network_security_group_association", "network/subnet_network_security_group_association_resource.go", ["network_security_group_id", "subnet_id"]),
  az("azurerm_virtual_machine_extension", "compute/virtual_machine_extension_resource.go", ["auto_upgrade_minor_version", "automatic_upgrade_enabled", "name", "publisher", "tags", "type", "type_handler_version", "virtual_machine_id"]),
  az("azurerm_virtual_machine_run_command", "compute/virtual_machine_run_command_resource.go", ["location", "name", "parameter.name", "parameter.value", "source.script", "source.script_uri", "source.command_id", "virtual_machine_id"], { schemaAnchor: "Arguments\\(\\) map" }),
  az("azurerm_virtual_network", "network/virtual_network_resource.go", ["address_space", ...TAGGED, "name"], { schemaAnchor: "return map\\[string\\]\\*pluginsdk.Schema" }),
  az("azurerm_windows_virtual_machine", "compute/windows_virtual_machine_resource.go", ["admin_password", "admin_username", "allow_extension_operations", "computer_name", "encryption_at_host_enabled", "bypass_platform_safety_checks_on_user_schedule_enabled", "identity.type", "license_type", ...TAGGED, "name", "network_interface_ids", "os_disk.caching", "os_disk.storage_account_type", "patch_assessment_mode", "patch_mode", "provision_vm_agent", "secure_boot_enabled", "size", "source_image_reference.offer", "source_image_reference.publisher", "source_image_reference.sku", "source_image_reference.version", "vtpm_enabled", "zone"]),
  azData("azurerm_key_vault", "keyvault/key_vault_data_source.go", ["name", "resource_group_name"]),
  azData("azurerm_key_vault_secrets", "keyvault/key_vault_secrets_data_source.go", ["key_vault_id"]),
  azData("azurerm_client_config", "authorization/client_config_data_source.go", []),
  azData("azurerm_log_analytics_workspace", "loganalytics/log_analytics_workspace_data_source.go", ["name", "resource_group_name"]),
  { provider: "dns", kind: "resource", type: "dns_a_record_set", file: "internal/provider/resource_dns_a_record_set.go", attributes: ["zone", "name", "addresses", "ttl"] },
  { provider: "dns", kind: "resource", type: "dns_srv_record_set", file: "internal/provider/resource_dns_srv_record_set.go", schemaAnchor: "Attributes: map\\[string\\]schema\\.Attribute", attributes: ["zone", "name", "ttl", "srv.priority", "srv.weight", "srv.port", "srv.target"] },
  { provider: "random", kind: "resource", type: "random_password", file: "internal/provider/resource_password.go", schemaAnchor: "Attributes: map\\[string\\]schema\\.Attribute", attributes: ["length", "min_lower", "min_numeric", "min_special", "min_upper", "override_special", "special"] },
];
