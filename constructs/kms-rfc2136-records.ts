// KmsRfc2136Records: publishes the environment's record model on a DNS server that accepts RFC 2136
// dynamic updates (Active Directory-integrated DNS with secure updates, BIND), through the
// hashicorp/dns provider: a dns_a_record_set per host and one dns_srv_record_set. The addresses
// are references, so hosts with dynamic IPs work. No credential is ever written into the
// configuration:
//  - GSS-TSIG: realm and user name in the provider block; the password or keytab is read by the
//    provider from DNS_UPDATE_PASSWORD / DNS_UPDATE_KEYTAB (hashicorp/terraform-provider-dns
//    v3.4.3, internal/provider/provider_framework.go, Configure).
//  - TSIG: key name and algorithm in the provider block; the secret is a sensitive Terraform
//    variable (TF_VAR_dns_update_keysecret). The provider's own DNS_UPDATE_KEYSECRET cannot be used
//    with key_name set in the file: key_name carries an AlsoRequires(key_algorithm, key_secret)
//    validator (same file, Schema), and AlsoRequires fails on a null key_secret
//    (terraform-plugin-framework-validators, internal/schemavalidator/also_requires.go) before
//    Configure ever reads the environment variable.
import { ARecordSet } from "@cdktf/provider-dns/lib/a-record-set";
import { DnsProvider, DnsProviderUpdate } from "@cdktf/provider-dns/lib/provider";
import { SrvRecordSet } from "@cdktf/provider-dns/lib/srv-record-set";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { KMS_SRV_RECORD_NAME, KmsDnsRecords } from "./kms-dns-records";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** Name of the Terraform variable that carries the TSIG secret (set it as TF_VAR_dns_update_keysecret). */
export const TSIG_SECRET_VARIABLE = "dns_update_keysecret";

/**
 * A TSIG key name as the dns provider wants it: fully qualified, ending with a dot. The provider
 * refuses any other when it configures, so `terraform plan` fails (hashicorp/terraform-provider-dns
 * v3.4.3, internal/provider/config.go:79, `dns.IsFqdn`). The key is the same name to the server
 * (BIND's `key "kms-update"` is `kms-update.`), so a name written without the dot is completed.
 */
export function fullyQualifiedKeyName(keyName: string): string {
  return keyName.endsWith(".") ? keyName : `${keyName}.`;
}

/** GSS-TSIG (RFC 3645): Kerberos, as Active Directory requires for secure dynamic updates. */
export interface KmsGssTsigAuth {
  readonly kind: "gssapi";
  /** Kerberos realm, e.g. `CORP.CONTOSO.COM`. */
  readonly realm: string;
  /**
   * Account that updates the zone; its password comes from DNS_UPDATE_PASSWORD or its keytab from DNS_UPDATE_KEYTAB.
   * @default - the current Kerberos ticket
   */
  readonly username?: string;
}

/** TSIG (RFC 8945) with a shared key. */
export interface KmsTsigAuth {
  readonly kind: "tsig";
  /** Key name as the server knows it, with or without the final dot (the provider is given it fully qualified). */
  readonly keyName: string;
  /** HMAC algorithm, e.g. `hmac-sha256`. */
  readonly algorithm: string;
}

/** Properties of {@link KmsRfc2136Records}. */
export interface KmsRfc2136RecordsProps {
  /** The environment's record model; addresses may be tokens. */
  readonly records: KmsDnsRecords;
  /** Host name (GSS-TSIG) or address of the DNS server that accepts the updates. */
  readonly server: string;
  /**
   * Port of the server.
   * @default 53
   */
  readonly port?: number;
  /**
   * `udp` or `tcp`.
   * @default "tcp"
   */
  readonly transport?: "udp" | "tcp";
  /** How updates are authenticated. */
  readonly auth: KmsGssTsigAuth | KmsTsigAuth;
}

/** The hashicorp/dns provider and the KMS records it keeps on an RFC 2136 server. */
export class KmsRfc2136Records extends Construct {
  /** The dns provider. */
  public readonly provider: DnsProvider;
  /** One A record set per host, in host order. */
  public readonly aRecordSets: ARecordSet[];
  /** The `_vlmcs._tcp` SRV record set. */
  public readonly srvRecordSet: SrvRecordSet;
  /** The variable holding the TSIG secret (TSIG only). */
  public readonly tsigSecret?: TerraformVariable;

  constructor(scope: Construct, id: string, props: KmsRfc2136RecordsProps) {
    super(scope, id);
    const where = `KmsRfc2136Records ${this.node.path}`;
    const { records, auth } = props;
    if (!props.server || /\s/.test(props.server)) throw new Error(`${where}: server "${props.server}" is not a host name or address`);
    if (auth.kind === "gssapi" && /^\d+(\.\d+){3}$/.test(props.server)) {
      throw new Error(`${where}: GSS-TSIG needs the server's host name, not "${props.server}", so that its Kerberos principal matches (hashicorp/dns docs, provider_gss_tsig.tf)`);
    }

    const update: DnsProviderUpdate = { server: props.server, port: props.port ?? 53, transport: props.transport ?? "tcp" };
    if (auth.kind === "gssapi") {
      this.provider = new DnsProvider(this, "dns", { update: [{ ...update, gssapi: [{ realm: auth.realm, username: auth.username }] }] });
    } else {
      this.tsigSecret = new TerraformVariable(this, TSIG_SECRET_VARIABLE, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `TSIG secret (base64) of the key ${auth.keyName} that signs the DNS updates. Set it at apply time: TF_VAR_${TSIG_SECRET_VARIABLE}; never in a file.`,
      });
      // A stable name, so the operator's TF_VAR_ variable does not depend on the construct path.
      nameElement(this.tsigSecret, TSIG_SECRET_VARIABLE);
      this.provider = new DnsProvider(this, "dns", {
        update: [{ ...update, keyName: fullyQualifiedKeyName(auth.keyName), keyAlgorithm: auth.algorithm, keySecret: this.tsigSecret.stringValue }],
      });
    }

    // The provider wants the zone and every target absolute (with the trailing dot) and record
    // names relative (internal/provider/resource_dns_srv_record_set.go, validators.go, v3.4.3).
    this.aRecordSets = records.aRecords.map(
      (aRecord) => nameElement(new ARecordSet(this, `a-${aRecord.name}`, { zone: records.zoneFqdn, name: aRecord.name, addresses: [aRecord.address], ttl: records.ttl }), terraformIdentifier(aRecord.name)),
    );
    this.srvRecordSet = new SrvRecordSet(this, "srv", {
      zone: records.zoneFqdn,
      name: KMS_SRV_RECORD_NAME,
      ttl: records.ttl,
      srv: records.srvEntries.map((entry) => ({ priority: entry.priority, weight: entry.weight, port: entry.port, target: entry.target })),
      // Publish the targets before the SRV record that points at them.
      dependsOn: this.aRecordSets,
    });
    nameElement(this.srvRecordSet, "vlmcs");
  }
}
