// Provider-contract tests: what `terraform validate` / `plan` / `apply` with azurerm 4.55.0 would
// refuse, checked on the synthesized JSON of every shipped environment (whatever files exist in
// environments/) and of the fixture environments in test/fixtures/contract-environments/. No
// provider plugin and no Azure are reachable here, so each rule restates one check of the
// provider's source at tag v4.55.0 (hashicorp/terraform-provider-azurerm), named in `source`, or of
// Azure's documented behaviour where the provider defers to Azure. Every rule also has a bad input
// it must refuse, so none of them can pass by checking nothing.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AZURE_REGIONS } from "../catalog/azure-regions";
import { EnvironmentConfig } from "../config/environment-schema";
import { synthesizeAll } from "../stacks/synthesize";
import { parse } from "yaml";
import { ENVIRONMENTS_DIR, validEnvironment } from "./support/environments";
import { runReadmeLibraryExample } from "./support/readme-example";
import { parsed, synthesizeEnvironment, type SynthesizedStack } from "./support/synth";

const FIXTURES_DIR = path.join(__dirname, "fixtures", "contract-environments");

type Json = Record<string, any>;

/** One provider-side rule over one resource type. */
interface ContractRule {
  /** What the provider or Azure requires. */
  readonly name: string;
  /** The provider source file (or Microsoft page) the rule comes from. */
  readonly source: string;
  /** Resource type (`data.<type>` for data sources). */
  readonly type: string;
  /** Problems in one resource's config; empty when it complies. */
  check(config: Json): string[];
  /** A config the rule must refuse. */
  readonly bad: Json;
}

/** A literal string (references `${...}` are unknown until apply and are not checked). */
const literal = (value: unknown): value is string => typeof value === "string" && !value.includes("${");
const blocks = (value: unknown): Json[] => (Array.isArray(value) ? value : value && typeof value === "object" ? [value as Json] : []);
const bytes = (text: string): number => Buffer.byteLength(text);

/** validation.StringIsNotEmpty */
const notEmpty = (field: string, value: unknown): string[] => (value === "" ? [`${field} is empty`] : []);

/** compute/validate/virtual_machine_name.go and virtual_machine_run_command_name.go share these checks. */
function azureComputeName(field: string, value: unknown, allowOnlyDigits: boolean): string[] {
  if (!literal(value)) return [];
  const problems: string[] = [];
  if (value.trim() === "") return [`${field} is empty`];
  if (value.length > 80) problems.push(`${field} is longer than 80`);
  if (!/^[a-zA-Z0-9._-]+$/.test(value)) problems.push(`${field} has characters other than letters, digits, '.', '_', '-'`);
  if (!/^[a-zA-Z0-9]/.test(value)) problems.push(`${field} does not begin with a letter or digit`);
  if (!/\w$/.test(value)) problems.push(`${field} does not end with a letter, digit or '_'`);
  if (!allowOnlyDigits && /^\d+$/.test(value)) problems.push(`${field} is only digits`);
  return problems;
}

/** compute/validate/windows_computer_name.go, WindowsComputerNameFull. */
function windowsComputerName(field: string, value: unknown): string[] {
  if (!literal(value)) return [];
  const problems: string[] = [];
  if (value.trim() === "") return [`${field} is empty`];
  if (value.length > 15) problems.push(`${field} is longer than 15`);
  if (value.endsWith("-")) problems.push(`${field} ends with '-'`);
  if (!/^[a-zA-Z0-9-]+$/.test(value)) problems.push(`${field} has characters other than letters, digits and '-'`);
  if (/^\d+$/.test(value)) problems.push(`${field} is only digits`);
  return problems;
}

const RULES: readonly ContractRule[] = [
  {
    name: "run command: every parameter has a non-empty name and value",
    source: "internal/services/compute/virtual_machine_run_command_resource.go (parameter.name, parameter.value: validation.StringIsNotEmpty)",
    type: "azurerm_virtual_machine_run_command",
    check: (c) => blocks(c.parameter).flatMap((p, i) => [...notEmpty(`parameter[${i}].name`, p.name), ...notEmpty(`parameter[${i}].value (${p.name})`, p.value)]),
    bad: { parameter: [{ name: "WindowsKeySecretName", value: "" }] },
  },
  {
    name: "run command: name is a valid run command name; exactly one of source.script/script_uri/command_id, non-empty",
    source: "internal/services/compute/validate/virtual_machine_run_command_name.go; virtual_machine_run_command_resource.go (source: ExactlyOneOf, StringIsNotEmpty)",
    type: "azurerm_virtual_machine_run_command",
    check: (c) => {
      const source = blocks(c.source);
      const kinds = source.flatMap((s) => ["script", "script_uri", "command_id"].filter((k) => s[k] !== undefined));
      return [
        ...azureComputeName("name", c.name, true),
        ...(source.length === 1 && kinds.length === 1 ? [] : [`source sets ${kinds.join(", ") || "nothing"}`]),
        ...source.flatMap((s) => notEmpty("source.script", s.script)),
      ];
    },
    bad: { name: "-bootstrap", source: [{ script: "" }] },
  },
  {
    name: "run command: the create/update timeout is at most 90 minutes (the Run Command's own maximum)",
    source: "internal/services/compute/virtual_machine_run_command_resource.go (timeout_in_seconds derived from the create timeout; Azure caps a Run Command at 90 minutes)",
    type: "azurerm_virtual_machine_run_command",
    check: (c) =>
      ["create", "update"].flatMap((k) => {
        const value = c.timeouts?.[k];
        const match = typeof value === "string" ? /^(\d+)m$/.exec(value) : null;
        return value === undefined || (match && Number(match[1]) <= 90) ? [] : [`timeouts.${k} ${value} is not at most 90m`];
      }),
    bad: { timeouts: { create: "120m" } },
  },
  {
    name: "NSG rule: priority 100-4096, unique per NSG and direction; name without / \\ ? %; description at most 140",
    source: "internal/services/network/network_security_rule_resource.go (priority IntBetween(100, 4096); name StringDoesNotContainAny(\"/\\\\?%\"); description StringLenBetween(0, 140)); uniqueness: Azure refuses two rules of one direction with one priority (learn.microsoft.com/azure/virtual-network/network-security-groups-overview, Security rules: Priority)",
    type: "azurerm_network_security_rule",
    check: (c) => [
      ...(typeof c.priority === "number" && c.priority >= 100 && c.priority <= 4096 ? [] : [`priority ${c.priority} is not 100-4096`]),
      ...(literal(c.name) && /[/\\?%]/.test(c.name) ? [`name ${c.name} contains / \\ ? or %`] : []),
      ...(typeof c.description === "string" && c.description.length > 140 ? ["description is longer than 140"] : []),
    ],
    bad: { name: "allow/kms", priority: 4097 },
  },
  {
    name: "Windows VM: name, computer_name and admin_username as the provider validates them; size set",
    source:
      "internal/services/compute/windows_virtual_machine_resource.go with compute/validate/virtual_machine_name.go, windows_computer_name.go (WindowsComputerNameFull), windows_admin_username.go",
    type: "azurerm_windows_virtual_machine",
    check: (c) => {
      const disallowed = ["administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5"];
      const user = c.admin_username;
      return [
        ...azureComputeName("name", c.name, false),
        // Without computer_name the provider checks name as a computer name.
        ...windowsComputerName("computer_name", c.computer_name ?? c.name),
        ...notEmpty("size", c.size),
        ...(literal(user) && (user.trim() === "" || user.length > 20 || user.endsWith(".") || disallowed.includes(user)) ? [`admin_username ${user} is refused`] : []),
      ];
    },
    bad: { name: "vm-kmslab01", computer_name: "kms-laboratory-host01", admin_username: "admin", size: "" },
  },
  {
    name: "Key Vault: name 3-24 of [a-zA-Z0-9-]; soft delete retention 7-90 days",
    source: "internal/services/keyvault/validate/vault_name.go (VaultName); keyvault/key_vault_resource.go (soft_delete_retention_days IntBetween(7, 90))",
    type: "azurerm_key_vault",
    check: (c) => [
      ...(literal(c.name) && !/^[a-zA-Z0-9-]{3,24}$/.test(c.name) ? [`name ${c.name} is not 3-24 letters, digits and '-'`] : []),
      ...(c.soft_delete_retention_days !== undefined && !(c.soft_delete_retention_days >= 7 && c.soft_delete_retention_days <= 90) ? ["soft_delete_retention_days not 7-90"] : []),
    ],
    bad: { name: "kv_kms", soft_delete_retention_days: 120 },
  },
  {
    name: "Key Vault secret and the secret-scope role assignments: secret names of [0-9a-zA-Z-]",
    source: "internal/services/keyvault/validate/nested_item_name.go (NestedItemName)",
    type: "azurerm_key_vault_secret",
    check: (c) => (literal(c.name) && !/^[0-9a-zA-Z-]+$/.test(c.name) ? [`name ${c.name} has characters other than letters, digits and '-'`] : []),
    bad: { name: "kmslab01_admin" },
  },
  {
    name: "role assignment: role_definition_name not empty; principal_type User, Group or ServicePrincipal; a literal principal_id is a UUID",
    source: "internal/services/authorization/role_assignment_resource.go (role_definition_name StringIsNotEmpty; principal_type StringInSlice); Azure: principal ids are object ids (UUIDs)",
    type: "azurerm_role_assignment",
    check: (c) => [
      ...notEmpty("role_definition_name", c.role_definition_name),
      ...(c.principal_type !== undefined && !["User", "Group", "ServicePrincipal"].includes(c.principal_type) ? [`principal_type ${c.principal_type}`] : []),
      ...(literal(c.principal_id) && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c.principal_id) ? [`principal_id ${c.principal_id} is not a UUID`] : []),
    ],
    bad: { role_definition_name: "", principal_type: "Identity", principal_id: "deployer" },
  },
  {
    name: "management lock: name of [A-Za-z0-9-_] under 260 characters; lock_level CanNotDelete or ReadOnly; notes at most 512",
    source: "internal/services/resource/validate/management_lock_name.go (ManagementLockName); resource/management_lock_resource.go (lock_level StringInSlice, notes StringLenBetween(0, 512))",
    type: "azurerm_management_lock",
    check: (c) => [
      ...(literal(c.name) && (!/^[A-Za-z0-9_-]+$/.test(c.name) || c.name.length >= 260) ? [`name ${c.name}`] : []),
      ...(["CanNotDelete", "ReadOnly"].includes(c.lock_level) ? [] : [`lock_level ${c.lock_level}`]),
      ...(typeof c.notes === "string" && c.notes.length > 512 ? ["notes longer than 512"] : []),
    ],
    bad: { name: "kms do not delete", lock_level: "DoNotDelete", notes: "x".repeat(513) },
  },
  {
    name: "private DNS A record: lower-case name without spaces; ttl 1 to 2^31-1; records not empty",
    source: "internal/services/privatedns/private_dns_a_record_resource.go (name validate.LowerCasedString; ttl IntBetween(1, math.MaxInt32)); privatedns/validate/lower_cased_string.go",
    type: "azurerm_private_dns_a_record",
    check: (c) => [
      ...(literal(c.name) && (c.name !== c.name.toLowerCase() || c.name.includes(" ") || c.name.trim() === "") ? [`name ${c.name} is not lower case`] : []),
      ...(typeof c.ttl === "number" && (c.ttl < 1 || c.ttl > 2147483647) ? [`ttl ${c.ttl}`] : []),
      ...(Array.isArray(c.records) && c.records.length === 0 ? ["records is empty"] : []),
    ],
    bad: { name: "KMSLAB01", ttl: 0, records: [] },
  },
  {
    name: "private DNS SRV record: lower-case name; each record priority/weight 0-65535, port 1-65535, target not empty",
    source: "internal/services/privatedns/private_dns_srv_record_resource.go (record.priority/weight IntBetween(0, 65535), port IntBetween(1, 65535), target StringIsNotEmpty; name LowerCasedString)",
    type: "azurerm_private_dns_srv_record",
    check: (c) => [
      ...(literal(c.name) && c.name !== c.name.toLowerCase() ? [`name ${c.name} is not lower case`] : []),
      ...blocks(c.record).flatMap((r, i) => [
        ...(r.priority >= 0 && r.priority <= 65535 ? [] : [`record[${i}].priority ${r.priority}`]),
        ...(r.weight >= 0 && r.weight <= 65535 ? [] : [`record[${i}].weight ${r.weight}`]),
        ...(r.port >= 1 && r.port <= 65535 ? [] : [`record[${i}].port ${r.port}`]),
        ...notEmpty(`record[${i}].target`, r.target),
      ]),
    ],
    bad: { name: "_VLMCS._tcp", record: [{ priority: 0, weight: 70000, port: 0, target: "" }] },
  },
  {
    name: "private DNS zone link: a literal virtual_network_id is a virtual network id; name not empty; one link per vnet and zone",
    source:
      "internal/services/privatedns/private_dns_zone_virtual_network_link_resource.go (name StringIsNotEmpty; virtual_network_id commonids.ValidateVirtualNetworkID); Azure refuses a second link of one vnet to one zone (learn.microsoft.com/azure/dns/private-dns-virtual-network-links)",
    type: "azurerm_private_dns_zone_virtual_network_link",
    check: (c) => [
      ...notEmpty("name", c.name),
      ...(literal(c.virtual_network_id) && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i.test(c.virtual_network_id) ? [`virtual_network_id ${c.virtual_network_id}`] : []),
    ],
    bad: { name: "", virtual_network_id: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/z/subnets/s" },
  },
  {
    name: "network interface: a literal ip_configuration.subnet_id is a subnet id, segment names case-sensitive",
    source: "internal/services/network/network_interface_resource.go (subnet_id commonids.ValidateSubnetID); vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/commonids/subnet.go (parser.Parse(input, false))",
    type: "azurerm_network_interface",
    check: (c) =>
      blocks(c.ip_configuration).flatMap((ip, i) =>
        literal(ip.subnet_id) && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/.test(ip.subnet_id)
          ? [`ip_configuration[${i}].subnet_id ${ip.subnet_id}`]
          : [],
      ),
    bad: { ip_configuration: [{ subnet_id: "/subscriptions/x/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s" }] },
  },
  {
    name: "resource group: name 1-90 of [-\\w._()], not ending with '.'",
    source: "vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/resourcegroups/validate.go (ValidateName), used by commonschema.ResourceGroupName",
    type: "azurerm_resource_group",
    check: (c) => (literal(c.name) && (c.name.length === 0 || c.name.length > 90 || c.name.endsWith(".") || !/^[-\w._()]+$/.test(c.name)) ? [`name ${c.name}`] : []),
    bad: { name: "rg kms." },
  },
  {
    name: "location: a region Azure has (the provider checks the Resource Manager metadata list when online)",
    source: "vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/location/validation.go (EnhancedValidate); list: catalog/azure-regions.ts",
    type: "*",
    check: (c) => (literal(c.location) && !AZURE_REGIONS[c.location.toLowerCase().replace(/\s+/g, "")] ? [`location ${c.location} is not an Azure region`] : []),
    bad: { location: "westeurope2" },
  },
  {
    name: "tags: at most 50 per resource, names at most 512 and values at most 256 bytes",
    source: "vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/tags/validate.go (Validate)",
    type: "*",
    check: (c) => {
      const tags = c.tags && typeof c.tags === "object" ? (c.tags as Record<string, string>) : {};
      return [
        ...(Object.keys(tags).length > 50 ? [`${Object.keys(tags).length} tags`] : []),
        ...Object.entries(tags).flatMap(([k, v]) => [...(bytes(k) > 512 ? [`tag name ${k.slice(0, 20)}… too long`] : []), ...(literal(v) && bytes(v) > 256 ? [`tag ${k} value too long`] : [])]),
      ];
    },
    bad: { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"])) },
  },
];

/** Every resource (and data source) of a stack as [type, name, config]. */
function resourcesOf(stack: SynthesizedStack): [string, string, Json][] {
  const out: [string, string, Json][] = [];
  for (const [kind, prefix] of [["resource", ""], ["data", "data."]] as const) {
    for (const [type, byName] of Object.entries((stack.json[kind] ?? {}) as Record<string, Record<string, Json>>)) {
      for (const [name, config] of Object.entries(byName)) out.push([`${prefix}${type}`, name, config]);
    }
  }
  return out;
}

/** Problems of every rule over one synthesized stack, as `rule: type.name: problem`. */
function contractProblems(stack: SynthesizedStack): string[] {
  const problems: string[] = [];
  for (const [type, name, config] of resourcesOf(stack)) {
    for (const rule of RULES) {
      if (rule.type !== "*" && rule.type !== type) continue;
      for (const problem of rule.check(config)) problems.push(`${rule.name}: ${type}.${name}: ${problem}`);
    }
  }
  // Stack-wide: NSG rule priorities unique per NSG and direction.
  const seen = new Map<string, string>();
  for (const [type, name, c] of resourcesOf(stack)) {
    if (type !== "azurerm_network_security_rule") continue;
    const key = `${c.network_security_group_name}|${c.direction}|${c.priority}`;
    const other = seen.get(key);
    if (other) problems.push(`NSG rule priorities: ${type}.${name} and ${other} share priority ${c.priority} (${c.direction})`);
    seen.set(key, `${type}.${name}`);
  }
  // Stack-wide: one link per vnet and zone.
  const links = new Map<string, string>();
  for (const [type, name, c] of resourcesOf(stack)) {
    if (type !== "azurerm_private_dns_zone_virtual_network_link") continue;
    const key = `${c.private_dns_zone_name}|${String(c.virtual_network_id).toLowerCase()}`;
    if (links.has(key)) problems.push(`zone links: ${type}.${name} links the same vnet to the same zone as ${links.get(key)}`);
    links.set(key, `${type}.${name}`);
  }
  return problems;
}

/** Synthesizes every environment file of `dir` in-process into a scratch directory. */
function synthesizeDirectory(dir: string): Map<string, SynthesizedStack & { readonly environment: EnvironmentConfig }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-contract-"));
  try {
    const result = synthesizeAll({ environmentsDir: dir, outdir });
    return new Map(result.stackFiles.map((file, i) => [result.environments[i].name, { ...parsed(fs.readFileSync(file, "utf8")), environment: result.environments[i] }]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("every rule refuses its bad example (a rule that cannot fail checks nothing)", () => {
  test.each(RULES.map((r) => [r.name, r] as const))("%s", (_name, rule) => {
    expect(rule.check(rule.bad).length).toBeGreaterThan(0);
    expect(rule.source).toMatch(/\.go|learn\.microsoft\.com|catalog\//);
  });
});

describe.each([
  ["shipped environments (environments/*.yaml, whatever exists)", ENVIRONMENTS_DIR],
  ["fixture environments (test/fixtures/contract-environments)", FIXTURES_DIR],
])("%s meet the provider's contract", (_what, dir) => {
  let stacks: Map<string, SynthesizedStack & { readonly environment: EnvironmentConfig }>;
  beforeAll(() => {
    stacks = synthesizeDirectory(dir);
  });

  test("every environment file was synthesized", () => {
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    expect([...stacks.keys()].sort()).toEqual(files.map((f) => f.replace(/\.ya?ml$/, "")).sort());
  });

  test("no resource breaks a provider rule", () => {
    for (const [name, stack] of stacks) expect({ name, problems: contractProblems(stack) }).toEqual({ name, problems: [] });
  });

  test("every vnet in dns.linkedVnetIds is linked to the zone, created or existing (never silently dropped)", () => {
    for (const stack of stacks.values()) {
      const links = stack.resources("azurerm_private_dns_zone_virtual_network_link");
      for (const id of stack.environment.dns.linkedVnetIds) {
        expect(links.filter((l) => l.virtual_network_id === id)).toHaveLength(1);
      }
      if (!stack.environment.dns.createZone) {
        expect(links.map((l) => l.private_dns_zone_name)).toEqual(stack.environment.dns.linkedVnetIds.map(() => stack.environment.dns.zoneName));
      }
    }
    if (dir === FIXTURES_DIR) expect([...stacks.values()].some((s) => !s.environment.dns.createZone && s.environment.dns.linkedVnetIds.length > 0)).toBe(true);
  });

  test("a missing KMS host key secret stops the apply with the README's read -rs upload, never a key on the command line", () => {
    for (const stack of stacks.values()) {
      const checks = Object.values((stack.json.data?.azurerm_key_vault_secrets ?? {}) as Record<string, Json>);
      expect(checks).toHaveLength(1);
      const messages: string[] = checks[0].lifecycle.postcondition.map((p: Json) => p.error_message);
      expect(messages).toHaveLength(stack.environment.kms.products.length);
      for (const message of messages) {
        expect(message).toMatch(/read -rs KMS_KEY && az keyvault secret set --vault-name \S+ --name \S+ --value "\$KMS_KEY" --output none; unset KMS_KEY/);
        expect(message).not.toMatch(/--value "<|--value [A-Z0-9]{5}-/);
      }
    }
  });

  test("a created vault's deployer assignment is keyVault.deployerPrincipalId when given, else whoever runs terraform", () => {
    for (const stack of stacks.values()) {
      const deployer = stack.json.resource.azurerm_role_assignment?.deployer_secrets_officer;
      if (!stack.environment.keyVault.create) {
        expect(deployer).toBeUndefined();
        continue;
      }
      expect(deployer.principal_id).toEqual(stack.environment.keyVault.deployerPrincipalId ?? expect.stringMatching(/^\$\{data\.azurerm_client_config\.[^.]+\.object_id\}$/));
    }
  });

  test("every run command has parameters, all non-empty (checked, not vacuous)", () => {
    for (const stack of stacks.values()) {
      const commands = stack.resources("azurerm_virtual_machine_run_command");
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) expect(command.parameter.length).toBeGreaterThan(0);
    }
  });

  test("production stacks: every host lock waits for that host's bootstrap and is replaced around a replaced Run Command", () => {
    for (const stack of stacks.values()) {
      const locks = stack.resources("azurerm_management_lock");
      const commands = Object.keys(stack.json.resource.azurerm_virtual_machine_run_command ?? {});
      const vmLocks = locks.filter((l) => /azurerm_windows_virtual_machine\./.test(l.scope));
      expect(vmLocks.length).toBe(locks.length === 0 ? 0 : commands.length);
      for (const lock of vmLocks) {
        const command = commands.find((c) => lock.depends_on?.includes(`azurerm_virtual_machine_run_command.${c}`));
        expect(command).toBeDefined();
        expect(lock.lifecycle.replace_triggered_by).toEqual([`azurerm_virtual_machine_run_command.${command}.id`]);
        // The same host: the Run Command's VM is the VM the lock protects.
        const vm = /azurerm_windows_virtual_machine\.[^.]+/.exec(lock.scope)?.[0];
        expect(stack.json.resource.azurerm_virtual_machine_run_command[command as string].virtual_machine_id).toBe(`\${${vm}.id}`);
      }
    }
  });

  test("a locked vault's lock depends on, and is replaced with, every role assignment under the vault", () => {
    let checked = 0;
    for (const stack of stacks.values()) {
      const vaults = Object.keys(stack.json.resource.azurerm_key_vault ?? {});
      const vaultLocks = stack.resources("azurerm_management_lock").filter((l) => /azurerm_key_vault\./.test(l.scope));
      if (vaultLocks.length === 0) continue;
      checked++;
      expect(vaults).toHaveLength(1);
      const underVault = Object.entries(stack.json.resource.azurerm_role_assignment as Record<string, Json>)
        .filter(([, a]) => String(a.scope).startsWith(`\${azurerm_key_vault.${vaults[0]}.id}`))
        .map(([name]) => `azurerm_role_assignment.${name}`);
      expect(underVault.length).toBeGreaterThan(1);
      expect([...vaultLocks[0].depends_on].sort()).toEqual([...underVault].sort());
      const [trigger] = vaultLocks[0].lifecycle.replace_triggered_by as string[];
      const fingerprint = stack.json.resource.terraform_data[trigger.replace(/^terraform_data\./, "")];
      expect([...fingerprint.input.role_assignment_ids].sort()).toEqual(underVault.map((a) => `\${${a}.id}`).sort());
    }
    // The fixtures include a production stack that creates its vault (vault-prod.yaml).
    if (dir === FIXTURES_DIR) expect(checked).toBeGreaterThan(0);
  });
});

describe.each(["lab", "vault-prod"])("a tag change does not re-run the bootstrap (fixture %s)", (fixture) => {
  let before: SynthesizedStack;
  let after: SynthesizedStack;
  beforeAll(() => {
    const data = parse(fs.readFileSync(path.join(FIXTURES_DIR, `${fixture}.yaml`), "utf8")) as Json;
    before = synthesizeEnvironment(validEnvironment(data));
    after = synthesizeEnvironment(validEnvironment({ ...data, tags: { ...data.tags, "cost-center": "changed", owner: "someone-else" } }));
  });

  test("every run command's JSON is unchanged, while the VMs' tags change", () => {
    expect(after.json.resource.azurerm_virtual_machine_run_command).toEqual(before.json.resource.azurerm_virtual_machine_run_command);
    expect(Object.keys(before.json.resource.azurerm_virtual_machine_run_command).length).toBeGreaterThan(0);
    expect(after.resources("azurerm_windows_virtual_machine")[0].tags).toMatchObject({ owner: "someone-else" });
    expect(before.resources("azurerm_windows_virtual_machine")[0].tags).not.toHaveProperty("owner");
  });
});

describe("the README's library example (a KmsEnvironment in a stack of the user's)", () => {
  test("breaks no provider rule", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-contract-readme-"));
    try {
      const files = runReadmeLibraryExample(outdir);
      expect(files).toHaveLength(1);
      const stack = parsed(fs.readFileSync(files[0], "utf8"));
      expect(stack.resources("azurerm_windows_virtual_machine")).toHaveLength(1);
      expect(contractProblems(stack)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
