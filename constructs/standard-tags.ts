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
    // Tags given as a Terraform expression (a token) cannot be merged at synth: they are replaced.
    const ownTags = typeof own === "object" && own !== null ? (own as Record<string, string>) : undefined;
    // A resource that already has every standard key keeps its tags as they are (its own values
    // win anyway): nothing to change, and nothing to resolve again.
    if (ownTags !== undefined && Object.keys(this.tags).every((key) => key in ownTags)) return;
    node.tags = { ...this.tags, ...ownTags };
    markChangedSincePreparation(node);
  }
}

/** A resource class generated with a `tags` argument exposes `tagsInput`. */
export function isTaggable(resource: TerraformResource): resource is TerraformResource & {
  tags: Record<string, string>;
  readonly tagsInput: Record<string, string> | undefined;
} {
  return "tagsInput" in resource;
}
