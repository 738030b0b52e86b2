// The stand-in (rehearsal/stand-in.ts) on a synthesized fixture: addresses map both ways, the
// contract's ForceNew arguments go into triggers_replace and the rest into input, references keep
// their dependencies, and every provisioner that fails as Azure fails names a rule of AZURE_RULES.
import { AZURE_RULES } from "../../rehearsal/azure-rules";
import { forceNewAttributes } from "../../rehearsal/provider-contract";
import { realAddress, standInAddress, toStandIn } from "../../rehearsal/stand-in";
import { bootstrapOf, hostsOf, onlyOf, rehearsalStack } from "../support/rehearsal";

const stack = rehearsalStack();
const standIn = toStandIn(stack);
const resources = (standIn.config.resource as Record<string, Record<string, any>>).terraform_data;
const body = (real: string) => resources[standIn.addresses.get(real)!.slice("terraform_data.".length)];

describe("addresses", () => {
  it.each(["azurerm_windows_virtual_machine.host-1_vm", "data.azurerm_client_config.vault_client", "azurerm_management_lock.lock[0]", 'terraform_data.x["a"]'])("%s maps to a stand-in and back", (real) => {
    expect(realAddress(standInAddress(real))).toBe(real);
  });
  it("every resource and data source of the stack has a stand-in, and helpers map to no real address", () => {
    const count = ["resource", "data"].reduce((n, kind) => n + Object.values((stack[kind] ?? {}) as Record<string, object>).reduce((m, byName) => m + Object.keys(byName).length, 0), 0);
    expect(standIn.addresses.size).toBe(count);
    expect(realAddress("terraform_data.azurerm_key_vault__vault__hook")).toBeUndefined();
  });
});

describe("arguments", () => {
  const vm = hostsOf(stack)[0].address;
  it("ForceNew arguments of the contract go into triggers_replace, the others into input", () => {
    const forceNew = forceNewAttributes("azurerm_windows_virtual_machine");
    expect(Object.keys(body(vm).triggers_replace).every((k) => forceNew.includes(k))).toBe(true);
    expect(body(vm).triggers_replace.zone).toBe("1");
    expect(body(vm).input.size).toBe("Standard_D2s_v5");
    expect(Object.keys(body(vm).input).some((k) => forceNew.includes(k))).toBe(false);
  });
  it("a configured value referenced is inlined and the dependency kept; a computed one is the stand-in's id", () => {
    const vault = body(onlyOf(stack, "azurerm_key_vault"));
    expect(vault.triggers_replace.resource_group_name).toBe("rg-kms-rehearsal");
    expect(vault.depends_on).toContain(standIn.addresses.get(onlyOf(stack, "azurerm_resource_group")));
    const bootstrap = body(bootstrapOf(stack, vm));
    expect(bootstrap.triggers_replace.virtual_machine_id).toBe(`\${${standIn.addresses.get(vm)}.id}`);
  });
  it("keeps the lifecycle, pointing ignore_changes at where the argument went", () => {
    expect(body(vm).lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["triggers_replace.admin_password"] });
  });
});

describe("Azure's rules as provisioners", () => {
  const text = JSON.stringify(standIn.config);
  const cited = [...new Set([...text.matchAll(/\(rule ([a-z-]+)(?: \/ ([a-z-]+))?/g)].flatMap((m) => [m[1], m[2]].filter(Boolean)))];
  it("cite rules", () => expect(cited.length).toBeGreaterThanOrEqual(3));
  it.each(cited)("%s is a rule of AZURE_RULES, cited to Microsoft Learn", (id) => {
    const rule = AZURE_RULES.find((r) => r.id === id);
    expect(rule?.learnUrl).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });
});
