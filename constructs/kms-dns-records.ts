// KmsDnsRecords: the one record model of an environment's KMS discovery records. An A record per
// host and the `_vlmcs._tcp` SRV record with an entry per host (priority, weight, port, target).
// It is built once per environment and every publisher renders it (Azure Private DNS through
// KmsSrvRecord, an RFC 2136 server through KmsRfc2136Records, and the exports for DNS
// administrators in dns-export/), so they cannot disagree.
import { Token } from "cdktf";
import * as ipaddr from "ipaddr.js";
import { DEFAULT_KMS_PORT, assertTcpPort } from "./kms-port";

/** The SRV record name KMS clients query: service `_vlmcs`, protocol `_tcp` (Microsoft Learn, kms-create-host). */
export const KMS_SRV_RECORD_NAME = "_vlmcs._tcp";

/** Default TTL of the records, in seconds. */
export const DEFAULT_KMS_DNS_TTL = 3600;

/** Largest SRV priority or weight: both are 16-bit fields (RFC 2782, "The format of the SRV RR"). */
export const MAX_SRV_PRIORITY_OR_WEIGHT = 65535;

/** Largest TTL: a 32-bit field whose top bit must be zero (RFC 2181, section 8). */
export const MAX_DNS_TTL = 2147483647;

/** A DNS name of at least two labels, lower case, no trailing dot. */
const ZONE_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** One DNS label: letters, digits and hyphens, not starting or ending with a hyphen (RFC 1123 host names). */
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** One KMS host to publish. */
export interface KmsDnsHost {
  /** The host's label in the zone: its computer name in lower case, e.g. `kmslab01`. */
  readonly name: string;
  /** The host's IPv4 address; an unresolved token (a dynamic address known only after apply) is fine. */
  readonly address: string;
  /**
   * SRV priority of the host's entry, 0 to 65535 (lower is preferred, RFC 2782). Microsoft's docs
   * disagree on whether KMS clients honour it: treat it as advisory.
   * @default 0
   */
  readonly priority?: number;
  /**
   * SRV weight of the host's entry, 0 to 65535 (RFC 2782).
   * @default 0
   */
  readonly weight?: number;
}

/** Properties of {@link KmsDnsRecords}. */
export interface KmsDnsRecordsProps {
  /** The zone the records live in, e.g. `corp.contoso.com` (no trailing dot). */
  readonly zoneName: string;
  /** The hosts, in the order of their SRV entries. */
  readonly hosts: readonly KmsDnsHost[];
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
}

/** The A record of one host. */
export interface KmsARecord {
  /** Record name relative to the zone, e.g. `kmslab01`. */
  readonly name: string;
  /** Absolute name with the trailing dot, e.g. `kmslab01.corp.contoso.com.`. */
  readonly fqdn: string;
  /** IPv4 address (or a token). */
  readonly address: string;
}

/** One entry of the `_vlmcs._tcp` SRV record. */
export interface KmsSrvEntry {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  /** The host's absolute name with the trailing dot, e.g. `kmslab01.corp.contoso.com.`. */
  readonly target: string;
}

/** The KMS discovery records of one environment: validated once, rendered by every publisher. */
export class KmsDnsRecords {
  /** Zone name without the trailing dot. */
  public readonly zoneName: string;
  /** TTL of every record, in seconds. */
  public readonly ttl: number;
  /** The KMS port in every SRV entry. */
  public readonly port: number;
  /** One A record per host, in host order. */
  public readonly aRecords: readonly KmsARecord[];
  /** One SRV entry per host, in host order. */
  public readonly srvEntries: readonly KmsSrvEntry[];

  constructor(props: KmsDnsRecordsProps) {
    const where = "KmsDnsRecords";
    if (!ZONE_NAME.test(props.zoneName)) {
      throw new Error(`${where}: zoneName "${props.zoneName}" is not a lower-case DNS name of two or more labels without a trailing dot; write e.g. corp.contoso.com`);
    }
    const port = props.port ?? DEFAULT_KMS_PORT;
    assertTcpPort(port, where);
    const ttl = props.ttl ?? DEFAULT_KMS_DNS_TTL;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_DNS_TTL) {
      throw new RangeError(`${where}: ttl ${ttl} is not a DNS TTL; use whole seconds from 1 to ${MAX_DNS_TTL}`);
    }
    if (props.hosts.length === 0) throw new Error(`${where}: hosts is empty; a SRV record needs at least one target`);
    const seen = new Set<string>();
    for (const host of props.hosts) {
      if (!HOST_LABEL.test(host.name)) {
        throw new Error(`${where}: host name "${host.name}" is not one lower-case DNS label; use letters, digits and hyphens (the computer name in lower case)`);
      }
      if (seen.has(host.name)) throw new Error(`${where}: host name "${host.name}" appears twice; every host needs its own A record`);
      seen.add(host.name);
      if (!Token.isUnresolved(host.address) && !ipaddr.IPv4.isValidFourPartDecimal(host.address)) {
        throw new Error(`${where}: host "${host.name}" has address "${host.address}", which is not an IPv4 address; give a dotted-quad address such as 10.50.0.10`);
      }
      for (const field of ["priority", "weight"] as const) {
        const value = host[field] ?? 0;
        if (!Number.isInteger(value) || value < 0 || value > MAX_SRV_PRIORITY_OR_WEIGHT) {
          throw new RangeError(`${where}: host "${host.name}" has SRV ${field} ${value}; use a whole number from 0 to ${MAX_SRV_PRIORITY_OR_WEIGHT}`);
        }
      }
    }
    this.zoneName = props.zoneName;
    this.ttl = ttl;
    this.port = port;
    this.aRecords = props.hosts.map((host) => ({ name: host.name, fqdn: this.absolute(host.name), address: host.address }));
    this.srvEntries = props.hosts.map((host) => ({ priority: host.priority ?? 0, weight: host.weight ?? 0, port, target: this.absolute(host.name) }));
  }

  /** The zone as an absolute name, with the trailing dot: `corp.contoso.com.`. */
  public get zoneFqdn(): string {
    return `${this.zoneName}.`;
  }

  /** The SRV record's absolute name: `_vlmcs._tcp.corp.contoso.com.`. */
  public get srvFqdn(): string {
    return this.absolute(KMS_SRV_RECORD_NAME);
  }

  /** Names of the hosts whose address is not known before apply (a token), in host order. */
  public get hostsWithoutStaticAddress(): readonly string[] {
    return this.aRecords.filter((r) => Token.isUnresolved(r.address)).map((r) => r.name);
  }

  /** True when every address is a literal IPv4 address, so the records can be exported before apply. */
  public get hasStaticAddresses(): boolean {
    return this.hostsWithoutStaticAddress.length === 0;
  }

  /** `name` made absolute in the zone, with the trailing dot. */
  public absolute(name: string): string {
    return `${name}.${this.zoneName}.`;
  }
}
