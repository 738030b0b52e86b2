// KmsPrivateDns: the Azure Private DNS side of discovery. Optionally creates the zone and links
// it to the hosts' virtual network and any others, then publishes the hosts' A records and the
// `_vlmcs._tcp` SRV record in it (through KmsSrvRecord).
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { Construct } from "constructs";
import { KmsDnsRecords } from "./kms-dns-records";
import { KmsSrvRecord } from "./kms-srv-record";
import { nameElement } from "./terraform-name";

/** Properties of {@link KmsPrivateDns}. */
export interface KmsPrivateDnsProps {
  /** Resource group of the zone. */
  readonly resourceGroupName: string;
  /**
   * Create the zone (true) or publish into an existing one (false).
   * @default true
   */
  readonly createZone?: boolean;
  /**
   * Virtual networks to link to the zone, created or existing (with an existing zone, list only
   * vnets not linked to it yet: Azure refuses a second link of one vnet to one zone).
   * @default - none
   */
  readonly linkedVnetIds?: string[];
  /** Prefix of the link names, e.g. `link-kms-lab` (then `link-kms-lab-2`, ...). */
  readonly linkNamePrefix: string;
  /** The environment's record model (zone, hosts, port, TTL, priorities and weights). */
  readonly records: KmsDnsRecords;
}

/** The private DNS zone (created or existing) and the KMS records in it. */
export class KmsPrivateDns extends Construct {
  /** The A and SRV records. */
  public readonly records: KmsSrvRecord;

  constructor(scope: Construct, id: string, props: KmsPrivateDnsProps) {
    super(scope, id);
    let zoneName = props.records.zoneName;
    if (props.createZone ?? true) {
      const zone = nameElement(new PrivateDnsZone(this, "dns-zone", { name: props.records.zoneName, resourceGroupName: props.resourceGroupName }), "kms");
      // Referencing the zone's name orders the records after the zone.
      zoneName = zone.name;
    }
    // Links go to the zone whether this construct created it or not: a vnet listed for an existing
    // zone is linked to it, never silently dropped.
    (props.linkedVnetIds ?? []).forEach((vnetId, index) => {
      const link = new PrivateDnsZoneVirtualNetworkLink(this, `dns-link-${index + 1}`, {
        name: index === 0 ? props.linkNamePrefix : `${props.linkNamePrefix}-${index + 1}`,
        resourceGroupName: props.resourceGroupName,
        privateDnsZoneName: zoneName,
        virtualNetworkId: vnetId,
        registrationEnabled: false,
      });
      nameElement(link, `vnet_${index + 1}`);
    });
    this.records = new KmsSrvRecord(this, "kms-dns", {
      records: props.records,
      resourceGroupName: props.resourceGroupName,
      zoneNameReference: zoneName,
    });
  }
}
