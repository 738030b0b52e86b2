// The rehearsal's test helpers: the fixture environment (test/fixtures/rehearsal/production.yaml)
// with edits, its synthesized stack, and addresses found by type and properties (never by the
// generated names, which another change renames).
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parseEnvironment } from "../../config/load-environments";
import { Rehearsal } from "../../rehearsal/terraform";
import { SCENARIOS, ScenarioId } from "../rehearsal/scenarios";
import { synthesizeEnvironment } from "./synth";

export const REHEARSAL_FIXTURE = path.join(__dirname, "..", "fixtures", "rehearsal", "production.yaml");

/** The fixture's data with `change` applied. */
export function rehearsalData(change: (data: Record<string, any>) => void = () => undefined): Record<string, any> {
  const data = parse(fs.readFileSync(REHEARSAL_FIXTURE, "utf8")) as Record<string, any>;
  change(data);
  return data;
}

/** The synthesized stack (cdk.tf.json, parsed) of the fixture with `change` applied. */
export function rehearsalStack(change?: (data: Record<string, any>) => void): Record<string, any> {
  const data = rehearsalData(change);
  // Scenarios synthesize the same edits again and again: once per test file is enough.
  const key = JSON.stringify(data);
  const cached = synthesized.get(key);
  if (cached) return cached;
  const result = parseEnvironment(`environments/${String(data.name)}.yaml`, stringify(data));
  if (!result.ok) throw new Error(`rehearsal fixture is invalid:\n${result.problems.map((p) => `${p.field}: ${p.message}`).join("\n")}`);
  const json = synthesizeEnvironment(result.environment).json;
  synthesized.set(key, json);
  return json;
}
const synthesized = new Map<string, Record<string, any>>();

type Body = Record<string, any>;

/** Every resource of a type: address and configuration. */
export function resourcesOf(stack: Body, type: string): { address: string; body: Body }[] {
  return Object.entries((stack.resource?.[type] ?? {}) as Record<string, Body>).map(([name, body]) => ({ address: `${type}.${name}`, body }));
}

const refersTo = (value: unknown, address: string): boolean => typeof value === "string" && value.includes(`\${${address}.`);

/** The hosts (VM addresses), in computer-name order, with their computer names. */
export function hostsOf(stack: Body): { address: string; name: string }[] {
  return resourcesOf(stack, "azurerm_windows_virtual_machine")
    .map((r) => ({ address: r.address, name: String(r.body.computer_name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The host's bootstrap (its Run Command). */
export function bootstrapOf(stack: Body, vm: string): string {
  const found = resourcesOf(stack, "azurerm_virtual_machine_run_command").filter((r) => refersTo(r.body.virtual_machine_id, vm));
  if (found.length !== 1) throw new Error(`expected one Run Command on ${vm}, found ${found.length}`);
  return found[0].address;
}

/** The host's maintenance configuration assignment (its patch window). */
export function maintenanceAssignmentOf(stack: Body, vm: string): string {
  const found = resourcesOf(stack, "azurerm_maintenance_assignment_virtual_machine").filter((r) => refersTo(r.body.virtual_machine_id, vm));
  if (found.length !== 1) throw new Error(`expected one maintenance assignment on ${vm}, found ${found.length}`);
  return found[0].address;
}

/** The CanNotDelete lock on a resource, if any. */
export function lockOf(stack: Body, target: string): string | undefined {
  return resourcesOf(stack, "azurerm_management_lock").find((r) => r.body.scope === `\${${target}.id}`)?.address;
}

/** The host's Key Vault grants (role assignments to its identity). */
export function grantsOf(stack: Body, vm: string): string[] {
  return resourcesOf(stack, "azurerm_role_assignment")
    .filter((r) => refersTo(r.body.principal_id, vm))
    .map((r) => r.address);
}

/** The single resource of a type. */
export function onlyOf(stack: Body, type: string): string {
  const found = resourcesOf(stack, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0].address;
}

/** Planned actions by real address, no-ops left out. */
export function changed(rehearsal: Rehearsal, ...args: string[]): Map<string, string> {
  const plan = rehearsal.plan(...args);
  if (!plan.json) throw new Error(`terraform plan failed:\n${plan.run.stderr}`);
  return new Map(
    Rehearsal.changes(plan.json)
      .filter((c) => c.actions.join() !== "no-op" && c.actions.join() !== "read")
      .map((c) => [c.address, c.actions.join("+")]),
  );
}

/** Expects an apply to succeed, with terraform's error output in the failure message. */
export function applied(run: { code: number; stderr: string }): void {
  if (run.code !== 0) throw new Error(`terraform failed (${run.code}):\n${run.stderr}`);
}

/** Position of an event (`create <address>`) in a log; fails when absent. */
export function at(log: readonly string[], event: string): number {
  const index = log.indexOf(event);
  if (index < 0) throw new Error(`"${event}" is not in the log:\n${log.join("\n")}`);
  return index;
}

/** Saved searches (stored queries): every argument, tags included, forces a new one; replacing one costs nothing. */
export const SAVED_SEARCH = (address: string): boolean => address.startsWith("azurerm_log_analytics_saved_search.");

export type Edit = (data: Record<string, any>) => void;
/**
 * tier: lab. A lab vault needs allowedCidrs or privateEndpoint (issue 23); the flip names the private
 * endpoint production had by default, so it changes the tier's rules (locks, purge protection) and
 * not the vault's exposure.
 */
export const lab: Edit = (d) => {
  d.tier = "lab";
  d.keyVault.privateEndpoint ??= { privateDnsZone: { create: true } };
};
export const both =
  (...edits: Edit[]): Edit =>
  (d) =>
    edits.forEach((e) => e(d));

/** A scenario: a describe named by its id (the README's markers name these ids). */
export function scenario(id: ScenarioId, body: () => void): void {
  describe(`[${id}] ${SCENARIOS[id]}`, body);
}

const bases = new Map<string, { rehearsal: Rehearsal; stack: Record<string, any> }>();
afterAll(() => {
  for (const base of bases.values()) base.rehearsal.dispose();
  bases.clear();
});

/** The fixture (production, or with `lab` the lab tier) applied once per test file; copies of it are cheap. */
function base(first?: Edit): { rehearsal: Rehearsal; stack: Record<string, any> } {
  const key = first === lab ? "lab" : first === undefined ? "production" : undefined;
  if (key && bases.has(key)) return bases.get(key)!;
  const rehearsal = new Rehearsal();
  const stack = rehearsalStack(first);
  rehearsal.configure(stack);
  applied(rehearsal.apply());
  rehearsal.takeLog();
  if (key) bases.set(key, { rehearsal, stack });
  return { rehearsal, stack };
}

/** A rehearsal directory holding the fixture (edited by `first`) applied, disposed after the describe. */
export function rehearse(first?: Edit): { r: () => Rehearsal; stack: () => Record<string, any> } {
  let rehearsal: Rehearsal;
  let stack: Record<string, any>;
  beforeAll(() => {
    const applied = base(first);
    rehearsal = applied.rehearsal.copy();
    stack = applied.stack;
  });
  afterAll(() => rehearsal?.dispose());
  return { r: () => rehearsal, stack: () => stack };
}

/** An Office product to add to the fixture (its pack's address and hash are made up). */
export const OFFICE = {
  product: "office-ltsc-2024",
  secretName: "kms-host-key-office-ltsc-2024",
  volumeLicensePack: { uri: "https://download.microsoft.com/download/x/Office2024VolumeLicensePack.exe", sha256: "1".repeat(64) },
};
