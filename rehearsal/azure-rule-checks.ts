// The Azure rules (azure-rules.ts) a synthesized stack can break on its own, checked on its JSON:
// what a `terraform plan` cannot see and Azure refuses at apply. A reference to a resource of the
// same stack (`${azurerm_virtual_network.x.id}`) is resolved to that resource's name and resource
// group, so a created vnet and the same vnet given by its id are recognised as one.
import { AZURE_RULES, type AzureRuleId } from "./azure-rules";

export interface AzureRuleProblem {
  readonly rule: AzureRuleId;
  readonly learnUrl: string;
  readonly addresses: readonly string[];
  readonly problem: string;
}

// Synthesized Terraform JSON is untyped by nature (eslint allows `any` under rehearsal/).
type Json = Record<string, any>;

/** An Azure resource's identity, lower case: subscription ("*" when unknown), resource group, name. */
interface Identity {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly name: string;
}

const REFERENCE = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$/i;

function resources(json: Json, type: string): [string, Json][] {
  return Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>);
}

/** A string attribute's literal value, following a `${type.name.attr}` reference inside the stack once. */
function literalOf(json: Json, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ref = REFERENCE.exec(value);
  if (!ref) return value.includes("${") ? undefined : value;
  const target = json.resource?.[ref[1]]?.[ref[2]];
  return target ? literalOf(json, target[ref[3]]) : undefined;
}

function providerSubscription(json: Json): string {
  const azurerm = ([] as Json[]).concat(json.provider?.azurerm ?? []).find((p) => !p.alias);
  return typeof azurerm?.subscription_id === "string" && !azurerm.subscription_id.includes("${") ? azurerm.subscription_id.toLowerCase() : "*";
}

/** The virtual network a link's `virtual_network_id` names: a literal id, or a vnet of this stack. */
export function vnetIdentity(json: Json, value: unknown): Identity | undefined {
  if (typeof value !== "string") return undefined;
  const id = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)$/i.exec(value);
  if (id) return { subscription: id[1].toLowerCase(), resourceGroup: id[2].toLowerCase(), name: id[3].toLowerCase() };
  const ref = REFERENCE.exec(value);
  if (!ref || ref[1] !== "azurerm_virtual_network" || ref[3] !== "id") return undefined;
  const vnet = json.resource?.azurerm_virtual_network?.[ref[2]];
  const name = literalOf(json, vnet?.name);
  const resourceGroup = literalOf(json, vnet?.resource_group_name);
  return name && resourceGroup ? { subscription: providerSubscription(json), resourceGroup: resourceGroup.toLowerCase(), name: name.toLowerCase() } : undefined;
}

const sameVnet = (a: Identity, b: Identity): boolean => a.name === b.name && a.resourceGroup === b.resourceGroup && (a.subscription === b.subscription || a.subscription === "*" || b.subscription === "*");

const learn = (id: AzureRuleId): string => AZURE_RULES.find((r) => r.id === id)?.learnUrl ?? "";

/** Two links of one zone to one vnet (Learn: one link per zone and virtual network). */
function duplicateLinks(json: Json): AzureRuleProblem[] {
  const problems: AzureRuleProblem[] = [];
  const seen: { address: string; zone: string; vnet: Identity | undefined; raw: string }[] = [];
  for (const [name, link] of resources(json, "azurerm_private_dns_zone_virtual_network_link")) {
    const address = `azurerm_private_dns_zone_virtual_network_link.${name}`;
    const zone = `${(literalOf(json, link.private_dns_zone_name) ?? String(link.private_dns_zone_name)).toLowerCase()}|${(literalOf(json, link.resource_group_name) ?? String(link.resource_group_name)).toLowerCase()}`;
    const vnet = vnetIdentity(json, link.virtual_network_id);
    const raw = String(link.virtual_network_id).toLowerCase();
    const other = seen.find((s) => s.zone === zone && (s.vnet && vnet ? sameVnet(s.vnet, vnet) : s.raw === raw));
    if (other) {
      problems.push({
        rule: "one-link-per-zone-vnet",
        learnUrl: learn("one-link-per-zone-vnet"),
        addresses: [other.address, address],
        problem: `${other.address} and ${address} both link zone ${zone.split("|")[0]} to vnet ${vnet ? `${vnet.resourceGroup}/${vnet.name}` : raw}; Azure allows one link per zone and vnet, so the second create fails at apply`,
      });
    }
    seen.push({ address, zone, vnet, raw });
  }
  return problems;
}

/** Two rules of one NSG and direction with one priority. */
function duplicatePriorities(json: Json): AzureRuleProblem[] {
  const problems: AzureRuleProblem[] = [];
  const seen = new Map<string, string>();
  for (const [name, rule] of resources(json, "azurerm_network_security_rule")) {
    const address = `azurerm_network_security_rule.${name}`;
    const key = `${rule.network_security_group_name}|${rule.direction}|${rule.priority}`;
    const other = seen.get(key);
    if (other) problems.push({ rule: "nsg-rule-priority-unique", learnUrl: learn("nsg-rule-priority-unique"), addresses: [other, address], problem: `${other} and ${address} share priority ${rule.priority} (${rule.direction})` });
    seen.set(key, address);
  }
  return problems;
}

/** A literal principal_id that is not an object id (GUID). */
function principalIds(json: Json): AzureRuleProblem[] {
  return resources(json, "azurerm_role_assignment")
    .filter(([, a]) => typeof a.principal_id === "string" && !a.principal_id.includes("${") && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(a.principal_id))
    .map(([name, a]) => ({
      rule: "role-assignment-principal-is-object-id",
      learnUrl: learn("role-assignment-principal-is-object-id"),
      addresses: [`azurerm_role_assignment.${name}`],
      problem: `azurerm_role_assignment.${name}: principal_id "${a.principal_id}" is not an object id (GUID)`,
    }));
}

/** Every Azure rule a synthesized cdk.tf.json breaks by itself. */
export function checkAzureRules(stackJson: unknown): readonly AzureRuleProblem[] {
  if (typeof stackJson !== "object" || stackJson === null) return [];
  const json = stackJson as Json;
  return [...duplicateLinks(json), ...duplicatePriorities(json), ...principalIds(json)];
}
