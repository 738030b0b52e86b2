import type { TerraformResource, TerraformStack } from "cdktf";
import type { PolicyContext } from "./policy-context";

/** `error` fails synthesis; `warning` is reported but does not. */
export type RuleLevel = "error" | "warning";

/** One problem found by a rule. */
export interface Violation {
  /** What is wrong, without the trailing period. */
  readonly problem: string;
  /** How to fix it, as one sentence. */
  readonly fix: string;
}

/** A problem found by a stack-level check, optionally pinned to the resource that causes it. */
export interface StackViolation extends Violation {
  /**
   * The resource responsible (its suppressions apply and the annotation lands on it).
   * @default the stack itself
   */
  readonly resource?: ResourceConfig;
  /**
   * Where in the stack JSON the problem is, when it is not a resource (e.g. `variable.x.default`).
   * @default the resource address, or the stack
   */
  readonly location?: string;
}

/** The resolved Terraform JSON of one resource, as it will be synthesized (escape-hatch overrides included). */
export interface ResourceConfig {
  /** Terraform resource type, e.g. `azurerm_windows_virtual_machine`. */
  readonly type: string;
  /** Terraform resource name (the logical id in `cdk.tf.json`). */
  readonly name: string;
  /** Construct path, for humans. */
  readonly path: string;
  /** snake_case attributes; references are `${...}` strings. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The construct, for annotations and suppressions. */
  readonly construct: TerraformResource;
}

/** Everything a stack-level check may look at. */
export interface StackConfig {
  /** The stack under check. */
  readonly stack: TerraformStack;
  /** Every resource of the stack, resolved. */
  readonly resources: readonly ResourceConfig[];
  /** The whole resolved stack JSON (`stack.toTerraform()`), computed on first use. */
  terraform(): Readonly<Record<string, unknown>>;
}

/** A policy rule in the style of cdk-nag: one compliant state, reported at one level. */
export interface Rule {
  /** Stable id, e.g. `KMS-NET-001`; used in messages and suppressions. */
  readonly id: string;
  /** One line: the compliant state. */
  readonly statement: string;
  /** Whether a violation fails synthesis. */
  readonly level: RuleLevel;
  /** Ids of the generic scanner checks this rule mirrors (Checkov, Trivy, Azure Policy definition ids). */
  readonly mirrors: readonly string[];
  /** Why the rule exists, for RULES.md. */
  readonly explanation: string;
  /**
   * Resource types `checkResource` applies to.
   * @default every resource type
   */
  readonly resourceTypes?: readonly string[];
  /** Per-resource check. */
  checkResource?(resource: ResourceConfig, context: PolicyContext): readonly Violation[];
  /** Check that needs the whole stack (counts, cross-resource relations, JSON-wide scans). */
  checkStack?(stack: StackConfig, context: PolicyContext): readonly StackViolation[];
}
