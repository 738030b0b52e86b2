// KmsHostKeys: the customer's KMS host keys (CSVLKs), which live only in Key Vault. Terraform
// never reads a key: it checks that each secret exists (by name, through a data source that
// returns names only) and grants a host's identity read access to exactly those secrets.
import { DataAzurermKeyVaultSecrets } from "@cdktf/provider-azurerm/lib/data-azurerm-key-vault-secrets";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** Built-in role that reads secret contents and nothing else. */
export const SECRETS_USER_ROLE = "Key Vault Secrets User";

/** Properties of {@link KmsHostKeys}. */
export interface KmsHostKeysProps {
  /** Resource id of the Key Vault (RBAC authorization) that holds the keys. */
  readonly keyVaultId: string;
  /** The vault's name, for error messages and upload commands. */
  readonly keyVaultName: string;
  /** Names of the secrets, one per KMS host key. */
  readonly secretNames: string[];
  /**
   * What must exist before the vault's secret names can be listed (e.g. the deployer's role on a new vault).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The command that uploads a KMS host key; shown wherever a key is missing. It is the README's
 * form: the key is typed at a silent prompt, so it never appears on a command line or in history.
 */
export function uploadCommand(keyVaultName: string, secretName: string): string {
  return `read -rs KMS_KEY && az keyvault secret set --vault-name ${keyVaultName} --name ${secretName} --value "$KMS_KEY" --output none; unset KMS_KEY`;
}

/** The KMS host keys in Key Vault: an existence check, and per-secret read grants. */
export class KmsHostKeys extends Construct {
  /** The secret names. */
  public readonly secretNames: readonly string[];
  /** Lists the vault's secret names (never values) and fails with the upload command if one is missing. */
  public readonly existenceCheck: DataAzurermKeyVaultSecrets;
  private readonly keyVaultId: string;

  constructor(scope: Construct, id: string, props: KmsHostKeysProps) {
    super(scope, id);
    if (props.secretNames.length === 0) {
      throw new Error(`KmsHostKeys ${this.node.path}: secretNames is empty; list the secret of every KMS host key`);
    }
    if (new Set(props.secretNames).size !== props.secretNames.length) {
      throw new Error(`KmsHostKeys ${this.node.path}: secretNames lists a secret twice; each KMS host key needs its own secret`);
    }
    this.secretNames = [...props.secretNames];
    this.keyVaultId = props.keyVaultId;
    this.existenceCheck = new DataAzurermKeyVaultSecrets(this, "names", {
      keyVaultId: props.keyVaultId,
      dependsOn: props.dependsOn,
      lifecycle: {
        postcondition: props.secretNames.map((name) => ({
          condition: `\${contains(self.names, ${JSON.stringify(name)})}`,
          errorMessage: `Key Vault ${props.keyVaultName} has no secret ${name}. Upload the KMS host key first: ${uploadCommand(props.keyVaultName, name)} (README, "Keys and activation").`,
        })),
      },
    });
    nameElement(this.existenceCheck, "kms_host_keys");
  }

  /** The role-assignment scope of one secret: read access to that secret alone. */
  public secretScope(secretName: string): string {
    return `${this.keyVaultId}/secrets/${secretName}`;
  }

  /**
   * Grants `principalId` (a host's managed identity) `Key Vault Secrets User` on each of `secretNames`
   * and nothing else in the vault. Returns the assignments, for ordering what needs them.
   */
  public grantRead(scope: Construct, id: string, principalId: string, secretNames: readonly string[], who: string): RoleAssignment[] {
    return secretNames.map((secretName) => {
      if (!this.secretNames.includes(secretName)) {
        throw new Error(`KmsHostKeys ${this.node.path}: "${secretName}" is not one of the KMS host key secrets (${this.secretNames.join(", ")})`);
      }
      const grant = new RoleAssignment(scope, `${id}-${secretName}`, {
        scope: this.secretScope(secretName),
        roleDefinitionName: SECRETS_USER_ROLE,
        principalId,
        principalType: "ServicePrincipal",
        description: `Lets ${who} read the KMS host key in secret ${secretName}, and no other secret.`,
        dependsOn: [this.existenceCheck],
      });
      // e.g. azurerm_role_assignment.kmslab01_reads_kms-host-key-windows
      return nameElement(grant, `${terraformIdentifier(who)}_reads_${terraformIdentifier(secretName)}`);
    });
  }
}
