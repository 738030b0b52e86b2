// The plan guard (`node dist/main.js check-plan <plan.json>`): reads Terraform's JSON plan
// (`terraform show -json <planfile>`; format: developer.hashicorp.com/terraform/internals/json-format,
// "Plan Representation": resource_changes[] with address, type, change.actions, change.before and
// change.after) and says in words what the plan does to the KMS service. A production plan with a
// hazard is refused (exit 1) unless each hazard is acknowledged on the command line.
import * as fs from "fs";

/** The hazards check-plan names (issue 24's pipelines acknowledge them by these ids). */
export const HAZARD_IDS = ["host-rebuild", "all-hosts-down", "lock-removed", "purge-protection-changed", "srv-entry-removed", "key-vault-grant-removed"] as const;
export type HazardId = (typeof HAZARD_IDS)[number];

/** One finding: a hazard, or a note on a change that is expected but worth reading. */
export interface Finding {
  readonly hazard?: HazardId;
  readonly text: string;
  readonly addresses: readonly string[];
}

/** What a plan does to the KMS service. */
export interface PlanReport {
  /** Production: the plan's resources hold the production-only delete locks or a purge-protected vault (or --production). */
  readonly production: boolean;
  readonly findings: readonly Finding[];
  /** Hazards not acknowledged. */
  readonly unacknowledged: readonly HazardId[];
  /** Counts of planned actions, for the summary line. */
  readonly counts: { readonly create: number; readonly update: number; readonly replace: number; readonly delete: number };
}

/** A plan file that is not a Terraform JSON plan (exit 2). */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}

interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: { readonly actions: readonly string[]; readonly before?: Record<string, any> | null; readonly after?: Record<string, any> | null };
}

/** Reads and checks the shape of a JSON plan. */
export function parsePlan(text: string, file: string): ResourceChange[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlanInputError(`${file} is not JSON (${(error as Error).message}). Give the output of: terraform show -json <planfile> > plan.json`);
  }
  const plan = json as Record<string, unknown>;
  if (!plan || typeof plan !== "object" || typeof plan.format_version !== "string" || !("planned_values" in plan || "resource_changes" in plan)) {
    throw new PlanInputError(`${file} is not a Terraform JSON plan (no format_version and resource_changes). Give the output of: terraform show -json <planfile> > plan.json`);
  }
  const changes = plan.resource_changes ?? [];
  if (!Array.isArray(changes) || changes.some((c) => typeof c?.address !== "string" || typeof c?.type !== "string" || !Array.isArray(c?.change?.actions))) {
    throw new PlanInputError(`${file}: resource_changes must be a list of { address, type, change: { actions } } (terraform show -json)`);
  }
  return (changes as ResourceChange[]).filter((c) => (c.mode ?? "managed") === "managed");
}

const is = (c: ResourceChange, ...actions: string[]): boolean => actions.every((a) => c.change.actions.includes(a));
const replaced = (c: ResourceChange): boolean => is(c, "delete", "create");
const deleted = (c: ResourceChange): boolean => is(c, "delete") && !is(c, "create");
const updated = (c: ResourceChange): boolean => is(c, "update");
const hostName = (c: ResourceChange): string => String(c.change.after?.computer_name ?? c.change.before?.computer_name ?? c.address);
const changedAttribute = (c: ResourceChange, name: string): boolean =>
  c.change.before?.[name] !== undefined && JSON.stringify(c.change.before?.[name]) !== JSON.stringify(c.change.after?.[name]);

/** What the plan does to the service, given the acknowledged hazards. */
export function checkPlan(changes: readonly ResourceChange[], options: { acknowledge?: readonly string[]; production?: boolean } = {}): PlanReport {
  const of = (type: string) => changes.filter((c) => c.type === type);
  const vms = of("azurerm_windows_virtual_machine");
  const locks = of("azurerm_management_lock");
  const vaults = of("azurerm_key_vault");
  const production =
    options.production === true ||
    locks.some((l) => l.change.before || l.change.after) ||
    vaults.some((v) => v.change.before?.purge_protection_enabled === true || v.change.after?.purge_protection_enabled === true);
  const findings: Finding[] = [];

  const rebuilt = vms.filter(replaced);
  if (rebuilt.length > 0) {
    findings.push({
      hazard: "host-rebuild",
      text: `rebuilds ${rebuilt.map(hostName).join(", ")}: each rebuilt host installs the KMS host key again and spends one of its activations (a key activates at most 6 hosts, 10 times each; more gives 0xC004C008)`,
      addresses: rebuilt.map((c) => c.address),
    });
  }
  const existing = vms.filter((c) => c.change.before);
  const down = existing.filter((c) => replaced(c) || deleted(c) || (updated(c) && (changedAttribute(c, "size") || changedAttribute(c, "encryption_at_host_enabled"))));
  if (existing.length > 0 && down.length === existing.length) {
    findings.push({
      hazard: "all-hosts-down",
      text: `takes every host down at once (${down.map(hostName).join(", ")}): a resize powers a VM off, an encryption-at-host change deallocates it, a rebuild deletes it. Apply one host at a time (terraform apply -target=<vm address>)`,
      addresses: down.map((c) => c.address),
    });
  }
  const gone = vms.filter(deleted);
  if (gone.length > 0) findings.push({ text: `destroys ${gone.map(hostName).join(", ")}`, addresses: gone.map((c) => c.address) });
  const added = vms.filter((c) => is(c, "create") && !is(c, "delete"));
  if (added.length > 0) findings.push({ text: `creates ${added.map(hostName).join(", ")} (each new host spends one activation of the KMS host key)`, addresses: added.map((c) => c.address) });

  const removedLocks = locks.filter(deleted);
  if (removedLocks.length > 0) {
    findings.push({
      hazard: "lock-removed",
      text: `removes ${removedLocks.length} CanNotDelete lock(s) without creating them again: ${removedLocks.map((c) => c.address).join(", ")}`,
      addresses: removedLocks.map((c) => c.address),
    });
  }
  const cycled = locks.filter(replaced);
  if (cycled.length > 0) findings.push({ text: `deletes and creates again, in this apply, ${cycled.map((c) => c.address).join(", ")} (the locked resource is unlocked for those seconds)`, addresses: cycled.map((c) => c.address) });

  const purge = vaults.filter((c) => updated(c) && changedAttribute(c, "purge_protection_enabled"));
  if (purge.length > 0) {
    findings.push({
      hazard: "purge-protection-changed",
      text: `changes purge protection on ${purge.map((c) => c.address).join(", ")} (${purge.map((c) => `${String(c.change.before?.purge_protection_enabled)} -> ${String(c.change.after?.purge_protection_enabled)}`).join(", ")}): turning it off is refused by Azure at apply, after the steps before it have run (azurerm key_vault_resource.go)`,
      addresses: purge.map((c) => c.address),
    });
  }

  const srv = [...of("azurerm_private_dns_srv_record"), ...of("dns_srv_record_set")].filter((c) => c.change.before);
  const entries = (value: Record<string, any> | null | undefined): number => {
    const list = value?.record ?? value?.srv;
    return Array.isArray(list) ? list.length : 0;
  };
  const srvLoss = srv.filter((c) => is(c, "delete") || (updated(c) && c.change.after && entries(c.change.after) < entries(c.change.before)));
  if (srvLoss.length > 0) {
    findings.push({
      hazard: "srv-entry-removed",
      text: `removes _vlmcs._tcp SRV entries (${srvLoss.map((c) => `${c.address}: ${is(c, "delete") ? (is(c, "create") ? "deleted, then created again: clients find no host in between" : "deleted") : `${entries(c.change.before)} -> ${entries(c.change.after)} entries`}`).join("; ")})`,
      addresses: srvLoss.map((c) => c.address),
    });
  }

  const grants = of("azurerm_role_assignment").filter((c) => deleted(c) && /Key Vault Secrets User/i.test(String(c.change.before?.role_definition_name ?? "")));
  if (grants.length > 0) {
    findings.push({
      hazard: "key-vault-grant-removed",
      text: `removes a host's Key Vault grant (Key Vault Secrets User) without a replacement: ${grants.map((c) => c.address).join(", ")}; that host cannot read its KMS host key at its next bootstrap`,
      addresses: grants.map((c) => c.address),
    });
  }

  const acknowledged = new Set(options.acknowledge ?? []);
  const unacknowledged = production ? [...new Set(findings.flatMap((f) => (f.hazard && !acknowledged.has(f.hazard) ? [f.hazard] : [])))] : [];
  const counts = {
    create: changes.filter((c) => is(c, "create") && !is(c, "delete")).length,
    update: changes.filter(updated).length,
    replace: changes.filter(replaced).length,
    delete: changes.filter(deleted).length,
  };
  return { production, findings, unacknowledged, counts };
}

/** The report as text for a terminal. */
export function formatText(report: PlanReport): string {
  const { counts } = report;
  const lines = [
    `check-plan: ${report.production ? "production" : "not production"} plan: ${counts.create} to create, ${counts.update} to update in place, ${counts.replace} to replace, ${counts.delete} to destroy.`,
  ];
  if (report.findings.length === 0) lines.push("Nothing in this plan affects the KMS hosts, their locks, their keys or their DNS entries.");
  for (const f of report.findings) lines.push(`${f.hazard ? `HAZARD ${f.hazard}` : "note"}: ${f.text}`);
  if (report.unacknowledged.length > 0) {
    lines.push(`Refused: production hazards not acknowledged. Read them, then re-run with ${report.unacknowledged.map((h) => `--acknowledge ${h}`).join(" ")}`);
  } else if (report.findings.some((f) => f.hazard)) {
    lines.push(report.production ? "Every hazard is acknowledged." : "Not production: hazards are reported, not refused.");
  }
  return `${lines.join("\n")}\n`;
}

/** The report as Markdown, for a pull request. */
export function formatMarkdown(report: PlanReport): string {
  const { counts } = report;
  const lines = [
    `### Terraform plan: what it does to the KMS service`,
    "",
    `${report.production ? "**Production**" : "Not production"}: ${counts.create} to create, ${counts.update} to update in place, ${counts.replace} to replace, ${counts.delete} to destroy.`,
    "",
  ];
  if (report.findings.length === 0) lines.push("Nothing in this plan affects the KMS hosts, their locks, their keys or their DNS entries.");
  else {
    lines.push("| | What | Addresses |", "|---|---|---|");
    for (const f of report.findings) lines.push(`| ${f.hazard ? `:warning: \`${f.hazard}\`` : "note"} | ${f.text.replace(/\|/g, "\\|")} | ${f.addresses.map((a) => `\`${a}\``).join("<br>")} |`);
  }
  if (report.unacknowledged.length > 0) lines.push("", `**Refused** until acknowledged: ${report.unacknowledged.map((h) => `\`--acknowledge ${h}\``).join(" ")}`);
  return `${lines.join("\n")}\n`;
}

/** What the check-plan command reads and writes: files, standard output, standard error. */
export interface CheckPlanIo {
  readonly readFile: (file: string) => string;
  readonly writeFile: (file: string, text: string) => void;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The process's own files and streams: what `node dist/main.js check-plan` uses. */
export const PROCESS_IO: CheckPlanIo = {
  readFile: (file) => fs.readFileSync(file, "utf8"),
  writeFile: (file, text) => fs.writeFileSync(file, text),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The check-plan command: arguments after `check-plan`; returns the exit code (0, 1 hazard, 2 bad input). */
export function runCheckPlan(args: readonly string[], io: CheckPlanIo): number {
  const usage = "usage: check-plan <plan.json> [--markdown <out.md>] [--acknowledge <hazard-id>]... [--production]\n" + `hazard ids: ${HAZARD_IDS.join(", ")}\n`;
  let file: string | undefined;
  let markdown: string | undefined;
  let production = false;
  const acknowledge: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--markdown" || arg === "--acknowledge") {
      const value = args[++i];
      if (value === undefined) {
        io.err(`check-plan: ${arg} needs a value\n${usage}`);
        return 2;
      }
      if (arg === "--markdown") markdown = value;
      else if (!(HAZARD_IDS as readonly string[]).includes(value)) {
        io.err(`check-plan: unknown hazard id "${value}"\n${usage}`);
        return 2;
      } else acknowledge.push(value);
    } else if (arg === "--production") production = true;
    else if (arg === "--help" || arg === "-h") {
      io.out(usage);
      return 0;
    } else if (arg.startsWith("-") || file !== undefined) {
      io.err(`check-plan: unexpected argument "${arg}"\n${usage}`);
      return 2;
    } else file = arg;
  }
  if (file === undefined) {
    io.err(`check-plan: give the plan file (terraform show -json <planfile> > plan.json)\n${usage}`);
    return 2;
  }
  let report: PlanReport;
  try {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      throw new PlanInputError(`cannot read ${file}: ${(error as Error).message}`);
    }
    report = checkPlan(parsePlan(text, file), { acknowledge, production });
  } catch (error) {
    if (error instanceof PlanInputError) {
      io.err(`check-plan: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  io.out(formatText(report));
  if (markdown) io.writeFile(markdown, formatMarkdown(report));
  return report.unacknowledged.length > 0 ? 1 : 0;
}
