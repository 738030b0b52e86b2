// Rules checked directly on resolved configs (no synthesis): the edges of what each accepts, where
// the Noncompliance/Compliance tests on whole stacks check one case each.
import type { TerraformStack } from "cdktf";
import { DnsUpdateNoCredentials, KeyVaultSoftDelete, MaxKmsHosts, NoLiteralProductKeys, NoLiteralSecrets, ProductionLocks, ProductionPreventDestroy, VmKmsCapableImage, policyContext, type ResourceConfig, type Rule, type StackViolation, type Violation } from "../../policy";
import { show } from "../../policy/config";
import { resolvedResource } from "./resolved-resource";

const context = (production = false) => policyContext({ clientCidrs: ["10.0.0.0/8"], adminCidrs: [], kmsPort: 1688, production, allowedPublicKeys: [] });
const resource = resolvedResource;
const checkResource = (rule: Rule, config: Record<string, unknown>, type = "azurerm_key_vault"): readonly Violation[] => rule.checkResource!(resource(type, "r", config), context());
const checkStack = (rule: Rule, resources: ResourceConfig[], production = true, terraform: Record<string, unknown> = {}): readonly StackViolation[] =>
  rule.checkStack!({ stack: undefined as unknown as TerraformStack, resources, terraform: () => terraform }, context(production));
/** What a finding says, without the resource object it is pinned to. */
const said = (violations: readonly StackViolation[]): [string | undefined, string, string][] => violations.map((v) => [v.resource?.name, v.problem, v.fix]);

describe("KMS-KV-002 soft-delete retention", () => {
  test.each([7, 30, 90, "7", "90", "${var.retention_days}"])("accepts %p", (days) => {
    expect(checkResource(KeyVaultSoftDelete, { soft_delete_retention_days: days })).toEqual([]);
  });

  test.each([6, 91, 7.5, "6", "ninety", [30], true, undefined])("refuses %p, saying what it is", (days) => {
    expect(checkResource(KeyVaultSoftDelete, { soft_delete_retention_days: days })).toEqual([
      { problem: `soft_delete_retention_days is ${show(days)}`, fix: "Set soft_delete_retention_days to a value between 7 and 90 (90 recommended)." },
    ]);
  });
});

describe("KMS-VM-008 at most six hosts", () => {
  const vms = (...counts: unknown[]): ResourceConfig[] => counts.map((count, i) => resource("azurerm_windows_virtual_machine", `vm${i}`, count === undefined ? {} : { count }));

  test.each([
    ["six single VMs", vms(...Array(6).fill(undefined))],
    ["counts as numbers and digit strings adding up to six", vms(2, "3", undefined)],
    ["other resource types beside them", [...vms(6), resource("azurerm_linux_virtual_machine", "linux", { count: 10 })]],
  ])("accepts %s", (_what, resources) => {
    expect(checkStack(MaxKmsHosts, resources)).toEqual([]);
  });

  test("refuses seven, counting count = 3 and \"3\" as three each", () => {
    expect(said(checkStack(MaxKmsHosts, vms(3, "3", undefined)))).toEqual([
      [undefined, "7 Windows VMs defined", "Keep at most 6 KMS hosts per stack (one KMS host key activates at most 6)."],
    ]);
  });

  test.each([["a reference", "${var.host_count}"], ["not a number", "3x"], ["digits after text", "x3"], ["a list", [3]]])("refuses a count that is %s", (_what, count) => {
    expect(said(checkStack(MaxKmsHosts, vms(count)))).toEqual([["vm0", `count = ${show(count)} is not a literal`, "Use a literal count so the host total can be checked."]]);
  });

  test("refuses for_each, which hides the number of hosts", () => {
    const forEach = resource("azurerm_windows_virtual_machine", "vms", { for_each: "${var.hosts}" });
    expect(said(checkStack(MaxKmsHosts, [forEach]))).toEqual([["vms", 'for_each = "${var.hosts}" makes the number of hosts unknown at synth time', "Use a literal count or separate resources."]]);
  });
});

describe("KMS-OPS-001 production locks", () => {
  const vm = (resourceGroup: string) => resource("azurerm_windows_virtual_machine", "vm", { resource_group_name: resourceGroup });
  const lock = (scope: string, level = "CanNotDelete") => resource("azurerm_management_lock", "lock", { scope, lock_level: level });
  const UNCOVERED: [string, string, string] = ["vm", "no CanNotDelete management lock covers it in production", "Add an azurerm_management_lock with lock_level CanNotDelete on its resource group (or on the resource itself)."];

  test("asks nothing outside production", () => {
    expect(checkStack(ProductionLocks, [vm("rg-kms")], false)).toEqual([]);
  });

  test.each([
    ["a CanNotDelete lock on the resource itself", "${azurerm_windows_virtual_machine.vm.id}", "CanNotDelete"],
    ["a ReadOnly lock on the resource itself", "${azurerm_windows_virtual_machine.vm.id}", "ReadOnly"],
    ["a lock on its literal resource group, matched without case", "/subscriptions/s/resourceGroups/RG-KMS", "CanNotDelete"],
    ["a lock on its literal resource group, with a trailing slash", "/subscriptions/s/resourceGroups/rg-kms/", "CanNotDelete"],
  ])("counts %s", (_what, scope, level) => {
    expect(checkStack(ProductionLocks, [vm("rg-kms"), lock(scope, level)])).toEqual([]);
  });

  test.each([
    ["a lock of another level", "${azurerm_windows_virtual_machine.vm.id}", "Unlocked"],
    ["a lock on something inside its resource group", "/subscriptions/s/resourceGroups/rg-kms/providers/Microsoft.KeyVault/vaults/kv", "CanNotDelete"],
    ["a lock on another resource group", "/subscriptions/s/resourceGroups/rg-other", "CanNotDelete"],
    ["a lock on a longer path that ends like a resource group", "/x/subscriptions/s/resourceGroups/rg-kms", "CanNotDelete"],
  ])("does not count %s", (_what, scope, level) => {
    expect(said(checkStack(ProductionLocks, [vm("rg-kms"), lock(scope, level)]))).toEqual([UNCOVERED]);
  });

  test("counts a lock on its resource group by reference, data sources too, but not a reference to something else", () => {
    expect(checkStack(ProductionLocks, [vm("${azurerm_resource_group.rg.name}"), lock("${azurerm_resource_group.rg.id}")])).toEqual([]);
    expect(checkStack(ProductionLocks, [vm("${data.azurerm_resource_group.rg.name}"), lock("${data.azurerm_resource_group.rg.id}")])).toEqual([]);
    expect(said(checkStack(ProductionLocks, [vm("${azurerm_key_vault.rg.name}"), lock("${azurerm_key_vault.rg.id}")]))).toEqual([UNCOVERED]);
    expect(said(checkStack(ProductionLocks, [vm("${azurerm_resource_group.rg.name}"), lock("${azurerm_resource_group.other.id}")]))).toEqual([UNCOVERED]);
    expect(said(checkStack(ProductionLocks, [vm("${azurerm_resource_group.rg.name}"), lock("/subscriptions/s/resourceGroups/rg")]))).toEqual([UNCOVERED]);
  });

  test("a lock counts only as an azurerm_management_lock", () => {
    const notALock = resource("azurerm_resource_group_policy_assignment", "lock", { scope: "${azurerm_windows_virtual_machine.vm.id}", lock_level: "CanNotDelete" });
    expect(said(checkStack(ProductionLocks, [vm("rg-kms"), notALock]))).toEqual([UNCOVERED]);
  });

  test.each([
    ["azurerm_key_vault", true],
    ["azurerm_private_dns_srv_record", true],
    ["azurerm_dns_a_record", true],
    ["azurerm_private_dns_zone", false],
    ["azurerm_dns_a_record_set", false],
    ["xazurerm_dns_a_record", false],
    ["azurerm_public_dns_a_record", false],
  ])("%s is protected: %p", (type, isProtected) => {
    expect(checkStack(ProductionLocks, [resource(type, "vm", { resource_group_name: "rg-kms" })])).toHaveLength(isProtected ? 1 : 0);
  });
});

describe("KMS-VM-005 a KMS-capable image", () => {
  const image = (reference: Record<string, unknown>) => checkResource(VmKmsCapableImage, { source_image_reference: reference }, "azurerm_windows_virtual_machine");
  const FIX = "Use MicrosoftWindowsServer/WindowsServer with a non-Azure-Edition Datacenter or Standard sku (e.g. 2022-datacenter-g2).";
  const GOOD = { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-g2" };

  test.each(["2022-datacenter-g2", "2019-Datacenter", "2025-standard-g2"])("accepts the sku %s", (sku) => {
    expect(image({ ...GOOD, sku })).toEqual([]);
  });

  test("lists every problem of one image, separated by semicolons", () => {
    expect(image({ publisher: "MicrosoftWindowsDesktop", offer: "windows-11", sku: "win11-23h2-ent" })).toEqual([
      { problem: 'publisher is "MicrosoftWindowsDesktop"; offer is "windows-11"; sku "win11-23h2-ent" is neither Datacenter nor Standard', fix: FIX },
    ]);
  });

  test.each([
    ["an offer of another product", { ...GOOD, offer: "WindowsServerSemiAnnual" }, 'offer is "WindowsServerSemiAnnual"'],
    ["a sku that is a reference", { ...GOOD, sku: "${var.sku}" }, 'sku is "${var.sku}", not a literal'],
    ["no sku", { ...GOOD, sku: undefined }, "sku is unset, not a literal"],
    ["Azure Edition", { ...GOOD, sku: "2022-Datacenter-Azure-Edition" }, 'sku "2022-Datacenter-Azure-Edition" is Datacenter: Azure Edition, which cannot be a KMS host'],
  ])("refuses %s", (_what, reference, problem) => {
    expect(image(reference)).toEqual([{ problem, fix: FIX }]);
  });
});

describe("KMS-SEC-002 no literal secrets", () => {
  const check = (terraform: Record<string, unknown>) => said(checkStack(NoLiteralSecrets, [], false, terraform)).map(([, problem]) => problem);
  const located = (terraform: Record<string, unknown>) => checkStack(NoLiteralSecrets, [], false, terraform).map((v) => v.location);

  test("finds a literal password-like value in resources, data, providers, variables and locals, and says where", () => {
    const terraform = {
      resource: { azurerm_key_vault_secret: { s: { value: "literal" } } },
      data: { x: { y: { client_secret: "literal" } } },
      provider: { azurerm: [{ client_secret: "literal" }] },
      variable: { admin_password: { default: "literal" } },
      locals: { db_password: "literal" },
    };
    expect(check(terraform)).toEqual(["value is a literal string", "value is a literal string", "value is a literal string", "value is a literal string", "value is a literal string"]);
    expect(located(terraform)).toEqual([
      "resource.azurerm_key_vault_secret.s.value",
      "data.x.y.client_secret",
      "provider.azurerm[0].client_secret",
      "variable.admin_password.default",
      "locals.db_password",
    ]);
  });

  test.each([
    ["a reference", { resource: { azurerm_key_vault_secret: { s: { value: "${random_password.p.result}" } } } }],
    ["an empty value", { resource: { azurerm_key_vault_secret: { s: { value: "" } } } }],
    ["a value outside the checked sections", { terraform: { backend: { password: "literal" } }, output: { o: { sensitive_password: "literal" } } }],
    ["cdktf's own comments", { resource: { x: { y: { "//": { secret: "metadata" } } } } }],
    ["a pointer to a secret rather than the secret", { resource: { x: { y: { secret_name: "kms-windows", password_key_vault_secret_id: "id" } } } }],
    ["the value of an ordinary resource", { resource: { azurerm_app_configuration_key: { k: { value: "literal" } } } }],
    ["a default of an ordinary variable", { variable: { location: { default: "westeurope" } } }],
  ])("lets %s pass", (_what, terraform) => {
    expect(check(terraform)).toEqual([]);
  });

  test("reads a secret inside a list of blocks by its attribute name, not the index", () => {
    expect(located({ resource: { x: { y: { os_profile: [{ admin_password: "literal" }] } } } })).toEqual(["resource.x.y.os_profile[0].admin_password"]);
  });
});

describe("KMS-DNS-001 no DNS update credentials in the configuration", () => {
  const providerWith = (update: Record<string, unknown>, variable: Record<string, unknown> = {}) => ({ provider: { dns: [{ update: [update] }] }, variable });
  const check = (terraform: Record<string, unknown>) => checkStack(DnsUpdateNoCredentials, [], false, terraform).map((v) => [v.location, v.problem]);
  const AT = "provider.dns[0].update[0]";

  test.each([
    ["a sensitive variable without default", providerWith({ key_secret: "${var.k}" }, { k: { sensitive: true } })],
    ["nothing set", providerWith({ key_name: "kms" })],
    ["empty or null credentials", providerWith({ key_secret: "", gssapi: [{ password: null, keytab: "" }] })],
    ["no dns provider", { provider: { azurerm: [{}] } }],
  ])("accepts %s", (_what, terraform) => {
    expect(check(terraform)).toEqual([]);
  });

  test.each([
    ["a literal TSIG secret", providerWith({ key_secret: "c2VjcmV0" }), "key_secret is a literal"],
    ["a TSIG secret that is not a string", providerWith({ key_secret: 5 }), "key_secret is a literal"],
    ["an expression", providerWith({ key_secret: "${base64encode(var.k)}" }, { k: { sensitive: true } }), "key_secret is the expression ${base64encode(var.k)}, not a sensitive variable"],
    ["an undeclared variable", providerWith({ key_secret: "${var.k}" }), "key_secret refers to var.k, which is not declared"],
    ["a variable with a default", providerWith({ key_secret: "${var.k}" }, { k: { sensitive: true, default: "x" } }), "key_secret refers to var.k, which has a default"],
    ["a variable that is not sensitive", providerWith({ key_secret: "${var.k}" }, { k: {} }), "key_secret refers to var.k, which is not sensitive"],
    ["a literal GSS-TSIG password", providerWith({ gssapi: [{ password: "pw" }] }), "gssapi[0].password is a literal"],
    ["a GSS-TSIG keytab from a variable", providerWith({ gssapi: [{ keytab: "${var.keytab}" }] }), "gssapi[0].keytab is set in the configuration"],
    ["a GSS-TSIG password that is not a string", providerWith({ gssapi: [{ password: 5 }] }), "gssapi[0].password is set in the configuration"],
  ])("refuses %s", (_what, terraform, problem) => {
    expect(check(terraform)).toEqual([[AT, problem]]);
  });
});

describe("KMS-SEC-001 no literal product keys", () => {
  const KEY_SHAPED = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY";
  const check = (terraform: Record<string, unknown>) => checkStack(NoLiteralProductKeys, [], false, terraform).map((v) => v.location);

  test("decodes base64 only in custom_data and user_data, where a key could hide", () => {
    const encoded = Buffer.from(`key=${KEY_SHAPED}`).toString("base64");
    expect(check({ resource: { x: { y: { custom_data: encoded } } } })).toEqual(["resource.x.y.custom_data"]);
    expect(check({ resource: { x: { y: { description: encoded } } } })).toEqual([]);
  });
});

describe("KMS-OPS-002 prevent_destroy in production", () => {
  const check = (lifecycle: unknown) => ProductionPreventDestroy.checkResource!(resource("azurerm_windows_virtual_machine", "vm", { lifecycle }), context(true));

  test("one lifecycle block with prevent_destroy = true among several is enough", () => {
    expect(check([{ ignore_changes: ["tags"] }, { prevent_destroy: true }])).toEqual([]);
  });

  test("refuses a VM without it, saying what to set", () => {
    expect(check([{ prevent_destroy: false }])).toEqual([expect.objectContaining({ problem: "lifecycle.prevent_destroy is not true in production" })]);
    expect(check(undefined)[0].fix.length).toBeGreaterThan(10);
  });
});
