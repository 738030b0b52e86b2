import type { WindowsVirtualMachineConfig } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import { VirtualMachineExtension } from "@cdktf/provider-azurerm/lib/virtual-machine-extension";
import { ALLOWED_VM_EXTENSION } from "../../policy";
import { type Base, findings, synth, vm } from "./harness";

describe("KMS-VM-001 Trusted Launch", () => {
  test("Noncompliance 1: secure boot and vTPM unset", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { secureBootEnabled: undefined, vtpmEnabled: undefined }));
    expect(findings(r, "KMS-VM-001")).toEqual([
      "[KMS-VM-001] azurerm_windows_virtual_machine.host: secure_boot_enabled is unset. Set secure_boot_enabled = true (Gen2 image required).",
      "[KMS-VM-001] azurerm_windows_virtual_machine.host: vtpm_enabled is unset. Set vtpm_enabled = true (Gen2 image required).",
    ]);
  });

  test("Noncompliance 2: secure boot turned off through an escape-hatch override", () => {
    const r = synth((b) => vm(b.stack, b, "host").addOverride("secure_boot_enabled", false));
    expect(findings(r, "KMS-VM-001")).toEqual([expect.stringContaining("azurerm_windows_virtual_machine.host: secure_boot_enabled is false")]);
    expect(r.thrown?.message).toContain("[KMS-VM-001] azurerm_windows_virtual_machine.host: secure_boot_enabled is false");
  });

  test("Compliance", () => {
    expect(findings(synth((b) => void vm(b.stack, b)), "KMS-VM-001")).toEqual([]);
  });
});

describe("VM settings", () => {
  const cases: Array<[string, Partial<WindowsVirtualMachineConfig>, string]> = [
    ["KMS-VM-002", { encryptionAtHostEnabled: false }, "encryption_at_host_enabled is false"],
    ["KMS-VM-002", { encryptionAtHostEnabled: undefined }, "encryption_at_host_enabled is unset"],
    ["KMS-VM-003", { patchMode: "AutomaticByOS" }, 'patch_mode is "AutomaticByOS"'],
    ["KMS-VM-003", { patchAssessmentMode: undefined }, "patch_assessment_mode is unset"],
    ["KMS-VM-004", { provisionVmAgent: false }, "provision_vm_agent is false"],
    ["KMS-VM-005", { sourceImageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-azure-edition", version: "latest" } }, "sku \"2022-datacenter-azure-edition\" is Datacenter: Azure Edition"],
    ["KMS-VM-005", { sourceImageReference: { publisher: "MicrosoftWindowsDesktop", offer: "windows-11", sku: "win11-23h2-ent", version: "latest" } }, 'publisher is "MicrosoftWindowsDesktop"'],
    ["KMS-VM-005", { sourceImageReference: undefined, sourceImageId: "/subscriptions/x/images/custom" }, "no source_image_reference"],
    ["KMS-VM-006", { identity: undefined }, "no SystemAssigned identity"],
    ["KMS-VM-006", { identity: { type: "UserAssigned", identityIds: ["${var.uami}"] } }, "no SystemAssigned identity"],
    ["KMS-VM-007", { allowExtensionOperations: undefined }, "allow_extension_operations is unset (defaults to true)"],
    ["KMS-VM-007", { allowExtensionOperations: true }, "allow_extension_operations is true"],
  ];
  test.each(cases)("Noncompliance: %s with %j", (id, extra, problem) => {
    const r = synth((b) => void vm(b.stack, b, "host", extra));
    expect(findings(r, id)).toEqual([expect.stringContaining(`[${id}] azurerm_windows_virtual_machine.host: ${problem}`)]);
    // Only the rule under test fires: the other settings of the builder stay compliant.
    expect(r.errors.filter((m) => !m.startsWith(`[${id}]`))).toEqual([]);
  });

  test("Compliance: Standard sku, SystemAssigned plus UserAssigned identity", () => {
    const r = synth((b) =>
      void vm(b.stack, b, "host", {
        sourceImageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2025-datacenter-g2", version: "latest" },
        identity: { type: "SystemAssigned, UserAssigned", identityIds: ["${var.uami}"] },
      }),
    );
    expect(r.errors).toEqual([]);
  });
});

describe("KMS-VM-008 at most six hosts", () => {
  test("Noncompliance 1: seven VMs", () => {
    const r = synth((b) => {
      for (let i = 1; i <= 7; i++) vm(b.stack, b, `host${i}`);
    });
    expect(findings(r, "KMS-VM-008")).toEqual(["[KMS-VM-008] stack kms: 7 Windows VMs defined. Keep at most 6 KMS hosts per stack (one KMS host key activates at most 6)."]);
  });

  test("Noncompliance 2: count meta-arguments add up (4 + 3)", () => {
    const r = synth((b) => {
      vm(b.stack, b, "a").count = 4;
      vm(b.stack, b, "b").addOverride("count", 3);
    });
    expect(findings(r, "KMS-VM-008")).toEqual([expect.stringContaining("7 Windows VMs defined")]);
  });

  test("Noncompliance 3: a count that is not a literal", () => {
    const r = synth((b) => void (vm(b.stack, b, "a").addOverride("count", "${var.hosts}")));
    expect(findings(r, "KMS-VM-008")).toEqual([expect.stringContaining('azurerm_windows_virtual_machine.a: count = "${var.hosts}" is not a literal')]);
  });

  test("Compliance: six hosts", () => {
    const r = synth((b) => {
      vm(b.stack, b, "a").count = 5;
      vm(b.stack, b, "b");
    });
    expect(findings(r, "KMS-VM-008")).toEqual([]);
  });
});

describe("KMS-VM-007 VM extensions: only the Azure Monitor Agent for Windows", () => {
  const extension = (b: Base, id: string, publisher: string, type: string): VirtualMachineExtension => {
    const host = vm(b.stack, b, `${id}-vm`);
    return new VirtualMachineExtension(b.stack, id, { name: id, virtualMachineId: host.id, publisher, type, typeHandlerVersion: "1.0" });
  };
  const cases: Array<[string, string, string]> = [
    ["another type from the same publisher", "Microsoft.Azure.Monitor", "AzureMonitorWindowsAgentX"],
    ["the Linux agent", "Microsoft.Azure.Monitor", "AzureMonitorLinuxAgent"],
    ["the AMA type from another publisher", "Contoso.Monitor", "AzureMonitorWindowsAgent"],
    ["a lookalike publisher", "Microsoft.Azure.Monitor.Extra", "AzureMonitorWindowsAgent"],
    ["a different case", "microsoft.azure.monitor", "azuremonitorwindowsagent"],
    ["the Custom Script Extension", "Microsoft.Compute", "CustomScriptExtension"],
    ["the legacy Log Analytics agent", "Microsoft.EnterpriseCloud.Monitoring", "MicrosoftMonitoringAgent"],
  ];
  test.each(cases)("Noncompliance: %s", (_what, publisher, type) => {
    const r = synth((b) => void extension(b, "ext", publisher, type));
    expect(findings(r, "KMS-VM-007")).toEqual([
      `[KMS-VM-007] azurerm_virtual_machine_extension.ext: VM extension publisher "${publisher}" type "${type}" is not the Azure Monitor Agent for Windows. Remove the extension (do the work in the bootstrap Run Command instead); the only extension allowed is publisher "Microsoft.Azure.Monitor", type "AzureMonitorWindowsAgent".`,
    ]);
  });

  test("Noncompliance: the AMA turned into another extension through an escape-hatch override", () => {
    const r = synth((b) => void extension(b, "ext", ALLOWED_VM_EXTENSION.publisher, ALLOWED_VM_EXTENSION.type).addOverride("type", "CustomScriptExtension"));
    expect(findings(r, "KMS-VM-007")).toEqual([expect.stringContaining('type "CustomScriptExtension" is not the Azure Monitor Agent')]);
  });

  test("Compliance: exactly publisher Microsoft.Azure.Monitor, type AzureMonitorWindowsAgent", () => {
    const r = synth((b) => void extension(b, "ext", "Microsoft.Azure.Monitor", "AzureMonitorWindowsAgent"));
    expect(findings(r, "KMS-VM-007")).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});
