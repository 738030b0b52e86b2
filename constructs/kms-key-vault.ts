// KmsKeyVault: the vault that holds the hosts' admin passwords and the customer's KMS host keys.
// Either an existing vault (by resource id) or one this construct creates with RBAC
// authorization, soft delete, optional purge protection and an optional firewall, plus the role
// that lets the deploying identity store the generated admin passwords.
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { DataAzurermKeyVault } from "@cdktf/provider-azurerm/lib/data-azurerm-key-vault";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AddressRange } from "./address-range";
import { providerForSubscription, resourceIdParts } from "./azure-resource-id";
import { nameElement } from "./terraform-name";

/** Built-in role that writes secrets: the deployer needs it to store the generated admin passwords. */
export const SECRETS_OFFICER_ROLE = "Key Vault Secrets Officer";

/** Properties of {@link KmsKeyVault}. */
export interface KmsKeyVaultProps {
  /** Resource group of a created vault. */
  readonly resourceGroupName: string;
  /** Azure region of a created vault. */
  readonly location: string;
  /**
   * Resource id of an existing vault (RBAC authorization). Exactly one of `existingId` and `name`.
   * @default - create the vault `name`
   */
  readonly existingId?: string;
  /**
   * Name of the vault to create.
   * @default - use `existingId`
   */
  readonly name?: string;
  /**
   * Turn on purge protection of a created vault (cannot be turned off again).
   * @default false
   */
  readonly purgeProtection?: boolean;
  /**
   * Public address ranges allowed through a created vault's firewall; when set, the firewall
   * denies everything else, and `subnetId` is allowed through its service endpoint.
   * @default - no vault firewall
   */
  readonly allowedCidrs?: string[];
  /**
   * The hosts' subnet, allowed through the firewall when `allowedCidrs` is set.
   * @default - none
   */
  readonly subnetId?: string;
  /**
   * Object id of the identity (a group or a pipeline's service principal) that runs terraform and
   * stores the admin passwords in a created vault. A role assignment cannot be updated in place
   * (every argument forces a new one: internal/services/authorization/role_assignment_resource.go),
   * so a fixed principal keeps it stable whoever runs terraform.
   * @default - whoever runs terraform (data.azurerm_client_config), which changes with the user
   */
  readonly deployerPrincipalId?: string;
  /**
   * Keep a created vault's public endpoint (behind `allowedCidrs`). false when the vault is reached
   * through a private endpoint: public network access off, and the firewall denies everything.
   * @default true
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Tags on a created vault (a stack's standard tags are merged in; these win).
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The Key Vault of one environment. */
export class KmsKeyVault extends Construct {
  /** The vault's resource id. */
  public readonly id: string;
  /** The vault's URI, e.g. https://kv-kms-lab.vault.azure.net/. */
  public readonly uri: string;
  /** The vault's name. */
  public readonly name: string;
  /** The vault, when this construct created it (lockable). */
  public readonly createdVault?: KeyVault;
  /** What must exist before secrets can be written or listed (the deployer's role on a created vault). */
  public readonly secretDependsOn: ITerraformDependable[];
  /** Object id of the deployer on a created vault (`deployerPrincipalId`, or whoever runs terraform). */
  public readonly deployerPrincipalId?: string;
  /** The deployer's role assignment on a created vault (scoped to the vault, so under its lock). */
  public readonly deployerRoleAssignment?: RoleAssignment;

  constructor(scope: Construct, id: string, props: KmsKeyVaultProps) {
    super(scope, id);
    const where = `KmsKeyVault ${this.node.path}`;
    if ((props.existingId === undefined) === (props.name === undefined)) {
      throw new Error(`${where}: give exactly one of existingId (use a vault) and name (create one)`);
    }
    if (props.existingId) {
      const { subscription, resourceGroup, name } = resourceIdParts(props.existingId);
      // Read in the vault's own subscription, which may not be the stack's (azure-resource-id.ts).
      const existing = nameElement(new DataAzurermKeyVault(this, "key-vault", { name, resourceGroupName: resourceGroup, provider: providerForSubscription(this, subscription) }), "kms");
      this.id = props.existingId;
      this.uri = existing.vaultUri;
      this.name = name;
      this.secretDependsOn = [];
      return;
    }
    // Who runs terraform: the vault's tenant, and the identity that stores the admin passwords.
    const client = nameElement(new DataAzurermClientConfig(this, "client"), "current");
    const vault = new KeyVault(this, "key-vault", {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.name as string,
      tenantId: client.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      softDeleteRetentionDays: 90,
      purgeProtectionEnabled: props.purgeProtection ?? false,
      tags: props.tags ? { ...props.tags } : undefined,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? true,
      networkAcls: props.publicNetworkAccess === false
        ? // Private endpoint only: nothing comes in over the public endpoint (CKV_AZURE_189, CKV_AZURE_109).
          { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkSubnetIds: [] }
        : props.allowedCidrs
        ? {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: props.allowedCidrs.map((cidr) => AddressRange.of(cidr).cidr),
            // An existing subnet needs the Microsoft.KeyVault service endpoint (README).
            virtualNetworkSubnetIds: props.subnetId ? [props.subnetId] : [],
          }
        : undefined,
    });
    nameElement(vault, "kms");
    // Whoever runs terraform writes the admin password secrets: give them exactly that right.
    const deployerCanWriteSecrets = new RoleAssignment(this, "deployer-secrets-officer", {
      scope: vault.id,
      roleDefinitionName: SECRETS_OFFICER_ROLE,
      principalId: props.deployerPrincipalId ?? client.objectId,
      description: "Lets the identity running terraform store the hosts' generated admin passwords.",
    });
    this.deployerRoleAssignment = deployerCanWriteSecrets;
    this.deployerPrincipalId = props.deployerPrincipalId ?? client.objectId;
    // The README's first apply targets this address by name: keep it stable.
    nameElement(deployerCanWriteSecrets, "deployer_secrets_officer");
    this.secretDependsOn = [deployerCanWriteSecrets];
    this.id = vault.id;
    this.uri = vault.vaultUri;
    this.name = props.name as string;
    this.createdVault = vault;
  }
}
