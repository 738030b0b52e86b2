// The policy pack cannot be switched off from code (README, Security policy): with
// CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS set, which makes cdktf write a stack despite its error
// annotations (and which cdktf's own error message suggests), a policy error still stops synthesis
// and nothing is written, on the library path (a plain TerraformStack, with the pack applied by
// hand or by KmsEnvironment) as on the app path (main-job-cli.test.ts and main-job-process.test.ts
// cover synthesizeAll and the bundled app with the variable set).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { App, Aspects, LocalBackend, TerraformStack, TerraformVariable } from "cdktf";
import { KmsEnvironment } from "../../constructs";
import { KmsPolicyPack, policyContext } from "../../policy";
import { fixtureEnvironmentData, validEnvironment } from "../support/environments";
import { ADMIN_CIDRS, CLIENT_CIDRS, compliantStack, nsgRule, type Base } from "./harness";

const VARIABLE = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";
let saved: string | undefined;
beforeAll(() => {
  saved = process.env[VARIABLE];
  // Read by each TerraformStack when it is constructed (cdktf lib/terraform-stack.js): set before any stack below.
  process.env[VARIABLE] = "true";
});
afterAll(() => {
  if (saved === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = saved;
});

interface Built {
  readonly app: App;
  readonly outdir: string;
  readonly stack: TerraformStack;
  readonly base: Base;
}

/** A library user's plain stack: providers, a backend, a resource group and whatever `build` adds. */
function libraryStack(appProps: { skipValidation?: boolean } = {}): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-gate-"));
  const app = new App({ outdir, ...appProps });
  const stack = new TerraformStack(app, "kms-library");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: "00000000-0000-0000-0000-000000000000" });
  new RandomProvider(stack, "random");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  const rg = new ResourceGroup(stack, "rg", { name: "rg-kms", location: "westeurope" });
  const password = new TerraformVariable(stack, "admin_password", { type: "string", sensitive: true });
  return { app, outdir, stack, base: { stack, rg, password } };
}

function stackFile(built: Built): string {
  return path.join(built.outdir, "stacks", built.stack.node.id, "cdk.tf.json");
}

afterEach(() => {
  for (const dir of fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("kms-gate-"))) fs.rmSync(path.join(os.tmpdir(), dir), { recursive: true, force: true });
});

describe(`with ${VARIABLE} set`, () => {
  test("the variable does switch cdktf's own check off: a stack with an error annotation and no pack is written", () => {
    const built = libraryStack();
    built.stack.node.addMetadata("@cdktf/error", "an error no policy pack reads");
    expect(() => built.app.synth()).not.toThrow();
    expect(fs.existsSync(stackFile(built))).toBe(true);
  });

  test("a policy error in a plain stack with KmsPolicyPack.applyTo stops synthesis, and nothing is written", () => {
    const built = libraryStack();
    compliantStack(built.base);
    nsgRule(built.stack, built.base, "open", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "Internet" });
    KmsPolicyPack.applyTo(built.stack, policyContext({ clientCidrs: CLIENT_CIDRS, adminCidrs: ADMIN_CIDRS }));
    expect(() => built.app.synth()).toThrow(/^Encountered Annotations with level "ERROR":\n\[kms-library\/open\] \[KMS-NET-003\] /);
    expect(() => built.app.synth()).toThrow(/whatever CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS says/);
    expect(fs.existsSync(stackFile(built))).toBe(false);
  });

  test("so does it with the app's validations skipped (skipValidation: true)", () => {
    const built = libraryStack({ skipValidation: true });
    compliantStack(built.base);
    nsgRule(built.stack, built.base, "open", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "Internet" });
    KmsPolicyPack.applyTo(built.stack, policyContext({ clientCidrs: CLIENT_CIDRS, adminCidrs: ADMIN_CIDRS }));
    expect(() => built.app.synth()).toThrow(/\[KMS-NET-003\]/);
    expect(fs.existsSync(stackFile(built))).toBe(false);
  });

  test("so does it with a pack added as a plain aspect, without applyTo", () => {
    const built = libraryStack();
    compliantStack(built.base);
    nsgRule(built.stack, built.base, "open", { sourceAddressPrefixes: undefined, sourceAddressPrefix: "Internet" });
    Aspects.of(built.stack).add(new KmsPolicyPack(policyContext({ clientCidrs: CLIENT_CIDRS, adminCidrs: ADMIN_CIDRS })));
    expect(() => built.app.synth()).toThrow(/\[KMS-NET-003\]/);
    expect(fs.existsSync(stackFile(built))).toBe(false);
  });

  test("a KmsEnvironment weakened by an escape hatch in a plain stack stops synthesis, and nothing is written", () => {
    const built = libraryStack();
    const environment = new KmsEnvironment(built.stack, "lab", validEnvironment(fixtureEnvironmentData("lab")));
    environment.hosts[0].networkInterface.addOverride("ip_configuration.0.public_ip_address_id", "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/pip");
    expect(() => built.app.synth()).toThrow(/\[KMS-NET-001\] azurerm_network_interface\.kmslab01: /);
    expect(fs.existsSync(stackFile(built))).toBe(false);
  });

  test("warnings alone do not stop it: the compliant KmsEnvironment's stack is written", () => {
    const built = libraryStack();
    new KmsEnvironment(built.stack, "lab", validEnvironment(fixtureEnvironmentData("lab")));
    expect(() => built.app.synth()).not.toThrow();
    expect(fs.existsSync(stackFile(built))).toBe(true);
  });
});
