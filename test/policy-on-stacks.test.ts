// The policy pack on the real stacks (built from the test fixtures): they pass with only the documented
// suppression; escape-hatch overrides that weaken a host fail the main job; production carries
// its delete locks and prevent_destroy; changes that need no new VM do not replace one.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { listSuppressions, SHIPPED_SUPPRESSIONS } from "../policy";
import { KmsStack } from "../stacks/kms-stack";
import { synthesizeAll } from "../stacks/synthesize";
import { FIXTURE_ENVIRONMENTS_DIR, fixtureEnvironmentData, validEnvironment } from "./support/environments";
import { synthesizeEnvironment, type SynthesizedStack } from "./support/synth";

describe.each(["lab", "production"] as const)("the %s fixture stack under the policy pack", (name) => {
  let app: App;
  let stack: KmsStack;
  beforeAll(() => {
    app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "kms-policy-")) });
    stack = new KmsStack(app, validEnvironment(fixtureEnvironmentData(name)));
    app.synth();
  });
  afterAll(() => fs.rmSync(app.outdir, { recursive: true, force: true }));

  test("synthesizes with no policy error", () => {
    const errors = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error"));
    expect(errors).toEqual([]);
  });

  test("carries only the documented suppression, once per host, with its documented reason", () => {
    const shipped = SHIPPED_SUPPRESSIONS.find((s) => s.id === "KMS-VM-007");
    expect(listSuppressions(stack).map((s) => [s.id, s.reason, s.path])).toEqual(
      stack.hosts.map((h) => ["KMS-VM-007", shipped?.reason, h.node.path]),
    );
  });

  test("records the suppressions in the synthesized output for auditors", () => {
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", `kms-${name}`, "cdk.tf.json"), "utf8"));
    expect(json["//"].kms_policy_suppressions).toEqual(stack.hosts.map((h) => expect.objectContaining({ rule_id: "KMS-VM-007", path: h.node.path })));
  });
});

describe("production protection", () => {
  let production: SynthesizedStack;
  let lab: SynthesizedStack;
  beforeAll(() => {
    production = synthesizeEnvironment(validEnvironment(fixtureEnvironmentData("production")));
    lab = synthesizeEnvironment(validEnvironment(fixtureEnvironmentData("lab")));
  });
  const idsOf = (stack: SynthesizedStack, type: string) => Object.keys(stack.json.resource[type] ?? {}).map((key) => `\${${type}.${key}.id}`);

  test("locks every host, the Key Vault and every DNS record against deletion", () => {
    const locks = production.resources("azurerm_management_lock");
    for (const lock of locks) expect(lock.lock_level).toBe("CanNotDelete");
    const scopes = locks.map((l) => l.scope).sort();
    const expected = [
      ...idsOf(production, "azurerm_windows_virtual_machine"),
      ...idsOf(production, "azurerm_key_vault"),
      ...idsOf(production, "azurerm_private_dns_srv_record"),
      ...idsOf(production, "azurerm_private_dns_a_record"),
    ].sort();
    expect(scopes).toEqual(expected);
  });

  test("sets prevent_destroy on every host in production only", () => {
    for (const vm of production.resources("azurerm_windows_virtual_machine")) expect(vm.lifecycle.prevent_destroy).toBe(true);
    for (const vm of lab.resources("azurerm_windows_virtual_machine")) expect(vm.lifecycle.prevent_destroy).toBe(false);
    expect(lab.resources("azurerm_management_lock")).toEqual([]);
  });
});

describe("safe-apply guards", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeEnvironment(validEnvironment(fixtureEnvironmentData("production")));
  });

  test("a rotated admin password does not replace a host (admin_password forces a new VM in azurerm)", () => {
    for (const vm of stack.resources("azurerm_windows_virtual_machine")) expect(vm.lifecycle.ignore_changes).toEqual(["admin_password"]);
  });

  test("new image releases do not replace a host: the version is latest, which Terraform never re-resolves", () => {
    for (const vm of stack.resources("azurerm_windows_virtual_machine")) expect(vm.source_image_reference.version).toBe("latest");
  });
});

describe("escape-hatch overrides that weaken a host fail the main job", () => {
  test.each([
    ["a public IP on a host's NIC", (s: KmsStack) => s.hosts[0].networkInterface.addOverride("ip_configuration.0.public_ip_address_id", "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/pip"), /\[KMS-NET-001\] azurerm_network_interface\.kmsprd01:/],
    ["an Internet-wide source on the KMS rule", (s: KmsStack) => s.firewallRule.allowRule.addOverride("source_address_prefix", "Internet"), /\[KMS-NET-003\] azurerm_network_security_rule\.allow_kms_clients:/],
    ["secure boot turned off", (s: KmsStack) => s.hosts[1].vm.addOverride("secure_boot_enabled", false), /\[KMS-VM-001\] azurerm_windows_virtual_machine\.kmsprd02:/],
  ])("%s", (_what, override, message) => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kms-override-")), "cdktf.out");
    try {
      expect(() => synthesizeAll({ environmentsDir: FIXTURE_ENVIRONMENTS_DIR, outdir, extend: (s) => s.config.name === "production" && override(s) })).toThrow(message);
      expect(fs.existsSync(outdir)).toBe(false);
    } finally {
      fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
    }
  });
});
