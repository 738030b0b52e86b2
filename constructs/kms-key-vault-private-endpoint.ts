// KmsKeyVaultPrivateEndpoint: the vault reached through a private endpoint in a subnet
// (keyVault.privateEndpoint), its name resolved through the privatelink.vaultcore.azure.net zone:
// one the construct creates and links to the hosts' vnet, or an existing one (a hub's central
// zone, already linked). The vault's public network access is turned off by KmsKeyVault; the
// bootstrap on the hosts and the pipeline that writes the admin passwords both reach it here.
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { Construct } from "constructs";
import { nameElement } from "./terraform-name";

/** The private link zone of Key Vault in Azure's public cloud (learn.microsoft.com/azure/private-link/private-endpoint-dns). */
export const KEY_VAULT_PRIVATE_LINK_ZONE = "privatelink.vaultcore.azure.net";
/** The private link sub-resource of a vault (same page: Microsoft.KeyVault/vaults, subresource "vault"). */
export const KEY_VAULT_SUBRESOURCE = "vault";

/** Properties of {@link KmsKeyVaultPrivateEndpoint}. */
export interface KmsKeyVaultPrivateEndpointProps {
  /** Resource group of the endpoint (and of a created zone). */
  readonly resourceGroupName: string;
  /** Azure region of the endpoint (the subnet's region). */
  readonly location: string;
  /** Name of the endpoint, e.g. `pe-kv-kms-lab`. */
  readonly name: string;
  /** Resource id of the vault. */
  readonly keyVaultId: string;
  /** Subnet of the endpoint. */
  readonly subnetId: string;
  /**
   * An existing privatelink.vaultcore.azure.net zone (resource id), already linked to the networks that resolve the vault.
   * @default - create the zone and link it to `linkedVnetId`
   */
  readonly existingZoneId?: string;
  /**
   * The virtual network a created zone is linked to (the hosts' vnet), so the hosts resolve the vault privately.
   * @default - required when the zone is created
   */
  readonly linkedVnetId?: string;
}

/** A private endpoint to a Key Vault, with its DNS. */
export class KmsKeyVaultPrivateEndpoint extends Construct {
  /** The private endpoint. */
  public readonly endpoint: PrivateEndpoint;
  /** The zone, when the construct created it. */
  public readonly createdZone?: PrivateDnsZone;

  constructor(scope: Construct, id: string, props: KmsKeyVaultPrivateEndpointProps) {
    super(scope, id);
    let zoneId: string;
    if (props.existingZoneId) {
      zoneId = props.existingZoneId;
    } else {
      if (!props.linkedVnetId) {
        throw new Error(`KmsKeyVaultPrivateEndpoint ${this.node.path}: a created ${KEY_VAULT_PRIVATE_LINK_ZONE} zone needs linkedVnetId (the hosts' vnet), or give existingZoneId`);
      }
      this.createdZone = nameElement(new PrivateDnsZone(this, "zone", { name: KEY_VAULT_PRIVATE_LINK_ZONE, resourceGroupName: props.resourceGroupName }), "key_vault_private_link");
      const link = new PrivateDnsZoneVirtualNetworkLink(this, "zone-link", {
        name: `link-${props.name}`,
        resourceGroupName: props.resourceGroupName,
        privateDnsZoneName: this.createdZone.name,
        virtualNetworkId: props.linkedVnetId,
        registrationEnabled: false,
      });
      nameElement(link, "key_vault_private_link");
      zoneId = this.createdZone.id;
    }
    this.endpoint = new PrivateEndpoint(this, "endpoint", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      subnetId: props.subnetId,
      privateServiceConnection: {
        name: `psc-${props.name}`,
        privateConnectionResourceId: props.keyVaultId,
        subresourceNames: [KEY_VAULT_SUBRESOURCE],
        isManualConnection: false,
      },
      // The zone group writes the vault's A record into the zone (and removes it with the endpoint).
      privateDnsZoneGroup: { name: "vault", privateDnsZoneIds: [zoneId] },
    });
    nameElement(this.endpoint, "key_vault");
  }
}
