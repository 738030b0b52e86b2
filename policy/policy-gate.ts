// The policy pack cannot be switched off from code. cdktf writes a stack despite its error
// annotations when CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS is set (any value: the stack reads it
// when it is constructed, cdktf 0.21.0 lib/terraform-stack.js, and StackSynthesizer.synthesize
// then skips its check, lib/synthesize/synthesizer.js), and its own error message suggests setting
// it. A stack the pack checks gets a gate in cdktf's synthesis instead: StackSynthesizer runs each
// construct's custom synthesis step (leaves first, the stack last) after the aspects (the pack's
// checks) and the validations, and before it writes cdk.tf.json; the gate throws there when the
// stack has an error annotation, whatever the variable says and whether or not the app skips
// validations. Custom synthesis is keyed by the global symbol "cdktf/customSynthesis", which cdktf
// (lib/synthesize/synthesizer.js, addCustomSynthesis) and CDK Terrain (cdktn 0.24.0, same file)
// both read; cdktf's own TerraformAsset uses it to copy its file.
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");
const ERROR = "@cdktf/error";

/** The synthesis step that refuses to write a stack with error annotations. */
export class PolicyGate {
  constructor(private readonly stack: TerraformStack) {}

  /** Called by cdktf's StackSynthesizer before it writes the stack. */
  public onSynthesize(): void {
    const errors = this.stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((m) => m.type === ERROR).map((m) => `[${construct.node.path}] ${String(m.data)}`));
    if (errors.length === 0) return;
    throw new Error(
      `Encountered Annotations with level "ERROR":\n${errors.join("\n")}\n\nFix the issues above; stack ${this.stack.node.id} was not written. The KMS policy pack's errors stop synthesis whatever CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS says; a rule is waived for one construct only with suppressRule and a reason (RULES.md).`,
    );
  }
}

/** Whether `construct`'s custom synthesis step is a policy gate (it changes nothing in the stack). */
export function hasPolicyGate(construct: IConstruct): boolean {
  return (construct as unknown as Record<symbol, unknown>)[CUSTOM_SYNTHESIS] instanceof PolicyGate;
}

/**
 * Gives `stack` a {@link PolicyGate}, once. A stack with a custom synthesis step of someone else's
 * (cdktf defines the property once, not configurable) is refused rather than left ungated.
 */
export function gateSynthesis(stack: TerraformStack): void {
  const existing = (stack as unknown as Record<symbol, unknown>)[CUSTOM_SYNTHESIS];
  if (existing instanceof PolicyGate) return;
  if (existing !== undefined) {
    throw new Error(`KmsPolicyPack: stack ${stack.node.path} already has a custom synthesis step, so the pack cannot make its errors stop synthesis; apply the pack to a stack without one`);
  }
  Object.defineProperty(stack, CUSTOM_SYNTHESIS, { value: new PolicyGate(stack), enumerable: false });
}
