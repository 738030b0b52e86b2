// KmsSrvRecord: how clients find the hosts in Azure Private DNS. Renders the environment's record
// model (KmsDnsRecords): an A record per host and one `_vlmcs._tcp` SRV record with an entry per
// host. Terraform owns the record, so the hosts' own DNS publishing is turned off by the bootstrap.
import { PrivateDnsARecord } from "@cdktf/provider-azurerm/lib/private-dns-a-record";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record";
import { Construct } from "constructs";
import { KMS_SRV_RECORD_NAME, KmsDnsRecords } from "./kms-dns-records";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** Properties of a {@link KmsSrvRecord}. */
export interface KmsSrvRecordProps {
  /** The environment's record model: zone, TTL, port, and each host's address, priority and weight. */
  readonly records: KmsDnsRecords;
  /** Resource group of the zone. */
  readonly resourceGroupName: string;
  /**
   * The zone name to put on the records; pass the created zone's `name` attribute so Terraform
   * orders the records after the zone. Must equal `records.zoneName` once resolved.
   * @default records.zoneName
   */
  readonly zoneNameReference?: string;
}

/** A records for the hosts and the `_vlmcs._tcp` SRV record that points at them. */
export class KmsSrvRecord extends Construct {
  /** The SRV record. */
  public readonly srvRecord: PrivateDnsSrvRecord;
  /** One A record per host, in host order. */
  public readonly hostRecords: PrivateDnsARecord[];
  /** The record model rendered. */
  public readonly records: KmsDnsRecords;

  constructor(scope: Construct, id: string, props: KmsSrvRecordProps) {
    super(scope, id);
    const { records } = props;
    this.records = records;
    const zoneName = props.zoneNameReference ?? records.zoneName;

    this.hostRecords = records.aRecords.map(
      (aRecord) =>
        new PrivateDnsARecord(this, `a-${aRecord.name}`, {
          name: aRecord.name,
          zoneName,
          resourceGroupName: props.resourceGroupName,
          ttl: records.ttl,
          records: [aRecord.address],
        }),
    );
    this.hostRecords.forEach((record, index) => nameElement(record, terraformIdentifier(records.aRecords[index].name)));

    // The target references the A record's fqdn (Azure returns it absolute, with the trailing dot,
    // as the model's target), which also orders the SRV record after the A records.
    this.srvRecord = new PrivateDnsSrvRecord(this, "srv", {
      name: KMS_SRV_RECORD_NAME,
      zoneName,
      resourceGroupName: props.resourceGroupName,
      ttl: records.ttl,
      record: records.srvEntries.map((entry, index) => ({
        priority: entry.priority,
        weight: entry.weight,
        port: entry.port,
        target: this.hostRecords[index].fqdn,
      })),
    });
    nameElement(this.srvRecord, "vlmcs");
  }

  /** The SRV record's FQDN (a token until apply), e.g. `_vlmcs._tcp.corp.contoso.com.`. */
  public get fqdn(): string {
    return this.srvRecord.fqdn;
  }
}
