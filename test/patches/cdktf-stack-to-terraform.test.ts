// patches/cdktf+0.21.0.patch, lib/terraform-stack.js: TerraformStack.toTerraform() resolves only
// the "//" block and what the stack's raw overrides touched a second time, not the whole
// configuration (patches/README.md). Its result must still be fully resolved.
import { DefaultTokenResolver, Lazy, StringConcat, TerraformOutput, TerraformStack, TerraformVariable, Testing, Token, Tokenization } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), "s");
  new AzurermProvider(s, "azurerm", { features: [{}] });
  const location = new TerraformVariable(s, "location", { type: "string" });
  const rg = new ResourceGroup(s, "rg", { name: Token.asString(Lazy.stringValue({ produce: () => "rg-kms" })), location: location.stringValue });
  new TerraformOutput(s, "id", { value: rg.id });
  s.addOverride("locals.group", rg.name);
  s.addOverride("locals.port", Token.asNumber(Lazy.numberValue({ produce: () => 1688 })));
  s.addOverride("//.note", Lazy.stringValue({ produce: () => "from a token" }));
  return s;
}

test("toTerraform() leaves no token behind, in resources, outputs, overrides or the // block", () => {
  const tf = stack().toTerraform() as Record<string, any>;
  expect(JSON.stringify(tf)).not.toMatch(/TfToken\[|#\{/);
  expect(Tokenization.resolve(tf, { scope: stack(), preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) })).toEqual(tf);
  expect(tf.resource.azurerm_resource_group.rg).toMatchObject({ name: "rg-kms", location: "${var.location}" });
  expect(tf.output.id.value).toBe("${azurerm_resource_group.rg.id}");
  expect(tf.locals).toEqual({ group: "${azurerm_resource_group.rg.name}", port: 1688 });
  expect(tf["//"].note).toBe("from a token");
});

test("toTerraform() drops the metadata values cdktf leaves undefined, as a full resolution did, with no overrides too", () => {
  const s = new TerraformStack(Testing.app(), "s");
  new TerraformOutput(s, "id", { value: new ResourceGroup(s, "rg", { name: "rg-kms", location: "westeurope" }).id });
  const tf = s.toTerraform() as Record<string, any>;
  expect(Object.keys(tf["//"].metadata)).not.toContain("cloud");
  expect(tf["//"].metadata).toMatchObject({ backend: "local", stackName: "s" });
  expect(tf["//"].outputs).toEqual({ s: { id: "id" } });
});
