import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { findings, keyVault, synth } from "./harness";

describe("Key Vault rules", () => {
  test("KMS-KV-001 Noncompliance 1: RBAC not enabled", () => {
    const r = synth((b) => void keyVault(b.stack, b, { rbacAuthorizationEnabled: undefined }));
    expect(findings(r, "KMS-KV-001")).toEqual([expect.stringContaining("[KMS-KV-001] azurerm_key_vault.kv: rbac_authorization_enabled is unset, enable_rbac_authorization is unset")]);
  });

  test("KMS-KV-001 Noncompliance 2: the deprecated name set to false by override", () => {
    const r = synth((b) => keyVault(b.stack, b).addOverride("enable_rbac_authorization", false));
    expect(findings(r, "KMS-KV-001")).toEqual([expect.stringContaining("enable_rbac_authorization is false")]);
  });

  test("KMS-KV-001 Compliance: the deprecated name alone", () => {
    const r = synth((b) => keyVault(b.stack, b, { rbacAuthorizationEnabled: undefined }).addOverride("enable_rbac_authorization", true));
    expect(findings(r, "KMS-KV-001")).toEqual([]);
  });

  test("KMS-KV-002 Noncompliance: retention unset", () => {
    const r = synth((b) => void keyVault(b.stack, b, { softDeleteRetentionDays: undefined }));
    expect(findings(r, "KMS-KV-002")).toEqual([expect.stringContaining("soft_delete_retention_days is unset")]);
  });

  test("KMS-KV-003 Noncompliance: no purge protection in production", () => {
    const r = synth((b) => void keyVault(b.stack, b, { purgeProtectionEnabled: false }), { production: true });
    expect(findings(r, "KMS-KV-003")).toEqual([expect.stringContaining("purge_protection_enabled is false in production")]);
  });

  test("KMS-KV-005 Noncompliance: public network access left on in production", () => {
    const r = synth((b) => void keyVault(b.stack, b, { publicNetworkAccessEnabled: true }), { production: true });
    expect(findings(r, "KMS-KV-005")).toEqual([expect.stringContaining("[KMS-KV-005] azurerm_key_vault.kv: public_network_access_enabled is true in production")]);
  });

  test("KMS-KV-005 Noncompliance: public network access unset (Azure's default is on) in production", () => {
    const r = synth((b) => void keyVault(b.stack, b, { publicNetworkAccessEnabled: undefined }), { production: true });
    expect(findings(r, "KMS-KV-005")).toEqual([expect.stringContaining("public_network_access_enabled is unset in production")]);
  });

  test("KMS-KV-005 Compliance: public network access off in production", () => {
    const r = synth((b) => void keyVault(b.stack, b, { publicNetworkAccessEnabled: false }), { production: true });
    expect(findings(r, "KMS-KV-005")).toEqual([]);
  });

  test("KMS-KV-005 Compliance: a lab vault may keep its public endpoint", () => {
    const r = synth((b) => void keyVault(b.stack, b, { publicNetworkAccessEnabled: true }));
    expect(findings(r, "KMS-KV-005")).toEqual([]);
  });

  test("KMS-KV-003 Compliance: not required outside production", () => {
    const r = synth((b) => void keyVault(b.stack, b, { purgeProtectionEnabled: false }), { production: false });
    expect(findings(r, "KMS-KV-003")).toEqual([]);
  });

  test("KMS-KV-004 Noncompliance: no network ACLs is a warning and does not fail synth", () => {
    const r = synth((b) => void keyVault(b.stack, b, { networkAcls: undefined }));
    expect(r.warnings).toEqual([expect.stringContaining("[KMS-KV-004] azurerm_key_vault.kv: network_acls.default_action is unset")]);
    expect(r.errors).toEqual([]);
    expect(r.thrown).toBeUndefined();
  });

  test("KMS-KV-004 Noncompliance 2: default Allow", () => {
    const r = synth((b) => void keyVault(b.stack, b, { networkAcls: { defaultAction: "Allow", bypass: "AzureServices" } }));
    expect(findings(r, "KMS-KV-004")).toEqual([expect.stringContaining('default_action is "Allow"')]);
  });

  test("Compliance: all Key Vault rules", () => {
    const r = synth((b) => {
      keyVault(b.stack, b);
      new ManagementLock(b.stack, "rg-lock", { name: "rg", scope: b.rg.id, lockLevel: "CanNotDelete" });
    }, { production: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});
