// policy/prepared-resolution.ts: a stack keeps what cdktf's preparation resolved, and the policy
// pack checks that instead of resolving the whole stack again, only when nothing can have changed
// the stack in between.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Aspects, LocalBackend, TerraformOutput, TerraformStack, Testing, type IAspect } from "cdktf";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import type { Construct, IConstruct } from "constructs";
import { prepareKeepingResolution, takePreparedTerraform } from "../../policy/prepared-resolution";
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

  test("is undefined for a stack prepared by cdktf itself, and the second time it is asked", () => {
    const plain = new TerraformStack(Testing.app(), "plain");
    group(plain);
    plain.prepareStack();
    expect(takePreparedTerraform(plain)).toBeUndefined();

    const stack = new PreparedStack(Testing.app(), "s");
    group(stack);
    stack.prepareStack();
    expect(takePreparedTerraform(stack)).toBeDefined();
    expect(takePreparedTerraform(stack)).toBeUndefined();
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
