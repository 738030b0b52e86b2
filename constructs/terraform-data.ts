// TerraformData: Terraform's built-in `terraform_data` resource (Terraform 1.4+), which keeps a
// value in state and is replaced when that value changes; other resources name it in
// `lifecycle.replace_triggered_by`. https://developer.hashicorp.com/terraform/language/resources/terraform-data
//
// cdktf ships the same resource as `DataResource`, but its constructor adds a validation that runs
// `terraform version` in a child process at every synth (cdktf 0.21.0,
// lib/terraform-data-resource.js, ValidateTerraformVersion): on a machine without a terraform
// binary the synth then fails ("Could not determine version of terraform"), and where there is
// one it costs a process start per resource. `npm run synth` must work offline on a machine with
// no terraform at all, so this is the resource without that check.
import { TerraformResource, anyToTerraform, hashMapper } from "cdktf";
import { Construct } from "constructs";
import { nameElement } from "./terraform-name";

/** The `<type>.<name>` address of a resource, as `lifecycle.replace_triggered_by` names it. */
export function resourceAddress(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/** Properties of {@link TerraformData}. */
export interface TerraformDataProps {
  /** The value kept in state; a change replaces the resource (and whatever it triggers). */
  readonly input: { readonly [key: string]: unknown };
  /**
   * Terraform name (`terraform_data.<name>`), unique in the stack.
   * @default - cdktf's name for the construct path
   */
  readonly terraformName?: string;
}

/** A `terraform_data` resource holding `input`. */
export class TerraformData extends TerraformResource {
  private readonly inputValue: { readonly [key: string]: unknown };

  constructor(scope: Construct, id: string, props: TerraformDataProps) {
    super(scope, id, { terraformResourceType: "terraform_data", terraformGeneratorMetadata: { providerName: "terraform" } });
    this.inputValue = props.input;
    if (props.terraformName !== undefined) nameElement(this, props.terraformName);
  }

  /** The `<type>.<name>` address, for `lifecycle.replace_triggered_by`. */
  public get address(): string {
    return resourceAddress(this);
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return { input: hashMapper(anyToTerraform)(this.inputValue) };
  }
}
