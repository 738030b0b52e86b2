// PLACEHOLDER: issue-21a owns this file (rehearsal/azure-rules.ts, /work/notes/rehearsal-interface.md):
// at the merge 21a's data replaces it. Only the rules the rehearsal's provisioners implement.
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
  | (string & {});
export interface AzureRule {
  readonly id: AzureRuleId;
  readonly statement: string;
  readonly learnUrl: string;
  readonly effect: string;
}
const LOCKS = "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources";
export const AZURE_RULES: readonly AzureRule[] = [
  { id: "lock-blocks-delete", statement: "A CanNotDelete lock forbids deleting the locked resource.", learnUrl: LOCKS, effect: "delete fails (ScopeLocked)" },
  {
    id: "lock-blocks-child-delete",
    statement: "A lock is inherited by the resources under its scope (a VM's Run Commands and extensions; role assignments at the scope).",
    learnUrl: LOCKS,
    effect: "delete of a child fails (ScopeLocked)",
  },
  {
    id: "purge-protection-irreversible",
    statement: "Once purge protection is enabled on a key vault it cannot be disabled.",
    learnUrl: "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection",
    effect: "update that turns it off fails at apply",
  },
  {
    id: "run-command-failure-fails-deployment",
    statement: "A managed Run Command with treatFailureAsDeploymentFailure fails its deployment when the script fails.",
    learnUrl: "https://learn.microsoft.com/azure/virtual-machines/windows/run-command-managed",
    effect: "create or update fails",
  },
];
