// Tag names an environment file may give (issue 23, item 7): none Azure refuses, and none that
// would replace a standard tag the stack puts on every resource.
import type * as z from "zod";
import { addProblem } from "./add-problem";

/**
 * The standard tags stacks/kms-stack.ts puts on every taggable resource (with StandardTags): the
 * user's tags are merged after them, so a user tag of the same name would silently replace one.
 * test/config/tag-rules.test.ts checks this list against a synthesized stack.
 */
export const STANDARD_TAG_NAMES: readonly string[] = ["managed-by", "environment"];

/**
 * Characters Azure refuses in a tag name (Microsoft Learn, "Use tags to organize your Azure
 * resources and management hierarchy", Limitations: "Tag names can't contain these characters:
 * <, >, %, &, \, ?, /"; learn.microsoft.com/azure/azure-resource-manager/management/tag-resources).
 */
export const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;

/** Refinement of one tag name: none of the characters Azure refuses. */
export function tagNameProblem(name: string): string | undefined {
  const bad = [...new Set(name.match(new RegExp(TAG_NAME_FORBIDDEN.source, "g")) ?? [])];
  return bad.length > 0 ? `Azure refuses ${bad.map((c) => JSON.stringify(c)).join(", ")} in a tag name (it refuses < > % & \\ ? /); rename the tag` : undefined;
}

/** The parts of an environment the tag checks read. */
interface TagInput {
  readonly tags: Readonly<Record<string, string>>;
  readonly dns: { readonly privateZone: boolean };
}

/**
 * Whole-map checks. Azure compares tag names without case ("Tag names are case-insensitive for
 * operations", same Learn page), so `Environment` would replace the standard `environment`, and
 * two names differing only in case are one tag. Azure DNS zones take no tag name with a space or
 * starting with a digit (same Learn page, Limitations); the azurerm provider's issue #6129 shows a
 * private DNS zone dropping such tags (a diff on every plan), so they are refused while the stack
 * writes private DNS resources.
 */
export function checkTags(env: TagInput, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const name of Object.keys(env.tags)) {
    const folded = name.toLowerCase();
    const standard = STANDARD_TAG_NAMES.find((s) => s === folded);
    if (standard) {
      addProblem(ctx, `would replace the standard tag "${standard}" the stack puts on every resource (Azure compares tag names without case); rename the tag or remove it`, ["tags", name]);
    }
    const earlier = seen.get(folded);
    if (earlier !== undefined) {
      addProblem(ctx, `is the tag "${earlier}" again: Azure compares tag names without case, so both are one tag; keep one of them`, ["tags", name]);
    }
    seen.set(folded, name);
    if (env.dns.privateZone && (/\s/.test(name) || /^\d/.test(name))) {
      addProblem(ctx, "Azure DNS zones take no tag name with a space or starting with a digit, and the stack tags its private DNS zone and records; rename the tag (e.g. with hyphens)", ["tags", name]);
    }
  }
}
