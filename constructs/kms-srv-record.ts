// KmsSrvRecord: how clients find the hosts. An A record per host and one `_vlmcs._tcp` SRV record
// with an entry per host, in an Azure Private DNS zone. Terraform owns the record, so the hosts'
// own DNS publishing is turned off by the bootstrap.
import { PrivateDnsARecord } from "@cdktf/provider-azurerm/lib/private-dns-a-record";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record";
import { Construct } from "constructs";
import { DEFAULT_KMS_PORT, assertTcpPort } from "./kms-port";

/** The SRV record name KMS clients query: service `_vlmcs`, protocol `_tcp` (Microsoft Learn, kms-create-host). */
export const KMS_SRV_RECORD_NAME = "_vlmcs._tcp";

/** One host to publish. */
export interface KmsSrvRecordHost {
  /** Record name of the host in the zone (its computer name, lower case). */
  readonly name: string;
  /** The host's private IP address (a token is fine). */
  readonly privateIp: string;
}

/** Properties of a {@link KmsSrvRecord}. */
export interface KmsSrvRecordProps {
  /** Private DNS zone name, e.g. `corp.contoso.com`. */
  readonly zoneName: string;
  /** Resource group of the zone. */
  readonly resourceGroupName: string;
  /** The hosts, in the order of their SRV entries. */
  readonly hosts: KmsSrvRecordHost[];
  /**
   * TCP port in every SRV entry; must equal the port the hosts listen on.
   * @default 1688
   */
  readonly port?: number;
  /**
   * TTL of the A and SRV records, in seconds.
   * @default 3600
   */
  readonly ttl?: number;
  /**
   * SRV priority of every entry. Microsoft's docs disagree on whether clients honour it: treat it
   * as advisory.
   * @default 0
   */
  readonly priority?: number;
  /**
   * SRV weight of every entry.
   * @default 0
   */
  readonly weight?: number;
}

/** A records for the hosts and the `_vlmcs._tcp` SRV record that points at them. */
export class KmsSrvRecord extends Construct {
  /** The SRV record. */
  public readonly srvRecord: PrivateDnsSrvRecord;
  /** One A record per host, in host order. */
  public readonly hostRecords: PrivateDnsARecord[];

  constructor(scope: Construct, id: string, props: KmsSrvRecordProps) {
    super(scope, id);
    const where = `KmsSrvRecord ${this.node.path}`;
    const port = props.port ?? DEFAULT_KMS_PORT;
    assertTcpPort(port, where);
    const ttl = props.ttl ?? 3600;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 2147483647) {
      throw new RangeError(`${where}: ttl ${ttl} is not a DNS TTL; use whole seconds from 1 to 2147483647`);
    }
    if (props.hosts.length === 0) {
      throw new Error(`${where}: hosts is empty; a SRV record needs at least one target`);
    }
    const seen = new Set<string>();
    for (const host of props.hosts) {
      if (seen.has(host.name)) throw new Error(`${where}: host name "${host.name}" appears twice; every host needs its own A record`);
      seen.add(host.name);
    }

    this.hostRecords = props.hosts.map(
      (host) =>
        new PrivateDnsARecord(this, `a-${host.name}`, {
          name: host.name,
          zoneName: props.zoneName,
          resourceGroupName: props.resourceGroupName,
          ttl,
          records: [host.privateIp],
        }),
    );

    this.srvRecord = new PrivateDnsSrvRecord(this, "srv", {
      name: KMS_SRV_RECORD_NAME,
      zoneName: props.zoneName,
      resourceGroupName: props.resourceGroupName,
      ttl,
      record: this.hostRecords.map((aRecord) => ({
        priority: props.priority ?? 0,
        weight: props.weight ?? 0,
        port,
        target: aRecord.fqdn,
      })),
    });
  }

  /** The SRV record's FQDN (a token until apply), e.g. `_vlmcs._tcp.corp.contoso.com.`. */
  public get fqdn(): string {
    return this.srvRecord.fqdn;
  }
}
