// The rehearsal (rehearsal/): each scenario edits the fixture environment
// (test/fixtures/rehearsal/production.yaml), synthesizes it in-process, and runs the real terraform
// binary on the stand-in (terraform_data resources carrying the providers' ForceNew rules and Azure's
// rules as provisioners). Assertions are on every address's planned actions (terraform plan, as JSON)
// and on the order of operations (the provisioners' log). Addresses come from the synthesized JSON
// by type and properties. The ids are those README.md marks its statements with (scenarios.ts).
import { Rehearsal, terraformVersion } from "../../rehearsal/terraform";
import { applied, at, bootstrapOf, changed, grantsOf, hostsOf, lockOf, onlyOf, rehearsalStack, resourcesOf } from "../support/rehearsal";
import { ScenarioId, SCENARIOS } from "./scenarios";

jest.setTimeout(180_000);

/** Saved searches (stored queries): every argument, tags included, forces a new one; replacing one costs nothing. */
const SAVED_SEARCH = (address: string): boolean => address.startsWith("azurerm_log_analytics_saved_search.");

type Edit = (data: Record<string, any>) => void;
const lab: Edit = (d) => {
  d.tier = "lab";
};
const both =
  (...edits: Edit[]): Edit =>
  (d) =>
    edits.forEach((e) => e(d));

/** A scenario: a describe named by its id (the README's markers name these ids). */
function scenario(id: ScenarioId, body: () => void): void {
  describe(`[${id}] ${SCENARIOS[id]}`, body);
}

/** A rehearsal directory applied once with the fixture (edited), disposed after the describe. */
function rehearse(first?: Edit): { r: () => Rehearsal; stack: () => Record<string, any> } {
  let rehearsal: Rehearsal;
  let stack: Record<string, any>;
  beforeAll(() => {
    rehearsal = new Rehearsal();
    stack = rehearsalStack(first);
    rehearsal.configure(stack);
    applied(rehearsal.apply());
    rehearsal.takeLog();
  });
  afterAll(() => rehearsal?.dispose());
  return { r: () => rehearsal, stack: () => stack };
}

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

scenario("host-count", () => {
  const { r, stack } = rehearse(lab);
  it("2 -> 3 creates the third host and destroys nothing", () => {
    const three = rehearsalStack(both(lab, (d) => (d.hosts.count = 3)));
    r().configure(three);
    const plan = changed(r());
    const added = hostsOf(three).filter((h) => !hostsOf(stack()).some((o) => o.address === h.address));
    expect(added).toHaveLength(1);
    expect(plan.get(added[0].address)).toBe("create");
    expect([...plan].filter(([a, actions]) => actions.includes("delete") && !SAVED_SEARCH(a))).toEqual([]);
    applied(r().apply());
  });
  it("3 -> 2 destroys only the third host's resources", () => {
    const three = rehearsalStack(both(lab, (d) => (d.hosts.count = 3)));
    const third = hostsOf(three)[2].address;
    r().configure(stack());
    const plan = changed(r());
    expect(plan.get(third)).toBe("delete");
    expect(plan.get(bootstrapOf(three, third))).toBe("delete");
    for (const host of hostsOf(stack())) expect(plan.get(host.address)).toBeUndefined();
  });
});

scenario("zone-change", () => {
  it("lab: the host whose zone changed is replaced", () => {
    const rehearsal = new Rehearsal();
    try {
      const stack = rehearsalStack(lab);
      rehearsal.configure(stack);
      applied(rehearsal.apply());
      rehearsal.configure(rehearsalStack(both(lab, (d) => (d.hosts.zones = ["1", "3"]))));
      const plan = changed(rehearsal);
      const [first, second] = hostsOf(stack);
      expect(plan.get(first.address)).toBeUndefined();
      expect(plan.get(second.address)).toBe("delete+create");
    } finally {
      rehearsal.dispose();
    }
  });
  describe("production", () => {
    const { r } = rehearse();
    it("the plan is refused: prevent_destroy", () => {
      r().configure(rehearsalStack((d) => (d.hosts.zones = ["1", "3"])));
      const plan = r().plan();
      expect(plan.run.code).not.toBe(0);
      expect(plan.run.stderr).toContain("prevent_destroy");
    });
  });
});

scenario("replacing-settings", () => {
  const { r, stack } = rehearse(lab);
  const edits: [string, Edit][] = [
    ["hosts.osDiskType", (d) => (d.hosts.osDiskType = "StandardSSD_LRS")],
    ["hosts.image", (d) => (d.hosts.image = "windows-server-2019")],
    ["hosts.adminUsername", (d) => (d.hosts.adminUsername = "kmsoperator")],
  ];
  it.each(edits)("%s replaces every host", (_field, edit) => {
    r().configure(rehearsalStack(both(lab, edit)));
    const plan = changed(r());
    for (const host of hostsOf(stack())) expect(plan.get(host.address)).toBe("delete+create");
  });
});

scenario("monitoring-off", () => {
  const { r, stack } = rehearse();
  it("deletes only monitoring resources; no host, bootstrap, grant or lock is replaced or deleted", () => {
    const off = rehearsalStack((d) => (d.monitoring = { enabled: false }));
    r().configure(off);
    const plan = changed(r());
    const gone = [...plan].filter(([, a]) => a.includes("delete")).map(([address]) => address.split(".")[0]);
    expect(gone.length).toBeGreaterThan(0);
    for (const type of gone) expect(type).toMatch(/^azurerm_(log_analytics|monitor_|virtual_machine_extension)/);
    for (const host of hostsOf(stack())) {
      for (const address of [host.address, bootstrapOf(stack(), host.address), lockOf(stack(), host.address)!, ...grantsOf(stack(), host.address)]) {
        expect(plan.get(address) ?? "no-op").not.toContain("delete");
      }
    }
    applied(r().apply());
  });
});

scenario("dns-ttl", () => {
  const rfc2136: Edit = (d) => {
    d.tier = "lab";
    d.hosts.privateIpAddresses = ["10.0.0.10", "10.0.0.11"];
    d.dns.rfc2136 = { server: "dns1.rehearsal.contoso.internal", tsig: { keyName: "kms-update" } };
  };
  describe("Azure Private DNS", () => {
    const { r } = rehearse();
    it("updates the A and SRV records in place", () => {
      const next = rehearsalStack((d) => (d.dns.ttl = 600));
      r().configure(next);
      const plan = changed(r());
      for (const type of ["azurerm_private_dns_a_record", "azurerm_private_dns_srv_record"]) {
        for (const record of resourcesOf(next, type)) expect(plan.get(record.address)).toBe("update");
      }
    });
  });
  describe("RFC 2136 (hashicorp/dns): ttl forces new record sets", () => {
    const { r } = rehearse(rfc2136);
    it("replaces the A and SRV record sets, deleting before adding", () => {
      const next = rehearsalStack(both(rfc2136, (d) => (d.dns.ttl = 600)));
      r().configure(next);
      const plan = changed(r());
      const sets = [...resourcesOf(next, "dns_a_record_set"), ...resourcesOf(next, "dns_srv_record_set")];
      expect(sets.length).toBeGreaterThan(0);
      for (const set of sets) expect(plan.get(set.address)).toBe("delete+create");
    });
  });
});

scenario("vault-lock-window", () => {
  const { r, stack } = rehearse();
  it("a product added: the vault lock is deleted, the grants created, the lock created again, in one apply", () => {
    const next = rehearsalStack((d) => d.kms.products.push({ product: "office-ltsc-2024", secretName: "kms-host-key-office-ltsc-2024", volumeLicensePack: { uri: "https://download.microsoft.com/download/x/Office2024VolumeLicensePack.exe", sha256: "1".repeat(64) } }));
    r().configure(next);
    applied(r().apply());
    const log = r().takeLog();
    const lock = lockOf(stack(), onlyOf(stack(), "azurerm_key_vault"))!;
    const added = resourcesOf(next, "azurerm_role_assignment").filter((g) => !resourcesOf(stack(), "azurerm_role_assignment").some((o) => o.address === g.address));
    expect(added.length).toBeGreaterThan(0);
    for (const grant of added) {
      expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `create ${grant.address}`));
      expect(at(log, `create ${grant.address}`)).toBeLessThan(at(log, `create ${lock}`));
    }
  });
});

scenario("password-rotation", () => {
  const { r, stack } = rehearse();
  it("replaces the password, updates its secret, and leaves the VM alone (ignore_changes)", () => {
    const password = resourcesOf(stack(), "random_password")[0].address;
    const plan = changed(r(), `-replace=${password}`);
    expect(plan.get(password)).toBe("delete+create");
    const secret = resourcesOf(stack(), "azurerm_key_vault_secret").find((s) => String(s.body.value).includes(password))!.address;
    expect(plan.get(secret)).toBe("update");
    for (const host of hostsOf(stack())) expect(plan.get(host.address)).toBeUndefined();
  });
});

scenario("tier-flip", () => {
  const { r, stack } = rehearse(lab);
  it("lab -> production: creates the locks and turns purge protection on in place; nothing replaced", () => {
    const production = rehearsalStack();
    r().configure(production);
    const plan = changed(r());
    expect(plan.get(onlyOf(stack(), "azurerm_key_vault"))).toBe("update");
    for (const lock of resourcesOf(production, "azurerm_management_lock")) expect(plan.get(lock.address)).toBe("create");
    expect([...plan.values()].filter((a) => a.includes("delete"))).toEqual([]);
    applied(r().apply());
  });
});

scenario("old-host-replacement-route", () => {
  const { r, stack } = rehearse();
  it("tier: lab then apply: every lock is destroyed, then the vault update fails on purge protection", () => {
    r().configure(rehearsalStack(lab));
    const run = r().apply();
    const log = r().takeLog();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("purge-protection-irreversible");
    expect(log).toContain(`failed-update ${onlyOf(stack(), "azurerm_key_vault")}`);
    for (const lock of resourcesOf(stack(), "azurerm_management_lock")) expect(log).toContain(`destroy ${lock.address}`);
  });
});

scenario("replace-one-production-host", () => {
  const { r, stack } = rehearse();
  it("hosts.replace drops only that host's lock and prevent_destroy; apply -replace rebuilds only it; purge protection untouched", () => {
    const [first, second] = hostsOf(stack());
    const replacing = rehearsalStack((d) => (d.hosts.replace = [second.name]));
    r().configure(replacing);
    const step1 = changed(r());
    expect(step1).toEqual(new Map([[lockOf(stack(), second.address)!, "delete"]]));
    applied(r().apply());
    r().takeLog();
    const step2 = changed(r(), `-replace=${second.address}`);
    expect(step2.get(second.address)).toBe("delete+create");
    expect(step2.get(first.address)).toBeUndefined();
    expect(step2.get(onlyOf(stack(), "azurerm_key_vault"))).toBeUndefined();
    applied(r().apply(`-replace=${second.address}`));
    const log = r().takeLog();
    expect(log).toContain(`create ${bootstrapOf(stack(), second.address)}`);
    r().configure(rehearsalStack());
    const step3 = changed(r());
    expect(step3).toEqual(new Map([[lockOf(stack(), second.address)!, "create"]]));
    applied(r().apply());
    expect(changed(r())).toEqual(new Map());
  });
});

scenario("decommission-lab", () => {
  const { r } = rehearse(lab);
  it("terraform destroy removes everything", () => {
    applied(r().destroy());
    expect(r().terraform("state", "list").stdout.trim()).toBe("");
  });
});

scenario("decommission-production", () => {
  const { r, stack } = rehearse();
  it("destroy with the production file is refused (prevent_destroy)", () => {
    const run = r().destroy();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("prevent_destroy");
  });
  it("tier: lab, then destroy directly: each lock is deleted before what it locks, then everything goes", () => {
    r().configure(rehearsalStack(lab));
    applied(r().destroy());
    const log = r().takeLog();
    for (const lock of resourcesOf(stack(), "azurerm_management_lock")) {
      const target = String(lock.body.scope).replace(/^\$\{(.*)\.id\}$/, "$1");
      expect(at(log, `destroy ${lock.address}`)).toBeLessThan(at(log, `destroy ${target}`));
    }
    expect(log.filter((l) => l.startsWith("refused-destroy"))).toEqual([]);
    expect(r().terraform("state", "list").stdout.trim()).toBe("");
  });
});
