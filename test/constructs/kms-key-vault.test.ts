// KmsKeyVault alone: the created vault's settings and the deployer's role.
import { TerraformStack, Testing } from "cdktf";
import { KmsKeyVault } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const base = { resourceGroupName: "rg-kms", location: "westeurope", name: "kv-kms-lab" };

describe("KmsKeyVault", () => {
  let plain: SynthesizedStack;
  let firewalled: SynthesizedStack;
  beforeAll(() => {
    plain = synthesizeConstruct((stack) => new KmsKeyVault(stack, "vault", base));
    firewalled = synthesizeConstruct((stack) => new KmsKeyVault(stack, "vault", { ...base, allowedCidrs: ["203.0.113.0/28"] }));
  });

  test("creates a standard-tier vault with RBAC authorization, 90 days of soft delete and, by default, no purge protection", () => {
    expect(plain.resources("azurerm_key_vault")).toEqual([
      expect.objectContaining({ name: "kv-kms-lab", sku_name: "standard", rbac_authorization_enabled: true, soft_delete_retention_days: 90, purge_protection_enabled: false }),
    ]);
    expect(plain.resources("azurerm_key_vault")[0].network_acls).toBeUndefined();
  });

  test("a firewall without a subnet allows only the listed ranges", () => {
    expect(firewalled.resources("azurerm_key_vault")[0].network_acls).toEqual({ default_action: "Deny", bypass: "AzureServices", ip_rules: ["203.0.113.0/28"], virtual_network_subnet_ids: [] });
  });

  test("the deployer's role says what it is for", () => {
    expect(plain.resources("azurerm_role_assignment")).toEqual([
      expect.objectContaining({ role_definition_name: "Key Vault Secrets Officer", description: "Lets the identity running terraform store the hosts' generated admin passwords." }),
    ]);
  });

  test("names its own path in the error for both or neither of existingId and name", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => new KmsKeyVault(stack, "neither", { resourceGroupName: "rg", location: "westeurope" })).toThrow(/^KmsKeyVault s\/neither: give exactly one/);
  });
});
