// check-plan (rehearsal/check-plan.ts) on plans in Terraform's documented JSON plan format
// (developer.hashicorp.com/terraform/internals/json-format, "Plan Representation": resource_changes[]
// with address, mode, type, name and change.actions / before / after), written by hand, and on plans
// the rehearsal produced with the real terraform binary, mapped back to the real types and addresses.
import { checkPlan, formatMarkdown, formatText, parsePlan, runCheckPlan } from "../../rehearsal/check-plan";
import { realPlan } from "../../rehearsal/stand-in";
import { Rehearsal } from "../../rehearsal/terraform";
import { change, lock, plan, vm } from "../support/plan-json";
import { applied, hostsOf, lab, rehearsalStack } from "../support/rehearsal";

jest.setTimeout(120_000);

function run(text: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, string>();
  const code = runCheckPlan(["plan.json", ...args], {
    readFile: () => text,
    writeFile: (file, content) => written.set(file, content),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join(""), err: err.join(""), written };
}

describe("check-plan on hand-written JSON plans", () => {
  const tagsOnly = plan(vm("kmsprd01", ["update"], {}, { tags: { a: "2" } }), vm("kmsprd02", ["update"], {}, { tags: { a: "2" } }), lock("lock-host-1", ["no-op"]), lock("lock-host-2", ["no-op"]));
  const rebuild = plan(vm("kmsprd01", ["no-op"]), vm("kmsprd02", ["delete", "create"]), lock("lock-host-1", ["no-op"]), lock("lock-host-2", ["delete", "create"]));

  it("passes a production plan that only changes tags (exit 0) and says nothing affects the service", () => {
    const result = run(tagsOnly);
    expect(result.code).toBe(0);
    expect(result.out).toContain("production plan: 0 to create, 2 to update in place, 0 to replace, 0 to destroy");
    expect(result.out).toContain("Nothing in this plan affects the KMS hosts");
  });
  it("refuses a plan that rebuilds a production host (exit 1), naming the host and the activation it spends", () => {
    const result = run(rebuild);
    expect(result.code).toBe(1);
    expect(result.out).toContain("HAZARD host-rebuild: rebuilds kmsprd02");
    expect(result.out).toContain("spends one of its activations");
    expect(result.out).toContain("--acknowledge host-rebuild");
  });
  it("passes it when the hazard is acknowledged", () => {
    expect(run(rebuild, "--acknowledge", "host-rebuild").code).toBe(0);
  });
  it("reports but does not refuse hazards outside production", () => {
    const lab = plan(vm("kmslab01", ["delete", "create"]));
    const result = run(lab);
    expect(result.code).toBe(0);
    expect(result.out).toContain("HAZARD host-rebuild: rebuilds kmslab01");
  });
  it("every host resized at once: all-hosts-down; one host: not", () => {
    const all = checkPlan(parsePlan(plan(vm("a01", ["update"], {}, { size: "Standard_D4s_v5" }), vm("a02", ["update"], {}, { size: "Standard_D4s_v5" })), "p"));
    expect(all.findings.map((f) => f.hazard)).toContain("all-hosts-down");
    const one = checkPlan(parsePlan(plan(vm("a01", ["update"], {}, { size: "Standard_D4s_v5" }), vm("a02", ["no-op"])), "p"));
    expect(one.findings.map((f) => f.hazard)).not.toContain("all-hosts-down");
  });
  it("encryption at host changed on every host: all-hosts-down", () => {
    const report = checkPlan(parsePlan(plan(vm("a01", ["update"], { encryption_at_host_enabled: true }, { encryption_at_host_enabled: false })), "p"));
    expect(report.findings.map((f) => f.hazard)).toContain("all-hosts-down");
  });
  it("names locks removed, purge protection changed, SRV entries removed and a host's grant removed", () => {
    const text = plan(
      lock("lock-vault", ["delete"]),
      change("azurerm_key_vault", "vault", ["update"], { purge_protection_enabled: true }, { purge_protection_enabled: false }),
      change("azurerm_private_dns_srv_record", "srv", ["update"], { record: [{ target: "a" }, { target: "b" }] }, { record: [{ target: "a" }] }),
      change("azurerm_role_assignment", "reads", ["delete"], { role_definition_name: "Key Vault Secrets User", principal_id: "p" }, null),
    );
    const result = run(text);
    expect(result.code).toBe(1);
    for (const id of ["lock-removed", "purge-protection-changed", "srv-entry-removed", "key-vault-grant-removed"]) expect(result.out).toContain(`HAZARD ${id}`);
    expect(result.out).toContain("true -> false");
    expect(result.out).toContain("2 -> 1 entries");
    expect(run(text, ...["lock-removed", "purge-protection-changed", "srv-entry-removed", "key-vault-grant-removed"].flatMap((h) => ["--acknowledge", h])).code).toBe(0);
  });
  it("writes a Markdown summary on request", () => {
    const result = run(rebuild, "--markdown", "summary.md");
    expect(result.written.get("summary.md")).toContain("| :warning: `host-rebuild` | rebuilds kmsprd02");
    expect(result.written.get("summary.md")).toContain("**Refused** until acknowledged: `--acknowledge host-rebuild`");
  });
  it.each([
    ["not JSON", "{", "is not JSON"],
    ["not a plan", JSON.stringify({ hello: 1 }), "is not a Terraform JSON plan"],
    ["a bad resource_changes", JSON.stringify({ format_version: "1.2", resource_changes: [{ address: 1 }] }), "resource_changes must be a list"],
  ])("exits 2 on %s, with a message", (_what, text, message) => {
    const result = run(text);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });
  it("exits 2 on an unknown hazard id or a missing file argument", () => {
    expect(run(tagsOnly, "--acknowledge", "everything").code).toBe(2);
    expect(runCheckPlan([], { readFile: () => "", writeFile: () => undefined, out: () => undefined, err: () => undefined })).toBe(2);
  });
});

describe("check-plan on plans the rehearsal produced (mapped back to the real addresses)", () => {
  const rehearsal = new Rehearsal();
  const stack = rehearsalStack();
  beforeAll(() => {
    rehearsal.configure(stack);
    applied(rehearsal.apply());
  });
  afterAll(() => rehearsal.dispose());
  const check = (edit: ((d: Record<string, any>) => void) | undefined, ...args: string[]) => {
    rehearsal.configure(rehearsalStack(edit));
    const { json, run: planned } = rehearsal.plan(...args);
    if (!json) throw new Error(planned.stderr);
    return checkPlan(parsePlan(JSON.stringify(realPlan(json)), "plan.json"));
  };

  it("a tag change: production, no hazard", () => {
    const report = check((d) => (d.tags = { ...d.tags, owner: "platform-team" }));
    expect(report.production).toBe(true);
    expect(report.findings.filter((f) => f.hazard)).toEqual([]);
    expect(formatText(report)).toContain("Nothing in this plan affects the KMS hosts");
  });
  it("hosts.replace and -replace of the second host: host-rebuild names it; its grants are replaced, not removed", () => {
    const second = hostsOf(stack)[1];
    const report = check((d) => (d.hosts.replace = [second.name]), `-replace=${second.address}`);
    const rebuild = report.findings.find((f) => f.hazard === "host-rebuild");
    expect(rebuild?.text).toContain(`rebuilds ${second.name}`);
    expect(report.unacknowledged).toContain("host-rebuild");
    expect(report.unacknowledged).not.toContain("purge-protection-changed");
    expect(report.unacknowledged).not.toContain("key-vault-grant-removed");
  });
  it("the old route (tier: lab): locks removed and purge protection changed", () => {
    const report = check(lab);
    expect(report.unacknowledged).toEqual(expect.arrayContaining(["lock-removed", "purge-protection-changed"]));
    expect(formatMarkdown(report)).toContain("`purge-protection-changed`");
  });
  it("hosts.size: every host down at once", () => {
    expect(check((d) => (d.hosts.size = "Standard_D4s_v5")).unacknowledged).toContain("all-hosts-down");
  });
});
