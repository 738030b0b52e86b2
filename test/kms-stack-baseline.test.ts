// The production baseline of issue 23 in whole stacks built from the test fixtures: the vault's
// private endpoint and audit log, the hosts' egress, their licence and their staggered windows.
import type { EnvironmentConfig } from "../config/environment-schema";
import { environmentWith, fixtureEnvironmentData, validEnvironment } from "./support/environments";
import { SynthesizedStack, synthesizeEnvironment } from "./support/synth";

const address = (stack: SynthesizedStack, type: string) => Object.keys(stack.json.resource[type] ?? {});

describe("the production fixture's stack", () => {
  let environment: EnvironmentConfig;
  let stack: SynthesizedStack;
  beforeAll(() => {
    environment = validEnvironment(fixtureEnvironmentData("production"));
    stack = synthesizeEnvironment(environment);
  });

  test("reaches its vault through a private endpoint by default, with the vault's public network access off", () => {
    const [vault] = address(stack, "azurerm_key_vault");
    expect(stack.resources("azurerm_key_vault")[0].public_network_access_enabled).toBe(false);
    expect(stack.resources("azurerm_private_endpoint")).toEqual([
      expect.objectContaining({ subnet_id: environment.network.subnetId, private_service_connection: expect.objectContaining({ private_connection_resource_id: `\${azurerm_key_vault.${vault}.id}`, subresource_names: ["vault"] }) }),
    ]);
  });

  test("links the created privatelink zone to the hosts' vnet, so the bootstrap resolves the vault privately", () => {
    const vnet = String(environment.network.subnetId).replace(/\/subnets\/[^/]+$/, "");
    const links = stack.resources("azurerm_private_dns_zone_virtual_network_link").filter((l) => String(l.name).startsWith("link-pe-"));
    expect(links.map((l) => l.virtual_network_id)).toEqual([vnet]);
  });

  test("writes the admin passwords and grants the keys only after the private endpoint exists", () => {
    const [endpoint] = address(stack, "azurerm_private_endpoint");
    for (const secret of stack.resources("azurerm_key_vault_secret")) expect(secret.depends_on).toContain(`azurerm_private_endpoint.${endpoint}`);
  });

  test("sends the vault's audit events to the environment's workspace", () => {
    const [vault] = address(stack, "azurerm_key_vault");
    const [workspace] = address(stack, "azurerm_log_analytics_workspace");
    expect(stack.resources("azurerm_monitor_diagnostic_setting")).toEqual([
      expect.objectContaining({ target_resource_id: `\${azurerm_key_vault.${vault}.id}`, log_analytics_workspace_id: `\${azurerm_log_analytics_workspace.${workspace}.id}`, enabled_log: [{ category: "AuditEvent" }] }),
    ]);
  });

  test("expects the host keys to be read by every host's identity and the fixed deployer only", () => {
    const alert = stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2").find((a) => String(a.name).endsWith("-host-key-read"));
    const readers = address(stack, "azurerm_windows_virtual_machine").map((vm) => `\${azurerm_windows_virtual_machine.${vm}.identity[0].principal_id}`);
    expect(alert?.criteria[0].query).toContain(`let ExpectedReaders = dynamic(${JSON.stringify([...readers, environment.keyVault.deployerPrincipalId])});`);
  });

  test("gives each host its own maintenance configuration, windows one after another, and the schedule flag", () => {
    const vms = address(stack, "azurerm_windows_virtual_machine");
    const configurations = stack.resources("azurerm_maintenance_configuration");
    expect(configurations).toHaveLength(vms.length);
    expect(new Set(configurations.map((c) => c.window.start_date_time)).size).toBe(vms.length);
    const assigned = stack.resources("azurerm_maintenance_assignment_virtual_machine").map((a) => a.virtual_machine_id).sort();
    expect(assigned).toEqual(vms.map((vm) => `\${azurerm_windows_virtual_machine.${vm}.id}`).sort());
    for (const vm of stack.resources("azurerm_windows_virtual_machine")) {
      expect(vm).toMatchObject({ patch_mode: "AutomaticByPlatform", bypass_platform_safety_checks_on_user_schedule_enabled: true, license_type: "None" });
    }
  });

  test("creates no NAT gateway on a subnet it does not own (egress: existing)", () => {
    expect(stack.resources("azurerm_nat_gateway")).toEqual([]);
    expect(stack.resources("azurerm_public_ip")).toEqual([]);
  });
});

describe("the lab fixture's stack", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeEnvironment(validEnvironment(fixtureEnvironmentData("lab")));
  });

  test("gives its created subnet a NAT gateway and turns Azure's default outbound access off", () => {
    const [subnet] = address(stack, "azurerm_subnet");
    expect(stack.resources("azurerm_subnet")[0].default_outbound_access_enabled).toBe(false);
    expect(stack.resources("azurerm_subnet_nat_gateway_association")).toEqual([expect.objectContaining({ subnet_id: `\${azurerm_subnet.${subnet}.id}` })]);
  });

  test("keeps its vault's public endpoint behind the firewall, with no private endpoint", () => {
    expect(stack.resources("azurerm_key_vault")[0]).toMatchObject({ public_network_access_enabled: true, network_acls: expect.objectContaining({ default_action: "Deny" }) });
    expect(stack.resources("azurerm_private_endpoint")).toEqual([]);
  });
});

test("Azure Hybrid Benefit sets license_type Windows_Server on every host", () => {
  const stack = synthesizeEnvironment(validEnvironment(environmentWith("lab", (d) => (d.hosts.licenseType = "Windows_Server"))));
  for (const vm of stack.resources("azurerm_windows_virtual_machine")) expect(vm.license_type).toBe("Windows_Server");
});

test("egress existing on a created subnet adds no NAT gateway and keeps default outbound access off", () => {
  const stack = synthesizeEnvironment(validEnvironment(environmentWith("lab", (d) => (d.network.egress = "existing"))));
  expect(stack.resources("azurerm_nat_gateway")).toEqual([]);
  expect(stack.resources("azurerm_subnet")[0].default_outbound_access_enabled).toBe(false);
});

test("egress defaultOutbound in a lab keeps Azure's default outbound access and adds no NAT gateway", () => {
  const stack = synthesizeEnvironment(validEnvironment(environmentWith("lab", (d) => (d.network.egress = "defaultOutbound"))));
  expect(stack.resources("azurerm_nat_gateway")).toEqual([]);
  expect(stack.resources("azurerm_subnet")[0].default_outbound_access_enabled).toBe(true);
});

test("an existing vault with serviceEndpoint gives the created subnet Microsoft.KeyVault", () => {
  const id = "/subscriptions/3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-fixture-shared";
  const stack = synthesizeEnvironment(validEnvironment(environmentWith("lab", (d) => (d.keyVault = { id, serviceEndpoint: true }))));
  expect(stack.resources("azurerm_subnet")[0].service_endpoints).toEqual(["Microsoft.KeyVault"]);
});

test("with monitoring off there is no diagnostic setting and no key read alert", () => {
  const stack = synthesizeEnvironment(validEnvironment(environmentWith("lab", (d) => (d.monitoring = { enabled: false }))));
  expect(stack.resources("azurerm_monitor_diagnostic_setting")).toEqual([]);
  expect(stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2")).toEqual([]);
});
