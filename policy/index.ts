// Public API of the KMS host policy pack.
export { KmsPolicyPack, PACK_ID, type KmsPolicyPackProps } from "./kms-policy-pack";
export { policyContext, type PolicyContext, type PolicyContextProps } from "./policy-context";
export type { ResourceConfig, Rule, RuleLevel, StackConfig, StackViolation, Violation } from "./rule";
export * from "./rules";
export { renderRulesMarkdown, SHIPPED_SUPPRESSIONS, type ShippedSuppression } from "./rules-markdown";
export {
  listSuppressions,
  MIN_REASON_LENGTH,
  suppressRule,
  SUPPRESSIONS_JSON_KEY,
  type RecordedSuppression,
  type RuleSuppression,
} from "./suppressions";
