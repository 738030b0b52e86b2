// The providers' contract as data (issue 21, item 1): for every resource type, data source and
// provider configuration our stacks write, what azurerm 4.55.0, dns 3.4.3 and random 3.7.2 refuse
// (validation), force to replace (ForceNew / RequiresReplace) or forbid together (ConflictsWith,
// ExactlyOneOf, AtLeastOneOf), each row citing the file and line at the provider's tag.
//
// Two halves:
//  - provider-contract-rows.ts, GENERATED from the providers' source by
//    scripts/provider-contract/extract.mjs (the list of types and attribute paths it reads is
//    scripts/provider-contract/spec.mjs): flags, ranges, enums, lengths, conflicts, lines.
//  - HAND_RULES below: the provider's named validators (computeValidate.VirtualMachineName, ...)
//    and checks made outside the schema (the dns provider's key_name FQDN rule in config.go), each
//    restated here from the source it cites. They used to live in test/provider-contract.test.ts.
//
// No provider plugin is reachable here (no Terraform registry), so checkAgainstContract is how a
// stack meets the providers before `terraform plan` would: it refuses a type or attribute the
// table does not hold (so a new one cannot slip past unchecked) and a literal value a validation
// refuses; references (`${...}`) are unknown until apply and are not checked.
import { AZURE_REGIONS } from "../catalog/azure-regions";
import { GENERATED_ROWS } from "./provider-contract-rows";

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
  /** ForceNew (SDKv2) or RequiresReplace (plugin framework). */
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
  /** e.g. "azurerm_windows_virtual_machine"; for kind provider: "azurerm" / "dns" / "random" */
  readonly type: string;
  readonly attributes: readonly AttributeRule[];
  /** where the schema is defined */
  readonly source: ContractSource;
}
export interface ContractProblem {
  /** `azurerm_key_vault.vault_key-vault_1A2B3C4D`, `data.azurerm_key_vault.x` or `provider.dns[0]` */
  readonly address: string;
  readonly path: string;
  readonly problem: string;
  readonly source?: ContractSource;
}

const AZURERM = { repo: "hashicorp/terraform-provider-azurerm", tag: "v4.55.0" } as const;
const DNS = { repo: "hashicorp/terraform-provider-dns", tag: "v3.4.3" } as const;
const az = (file: string, line: number): ContractSource => ({ ...AZURERM, file, line });

/** A named validator of a provider, restated: problems of one literal value (empty when it complies). */
type Checker = (value: string) => string[];

/** compute/validate/virtual_machine_name.go and virtual_machine_run_command_name.go share these checks. */
function azureComputeName(allowOnlyDigits: boolean): Checker {
  return (value) => {
    if (value.trim() === "") return ["is empty"];
    const problems: string[] = [];
    if (value.length > 80) problems.push("is longer than 80");
    if (!/^[a-zA-Z0-9._-]+$/.test(value)) problems.push("has characters other than letters, digits, '.', '_', '-'");
    if (!/^[a-zA-Z0-9]/.test(value)) problems.push("does not begin with a letter or digit");
    if (!/\w$/.test(value)) problems.push("does not end with a letter, digit or '_'");
    if (!allowOnlyDigits && /^\d+$/.test(value)) problems.push("is only digits");
    return problems;
  };
}
const WINDOWS_ADMIN_USERNAMES_REFUSED = ["administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5"];
const idPattern = (type: string): RegExp => new RegExp(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/${type}/[^/]+$`);

/**
 * The validators the generated rows name as `custom`, restated from the provider source each cites
 * (VALIDATOR_SOURCES). A custom validation whose id is not here is recorded, not evaluated.
 */
export const CHECKERS: Readonly<Record<string, Checker>> = {
  "computeValidate.VirtualMachineName": azureComputeName(false),
  "validate.VirtualMachineRunCommandName": azureComputeName(true),
  "computeValidate.WindowsComputerNameFull": (v) => [
    ...(v.trim() === "" ? ["is empty"] : []),
    ...(v.length > 15 ? ["is longer than 15"] : []),
    ...(v.endsWith("-") ? ["ends with '-'"] : []),
    ...(!/^[a-zA-Z0-9-]+$/.test(v) ? ["has characters other than letters, digits and '-'"] : []),
    ...(/^\d+$/.test(v) ? ["is only digits"] : []),
  ],
  "computeValidate.WindowsAdminUsername": (v) =>
    v.trim() === "" || v.length > 20 || v.endsWith(".") || WINDOWS_ADMIN_USERNAMES_REFUSED.includes(v.toLowerCase()) ? [`"${v}" is refused (empty, over 20, ending in '.', or a reserved name)`] : [],
  "validate.VaultName": (v) => (/^[a-zA-Z0-9-]{3,24}$/.test(v) ? [] : ["is not 3-24 letters, digits and '-'"]),
  "keyVaultValidate.NestedItemName": (v) => (/^[0-9a-zA-Z-]+$/.test(v) ? [] : ["has characters other than letters, digits and '-'"]),
  "validate.ManagementLockName": (v) => (/^[A-Za-z0-9_-]+$/.test(v) && v.length < 260 ? [] : ["is not under 260 of [A-Za-z0-9_-]"]),
  "commonschema.ResourceGroupName": (v) => (v.length > 0 && v.length <= 90 && !v.endsWith(".") && /^[-\w._()]+$/.test(v) ? [] : ["is not 1-90 of [-\\w._()] not ending with '.'"]),
  "validate.LowerCasedString": (v) => (v.trim() !== "" && v === v.toLowerCase() && !v.includes(" ") ? [] : ["is not a non-empty lower-case string without spaces"]),
  "validation.IsUUID": (v) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? [] : ["is not a UUID"]),
  "commonids.ValidateSubnetID": (v) => (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/.test(v) ? [] : ["is not a subnet id (segment names are case-sensitive)"]),
  "commonids.ValidateVirtualNetworkID": (v) => (idPattern("Microsoft\\.Network/virtualNetworks").test(v) ? [] : ["is not a virtual network id (segment names are case-sensitive)"]),
  "workspaces.ValidateWorkspaceID": (v) => (idPattern("Microsoft\\.OperationalInsights/workspaces").test(v) ? [] : ["is not a Log Analytics workspace id"]),
  "savedsearches.ValidateWorkspaceID": (v) => (idPattern("Microsoft\\.OperationalInsights/workspaces").test(v) ? [] : ["is not a Log Analytics workspace id"]),
  // NatGatewayName and PrivateLinkName: one letter or digit, or 2-80 of [a-zA-Z0-9-_.] beginning with a letter or digit and ending with one or '_'.
  "validate.NatGatewayName": (v) => (/^[a-zA-Z\d]$/.test(v) || /^[a-zA-Z\d][a-zA-Z\d\-_.]{0,78}[a-zA-Z\d_]$/.test(v) ? [] : ["is not 1-80 letters, digits, '-', '_', '.' beginning with a letter or digit and ending with a letter, digit or '_'"]),
  "validate.PrivateLinkName": (v) => (/^[a-zA-Z\d]$/.test(v) || /^[a-zA-Z\d][a-zA-Z\d\-_.]{0,78}[a-zA-Z\d_]$/.test(v) ? [] : ["is not 1-80 letters, digits, '-', '_', '.' beginning with a letter or digit and ending with a letter, digit or '_'"]),
  "validate.PrivateLinkSubResourceName": (v) => (v === "" || (v.trim().length >= 3 && /^[a-zA-Z0-9][\w.-]{1,61}[a-zA-Z0-9]$/.test(v)) ? [] : ["is not 3-63 letters, digits, '_', '.', '-' beginning and ending with a letter or digit"]),
  "validate.MonitorDiagnosticSettingName": (v) => [...(/[<>*%&:\\?+/]/.test(v) ? ["contains one of < > * % & : \\ ? + /"] : []), ...(v.length < 1 || v.length > 260 ? ["is not 1 to 260 characters"] : [])],
  "privatezones.ValidatePrivateDnsZoneID": (v) => (idPattern("Microsoft\\.Network/privateDnsZones").test(v) ? [] : ["is not a private DNS zone id (segment names are case-sensitive)"]),
  validateZone: (v) => [...(v.trim() !== v ? ["contains whitespace"] : []), ...(fqdn(v) ? [] : ["is not fully qualified (end it with '.')"])],
  validateName: (v) => [...(v.trim() !== v || v === "" ? ["is empty or contains whitespace"] : []), ...(fqdn(v) ? ["must not be fully qualified"] : [])],
  "dnsvalidator.IsZoneNameValid": (v) => [...(v.trim() !== v ? ["contains whitespace"] : []), ...(fqdn(v) ? [] : ["is not fully qualified (end it with '.')"])],
  "dnsvalidator.IsRecordNameValid": (v) => [...(v.trim() !== v || v === "" ? ["is empty or contains whitespace"] : []), ...(fqdn(v) ? ["must not be fully qualified"] : [])],
  "run-command-timeout": (v) => {
    const match = /^(\d+)m$/.exec(v);
    return match && Number(match[1]) <= 90 ? [] : [`${v} is not at most 90m`];
  },
  location: (v) => (AZURE_REGIONS[v.toLowerCase().replace(/\s+/g, "")] ? [] : [`"${v}" is not an Azure region`]),
};

/** Where each restated validator is defined at the provider's tag. */
export const VALIDATOR_SOURCES: Readonly<Record<string, ContractSource>> = {
  "computeValidate.VirtualMachineName": az("internal/services/compute/validate/virtual_machine_name.go", 12),
  "validate.VirtualMachineRunCommandName": az("internal/services/compute/validate/virtual_machine_run_command_name.go", 12),
  "computeValidate.WindowsComputerNameFull": az("internal/services/compute/validate/windows_computer_name.go", 12),
  "computeValidate.WindowsAdminUsername": az("internal/services/compute/validate/windows_admin_username.go", 13),
  "validate.VaultName": az("internal/services/keyvault/validate/vault_name.go", 11),
  "keyVaultValidate.NestedItemName": az("internal/services/keyvault/validate/nested_item_name.go", 11),
  "validate.ManagementLockName": az("internal/services/resource/validate/management_lock_name.go", 11),
  "commonschema.ResourceGroupName": az("vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/resourcegroups/validate.go", 12),
  "validate.LowerCasedString": az("internal/services/privatedns/validate/lower_cased_string.go", 12),
  "validation.IsUUID": az("vendor/github.com/hashicorp/terraform-plugin-sdk/v2/helper/validation/uuid.go", 13),
  "commonids.ValidateSubnetID": az("vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/commonids/subnet.go", 89),
  "commonids.ValidateVirtualNetworkID": az("vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/commonids/virtual_network.go", 83),
  "workspaces.ValidateWorkspaceID": az("vendor/github.com/hashicorp/go-azure-sdk/resource-manager/operationalinsights/2020-08-01/workspaces/id_workspace.go", 88),
  "savedsearches.ValidateWorkspaceID": az("vendor/github.com/hashicorp/go-azure-sdk/resource-manager/operationalinsights/2020-08-01/savedsearches/id_workspace.go", 88),
  "validate.NatGatewayName": az("internal/services/network/validate/nat_gateway_name.go", 11),
  "validate.PrivateLinkName": az("internal/services/network/validate/private_link_name.go", 12),
  "validate.PrivateLinkSubResourceName": az("internal/services/network/validate/private_link_subresource_name.go", 13),
  "validate.MonitorDiagnosticSettingName": az("internal/services/monitor/validate/monitor_diagnostic_setting.go", 11),
  "privatezones.ValidatePrivateDnsZoneID": az("vendor/github.com/hashicorp/go-azure-sdk/resource-manager/privatedns/2024-06-01/privatezones/id_privatednszone.go", 88),
  validateZone: { ...DNS, file: "internal/provider/validators.go", line: 13 },
  validateName: { ...DNS, file: "internal/provider/validators.go", line: 25 },
  "dnsvalidator.IsZoneNameValid": { ...DNS, file: "internal/validators/dnsvalidator/is_zone_name_valid.go", line: 43 },
  "dnsvalidator.IsRecordNameValid": { ...DNS, file: "internal/validators/dnsvalidator/is_record_name_valid.go", line: 44 },
  "run-command-timeout": az("internal/services/compute/virtual_machine_run_command_resource.go", 396),
  location: az("vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/location/validation.go", 18),
};

/** miekg/dns IsFqdn: ends with an unescaped dot. */
function fqdn(value: string): boolean {
  if (!value.endsWith(".")) return false;
  let backslashes = 0;
  for (let i = value.length - 2; i >= 0 && value[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}

/**
 * Rows written by hand: checks outside the schema the generator reads. Each is merged into the
 * generated row of its type and path (added when the path is new).
 */
export const HAND_RULES: readonly (AttributeRule & { readonly type: string; readonly kind: ResourceContract["kind"] })[] = [
  {
    kind: "provider",
    type: "dns",
    path: "update.key_name",
    // Config.Client: `if !c.gssapi && c.keyname != "" { if !dns.IsFqdn(c.keyname) { ... "key_name" should be fully-qualified`.
    // Reached from every resource's CRUD through meta (resource_dns_a_record_set.go, resource_dns_srv_record_set.go), so plan fails.
    validations: [{ kind: "fqdn" }],
    source: { ...DNS, file: "internal/provider/config.go", line: 79 },
  },
  {
    kind: "resource",
    type: "azurerm_virtual_machine_run_command",
    path: "timeouts.create",
    // timeout_in_seconds is the create timeout; Azure caps a Run Command at 90 minutes.
    validations: [{ kind: "custom", id: "run-command-timeout", description: "the create timeout is the Run Command's own timeout, at most 90 minutes" }],
    source: az("internal/services/compute/virtual_machine_run_command_resource.go", 396),
  },
  {
    kind: "resource",
    type: "azurerm_virtual_machine_run_command",
    path: "timeouts.update",
    validations: [{ kind: "custom", id: "run-command-timeout", description: "the update timeout is the Run Command's own timeout, at most 90 minutes" }],
    source: az("internal/services/compute/virtual_machine_run_command_resource.go", 396),
  },
];

/**
 * Rules a provider checks in its create and update functions, outside the schema: when `when.path`
 * is `when.value`, one of `then.paths` must be set (to `then.value`, when given). A reference
 * (`${...}`) on either side is unknown until apply and is not checked.
 */
export interface Requirement {
  readonly type: string;
  readonly when: { readonly path: string; readonly value: string | boolean };
  readonly then: { readonly paths: readonly string[]; readonly value?: string };
  readonly message: string;
  readonly source: ContractSource;
}
export const REQUIREMENTS: readonly Requirement[] = [
  {
    type: "azurerm_windows_virtual_machine",
    when: { path: "bypass_platform_safety_checks_on_user_schedule_enabled", value: true },
    then: { paths: ["patch_mode"], value: "AutomaticByPlatform" },
    // resourceWindowsVirtualMachineCreate (and Update, line 1341): `patch_mode` must be set to `AutomaticByPlatform` when ... is set to `true`.
    message: "`patch_mode` must be set to `AutomaticByPlatform` when `bypass_platform_safety_checks_on_user_schedule_enabled` is set to `true`",
    source: az("internal/services/compute/windows_virtual_machine_resource.go", 734),
  },
  ...(
    [
      ["window", 267],
      ["install_patches", 270],
      ["in_guest_user_patch_mode", 273],
    ] as const
  ).map(([path, line]): Requirement => ({
    type: "azurerm_maintenance_configuration",
    when: { path: "scope", value: "InGuestPatch" },
    // resourceMaintenanceConfigurationCreate (and Update): `in_guest_user_patch_mode` may instead be given as properties.InGuestPatchMode.
    then: { paths: path === "in_guest_user_patch_mode" ? [path, "properties.InGuestPatchMode"] : [path] },
    message: `\`${path}\` must be specified when \`scope\` is \`InGuestPatch\``,
    source: az("internal/services/maintenance/maintenance_configuration_resource.go", line),
  })),
];

/** The value at a dotted path (through nested blocks, whose first entry is read). */
function valueAt(config: unknown, path: string): unknown {
  let value: unknown = config;
  for (const part of path.split(".")) {
    if (Array.isArray(value)) value = value[0];
    if (!isObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

function requirementProblems(address: string, type: string, config: unknown): ContractProblem[] {
  return REQUIREMENTS.filter((r) => r.type === type && valueAt(config, r.when.path) === r.when.value).flatMap((r) => {
    const values = r.then.paths.filter((p) => present(config, p)).map((p) => valueAt(config, p));
    const met = values.some((v) => r.then.value === undefined || v === r.then.value || isReference(v));
    return met ? [] : [{ address, path: r.then.paths[0], problem: r.message, source: r.source }];
  });
}

/** Tags on every azurerm resource: at most 50, names at most 512 and values at most 256 bytes. */
const TAGS_SOURCE = az("vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/tags/validate.go", 13);

/** Types Terraform itself provides (no provider plugin): terraform_data (builtin provider terraform.io/builtin/terraform). */
export const BUILTIN_TYPES: Readonly<Record<string, readonly string[]>> = { terraform_data: ["input", "triggers_replace"] };

/** Keys that are Terraform's meta-arguments, not the provider's (Terraform language docs: Meta-Arguments). */
const META_ARGUMENTS = new Set(["depends_on", "count", "for_each", "provider", "lifecycle", "provisioner", "connection", "//"]);

function merge(): readonly ResourceContract[] {
  return GENERATED_ROWS.map((row) => {
    const hand = HAND_RULES.filter((h) => h.type === row.type && h.kind === row.kind);
    const attributes = row.attributes.map((a) => {
      const extra = hand.filter((h) => h.path === a.path);
      const validations = [...(a.validations ?? []), ...extra.flatMap((h) => h.validations ?? [])];
      // A hand rule's validation comes from its own source (the check outside the schema).
      return extra.length > 0 ? { ...a, validations, source: extra[0].source } : a;
    });
    for (const h of hand) {
      if (!attributes.some((a) => a.path === h.path)) {
        attributes.push({ path: h.path, validations: h.validations, source: h.source });
      }
    }
    return { ...row, attributes };
  });
}

export const PROVIDER_CONTRACT: readonly ResourceContract[] = merge();

function rowOf(type: string, kind: ResourceContract["kind"]): ResourceContract | undefined {
  return PROVIDER_CONTRACT.find((r) => r.type === type && r.kind === kind);
}

/** Attribute paths (top-level names, or block names for nested ForceNew) that force replacement. */
export function forceNewAttributes(type: string, kind: "resource" | "data" = "resource"): readonly string[] {
  const row = rowOf(type, kind);
  if (!row) return [];
  return [...new Set(row.attributes.filter((a) => a.forceNew).map((a) => a.path.split(".")[0]))];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isReference = (v: unknown): boolean => typeof v === "string" && v.includes("${");

/** Problems of one literal scalar against one validation. */
function validate(value: unknown, validation: Validation): string[] {
  if (isReference(value) || value === null || value === undefined) return [];
  switch (validation.kind) {
    case "range":
      if (typeof value !== "number") return [];
      return (validation.min !== undefined && value < validation.min) || (validation.max !== undefined && value > validation.max) ? [`${value} is outside ${validation.min ?? "-∞"}..${validation.max ?? "∞"}`] : [];
    case "length":
      if (typeof value !== "string") return [];
      return (validation.min !== undefined && value.length < validation.min) || (validation.max !== undefined && value.length > validation.max) ? [`"${value.slice(0, 40)}" is not ${validation.min ?? 0} to ${validation.max ?? "any"} characters`] : [];
    case "enum": {
      if (typeof value !== "string") return [];
      const ok = validation.caseSensitive === false ? validation.values.some((v) => v.toLowerCase() === value.toLowerCase()) : validation.values.includes(value);
      return ok ? [] : [`"${value}" is not one of ${validation.values.join(", ")}`];
    }
    case "regex":
      return typeof value === "string" && !new RegExp(validation.pattern).test(value) ? [validation.message ?? `"${value}" does not match ${validation.pattern}`] : [];
    case "fqdn":
      return typeof value === "string" && !fqdn(value) ? [`"${value}" is not fully qualified: write "${value}." (a name ending with a dot)`] : [];
    case "custom": {
      const checker = CHECKERS[validation.id] as Checker | undefined;
      return checker && typeof value === "string" ? checker(value).map((p) => `"${value.slice(0, 60)}" ${p} (${validation.id})`) : [];
    }
  }
}

/** Every leaf of a config as [path, value], stopping at paths the row knows as attributes (maps such as tags). */
function leaves(config: unknown, known: ReadonlySet<string>, prefix = ""): [string, unknown][] {
  if (isObject(config)) {
    if (prefix && known.has(prefix)) return [[prefix, config]];
    return Object.entries(config).flatMap(([k, v]) => (!prefix && META_ARGUMENTS.has(k) ? [] : leaves(v, known, prefix ? `${prefix}.${k}` : k)));
  }
  if (Array.isArray(config) && config.some(isObject)) return config.flatMap((item) => leaves(item, known, prefix));
  return [[prefix, config]];
}

function checkConfig(address: string, row: ResourceContract | undefined, type: string, kind: ResourceContract["kind"], config: unknown): ContractProblem[] {
  if (!row) {
    return [
      {
        address,
        path: "",
        problem: `${kind} type ${type} is not in the providers' contract: add { type: "${type}", kind: "${kind}", file: <its schema file at the tag> } with its attribute paths to scripts/provider-contract/spec.mjs, then run node scripts/provider-contract/extract.mjs`,
      },
    ];
  }
  const known = new Set(row.attributes.map((a) => a.path));
  const problems: ContractProblem[] = [];
  for (const [path, value] of leaves(config, known)) {
    const rule = row.attributes.find((a) => a.path === path);
    // An empty block list (email_receiver: []) is the block itself.
    if (!rule && Array.isArray(value) && value.length === 0 && [...known].some((k) => k.startsWith(`${path}.`))) continue;
    if (!rule) {
      problems.push({ address, path, problem: `attribute ${path} of ${type} is not in the providers' contract: add "${path}" to the ${type} entry of scripts/provider-contract/spec.mjs, then run node scripts/provider-contract/extract.mjs`, source: row.source });
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const validation of rule.validations ?? []) {
      for (const item of values) for (const problem of validate(item, validation)) problems.push({ address, path, problem, source: validation.kind === "custom" ? (VALIDATOR_SOURCES[validation.id] ?? rule.source) : rule.source });
    }
    if (path === "location" && row.provider === "azurerm") for (const problem of validate(value, { kind: "custom", id: "location", description: "an Azure region" })) problems.push({ address, path, problem, source: VALIDATOR_SOURCES.location });
    if (path === "tags" && isObject(value)) problems.push(...tagProblems(value).map((problem) => ({ address, path, problem, source: TAGS_SOURCE })));
  }
  return [...problems, ...combinationProblems(address, row, config), ...requirementProblems(address, type, config)];
}

/** Whether a config sets `path` (dotted through nested blocks, whose first entry is read). */
function present(config: unknown, path: string): boolean {
  let value: unknown = config;
  for (const part of path.split(".")) {
    if (Array.isArray(value)) value = value[0];
    if (!isObject(value)) return false;
    value = value[part];
  }
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** ConflictsWith and ExactlyOneOf between the attributes one config sets. */
function combinationProblems(address: string, row: ResourceContract, config: unknown): ContractProblem[] {
  const problems = new Map<string, ContractProblem>();
  for (const rule of row.attributes) {
    if (!present(config, rule.path)) continue;
    for (const other of rule.conflictsWith ?? []) {
      const key = [rule.path, other].sort().join(" and ");
      if (present(config, other)) problems.set(key, { address, path: rule.path, problem: `${key} conflict: set only one of them`, source: rule.source });
    }
    if (rule.exactlyOneOf) {
      const set = rule.exactlyOneOf.filter((p) => present(config, p));
      const key = [...rule.exactlyOneOf].sort().join(", ");
      if (set.length !== 1) problems.set(key, { address, path: rule.path, problem: `exactly one of ${key} must be set, not ${set.join(" and ")}`, source: rule.source });
    }
  }
  return [...problems.values()];
}

function tagProblems(tags: Json): string[] {
  const bytes = (text: string): number => Buffer.byteLength(text);
  return [
    ...(Object.keys(tags).length > 50 ? [`${Object.keys(tags).length} tags (at most 50)`] : []),
    ...Object.entries(tags).flatMap(([k, v]) => [...(bytes(k) > 512 ? [`tag name ${k.slice(0, 20)}… is over 512 bytes`] : []), ...(typeof v === "string" && !isReference(v) && bytes(v) > 256 ? [`tag ${k} value is over 256 bytes`] : [])]),
  ];
}

/** Every problem a synthesized cdk.tf.json has against the contract. */
export function checkAgainstContract(stackJson: unknown): readonly ContractProblem[] {
  if (!isObject(stackJson)) return [{ address: "", path: "", problem: "not a synthesized stack (a JSON object)" }];
  const problems: ContractProblem[] = [];
  for (const [type, configs] of Object.entries((stackJson.provider ?? {}) as Record<string, unknown>)) {
    (Array.isArray(configs) ? configs : [configs]).forEach((config, i) => problems.push(...checkConfig(`provider.${type}[${i}]`, rowOf(type, "provider"), type, "provider", withoutAlias(config))));
  }
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries((stackJson[kind] ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [name, config] of Object.entries(byName)) {
        const address = `${kind === "data" ? "data." : ""}${type}.${name}`;
        if (kind === "resource" && BUILTIN_TYPES[type]) {
          for (const key of Object.keys(config as Json)) {
            if (!META_ARGUMENTS.has(key) && !BUILTIN_TYPES[type].includes(key)) problems.push({ address, path: key, problem: `${key} is not an argument of Terraform's built-in ${type}` });
          }
          continue;
        }
        problems.push(...checkConfig(address, rowOf(type, kind), type, kind, config));
      }
    }
  }
  return problems;
}

/** `alias` is a meta-argument of a provider block. */
function withoutAlias(config: unknown): unknown {
  if (!isObject(config)) return config;
  return Object.fromEntries(Object.entries(config).filter(([key]) => key !== "alias"));
}
