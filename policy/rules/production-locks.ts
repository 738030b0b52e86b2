import { address, isLiteralString, literalEquals, referencedAddress } from "../config";
import type { ResourceConfig, Rule, StackViolation } from "../rule";

/** Resources whose loss takes activation down or leaks the key recovery window. */
function isProtected(r: ResourceConfig): boolean {
  return (
    r.type === "azurerm_windows_virtual_machine" ||
    r.type === "azurerm_key_vault" ||
    /^azurerm_(private_)?dns_[a-z]+_record$/.test(r.type)
  );
}

/** ReadOnly also forbids deletion, so it satisfies the rule (it is stricter than CanNotDelete). */
function isDeleteLock(lock: ResourceConfig): boolean {
  return literalEquals(lock.config.lock_level, "CanNotDelete") || literalEquals(lock.config.lock_level, "ReadOnly");
}

/** Literal `/subscriptions/<id>/resourceGroups/<name>` (nothing below it) → the group name, lower-case. */
function literalGroupName(scope: unknown): string | undefined {
  if (!isLiteralString(scope)) return undefined;
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/?$/i.exec(scope);
  return m?.[1].toLowerCase();
}

/**
 * Whether a delete lock covers `r`: a lock scoped to `r` itself (`${type.name.id}`), or to the
 * resource group `r` lives in, matched by reference (`${azurerm_resource_group.x.id}` for a
 * resource whose resource_group_name is `${azurerm_resource_group.x.name}`, data sources too) or
 * by literal id/name.
 */
function covered(r: ResourceConfig, locks: readonly ResourceConfig[]): boolean {
  const rgRef = referencedAddress(r.config.resource_group_name, "name");
  const rgLiteral = isLiteralString(r.config.resource_group_name) ? r.config.resource_group_name.toLowerCase() : undefined;
  return locks.some((lock) => {
    const scope = lock.config.scope;
    const scopeRef = referencedAddress(scope, "id");
    if (scopeRef === address(r)) return true;
    if (scopeRef && scopeRef === rgRef && /(^|\.)azurerm_resource_group\./.test(scopeRef)) return true;
    return rgLiteral !== undefined && literalGroupName(scope) === rgLiteral;
  });
}

/** In production, hosts, Key Vault and DNS records are protected by a delete lock. */
export const ProductionLocks: Rule = {
  id: "KMS-OPS-001",
  statement: "In production, every Windows VM, Key Vault and DNS record is covered by an azurerm_management_lock (CanNotDelete or ReadOnly) scoped to its resource group or to itself.",
  level: "error",
  mirrors: [],
  explanation:
    "Deleting a KMS host, the vault holding its key or the _vlmcs SRV record stops activation for the whole estate. A lock on the resource group covers everything in it; otherwise each protected resource needs its own lock. Coverage is proven by reference (scope = ${azurerm_resource_group.x.id} and resource_group_name = ${azurerm_resource_group.x.name}) or by a literal resource-group id matching a literal group name.",
  checkStack(stack, context) {
    if (!context.production) return [];
    const locks = stack.resources.filter((r) => r.type === "azurerm_management_lock" && isDeleteLock(r));
    const out: StackViolation[] = [];
    for (const r of stack.resources.filter(isProtected)) {
      if (covered(r, locks)) continue;
      out.push({
        resource: r,
        problem: "no CanNotDelete management lock covers it in production",
        fix: "Add an azurerm_management_lock with lock_level CanNotDelete on its resource group (or on the resource itself).",
      });
    }
    return out;
  },
};
