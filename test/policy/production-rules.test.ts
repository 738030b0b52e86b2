import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record";
import { findings, keyVault, synth, vm, type Base } from "./harness";

function srv(b: Base): PrivateDnsSrvRecord {
  return new PrivateDnsSrvRecord(b.stack, "vlmcs", {
    name: "_vlmcs._tcp", zoneName: "corp.example", resourceGroupName: b.rg.name, ttl: 3600,
    record: [{ priority: 0, weight: 0, port: 1688, target: "host.corp.example" }],
  });
}

describe("KMS-OPS-001 production locks", () => {
  test("Noncompliance 1: no lock at all (every host, the vault and the SRV record reported)", () => {
    const r = synth((b) => {
      vm(b.stack, b, "host");
      keyVault(b.stack, b);
      srv(b);
    }, { production: true });
    expect(findings(r, "KMS-OPS-001")).toEqual([
      expect.stringContaining("[KMS-OPS-001] azurerm_windows_virtual_machine.host: no CanNotDelete management lock"),
      expect.stringContaining("[KMS-OPS-001] azurerm_key_vault.kv: no CanNotDelete"),
      expect.stringContaining("[KMS-OPS-001] azurerm_private_dns_srv_record.vlmcs: no CanNotDelete"),
    ]);
  });

  test("Noncompliance 2: a CanNotDelete lock on the vault only leaves the host uncovered", () => {
    const r = synth((b) => {
      vm(b.stack, b, "host");
      const kv = keyVault(b.stack, b);
      new ManagementLock(b.stack, "kv-lock", { name: "kv", scope: kv.id, lockLevel: "CanNotDelete" });
    }, { production: true });
    expect(findings(r, "KMS-OPS-001")).toEqual([expect.stringContaining("azurerm_windows_virtual_machine.host")]);
  });

  test("Compliance 1: a lock on the resource group covers everything in it", () => {
    const r = synth((b) => {
      vm(b.stack, b, "host");
      keyVault(b.stack, b);
      srv(b);
      new ManagementLock(b.stack, "rg-lock", { name: "rg", scope: b.rg.id, lockLevel: "CanNotDelete" });
    }, { production: true });
    expect(findings(r, "KMS-OPS-001")).toEqual([]);
  });

  test("Compliance 2: a literal resource-group id matching literal group names; not checked outside production", () => {
    const literal = synth((b) => {
      vm(b.stack, b, "host", { resourceGroupName: "rg-kms" });
      new ManagementLock(b.stack, "rg-lock", { name: "rg", scope: "/subscriptions/0000/resourceGroups/RG-KMS", lockLevel: "CanNotDelete" });
    }, { production: true });
    expect(findings(literal, "KMS-OPS-001")).toEqual([]);
    const nonProd = synth((b) => void vm(b.stack, b, "host"), { production: false });
    expect(findings(nonProd, "KMS-OPS-001")).toEqual([]);
  });
});

describe("KMS-OPS-002 prevent_destroy in production", () => {
  test("Noncompliance: a host without prevent_destroy", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { lifecycle: {} }), { production: true });
    expect(findings(r, "KMS-OPS-002")).toEqual([expect.stringContaining("[KMS-OPS-002] azurerm_windows_virtual_machine.host: lifecycle.prevent_destroy is not true in production")]);
  });

  test("Noncompliance 2: prevent_destroy removed by an override", () => {
    const r = synth((b) => vm(b.stack, b, "host").addOverride("lifecycle.prevent_destroy", false), { production: true });
    expect(findings(r, "KMS-OPS-002")).toHaveLength(1);
  });

  test("Compliance: prevent_destroy set", () => {
    expect(findings(synth((b) => void vm(b.stack, b, "host"), { production: true }), "KMS-OPS-002")).toEqual([]);
  });
});
