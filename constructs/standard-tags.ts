// StandardTags: puts the environment's tags on every taggable resource in a scope, including ones
// added later by other constructs, so no resource is ever left untagged.
import { IAspect, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import { markChangedSincePreparation, REPORTS_CHANGES, type ChangeReportingAspect } from "../policy/prepared-resolution";

/** Options of {@link StandardTags}. */
export interface StandardTagsOptions {
  /**
   * Terraform resource types left alone, because a tag change would do more than retag them. A
   * Run Command's tags are part of its PUT, and Azure re-runs a Run Command whose resource changed
   * (internal/services/compute/virtual_machine_run_command_resource.go: tags update in place), so
   * tagging it would re-run the bootstrap on every host whenever a tag changes.
   * @default - none
   */
  readonly excludeResourceTypes?: readonly string[];
}

/**
 * Merges `tags` into every resource in the scope that supports tags; a resource's own tags win. A
 * resource that already has them is left alone, and every resource it retags is reported to the
 * stack's kept resolution (policy/prepared-resolution.ts), so synth resolves only those again.
 */
export class StandardTags implements IAspect, ChangeReportingAspect {
  public readonly [REPORTS_CHANGES] = true as const;

  constructor(
    private readonly tags: Readonly<Record<string, string>>,
    private readonly options: StandardTagsOptions = {},
  ) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !isTaggable(node)) return;
    if (this.options.excludeResourceTypes?.includes(node.terraformResourceType)) return;
    const own = node.tagsInput;
    const tags = { ...this.tags, ...(typeof own === "object" && own !== null ? own : {}) };
    if (own !== undefined && sameTags(own, tags)) return;
    node.tags = tags;
    markChangedSincePreparation(node);
  }
}

/** Whether `own` (a resource's tags, possibly a token) holds exactly `tags`. */
function sameTags(own: unknown, tags: Readonly<Record<string, string>>): boolean {
  if (typeof own !== "object" || own === null) return false;
  const ownKeys = Object.keys(own);
  return ownKeys.length === Object.keys(tags).length && ownKeys.every((key) => (own as Record<string, unknown>)[key] === tags[key]);
}

/** A resource class generated with a `tags` argument exposes `tagsInput`. */
export function isTaggable(resource: TerraformResource): resource is TerraformResource & {
  tags: Record<string, string>;
  readonly tagsInput: Record<string, string> | undefined;
} {
  return "tagsInput" in resource;
}
