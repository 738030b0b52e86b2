import type * as z from "zod";

/**
 * Reports what a refinement (superRefine) found wrong, as a custom zod issue: `message` names the
 * problem and the fix, `path` leads from the refined value to the field (none: the value itself).
 * load-environments.ts prints a custom issue's path and message as they are.
 */
export function addProblem(ctx: z.RefinementCtx, message: string, path: readonly (string | number)[] = []): void {
  // Stryker disable next-line StringLiteral: equivalent; nothing reads a custom issue's code (load-environments.ts only tells zod's own codes apart, and "" is none of them)
  ctx.addIssue({ code: "custom", path: [...path], message });
}
