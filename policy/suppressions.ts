// Suppressions are the audited way to waive a rule for a construct and everything below it.
// They live in construct metadata (so they follow the tree) and are also written into the
// synthesized JSON: the stack's top-level "//" comment lists every suppression, and the pack adds
// the ones it actually applied to each affected resource's "//" comment. Terraform ignores "//"
// keys, so the output stays valid while an auditor reading cdk.tf.json sees every waiver.
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

/** A request to waive one rule. */
export interface RuleSuppression {
  /** Id of the rule to waive, e.g. `KMS-VM-007`. */
  readonly id: string;
  /** Why the waiver is acceptable; at least {@link MIN_REASON_LENGTH} characters, recorded in the output. */
  readonly reason: string;
}

/** A suppression as recorded on a construct. */
export interface RecordedSuppression extends RuleSuppression {
  /** Construct path the suppression was added to (it covers that construct's subtree). */
  readonly path: string;
}

/** Shortest reason accepted: "n/a" or "ok" is not a justification. */
export const MIN_REASON_LENGTH = 10;

/** Key under the stack's and resources' `//` comment object in cdk.tf.json. */
export const SUPPRESSIONS_JSON_KEY = "kms_policy_suppressions";

const METADATA_TYPE = "kms-policy/suppression";

/**
 * Waives rule `id` for `construct` and all its children, with a mandatory reason.
 * @throws when the reason is shorter than {@link MIN_REASON_LENGTH} characters or the construct is not in a stack
 */
export function suppressRule(construct: IConstruct, suppression: RuleSuppression): void {
  const id = (suppression.id ?? "").trim();
  const reason = (suppression.reason ?? "").trim();
  if (id === "") throw new Error(`suppressRule(${construct.node.path}): a rule id is required`);
  if (reason.length < MIN_REASON_LENGTH || reason.toUpperCase() === id.toUpperCase()) {
    throw new Error(
      `suppressRule(${construct.node.path}, ${id}): a reason of at least ${MIN_REASON_LENGTH} characters explaining why the waiver is safe is required (got ${JSON.stringify(suppression.reason ?? "")})`,
    );
  }
  const stack = stackOf(construct);
  if (!stack) throw new Error(`suppressRule(${construct.node.path}, ${id}): the construct must be inside a TerraformStack`);
  construct.node.addMetadata(METADATA_TYPE, { id, reason });
  // Rewrite the whole list each time: addOverride replaces, it does not append.
  stack.addOverride(
    `//.${SUPPRESSIONS_JSON_KEY}`,
    listSuppressions(stack).map((s) => ({ rule_id: s.id, reason: s.reason, path: s.path })),
  );
}

/** Every suppression added inside the stack that contains `scope`, in construct order. */
export function listSuppressions(scope: IConstruct): RecordedSuppression[] {
  const stack = stackOf(scope);
  if (!stack) return [];
  return suppressionsWithConstructs(stack).map(({ construct, suppression }) => ({ ...suppression, path: construct.node.path }));
}

/** Suppressions together with the construct holding them (for the pack's unknown-id check). */
export function suppressionsWithConstructs(stack: TerraformStack): Array<{ construct: IConstruct; suppression: RuleSuppression }> {
  return stack.node.findAll().flatMap((c) => own(c).map((suppression) => ({ construct: c, suppression })));
}

/** The suppression of `ruleId` that covers `construct` (its own, or the nearest ancestor's). */
export function findSuppression(construct: IConstruct, ruleId: string): RecordedSuppression | undefined {
  for (const scope of [...construct.node.scopes].reverse()) {
    const hit = own(scope).find((s) => s.id === ruleId);
    if (hit) return { ...hit, path: scope.node.path };
  }
  return undefined;
}

function own(construct: IConstruct): RuleSuppression[] {
  return construct.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => m.data as RuleSuppression);
}

function stackOf(construct: IConstruct): TerraformStack | undefined {
  return construct.node.scopes.find((s): s is TerraformStack => TerraformStack.isStack(s));
}
