// KmsDeleteLocks: CanNotDelete locks on what activation depends on (production). Each lock is
// scoped to one resource, so ordinary changes elsewhere in the group (an NSG rule renamed by a
// port change) still apply. Microsoft: a CanNotDelete lock is inherited by child and extension
// resources (learn.microsoft.com/azure/azure-resource-manager/management/lock-resources).
import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** The note every lock carries. */
export const KMS_LOCK_NOTES =
  "A KMS host, its key vault and its DNS records: deleting them stops volume activation and rebuilding a host spends a KMS host key activation. Remove this lock deliberately first.";

/** One resource to lock. */
export interface KmsLockTarget {
  /** Construct id of the lock, unique within the {@link KmsDeleteLocks}. */
  readonly id: string;
  /**
   * Terraform name of the lock (`azurerm_management_lock.<name>`), unique in the stack.
   * @default - the id, with every character Terraform does not accept replaced by `_`
   */
  readonly terraformName?: string;
  /** The resource to lock. */
  readonly resource: { readonly id: string };
  /**
   * What must succeed before the lock is created.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Replace the lock when any of these change (Terraform `replace_triggered_by`): for resources
   * under the lock that may be replaced or removed. With the lock depending on them, Terraform
   * deletes the lock first, then deletes or replaces them, and creates the lock again afterwards
   * (rehearsed with the real terraform binary on stand-ins: the lock's create waits for the
   * removed dependency's destroy; test/rehearsal/, scenarios vault-lock-window and bootstrap-replace).
   * @default - none
   */
  readonly replaceTriggeredBy?: string[];
}

/** Properties of {@link KmsDeleteLocks}. */
export interface KmsDeleteLocksProps {
  /** The resources to lock. */
  readonly targets: KmsLockTarget[];
}

/** A CanNotDelete lock on each target. */
export class KmsDeleteLocks extends Construct {
  /** The locks, in target order. */
  public readonly locks: ManagementLock[];

  constructor(scope: Construct, id: string, props: KmsDeleteLocksProps) {
    super(scope, id);
    this.locks = props.targets.map((target) =>
      nameElement(
        new ManagementLock(this, target.id, {
          name: "kms-do-not-delete",
          scope: target.resource.id,
          lockLevel: "CanNotDelete",
          notes: KMS_LOCK_NOTES,
          dependsOn: target.dependsOn,
          lifecycle: target.replaceTriggeredBy ? { replaceTriggeredBy: target.replaceTriggeredBy } : undefined,
        }),
        target.terraformName ?? terraformIdentifier(target.id),
      ),
    );
  }
}
