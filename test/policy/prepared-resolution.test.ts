// policy/prepared-resolution.ts: a stack keeps what cdktf's preparation resolved, and the policy
// pack checks that instead of resolving the whole stack again, only when nothing can have changed
// the stack in between.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, AssetType, Aspects, Lazy, LocalBackend, TerraformAsset, TerraformOutput, TerraformStack, Testing, type IAspect } from "cdktf";
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import type { Construct, IConstruct } from "constructs";
import { StandardTags } from "../../constructs/standard-tags";
import { markChangedSincePreparation, prepareKeepingResolution, REPORTS_CHANGES, takePreparedStackTerraform, takePreparedTerraform } from "../../policy/prepared-resolution";
import { KmsStack } from "../../stacks/kms-stack";
import { fixtureEnvironmentData, validEnvironment } from "../support/environments";
import { nsgRule, synth as synthWithPack } from "./harness";

/** A stack that prepares as KmsStack does. */
class PreparedStack extends TerraformStack {
  public override prepareStack(): void {
    prepareKeepingResolution(this);
  }
}

function group(scope: Construct, id = "rg"): ResourceGroup {
  return new ResourceGroup(scope, id, { name: `rg-${id}`, location: "westeurope" });
}

/** stack.toTerraform() without the "//" metadata and output map cdktf adds (the pack does not read them). */
function withoutCdktfMetadata(terraform: Record<string, any>): Record<string, any> {
  const { "//": comment, ...rest } = terraform;
  const kept: Record<string, unknown> = { ...(comment ?? {}) };
  delete kept.metadata;
  delete kept.outputs;
  return Object.keys(kept).length > 0 ? { ...rest, "//": kept } : rest;
}

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "kms-prepared-"));
}

/** Both takers of the kept resolution: nothing for a stack that kept none, and each gives it once. */
test.each([
  ["takePreparedTerraform (the policy pack's view)", takePreparedTerraform],
  ["takePreparedStackTerraform (cdk.tf.json)", takePreparedStackTerraform],
] as const)("%s is undefined for a stack prepared by cdktf itself, and the second time it is asked", (_name, take) => {
  const plain = new TerraformStack(Testing.app(), "plain");
  group(plain);
  plain.prepareStack();
  expect(take(plain)).toBeUndefined();

  const stack = new PreparedStack(Testing.app(), "s");
  group(stack);
  stack.prepareStack();
  expect(take(stack)).toBeDefined();
  expect(take(stack)).toBeUndefined();
});

describe("takePreparedTerraform", () => {
  test("gives what stack.toTerraform() gives, overrides included, after the stack's preparation", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    const rg = group(stack);
    new TerraformOutput(stack, "rg-id", { value: rg.id });
    rg.addOverride("tags.owner", "platform");
    stack.addOverride("locals.rg", rg.name);
    stack.addOverride("terraform.required_version", ">= 1.5");
    stack.prepareStack();
    const prepared = takePreparedTerraform(stack);
    expect(prepared).toBeDefined();
    expect(prepared).toEqual(withoutCdktfMetadata(stack.toTerraform()));
    expect((prepared as any).locals.rg).toBe("${azurerm_resource_group.rg.name}");
  });

  test("a stack-level override of undefined deletes, as in stack.toTerraform()", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    group(stack);
    stack.addOverride("provider.azurerm", undefined);
    stack.prepareStack();
    const prepared = takePreparedTerraform(stack) as Record<string, any>;
    expect(prepared.provider).toEqual({});
    expect(prepared).toEqual(withoutCdktfMetadata(stack.toTerraform()));
  });

  test("makes sure the stack has a backend, as cdktf's preparation does (a local one when none is set)", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    group(stack);
    stack.prepareStack();
    expect((takePreparedTerraform(stack) as Record<string, any>).terraform.backend).toEqual({ local: expect.objectContaining({}) });
  });

  test("leaves out the elements of a stack nested in it, as stack.toTerraform() does", () => {
    const stack = new PreparedStack(Testing.app(), "outer");
    group(stack, "outer-rg");
    const nested = new TerraformStack(stack, "nested");
    group(nested, "nested-rg");
    stack.prepareStack();
    const prepared = takePreparedTerraform(stack) as Record<string, any>;
    expect(Object.keys(prepared.resource.azurerm_resource_group)).toEqual(["outer-rg"]);
    expect(prepared).toEqual(withoutCdktfMetadata(stack.toTerraform()));
  });

  test("includes an element added after the preparation (a cross-stack output another stack's preparation created)", () => {
    const app = Testing.app();
    const origin = new PreparedStack(app, "origin");
    new LocalBackend(origin, { path: "origin.tfstate" });
    const rg = group(origin);
    const consumer = new PreparedStack(app, "consumer");
    new LocalBackend(consumer, { path: "consumer.tfstate" });
    new ResourceGroup(consumer, "copy", { name: rg.name, location: "westeurope" });
    // app.synth() prepares every stack before synthesizing any: the consumer's preparation adds
    // an output for the reference to the origin, after the origin was prepared.
    origin.prepareStack();
    consumer.prepareStack();
    const prepared = takePreparedTerraform(origin) as Record<string, any>;
    expect(Object.keys(prepared.output ?? {})).toHaveLength(1);
    expect(prepared).toEqual(withoutCdktfMetadata(origin.toTerraform()));
  });
});

describe("the policy pack on a stack that kept its preparation", () => {
  /** The policy harness's stack, prepared as KmsStack prepares, with a compliant KMS NSG rule; `aspectFirst` runs before the pack. */
  function synth(aspectFirst?: IAspect): { errors: string[]; toTerraformCalls: number } {
    let toTerraformCalls = 0;
    const result = synthWithPack(
      (base) => {
        nsgRule(base.stack, base, "kms-in");
        if (aspectFirst) Aspects.of(base.stack).add(aspectFirst);
        const original = base.stack.toTerraform.bind(base.stack);
        base.stack.toTerraform = () => {
          toTerraformCalls += 1;
          return original();
        };
      },
      {},
      undefined,
      (app, id) => new PreparedStack(app, id),
    );
    return { errors: result.errors, toTerraformCalls };
  }

  test("resolves the stack once, for cdk.tf.json, when the pack is the stack's first aspect", () => {
    const result = synth();
    expect(result.errors).toEqual([]);
    expect(result.toTerraformCalls).toBe(1);
  });

  test("sees the change another aspect made when it visited the stack before the pack (the kept resolution predates it)", () => {
    const openToTheInternet: IAspect = {
      visit(node: IConstruct) {
        if (TerraformStack.isStack(node)) {
          const rule = node.node.findAll().find((c): c is NetworkSecurityRule => c instanceof NetworkSecurityRule);
          rule?.addOverride("source_address_prefixes", ["0.0.0.0/0"]);
        }
      },
    };
    expect(synth(openToTheInternet).errors.join("\n")).toMatch(/0\.0\.0\.0\/0/);
  });
});

test("KmsStack keeps its preparation for its policy pack: app.synth() resolves it once, for cdk.tf.json", () => {
  const app = new App({ outdir: outdir(), stackTraces: false });
  const stack = new KmsStack(app, validEnvironment(fixtureEnvironmentData("lab")));
  let calls = 0;
  const original = stack.toTerraform.bind(stack);
  stack.toTerraform = () => {
    calls += 1;
    return original();
  };
  app.synth();
  expect(calls).toBe(1);
});

describe("takePreparedStackTerraform (cdk.tf.json from the kept resolution)", () => {
  /** cdktf's own stack.toTerraform(), whatever the stack's class overrides. */
  const cdktfToTerraform = (stack: TerraformStack): Record<string, any> => TerraformStack.prototype.toTerraform.call(stack);
  /** An aspect that reports what it changes (none of these change anything). */
  const reporting: IAspect & { [REPORTS_CHANGES]: true } = { [REPORTS_CHANGES]: true, visit: () => undefined };

  test("gives what cdktf's stack.toTerraform() gives, metadata, outputs and overrides included", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    const rg = group(stack);
    new TerraformOutput(stack, "rg-id", { value: rg.id });
    rg.addOverride("tags.owner", "platform");
    stack.addOverride("locals.rg", rg.name);
    stack.addOverride("//.note", "kept");
    Aspects.of(stack).add(reporting);
    stack.prepareStack();
    const kept = takePreparedStackTerraform(stack);
    expect(kept).toEqual(cdktfToTerraform(stack));
    expect((kept as any)["//"].outputs).toEqual({ s: { "rg-id": "rg-id" } });
  });

  test("without stack overrides, gives what cdktf gives, key for key (no empty override list, no undefined metadata)", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    group(stack);
    stack.prepareStack();
    const kept = takePreparedStackTerraform(stack) as Record<string, any>;
    const own = cdktfToTerraform(stack);
    expect(kept).toEqual(own);
    expect(Object.keys(kept["//"].metadata).sort()).toEqual(Object.keys(own["//"].metadata).sort());
    expect(kept["//"].metadata).not.toHaveProperty("cloud");
    expect(kept["//"].metadata).not.toHaveProperty("overrides");
  });

  test("drops a stack override that resolves to nothing, as cdktf does", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    group(stack);
    stack.addOverride("locals", Lazy.anyValue({ produce: () => undefined }));
    stack.prepareStack();
    const kept = takePreparedStackTerraform(stack) as Record<string, any>;
    expect(Object.keys(kept).sort()).toEqual(Object.keys(cdktfToTerraform(stack)).sort());
    expect(kept).not.toHaveProperty("locals");
  });

  test("resolves again exactly the elements reported changed since the preparation", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    const reported = group(stack, "reported");
    const unreported = group(stack, "unreported");
    stack.prepareStack();
    reported.addOverride("tags.changed", "yes");
    markChangedSincePreparation(reported);
    // Changed without a report: the kept fragment is used, which is why only reporting aspects may run.
    unreported.addOverride("tags.changed", "yes");
    const kept = takePreparedStackTerraform(stack) as Record<string, any>;
    expect(kept.resource.azurerm_resource_group.reported.tags).toEqual({ changed: "yes" });
    expect(kept.resource.azurerm_resource_group.unreported.tags).toBeUndefined();
  });

  test("is undefined when an aspect anywhere in the stack does not report its changes, and cdk.tf.json then has that aspect's change", () => {
    const app = new App({ outdir: outdir(), stackTraces: false });
    const stack = new (class extends PreparedStack {
      public override toTerraform(): any {
        return takePreparedStackTerraform(this) ?? super.toTerraform();
      }
    })(app, "s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    const rg = group(stack);
    const retag: IAspect = { visit: (node) => node === rg && rg.addOverride("tags.by", "aspect") };
    Aspects.of(rg).add(retag);
    app.synth();
    const written = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "s", "cdk.tf.json"), "utf8"));
    expect(written.resource.azurerm_resource_group.rg.tags).toEqual({ by: "aspect" });

    const other = new PreparedStack(Testing.app(), "other");
    Aspects.of(group(other)).add({ visit: () => undefined });
    other.prepareStack();
    expect(takePreparedStackTerraform(other)).toBeUndefined();
  });

  test("is undefined when a construct other than a file asset has a synthesis step of its own; a file asset is fine", () => {
    const withAsset = new PreparedStack(Testing.app(), "asset");
    group(withAsset);
    const file = path.join(outdir(), "script.ps1");
    fs.writeFileSync(file, "'hello'\n");
    new TerraformAsset(withAsset, "script", { path: file, type: AssetType.FILE });
    withAsset.prepareStack();
    expect(takePreparedStackTerraform(withAsset)).toBeDefined();

    const custom = new PreparedStack(Testing.app(), "custom");
    addCustomSynthesis(group(custom), { onSynthesize: () => undefined });
    custom.prepareStack();
    expect(takePreparedStackTerraform(custom)).toBeUndefined();
  });

  test("KmsStack: cdk.tf.json is what cdktf's own resolution gives after the aspects ran (tags, the pack's suppression records)", () => {
    const app = new App({ outdir: outdir(), stackTraces: false });
    const stack = new KmsStack(app, validEnvironment(fixtureEnvironmentData("lab")));
    app.synth();
    const written = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
    expect(written).toEqual(JSON.parse(JSON.stringify(cdktfToTerraform(stack))));
    const vm = Object.values(written.resource.azurerm_windows_virtual_machine)[0] as Record<string, any>;
    expect(vm["//"]).toBeDefined();
    expect(vm.tags).toMatchObject({ "managed-by": "azure-kms-host" });
  });
});

test("KmsStack resolves each element once per synth (at preparation, standard tags on); only what an aspect changed again (the VM the pack records a suppression on)", () => {
  const app = new App({ outdir: outdir(), stackTraces: false });
  const stack = new KmsStack(app, validEnvironment(fixtureEnvironmentData("lab")));
  const calls = new Map<string, number>();
  const resources = stack.node.findAll().filter((c): c is ResourceGroup | WindowsVirtualMachine => c instanceof ResourceGroup || c instanceof WindowsVirtualMachine);
  expect(resources.map((r) => r.terraformResourceType).sort()).toEqual(["azurerm_resource_group", "azurerm_windows_virtual_machine"]);
  for (const resource of resources) {
    const original = resource.toTerraform.bind(resource);
    resource.toTerraform = () => {
      calls.set(resource.terraformResourceType, (calls.get(resource.terraformResourceType) ?? 0) + 1);
      return original();
    };
  }
  app.synth();
  expect(Object.fromEntries(calls)).toEqual({ azurerm_resource_group: 1, azurerm_windows_virtual_machine: 2 });
});

describe("StandardTags with a kept resolution", () => {
  test("leaves a resource that already has the tags as it is, and reports each resource it retags", () => {
    const stack = new PreparedStack(Testing.app(), "s");
    const tagged = new ResourceGroup(stack, "tagged", { name: "rg-tagged", location: "westeurope", tags: { env: "lab", own: "x" } });
    const untagged = group(stack, "untagged");
    const tagsBefore = tagged.tagsInput;
    stack.prepareStack();
    const tags = new StandardTags({ env: "lab" });
    tags.visit(tagged);
    tags.visit(untagged);
    expect(tagged.tagsInput).toBe(tagsBefore);
    const kept = takePreparedStackTerraform(stack) as Record<string, any>;
    expect(kept.resource.azurerm_resource_group.untagged.tags).toEqual({ env: "lab" });
    expect(kept.resource.azurerm_resource_group.tagged.tags).toEqual({ env: "lab", own: "x" });
  });
});
