// The rehearsal, part 2 (changes that replace, remove or decommission; part 1 is scenarios.test.ts): each scenario edits the fixture environment
// (test/fixtures/rehearsal/production.yaml), synthesizes it in-process, and runs the real terraform
// binary on the stand-in (terraform_data resources carrying the providers' ForceNew rules and Azure's
// rules as provisioners). Assertions are on every address's planned actions (terraform plan, as JSON)
// and on the order of operations (the provisioners' log). Addresses come from the synthesized JSON
// by type and properties. The ids are those README.md marks its statements with (scenarios.ts).
import { Rehearsal } from "../../rehearsal/terraform";
import { Edit, OFFICE, SAVED_SEARCH, applied, at, bootstrapOf, both, changed, grantsOf, hostsOf, lab, lockOf, maintenanceAssignmentOf, onlyOf, rehearsalStack, rehearse, resourcesOf, scenario } from "../support/rehearsal";

jest.setTimeout(180_000);

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
  // The host locks cover the agent extension and the association, the vault lock the vault's
  // diagnostic setting (issue 23; lock-blocks-child-delete): the vault lock is replaced around it
  // (vault-endpoint-replace), the host locks are not.
  const { r, stack } = rehearse();
  it("deletes only monitoring resources; no host, bootstrap, grant or host lock is replaced or deleted; the vault lock is replaced around the diagnostic setting", () => {
    const off = rehearsalStack((d) => (d.monitoring = { enabled: false }));
    r().configure(off);
    const plan = changed(r());
    const vaultLock = lockOf(stack(), onlyOf(stack(), "azurerm_key_vault"))!;
    expect(plan.get(vaultLock)).toBe("delete+create");
    const gone = [...plan].filter(([address, a]) => a.includes("delete") && address !== vaultLock).map(([address]) => address.split(".")[0]);
    expect(gone.length).toBeGreaterThan(0);
    for (const type of gone) expect(type).toMatch(/^azurerm_(log_analytics|monitor_|virtual_machine_extension)/);
    for (const host of hostsOf(stack())) {
      for (const address of [host.address, bootstrapOf(stack(), host.address), lockOf(stack(), host.address)!, ...grantsOf(stack(), host.address)]) {
        expect(plan.get(address) ?? "no-op").not.toContain("delete");
      }
    }
  });
  it("the apply is refused while the host locks stand: they cover each host's agent and rule association; the vault's diagnostic setting goes after its lock's delete (README, Operations)", () => {
    const run = r().apply();
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("ScopeLocked");
    const log = r().takeLog();
    const refused = log.filter((l) => l.startsWith("refused-destroy"));
    expect(refused.length).toBeGreaterThan(0);
    for (const line of refused) expect(line).toMatch(/ azurerm_(virtual_machine_extension|monitor_data_collection_rule_association)\./);
    const vault = onlyOf(stack(), "azurerm_key_vault");
    const setting = resourcesOf(stack(), "azurerm_monitor_diagnostic_setting").find((d) => d.body.target_resource_id === `\${${vault}.id}`)!.address;
    if (log.includes(`destroy ${setting}`)) expect(at(log, `destroy ${lockOf(stack(), vault)!}`)).toBeLessThan(at(log, `destroy ${setting}`));
  });
});

scenario("dns-ttl", () => {
  const rfc2136: Edit = (d) => {
    lab(d);
    d.hosts.privateIpAddresses = ["10.0.0.10", "10.0.0.11"];
    d.dns.rfc2136 = { server: "dns1.rehearsal.contoso.internal", tsig: { keyName: "kms-update" } };
    // A private zone of the RFC 2136 zone's name would shadow it (refused since issue 23): RFC 2136 only.
    d.dns.privateZone = false;
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
    const next = rehearsalStack((d) => d.kms.products.push(OFFICE));
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

scenario("vault-lock-window", () => {
  // Folded in from scripts/lock-ordering (retired): a product removed, and a new deployer principal.
  const { r, stack } = rehearse((d) => d.kms.products.push(OFFICE));
  it("a product removed: its grants are deleted between the lock's delete and its re-creation", () => {
    const next = rehearsalStack();
    const gone = resourcesOf(stack(), "azurerm_role_assignment").filter((g) => !resourcesOf(next, "azurerm_role_assignment").some((n) => n.address === g.address));
    expect(gone.length).toBeGreaterThan(0);
    r().configure(next);
    applied(r().apply());
    const log = r().takeLog();
    const lock = lockOf(stack(), onlyOf(stack(), "azurerm_key_vault"))!;
    for (const grant of gone) {
      expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${grant.address}`));
      expect(at(log, `destroy ${grant.address}`)).toBeLessThan(at(log, `create ${lock}`));
    }
  });
  it("a new deployer principal: its grant is replaced under the same window", () => {
    const next = rehearsalStack((d) => (d.keyVault.deployerPrincipalId = "44444444-4444-4444-8444-444444444444"));
    r().configure(next);
    applied(r().apply());
    const log = r().takeLog();
    const lock = lockOf(next, onlyOf(next, "azurerm_key_vault"))!;
    const deployer = resourcesOf(next, "azurerm_role_assignment").find((g) => g.body.principal_id === "44444444-4444-4444-8444-444444444444")!.address;
    expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${deployer}`));
    expect(at(log, `create ${deployer}`)).toBeLessThan(at(log, `create ${lock}`));
  });
});

scenario("vault-endpoint-replace", () => {
  // The vault's private endpoint (its connection on the vault) and diagnostic setting are under the
  // vault's lock (lock-blocks-child-delete): a replace must fall inside the lock's window too.
  // subnet_id is ForceNew (provider-contract-rows.ts, private_endpoint_resource.go).
  const subnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub-weu/subnets/snet-endpoints";
  const { r, stack } = rehearse();
  it("keyVault.privateEndpoint.subnetId changed: the vault lock is deleted, the endpoint replaced, the lock created again, in one apply", () => {
    const next = rehearsalStack((d) => (d.keyVault.privateEndpoint = { subnetId: subnet }));
    r().configure(next);
    const endpoint = onlyOf(stack(), "azurerm_private_endpoint");
    const lock = lockOf(stack(), onlyOf(stack(), "azurerm_key_vault"))!;
    const plan = changed(r());
    expect(plan.get(endpoint)).toBe("delete+create");
    expect(plan.get(lock)).toBe("delete+create");
    applied(r().apply());
    const log = r().takeLog();
    expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${endpoint}`));
    expect(at(log, `create ${endpoint}`)).toBeLessThan(at(log, `create ${lock}`));
    expect(log.filter((l) => l.startsWith("refused-destroy") || l.startsWith("failed-"))).toEqual([]);
    expect(changed(r())).toEqual(new Map());
  });
  it("apply -replace of the vault's diagnostic setting: the lock is deleted before it and created again after it", () => {
    const setting = resourcesOf(stack(), "azurerm_monitor_diagnostic_setting").find((d) => d.body.target_resource_id === `\${${onlyOf(stack(), "azurerm_key_vault")}.id}`)!.address;
    const lock = lockOf(stack(), onlyOf(stack(), "azurerm_key_vault"))!;
    applied(r().apply(`-replace=${setting}`));
    const log = r().takeLog();
    expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${setting}`));
    expect(at(log, `create ${setting}`)).toBeLessThan(at(log, `create ${lock}`));
    expect(log.filter((l) => l.startsWith("refused-destroy") || l.startsWith("failed-"))).toEqual([]);
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
  it("hosts.replace changes nothing in the plan; apply -replace rebuilds that host alone, its lock deleted first and created after its bootstrap; purge protection untouched", () => {
    const [first, second] = hostsOf(stack());
    r().configure(rehearsalStack((d) => (d.hosts.replace = [second.name])));
    expect(changed(r())).toEqual(new Map());
    const plan = changed(r(), `-replace=${second.address}`);
    expect(plan.get(second.address)).toBe("delete+create");
    expect(plan.get(lockOf(stack(), second.address)!)).toBe("delete+create");
    expect(plan.get(first.address)).toBeUndefined();
    expect(plan.get(lockOf(stack(), first.address)!)).toBeUndefined();
    expect(plan.get(onlyOf(stack(), "azurerm_key_vault"))).toBeUndefined();
    applied(r().apply(`-replace=${second.address}`));
    const log = r().takeLog();
    const lock = lockOf(stack(), second.address)!;
    expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${second.address}`));
    expect(at(log, `create ${lock}`)).toBeGreaterThan(at(log, `create ${bootstrapOf(stack(), second.address)}`));
    // Its maintenance assignment (an extension resource of the VM, under the VM's lock) is replaced
    // with the VM: deleted only after the lock is gone, and the lock comes back after the new one.
    const assignment = maintenanceAssignmentOf(stack(), second.address);
    expect(plan.get(assignment)).toBe("delete+create");
    expect(at(log, `destroy ${lock}`)).toBeLessThan(at(log, `destroy ${assignment}`));
    expect(at(log, `create ${lock}`)).toBeGreaterThan(at(log, `create ${assignment}`));
    expect(log.filter((l) => l.startsWith("refused-destroy") || l.startsWith("failed-"))).toEqual([]);
    r().configure(rehearsalStack());
    expect(changed(r())).toEqual(new Map());
  });
  it("without hosts.replace the same -replace is refused (prevent_destroy)", () => {
    const [, second] = hostsOf(stack());
    const run = r().plan(`-replace=${second.address}`).run;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("prevent_destroy");
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
