// Readable, stable Terraform addresses. cdktf names an element after its construct path and, when it
// is nested, appends a hash of that path (`azurerm_windows_virtual_machine.host-1_vm_E56776DB`:
// cdktf 0.21.0 lib/terraform-stack.js allocateLogicalId, lib/private/unique.js makeUniqueId), so an
// operator needs `terraform state list` before every `-target`, `-replace` or `state` command.
// Every construct of this library names each element it creates instead
// (`azurerm_windows_virtual_machine.kmslab01`), and two elements of a stack never get one address:
// the second is refused where it is created, naming both construct paths.
import { TerraformDataSource, TerraformElement, TerraformOutput, TerraformProvider, TerraformResource, TerraformStack, TerraformVariable } from "cdktf";
import { IConstruct } from "constructs";

/** What Terraform accepts as a resource, data source, variable or output name: a letter or underscore first, then letters, digits, underscores and dashes. */
export const TERRAFORM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The addresses taken in each stack, with the construct path that took each. */
const TAKEN = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * A Terraform name made from free text (a computer name, a secret name): lower case, every character
 * Terraform does not accept replaced by `_`, and `_` in front when it would not start with a letter.
 */
export function terraformIdentifier(text: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
  return /^[a-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** The address `name` gives `element`: `<type>.<name>`, `data.<type>.<name>`, `output.<name>`, `var.<name>`. */
export function terraformAddress(element: TerraformElement, name: string): string {
  if (TerraformResource.isTerraformResource(element)) return `${element.terraformResourceType}.${name}`;
  if (TerraformDataSource.isTerraformDataSource(element)) return `data.${element.terraformResourceType}.${name}`;
  if (TerraformOutput.isTerraformOutput(element)) return `output.${name}`;
  if (element instanceof TerraformVariable) return `var.${name}`;
  if (TerraformProvider.isTerraformProvider(element)) return `provider.${element.terraformResourceType}.${name}`;
  return `${element.constructor.name}.${name}`;
}

/**
 * Records that `element` takes `address` in its stack; throws when another element already has it
 * (Terraform would merge the two silently: cdktf deep-merges elements of one address).
 */
export function claimAddress(element: IConstruct, stack: TerraformStack, address: string): void {
  let taken = TAKEN.get(stack);
  if (!taken) TAKEN.set(stack, (taken = new Map()));
  const holder = taken.get(address);
  if (holder !== undefined && holder !== element.node.path) {
    throw new Error(
      `${element.node.path}: the Terraform address ${address} is already taken by ${holder} in stack ${stack.node.id}; two resources cannot share an address, so put the second KMS construct of this kind in a stack of its own or give the other resource another construct id`,
    );
  }
  taken.set(address, element.node.path);
}

/**
 * Names `element` `name` (its Terraform address becomes `<type>.<name>`), refusing a name that
 * Terraform would not accept or that another element of the stack already has. Call it right after
 * creating the element, before anything refers to it (cdktf fixes the name at the first reference).
 */
export function nameElement<T extends TerraformElement>(element: T, name: string): T {
  if (!TERRAFORM_NAME.test(name)) {
    throw new Error(`${element.node.path}: "${name}" is not a Terraform name; use letters, digits, underscores and dashes, starting with a letter or underscore`);
  }
  claimAddress(element, element.cdktfStack, terraformAddress(element, name));
  element.overrideLogicalId(name);
  return element;
}

/**
 * The name a stack gives an element that no construct named: its construct path below the stack,
 * joined by `_`, without cdktf's hash (`azurerm_public_ip.leak` for a public IP `leak` added to the
 * stack). The address is claimed like a named one, so a clash is refused rather than merged.
 */
export function readableLogicalId(stack: TerraformStack, element: TerraformElement): string {
  const components = element.node.scopes
    .slice(element.node.scopes.indexOf(stack) + 1)
    .map((c) => c.node.id)
    .filter((id) => id !== "Default");
  const name = terraformIdentifierKeepingCase(components.join("_"));
  claimAddress(element, stack, terraformAddress(element, name));
  return name;
}

/** As {@link terraformIdentifier}, keeping the case (construct ids are written by people). */
function terraformIdentifierKeepingCase(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}
