// constructs/standard-tags.ts: the environment's tags on every taggable resource, a resource's own
// tags winning; resources that already carry them, untaggable resources, excluded types and other
// constructs are left as they are.
import { TerraformStack, Testing } from "cdktf";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { VirtualMachineRunCommand } from "@cdktf/provider-azurerm/lib/virtual-machine-run-command";
import { Construct } from "constructs";
import { StandardTags } from "../../constructs/standard-tags";

const STANDARD = { "managed-by": "azure-kms-host", environment: "lab" };

function group(stack: TerraformStack, id: string, tags?: Record<string, string>): ResourceGroup {
  return new ResourceGroup(stack, id, { name: `rg-${id}`, location: "westeurope", ...(tags !== undefined ? { tags } : {}) });
}

describe("StandardTags", () => {
  let stack: TerraformStack;
  let tags: StandardTags;
  beforeEach(() => {
    stack = new TerraformStack(Testing.app(), "s");
    tags = new StandardTags(STANDARD, { excludeResourceTypes: ["azurerm_virtual_machine_run_command"] });
  });

  it("tags a resource that has no tags with the standard ones", () => {
    const rg = group(stack, "plain");
    tags.visit(rg);
    expect(rg.tagsInput).toEqual(STANDARD);
  });

  it("adds the standard tags a resource lacks, its own values winning where both set a key", () => {
    const rg = group(stack, "own", { environment: "own-value", owner: "platform" });
    tags.visit(rg);
    expect(rg.tagsInput).toEqual({ "managed-by": "azure-kms-host", environment: "own-value", owner: "platform" });
  });

  it("replaces tags given as a Terraform expression (which cannot be merged at synth), or as null, with the standard ones", () => {
    const expression = group(stack, "expression", "${var.tags}" as unknown as Record<string, string>);
    const nothing = group(stack, "nothing", null as unknown as Record<string, string>);
    tags.visit(expression);
    tags.visit(nothing);
    expect(expression.tagsInput).toEqual(STANDARD);
    expect(nothing.tagsInput).toEqual(STANDARD);
  });

  it("leaves a resource that already has every standard key exactly as it is", () => {
    const own = { "managed-by": "someone-else", environment: "lab", extra: "x" };
    const rg = group(stack, "tagged", own);
    const before = rg.tagsInput;
    tags.visit(rg);
    expect(rg.tagsInput).toBe(before);
    expect(rg.tagsInput).toEqual(own);
  });

  it("leaves resources without tags, excluded resource types and constructs that are not resources alone", () => {
    const rule = new NetworkSecurityRule(stack, "rule", {
      name: "r",
      resourceGroupName: "rg",
      networkSecurityGroupName: "nsg",
      priority: 100,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
    });
    const command = new VirtualMachineRunCommand(stack, "command", { name: "c", location: "westeurope", virtualMachineId: "/vm", source: { script: "'x'" } });
    const plain = new Construct(stack, "plain");
    for (const node of [rule, command, plain]) tags.visit(node);
    expect((rule as unknown as Record<string, unknown>).tags).toBeUndefined();
    expect(command.tagsInput).toBeUndefined();
    expect((plain as unknown as Record<string, unknown>).tags).toBeUndefined();
  });
});
