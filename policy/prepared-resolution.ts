import { TerraformElement, TerraformStack, Tokenization } from "cdktf";
// cdktf's own merge of element fragments (TerraformStack.toTerraform uses it); cdktf 0.21.0 is
// pinned and archived, so this internal path cannot move.
import { deepMerge } from "cdktf/lib/util";
import { RESOLVER, type JsonObject } from "./config";

// What `app.synth()` does per stack (cdktf lib/app.js, lib/synthesize/synthesizer.js):
//   1. TerraformStack.prepareStack(): resolves every element with `preparing: true`, which is how
//      cdktf finds cross-stack references, and throws the result away;
//   2. invokeAspects(stack): the policy pack's visitStack resolves the whole stack again
//      (stack.toTerraform()) to check it;
//   3. stack.toTerraform() once more, for cdk.tf.json (after the aspects, which may change things).
// A stack that prepares through prepareKeepingResolution does step 1 exactly as cdktf does and keeps
// the fragments; the pack then builds its view from them instead of repeating step 2's resolution.
// A preparing resolution gives the same values as a plain one: `preparing` changes only how a
// reference to another stack's resource is registered (cdktf lib/tfExpression.js, Reference.resolve),
// and the reference resolves to the same string either way.

const prepared = new WeakMap<TerraformStack, Map<TerraformElement, JsonObject>>();

/** The stack's own elements, in cdktf's order (lib/terraform-stack.js terraformElements): not those of nested stacks. */
function terraformElements(node: TerraformStack | TerraformElement | import("constructs").IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (TerraformStack.isStack(child)) continue;
    terraformElements(child, into);
  }
  return into;
}

/**
 * `TerraformStack.prepareStack()` as cdktf 0.21.0 does it (make sure a backend exists, resolve every
 * element with `preparing: true`), keeping each element's resolved fragment for {@link takePreparedTerraform}.
 */
export function prepareKeepingResolution(stack: TerraformStack): void {
  stack.ensureBackendExists();
  const fragments = new Map<TerraformElement, JsonObject>();
  for (const element of terraformElements(stack)) {
    fragments.set(element, Tokenization.resolve(element.toTerraform(), { scope: stack, preparing: true, resolver: RESOLVER }) as JsonObject);
  }
  prepared.set(stack, fragments);
}

/**
 * The stack's configuration as `stack.toTerraform()` gives it (without the "//" metadata), built
 * from the fragments kept at preparation; undefined when the stack was not prepared that way. Used
 * once: a second call (a second synth) returns undefined. Elements added since the preparation
 * (a cross-stack output another stack's preparation created here) are resolved now.
 */
export function takePreparedTerraform(stack: TerraformStack): JsonObject | undefined {
  const fragments = prepared.get(stack);
  if (!fragments) return undefined;
  prepared.delete(stack);
  const terraform: Record<string, unknown> = {};
  for (const element of terraformElements(stack)) {
    deepMerge(terraform, fragments.get(element) ?? Tokenization.resolve(element.toTerraform(), { scope: stack, resolver: RESOLVER }));
  }
  // Stack-level escape hatches (stack.addOverride) go last, unresolved, as toTerraform merges them
  // (an undefined value deletes); then the parts they touched are resolved (resolving resolved
  // values changes nothing). cdktf keeps them in a private field; TypeScript's `private` only hides
  // it from the compiler.
  const rawOverrides = (stack as unknown as { rawOverrides: Record<string, unknown> }).rawOverrides;
  deepMerge(terraform, rawOverrides);
  for (const key of Object.keys(rawOverrides)) {
    // Stryker disable next-line ConditionalExpression: equivalent; a key deepMerge deleted (an undefined override) resolves to undefined again
    if (key in terraform) terraform[key] = Tokenization.resolve(terraform[key], { scope: stack, resolver: RESOLVER });
  }
  return terraform;
}
