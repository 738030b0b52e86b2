// Azure's rules that decide an apply (issue 21, item 2), as data, each cited to Microsoft Learn.
// The provider passes these requests through and Azure refuses (or does) them at apply, so no
// plan shows them. The rehearsal's stand-ins (rehearsal/, issue 21b) fail the way Azure fails and
// name the rule id they implement; rehearsal/azure-rule-checks.ts checks the ones a synthesized
// stack alone can break.
export type AzureRuleId =
  | "lock-blocks-delete"
  | "lock-blocks-child-delete"
  | "purge-protection-irreversible"
  | "one-link-per-zone-vnet"
  | "key-vault-name-global"
  | "key-vault-soft-deleted-name-blocks-reuse"
  | "resize-powers-off"
  | "encryption-at-host-change-deallocates"
  | "role-assignment-no-update"
  | "run-command-failure-fails-deployment"
  // Open for rules found later (the interface note between the issue-21 helpers).
  | string;

export interface AzureRule {
  readonly id: AzureRuleId;
  /** What Azure does, in one sentence. */
  readonly statement: string;
  /** The Microsoft Learn page that says so. */
  readonly learnUrl: string;
  /** What it does to an apply of our stacks. */
  readonly effect: string;
}

const LOCKS = "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources";
const SOFT_DELETE = "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview";

export const AZURE_RULES: readonly AzureRule[] = [
  {
    id: "lock-blocks-delete",
    statement: "A CanNotDelete lock lets authorized users read and modify a resource but not delete it; the delete fails until the lock is removed.",
    learnUrl: LOCKS,
    effect: "Destroying or replacing a locked host, vault or DNS record fails at apply unless Terraform deletes the lock first (the lock depends on the resource, so a plan that replaces both deletes the lock first).",
  },
  {
    id: "lock-blocks-child-delete",
    statement: "A lock applies to the resource and is inherited by its child and extension resources; a CanNotDelete lock also blocks deleting role assignments at or below its scope.",
    learnUrl: LOCKS,
    effect: "A host's Run Command, extensions and maintenance assignment, a locked vault's diagnostic setting and private endpoint, and every role assignment scoped to a locked vault, cannot be deleted or replaced (role assignments are replaced, never updated) while the lock stands.",
  },
  {
    id: "lock-write-needs-authorization",
    statement: "Creating or deleting a management lock needs Microsoft.Authorization/* or Microsoft.Authorization/locks/* actions; of the built-in roles only Owner and User Access Administrator have them.",
    learnUrl: LOCKS,
    effect: "The deployer needs Microsoft.Authorization/locks/write and /delete on every scope the stack locks, including the DNS zone's resource group when the zone is elsewhere.",
  },
  {
    id: "purge-protection-irreversible",
    statement: "Once purge protection is enabled on a vault it cannot be disabled.",
    learnUrl: SOFT_DELETE,
    effect: "A plan that sets purge_protection_enabled from true to false fails at apply (azurerm says so only then), after any deletes that ran before it in the same apply.",
  },
  {
    id: "key-vault-name-global",
    statement: "A key vault's name is part of its DNS name (<name>.vault.azure.net) and must be unique across Azure.",
    learnUrl: "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault",
    effect: "Creating a vault whose name another tenant holds fails at apply.",
  },
  {
    id: "key-vault-soft-deleted-name-blocks-reuse",
    statement: "A deleted vault stays soft-deleted for its retention period (7 to 90 days) and its name cannot be reused until it is recovered or purged; with purge protection it cannot be purged.",
    learnUrl: SOFT_DELETE,
    effect: "Destroying and re-creating a purge-protected vault under the same name fails for the retention period; the provider recovers it only when features.key_vault.recover_soft_deleted_key_vaults is on.",
  },
  {
    id: "one-link-per-zone-vnet",
    statement: "A virtual network can be linked to a given private DNS zone only once.",
    learnUrl: "https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links",
    effect: "Two azurerm_private_dns_zone_virtual_network_link resources for one zone and one vnet: the second create fails at apply.",
  },
  {
    id: "resize-powers-off",
    statement: "Changing a running VM's size restarts it, and deallocates it when the new size is not available on the hardware cluster hosting it.",
    learnUrl: "https://learn.microsoft.com/azure/virtual-machines/sizes/resize-vm",
    effect: "A hosts.size change takes every host off line at once in one apply (each VM is resized in place).",
  },
  {
    id: "encryption-at-host-change-deallocates",
    statement: "Encryption at host can be turned on or off for an existing VM only while it is deallocated.",
    learnUrl: "https://learn.microsoft.com/azure/virtual-machines/disks-enable-host-based-encryption-portal",
    effect: "A hosts.encryptionAtHost change deallocates every host (azurerm stops and starts each VM around the update).",
  },
  {
    id: "role-assignment-no-update",
    statement: "A role assignment's scope, principal and role cannot be updated (RoleAssignmentUpdateNotPermitted); a different assignment is a new one.",
    learnUrl: "https://learn.microsoft.com/azure/role-based-access-control/troubleshooting",
    effect: "Any change to an assignment replaces it (delete, then create), which a lock at or above its scope blocks.",
  },
  {
    id: "run-command-failure-fails-deployment",
    statement: "A managed Run Command created or updated with treatFailureAsDeploymentFailure fails its deployment when the script fails (exits non-zero).",
    learnUrl: "https://learn.microsoft.com/azure/virtual-machines/windows/run-command-managed",
    effect: "A bootstrap that fails fails the apply: on create the Run Command is saved tainted (replaced on the next apply); on update its new values are saved as if applied, so only a changed value (kms.bootstrapRevision) re-runs it.",
  },
  {
    id: "role-assignment-principal-is-object-id",
    statement: "A role assignment's principalId is the object ID (a GUID) of the user, group or service principal in Microsoft Entra ID.",
    learnUrl: "https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template",
    effect: "A literal principal_id that is not a GUID (a name, an application id typed by hand in the wrong form) fails at apply; azurerm does not validate it (authorization/role_assignment_resource.go:100).",
  },
  {
    id: "nsg-rule-priority-unique",
    statement: "Rules of one network security group and one direction need distinct priorities (100 to 4096).",
    learnUrl: "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
    effect: "Two rules with one priority in one direction: the second create fails at apply.",
  },
];

/** The rule of an id; throws for an id that is not in AZURE_RULES. */
export function azureRule(id: AzureRuleId): AzureRule {
  const rule = AZURE_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no Azure rule "${id}"; the rules are ${AZURE_RULES.map((r) => r.id).join(", ")}`);
  return rule;
}
