import { App, TerraformElement, TerraformStack } from "cdktf";
import { Construct, Node } from "constructs";
import { readableLogicalId } from "../../constructs/terraform-name";
import { ALL_RULES, KmsPolicyPack, listSuppressions, NoPublicIp, policyContext, SHIPPED_SUPPRESSIONS, suppressRule, VmNoExtensions } from "../../policy";
import { findings, synth, vm, type SynthResult } from "./harness";

const REASON = SHIPPED_SUPPRESSIONS.find((s) => s.id === VmNoExtensions.id)!.reason;

describe("suppressRule validation", () => {
  const stack = new TerraformStack(new App(), "s");

  test.each([[""], ["   "], ["n/a"], ["because"]])("a reason of %j throws", (reason) => {
    expect(() => suppressRule(stack, { id: "KMS-VM-007", reason })).toThrow(/reason of at least 10 characters/);
  });

  test("a missing reason throws", () => {
    expect(() => suppressRule(stack, { id: "KMS-VM-007" } as never)).toThrow(/reason/);
  });

  test("an id that is missing or blank throws, naming the construct", () => {
    for (const id of [undefined, "  "]) expect(() => suppressRule(stack, { id, reason: REASON } as never)).toThrow(new Error("suppressRule(s): a rule id is required"));
  });

  test("a reason of exactly 10 characters is enough; 9 are not, and the message shows what was given", () => {
    const scope = new TerraformStack(new App(), "edge");
    expect(() => suppressRule(scope, { id: "KMS-VM-007", reason: "0123456789" })).not.toThrow();
    expect(() => suppressRule(scope, { id: "KMS-VM-007", reason: " 012345678 " })).toThrow(
      new Error('suppressRule(edge, KMS-VM-007): a reason of at least 10 characters explaining why the waiver is safe is required (got " 012345678 ")'),
    );
    expect(() => suppressRule(scope, { id: "KMS-VM-007" } as never)).toThrow(/\(got ""\)$/);
  });

  test("a reason that only repeats the rule id, in any case, throws", () => {
    expect(() => suppressRule(stack, { id: "KMS-VM-007", reason: "kms-vm-007" })).toThrow(/a reason of at least 10 characters/);
    expect(() => suppressRule(stack, { id: "kms-vm-007", reason: "KMS-VM-007" })).toThrow(/a reason of at least 10 characters/);
  });

  test("the id and the reason are recorded trimmed", () => {
    const scope = new TerraformStack(new App(), "trimmed");
    suppressRule(scope, { id: " KMS-VM-007 ", reason: `  ${REASON}  ` });
    expect(listSuppressions(scope)).toEqual([{ id: "KMS-VM-007", reason: REASON, path: "trimmed" }]);
  });

  test("listSuppressions of a construct outside any stack is empty", () => {
    expect(listSuppressions(new App())).toEqual([]);
  });

  test("a construct outside any stack throws", () => {
    expect(() => suppressRule(new App(), { id: "KMS-VM-007", reason: REASON })).toThrow(/inside a TerraformStack/);
  });
});

/** A plain stack naming its elements after their construct paths, without cdktf's hash. */
class ReadableStack extends TerraformStack {
  protected override allocateLogicalId(element: TerraformElement | Node): string {
    return TerraformElement.isTerraformElement(element) ? readableLogicalId(this, element) : super.allocateLogicalId(element);
  }
}

describe("the shipped KMS-VM-007 suppression on the hosts", () => {
  let r: SynthResult;
  beforeAll(() => {
    r = synth((b) => {
      const host = vm(b.stack, b, "host1", { allowExtensionOperations: true });
      suppressRule(host, { id: VmNoExtensions.id, reason: REASON });
      // A host inside a wrapper construct is covered by a suppression on the wrapper.
      const group = new Construct(b.stack, "group");
      vm(group, b, "host2", { allowExtensionOperations: true });
      suppressRule(group, { id: VmNoExtensions.id, reason: REASON });
      // A stack whose unnamed elements get readable, hash-free names, as KmsStack's do.
    }, {}, undefined, (app, id) => new ReadableStack(app, id));
  });

  test("the suppressed rule is not reported as error or warning, and synthesis succeeds", () => {
    expect(findings(r, "KMS-VM-007")).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.thrown).toBeUndefined();
  });

  test("each suppressed finding is reported as info with the reason", () => {
    expect(r.infos).toEqual([
      expect.stringMatching(/^\[KMS-VM-007\] azurerm_windows_virtual_machine\.host1: allow_extension_operations is true.*\(suppressed at kms\/host1: The KMS host is set up by a managed Run Command/),
      expect.stringMatching(/^\[KMS-VM-007\] azurerm_windows_virtual_machine\.group_host2: .*\(suppressed at kms\/group: /),
    ]);
  });

  test("cdk.tf.json lists every suppression under the stack's // comment", () => {
    expect(r.json?.["//"]?.kms_policy_suppressions).toEqual([
      { rule_id: "KMS-VM-007", reason: REASON, path: "kms/host1" },
      { rule_id: "KMS-VM-007", reason: REASON, path: "kms/group" },
    ]);
  });

  test("each affected resource carries the suppression it received in its own // comment", () => {
    const vms = r.json?.resource?.azurerm_windows_virtual_machine as Record<string, { "//": Record<string, unknown> }>;
    const grouped = "group_host2";
    expect(vms.host1["//"].kms_policy_suppressions).toEqual([{ rule_id: "KMS-VM-007", reason: REASON, suppressed_at: "kms/host1" }]);
    expect(vms[grouped]["//"].kms_policy_suppressions).toEqual([{ rule_id: "KMS-VM-007", reason: REASON, suppressed_at: "kms/group" }]);
  });

  test("listSuppressions returns them", () => {
    expect(listSuppressions(r.stack)).toEqual([
      { id: "KMS-VM-007", reason: REASON, path: "kms/host1" },
      { id: "KMS-VM-007", reason: REASON, path: "kms/group" },
    ]);
  });
});

describe("suppression scope", () => {
  test("only the suppressed rule, only on the suppressed subtree", () => {
    const r = synth((b) => {
      const host = vm(b.stack, b, "host1", { allowExtensionOperations: true, secureBootEnabled: false });
      suppressRule(host, { id: "KMS-VM-007", reason: REASON });
      vm(b.stack, b, "host2", { allowExtensionOperations: true });
    });
    expect(findings(r, "KMS-VM-007")).toEqual([expect.stringContaining("azurerm_windows_virtual_machine.host2")]);
    expect(findings(r, "KMS-VM-001")).toEqual([expect.stringContaining("azurerm_windows_virtual_machine.host1: secure_boot_enabled is false")]);
  });

  test("the nearest suppression covers a finding: a resource's own wins over its stack's", () => {
    const r = synth((b) => {
      suppressRule(b.stack, { id: "KMS-VM-001", reason: "test fixture: the stack-wide waiver" });
      suppressRule(vm(b.stack, b, "host", { secureBootEnabled: false }), { id: "KMS-VM-001", reason: "test fixture: this host's own waiver" });
    });
    expect(r.infos).toEqual([expect.stringMatching(/\(suppressed at kms\/host: test fixture: this host's own waiver\)$/)]);
  });

  test("a stack-level finding pinned to a resource honours that resource's suppression", () => {
    const r = synth((b) => {
      const host = vm(b.stack, b, "host", { adminPassword: "literal-password" });
      suppressRule(host, { id: "KMS-SEC-002", reason: "test fixture: the password is a throwaway lab value" });
    });
    expect(findings(r, "KMS-SEC-002")).toEqual([]);
    expect(r.infos).toEqual([expect.stringContaining("[KMS-SEC-002] azurerm_windows_virtual_machine.host: admin_password is a literal string")]);
  });

  test("a resource with two suppressed rules carries both in its own // comment", () => {
    const r = synth((b) => {
      const host = vm(b.stack, b, "host", { allowExtensionOperations: true, secureBootEnabled: false });
      suppressRule(host, { id: "KMS-VM-007", reason: REASON });
      suppressRule(host, { id: "KMS-VM-001", reason: "test fixture: a Gen1 image without secure boot" });
    });
    expect(r.errors).toEqual([]);
    const vms = r.json?.resource?.azurerm_windows_virtual_machine as Record<string, { "//": Record<string, unknown> }>;
    expect(vms.host["//"].kms_policy_suppressions).toEqual([
      { rule_id: "KMS-VM-001", reason: "test fixture: a Gen1 image without secure boot", suppressed_at: "kms/host" },
      { rule_id: "KMS-VM-007", reason: REASON, suppressed_at: "kms/host" },
    ]);
  });

  test("a stack-level finding on no resource honours a suppression on the stack, and is reported as info", () => {
    const r = synth((b) => {
      for (let i = 1; i <= 7; i++) vm(b.stack, b, `host${i}`);
      suppressRule(b.stack, { id: "KMS-VM-008", reason: "test fixture: seven hosts across two host keys" });
    });
    expect(r.thrown).toBeUndefined();
    expect(findings(r, "KMS-VM-008")).toEqual([]);
    expect(r.infos).toEqual([expect.stringMatching(/^\[KMS-VM-008\] stack kms: 7 Windows VMs defined\. .*\(suppressed at kms: test fixture: seven hosts across two host keys\)$/)]);
  });

  test("a suppression of an unknown rule id fails synthesis", () => {
    const r = synth((b) => suppressRule(vm(b.stack, b, "host"), { id: "CKV_AZURE_50", reason: "scanner id instead of pack id" }));
    expect(r.errors).toEqual([expect.stringContaining('[KMS-POLICY] kms/host: suppression of unknown rule id "CKV_AZURE_50"')]);
    // The message lists every rule id of the pack to choose from.
    expect(r.errors[0]).toContain(`suppression of unknown rule id "CKV_AZURE_50". Use one of ${ALL_RULES.map((rule) => rule.id).join(", ")}.`);
    expect(r.thrown).toBeDefined();
  });
});

describe("KmsPolicyPack engine", () => {
  test("an error-level violation makes app.synth() throw, naming rule and resource", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { encryptionAtHostEnabled: false }));
    expect(r.thrown).toBeInstanceOf(Error);
    expect(r.thrown?.message).toContain("[kms/host] [KMS-VM-002] azurerm_windows_virtual_machine.host: encryption_at_host_enabled is false");
  });

  test("props.rules restricts the pack to the given rules", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { encryptionAtHostEnabled: false, allowExtensionOperations: true }), {}, [NoPublicIp, VmNoExtensions]);
    expect(r.errors).toEqual([expect.stringContaining("[KMS-VM-007]")]);
  });

  test("invalid CIDRs, ports and duplicate rule ids are rejected at construction", () => {
    expect(() => new KmsPolicyPack(policyContext({ clientCidrs: ["10.0.0.0/33"] }))).toThrow(/not an IP address or CIDR/);
    expect(() => new KmsPolicyPack(policyContext({ clientCidrs: [], adminCidrs: ["bastion"] }))).toThrow(/not an IP address or CIDR/);
    expect(() => new KmsPolicyPack(policyContext({ clientCidrs: [], kmsPort: 70000 }))).toThrow(/not a TCP port/);
    for (const port of [0, 65536, 1688.5, Number.NaN]) expect(() => new KmsPolicyPack(policyContext({ clientCidrs: [], kmsPort: port }))).toThrow(/not a TCP port/);
    for (const port of [1, 65535]) expect(() => new KmsPolicyPack(policyContext({ clientCidrs: [], kmsPort: port }))).not.toThrow();
    expect(() => new KmsPolicyPack(policyContext({ clientCidrs: [] }), { rules: [NoPublicIp, NoPublicIp] })).toThrow(/duplicate rule id/);
  });
});
