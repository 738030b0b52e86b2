// StandardTags: puts the environment's tags on every taggable resource in a scope, including ones
// added later by other constructs, so no resource is ever left untagged.
import { IAspect, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";

/** Merges `tags` into every resource in the scope that supports tags; a resource's own tags win. */
export class StandardTags implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !isTaggable(node)) return;
    const own = node.tagsInput;
    node.tags = { ...this.tags, ...(typeof own === "object" && own !== null ? own : {}) };
  }
}

/** A resource class generated with a `tags` argument exposes `tagsInput`. */
export function isTaggable(resource: TerraformResource): resource is TerraformResource & {
  tags: Record<string, string>;
  readonly tagsInput: Record<string, string> | undefined;
} {
  return "tagsInput" in resource;
}
