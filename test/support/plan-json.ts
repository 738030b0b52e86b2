// Plans in Terraform's documented JSON plan format (developer.hashicorp.com/terraform/internals/json-format,
// "Plan Representation": resource_changes[] with address, mode, type, name and change.actions / before /
// after), written by hand for the plan guard's tests (test/rehearsal/check-plan.test.ts,
// test/pipeline/guard-real.test.ts).

type Actions = string[];

/** One resource change of type `type` and name `name`. */
export function change(type: string, name: string, actions: Actions, before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  return { address: `${type}.${name}`, mode: "managed", type, name, provider_name: "registry.terraform.io/hashicorp/azurerm", change: { actions, before, after, after_unknown: {} } };
}

/** A plan's JSON text holding `resourceChanges`. */
export const plan = (...resourceChanges: unknown[]): string => JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", planned_values: {}, resource_changes: resourceChanges });

/** A KMS host VM's change; `before` and `after` add to (or override) its attributes. */
export const vm = (name: string, actions: Actions, before: Record<string, unknown> = {}, after: Record<string, unknown> = {}) =>
  change("azurerm_windows_virtual_machine", name, actions, actions[0] === "create" ? null : { computer_name: name, size: "Standard_D2s_v5", tags: { a: "1" }, ...before }, actions.join() === "delete" ? null : { computer_name: name, size: "Standard_D2s_v5", tags: { a: "1" }, ...after });

/** A CanNotDelete lock's change. */
export const lock = (name: string, actions: Actions) => change("azurerm_management_lock", name, actions, actions[0] === "create" ? null : { lock_level: "CanNotDelete", name: "kms-do-not-delete" }, actions.join() === "delete" ? null : { lock_level: "CanNotDelete" });
