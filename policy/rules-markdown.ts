import type { Rule } from "./rule";
import { MIN_REASON_LENGTH } from "./suppressions";

/** A suppression the product ships, documented in RULES.md. */
export interface ShippedSuppression {
  /** Rule id. */
  readonly id: string;
  /** Where it is applied. */
  readonly scope: string;
  /** The reason text, as recorded in the output. */
  readonly reason: string;
}

/**
 * The suppressions the KMS stack ships. The stack should import this reason so the code and the
 * catalogue cannot drift apart.
 */
export const SHIPPED_SUPPRESSIONS: readonly ShippedSuppression[] = [
  {
    id: "KMS-VM-007",
    scope: "each KMS host (azurerm_windows_virtual_machine)",
    reason:
      "The KMS host is set up by a managed Run Command (a VM extension operation) that installs the Volume Activation role and activates the customer's KMS host keys, read by the VM itself from Key Vault; with extension operations disabled the host cannot be bootstrapped unattended and keys would have to be typed in by hand. The same setting lets the Azure Monitor Agent, the one extension the rule still accepts as a resource, send the host's Key Management Service events and heartbeats to the alerts.",
  },
];

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** RULES.md content for `rules` (deterministic: same rules, same text). */
export function renderRulesMarkdown(rules: readonly Rule[], shipped: readonly ShippedSuppression[] = SHIPPED_SUPPRESSIONS): string {
  const lines = [
    "# KMS host policy rules",
    "",
    "<!-- Generated from ALL_RULES by renderRulesMarkdown (policy/rules-markdown.ts). Do not edit by hand: run `UPDATE_RULES_MD=1 npx jest test/policy/rules-md.test.ts`. -->",
    "",
    "Applied to every stack by `KmsPolicyPack` (a CDKTF Aspect). `error` fails synthesis; `warning` is reported only.",
    "",
    "| Id | Compliant state | Level | Mirrors |",
    "|---|---|---|---|",
    ...rules.map((r) => `| ${r.id} | ${cell(r.statement)} | ${r.level} | ${cell(r.mirrors.join(", ") || "-")} |`),
    "",
    "## Explanations",
    "",
    ...rules.flatMap((r) => [`- **${r.id}**: ${r.explanation}`]),
    "",
    "## Shipped suppressions",
    "",
    "| Rule | Scope | Reason |",
    "|---|---|---|",
    ...shipped.map((s) => `| ${s.id} | ${cell(s.scope)} | ${cell(s.reason)} |`),
    "",
    "## How to suppress",
    "",
    `Call \`suppressRule(construct, { id, reason })\` on the construct to exempt it and everything below it from one rule. The reason is mandatory (at least ${MIN_REASON_LENGTH} characters) and should say why the waiver is safe; an unknown rule id fails synthesis. Suppressed findings are reported as info instead of errors, every suppression is listed under \`"//".kms_policy_suppressions\` at the top of the stack's \`cdk.tf.json\`, each affected resource carries the suppressions applied to it in its own \`"//"\` comment, and \`listSuppressions(stack)\` returns them for review.`,
    "",
  ];
  return lines.join("\n");
}
