// Two gaps a hand mutation sample found (issue 21, item 7): hosts.adminUsername reaching every VM
// and its password secret, and KMS-OPS-002 (prevent_destroy in production) stopping the main job,
// not only being listed at error level in RULES.md.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import { PolicyError, synthesizeAll } from "../stacks/synthesize";
import { validEnvironment } from "./support/environments";
import { synthesizeEnvironment } from "./support/synth";

const CONTRACT_FIXTURES = path.join(__dirname, "fixtures", "contract-environments");

describe("hosts.adminUsername reaches every host (fixture production, adminUsername kmsoperator)", () => {
  const data = parse(fs.readFileSync(path.join(CONTRACT_FIXTURES, "production.yaml"), "utf8")) as Record<string, any>;

  test("every VM's admin_username and every admin password secret's content type name the configured user", () => {
    expect(data.hosts.adminUsername).toBe("kmsoperator");
    const stack = synthesizeEnvironment(validEnvironment(data));
    const vms = stack.resources("azurerm_windows_virtual_machine");
    expect(vms).toHaveLength(data.hosts.count);
    for (const vm of vms) expect(vm.admin_username).toBe("kmsoperator");
    const passwords = stack.resources("azurerm_key_vault_secret").filter((s) => /^Local administrator password of /.test(s.content_type));
    expect(passwords).toHaveLength(data.hosts.count);
    for (const secret of passwords) expect(secret.content_type).toMatch(/\(user kmsoperator\)$/);
  });

  test("without the field, the default kmsadmin (so the assertion above is not the default)", () => {
    const hosts = { ...data.hosts };
    delete hosts.adminUsername;
    const stack = synthesizeEnvironment(validEnvironment({ ...data, hosts }));
    expect(stack.resources("azurerm_windows_virtual_machine").map((vm) => vm.admin_username)).toEqual(Array(data.hosts.count).fill("kmsadmin"));
  });
});

describe("a production VM without prevent_destroy fails synthesis (KMS-OPS-002 at error level)", () => {
  let environmentsDir: string;
  let outdir: string;
  beforeEach(() => {
    environmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-ops-002-env-"));
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kms-ops-002-out-")), "cdktf.out");
    fs.copyFileSync(path.join(CONTRACT_FIXTURES, "production.yaml"), path.join(environmentsDir, "production.yaml"));
  });
  afterEach(() => {
    fs.rmSync(environmentsDir, { recursive: true, force: true });
    fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  });

  const dropPreventDestroyOnFirstHost = (stack: import("../stacks/kms-stack").KmsStack) => {
    const vm = stack.node.findAll().find((c): c is WindowsVirtualMachine => c instanceof WindowsVirtualMachine);
    vm?.addOverride("lifecycle.prevent_destroy", false);
  };

  test("the main job throws a PolicyError naming KMS-OPS-002 and writes nothing", () => {
    let error: unknown;
    try {
      synthesizeAll({ environmentsDir, outdir, extend: dropPreventDestroyOnFirstHost });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems.join("\n")).toMatch(/\[KMS-OPS-002\].*lifecycle\.prevent_destroy is not true in production/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test("the same environment with prevent_destroy kept synthesizes", () => {
    expect(synthesizeAll({ environmentsDir, outdir }).stackFiles).toHaveLength(1);
  });
});
