// The rehearsal (rehearsal/): each scenario edits the fixture environment
// (test/fixtures/rehearsal/production.yaml), synthesizes it in-process, and runs the real terraform
// binary on the stand-in (terraform_data resources carrying the providers' ForceNew rules and Azure's
// rules as provisioners). Assertions are on every address's planned actions (terraform plan, as JSON)
// and on the order of operations (the provisioners' log). Addresses come from the synthesized JSON
// by type and properties. The ids are those README.md marks its statements with (scenarios.ts).
import { Rehearsal, terraformVersion } from "../../rehearsal/terraform";
import { Edit, SAVED_SEARCH, applied, at, bootstrapOf, both, changed, grantsOf, hostsOf, lockOf, onlyOf, rehearsalStack, rehearse, resourcesOf, scenario } from "../support/rehearsal";

jest.setTimeout(180_000);

test("terraform is on PATH (the rehearsal runs the real binary; install Terraform >= 1.5)", () => {
  const version = terraformVersion();
  expect(version).not.toBeInstanceOf(Error);
  const [major, minor] = String(version).split(".").map(Number);
  expect(major > 1 || (major === 1 && minor >= 5)).toBe(true);
});

scenario("first-apply", () => {
  const rehearsal = new Rehearsal();
  const stack = rehearsalStack();
  let targeted: string[];
  let log: string[];
  beforeAll(() => {
    rehearsal.configure(stack);
    const deployer = resourcesOf(stack, "azurerm_role_assignment").find((r) => !String(r.body.principal_id).includes("${"))!.address;
    applied(rehearsal.apply(`-target=${deployer}`));
    targeted = rehearsal.takeLog();
    applied(rehearsal.apply());
    log = rehearsal.takeLog();
  });
  afterAll(() => rehearsal.dispose());

  it("the targeted first step creates the resource group, the vault and the deployer's grant, and no host", () => {
    expect(targeted).toEqual(expect.arrayContaining([`create ${onlyOf(stack, "azurerm_resource_group")}`, `create ${onlyOf(stack, "azurerm_key_vault")}`]));
    expect(targeted.filter((l) => l.includes("azurerm_windows_virtual_machine"))).toEqual([]);
  });
  it("creates each host's Key Vault grants before its bootstrap, and its lock after the bootstrap succeeded", () => {
    for (const host of hostsOf(stack)) {
      const bootstrap = at(log, `create ${bootstrapOf(stack, host.address)}`);
      expect(grantsOf(stack, host.address).length).toBeGreaterThan(0);
      for (const grant of grantsOf(stack, host.address)) expect(at(log, `create ${grant}`)).toBeLessThan(bootstrap);
      expect(at(log, `create ${lockOf(stack, host.address)}`)).toBeGreaterThan(bootstrap);
    }
  });
  it("creates the vault's lock after every grant under the vault", () => {
    const vaultLock = at(log, `create ${lockOf(stack, onlyOf(stack, "azurerm_key_vault"))}`);
    for (const grant of resourcesOf(stack, "azurerm_role_assignment")) {
      const created = log.indexOf(`create ${grant.address}`);
      if (created >= 0) expect(created).toBeLessThan(vaultLock);
    }
  });
  it("then plans no change", () => {
    expect(changed(rehearsal)).toEqual(new Map());
  });
});

scenario("bootstrap-fails-on-create", () => {
  const rehearsal = new Rehearsal();
  const stack = rehearsalStack();
  const host = hostsOf(stack)[0].address;
  const bootstrap = bootstrapOf(stack, host);
  let failed: { code: number; log: string[] };
  let replan: Map<string, string>;
  let retry: string[];
  beforeAll(() => {
    rehearsal.configure(stack);
    rehearsal.failBootstrap("create", [bootstrap]);
    const run = rehearsal.apply();
    failed = { code: run.code, log: rehearsal.takeLog() };
    rehearsal.failBootstrap("create", []);
    replan = changed(rehearsal);
    applied(rehearsal.apply());
    retry = rehearsal.takeLog();
  });
  afterAll(() => rehearsal.dispose());

  it("fails the apply, and the host's lock is never created", () => {
    expect(failed.code).not.toBe(0);
    expect(failed.log).toContain(`failed-create ${bootstrap}`);
    expect(failed.log).not.toContain(`create ${lockOf(stack, host)}`);
  });
  it("keeps the Run Command tainted: a plain re-apply replaces it, and creates the lock", () => {
    expect(replan.get(bootstrap)).toBe("delete+create");
    expect(replan.get(lockOf(stack, host)!)).toBe("create");
    expect([...replan.keys()].filter((a) => a.startsWith("azurerm_windows_virtual_machine"))).toEqual([]);
  });
  it("the re-apply runs the script again, then creates the lock", () => {
    expect(at(retry, `create ${lockOf(stack, host)}`)).toBeGreaterThan(at(retry, `create ${bootstrap}`));
  });
});

scenario("bootstrap-untaint", () => {
  const rehearsal = new Rehearsal();
  const stack = rehearsalStack();
  const host = hostsOf(stack)[0].address;
  const bootstrap = bootstrapOf(stack, host);
  it("after terraform untaint the next plan creates only the lock", () => {
    rehearsal.configure(stack);
    rehearsal.failBootstrap("create", [bootstrap]);
    expect(rehearsal.apply().code).not.toBe(0);
    rehearsal.failBootstrap("create", []);
    expect(rehearsal.terraform("untaint", rehearsal.address(bootstrap)).code).toBe(0);
    const plan = changed(rehearsal);
    expect(plan.get(bootstrap)).toBeUndefined();
    expect(plan.get(lockOf(stack, host)!)).toBe("create");
  });
  afterAll(() => rehearsal.dispose());
});

scenario("bootstrap-fails-on-update", () => {
  const { r, stack } = rehearse();
  const wider: Edit = (d) => d.clientCidrs.push("172.16.0.0/16");
  it("a changed setting re-runs the bootstrap in place; when it fails the apply fails", () => {
    const next = rehearsalStack(wider);
    r().configure(next);
    const plan = changed(r());
    for (const host of hostsOf(next)) expect(plan.get(bootstrapOf(next, host.address))).toBe("update");
    r().failBootstrap("update", ["*"]);
    expect(r().apply().code).not.toBe(0);
    expect(r().takeLog().filter((l) => l.startsWith("failed-update"))).not.toEqual([]);
    r().failBootstrap("update", []);
  });
  it("a plain re-apply does not run it again (the new values were saved as applied)", () => {
    const plan = changed(r());
    for (const host of hostsOf(stack())) expect(plan.get(bootstrapOf(stack(), host.address))).toBeUndefined();
    applied(r().apply());
    expect(r().takeLog().filter((l) => l.startsWith("update azurerm_virtual_machine_run_command"))).toEqual([]);
  });
  it("kms.bootstrapRevision bumped: every bootstrap runs again, in place", () => {
    const next = rehearsalStack(both(wider, (d) => (d.kms.bootstrapRevision = 2)));
    r().configure(next);
    const plan = changed(r());
    for (const host of hostsOf(next)) expect(plan.get(bootstrapOf(next, host.address))).toBe("update");
    expect([...plan.values()].filter((a) => a.includes("delete"))).toEqual([]);
    applied(r().apply());
    expect(r().takeLog().filter((l) => l.startsWith("update azurerm_virtual_machine_run_command")).length).toBe(hostsOf(next).length);
  });
});

scenario("bootstrap-replace", () => {
  const { r, stack } = rehearse();
  it("deletes the host's lock, replaces the Run Command, then creates the lock again", () => {
    const host = hostsOf(stack())[0].address;
    const bootstrap = bootstrapOf(stack(), host);
    const lock = lockOf(stack(), host)!;
    applied(r().apply(`-replace=${bootstrap}`));
    const log = r().takeLog();
    expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${bootstrap}`));
    expect(at(log, `create ${bootstrap}`)).toBeLessThan(at(log, `create ${lock}`));
  });
});

scenario("key-rotation", () => {
  const { r, stack } = rehearse();
  it("a new secret version is not in the configuration: nothing to apply", () => {
    r().configure(rehearsalStack());
    expect(changed(r())).toEqual(new Map());
  });
  it("bumping kms.bootstrapRevision updates only the Run Commands, in place", () => {
    r().configure(rehearsalStack((d) => (d.kms.bootstrapRevision = 2)));
    const expected = new Map(hostsOf(stack()).map((h) => [bootstrapOf(stack(), h.address), "update"]));
    expect(changed(r())).toEqual(expected);
  });
});

scenario("tag-change", () => {
  const { r, stack } = rehearse();
  it("updates tagged resources in place; no Run Command; only the saved searches are replaced (their tags are ForceNew)", () => {
    r().configure(rehearsalStack((d) => (d.tags = { ...d.tags, owner: "platform-team" })));
    const plan = changed(r());
    expect(plan.size).toBeGreaterThan(0);
    // azurerm 4.55.0, internal/services/loganalytics/log_analytics_saved_search_resource.go line 102:
    // "tags": commonschema.TagsForceNew(). A saved search is a stored query: replacing it costs nothing.
    expect(new Set([...plan].filter(([a]) => !SAVED_SEARCH(a)).map(([, actions]) => actions))).toEqual(new Set(["update"]));
    for (const [address, actions] of plan) if (SAVED_SEARCH(address)) expect(actions).toBe("delete+create");
    for (const host of hostsOf(stack())) expect(plan.get(bootstrapOf(stack(), host.address))).toBeUndefined();
  });
});

scenario("in-place-settings", () => {
  const { r, stack } = rehearse();
  const edits: [string, Edit][] = [
    ["clientCidrs", (d) => d.clientCidrs.push("192.168.0.0/16")],
    ["kms.port", (d) => (d.kms.port = 1689)],
    ["kms.products", (d) => d.kms.products.push({ product: "office-ltsc-2024", secretName: "kms-host-key-office-ltsc-2024", volumeLicensePack: { uri: "https://download.microsoft.com/download/x/Office2024VolumeLicensePack.exe", sha256: "1".repeat(64) } })],
  ];
  it.each(edits)("%s: every bootstrap re-runs in place, no host or lock replaced", (_field, edit) => {
    r().configure(rehearsalStack(edit));
    const plan = changed(r());
    for (const host of hostsOf(stack())) {
      expect(plan.get(bootstrapOf(stack(), host.address))).toBe("update");
      expect(plan.get(host.address)).toBeUndefined();
      expect(plan.get(lockOf(stack(), host.address)!)).toBeUndefined();
    }
  });
});

scenario("size-change", () => {
  const { r, stack } = rehearse();
  it("hosts.size updates every host in place, all in one apply", () => {
    r().configure(rehearsalStack((d) => (d.hosts.size = "Standard_D4s_v5")));
    const plan = changed(r());
    expect(new Map([...plan].filter(([a]) => a.startsWith("azurerm_windows_virtual_machine.")))).toEqual(new Map(hostsOf(stack()).map((h) => [h.address, "update"])));
  });
  it("with -target one host at a time", () => {
    const [first] = hostsOf(stack());
    const plan = changed(r(), `-target=${first.address}`);
    expect([...plan.keys()].filter((a) => a.startsWith("azurerm_windows_virtual_machine."))).toEqual([first.address]);
  });
});

