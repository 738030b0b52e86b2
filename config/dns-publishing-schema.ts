// The environment file's DNS publishing settings (issue 12): per-host SRV priority and weight
// (`dns.srv`) and the optional RFC 2136 section (`dns.rfc2136`) that publishes the records on a
// DNS server that accepts dynamic updates, such as Active Directory-integrated DNS. Kept apart
// from environment-schema.ts, which only plugs these in.
import * as ipaddr from "ipaddr.js";
import * as z from "zod";
import { MAX_SRV_PRIORITY_OR_WEIGHT } from "../constructs/kms-dns-records";
import { addProblem } from "./add-problem";

/** A host name (at least two labels) or a dotted-quad IPv4 address; an optional trailing dot is accepted on a name. */
const HOST_NAME = /^(?=.{1,254}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
/** A Kerberos realm: by convention the Active Directory DNS domain in upper case (RFC 4120, section 6.1). */
const REALM = /^[A-Z0-9]([A-Z0-9-]*[A-Z0-9])?(\.[A-Z0-9]([A-Z0-9-]*[A-Z0-9])?)+$/;
/** A TSIG key name is a domain name (RFC 8945, section 4.2); BIND's tsig-keygen names look like `kms-update` or `kms-update.corp.contoso.com`. */
const KEY_NAME = /^(?=.{1,254}$)[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * TSIG algorithms accepted. The hashicorp/dns provider also takes hmac-md5 and hmac-sha1
 * (docs/index.md, v3.4.3), but RFC 8945 section 6 says HMAC-MD5 MUST NOT be used and HMAC-SHA1 is
 * NOT RECOMMENDED; HMAC-SHA256 is the RECOMMENDED one.
 */
export const TSIG_ALGORITHMS = ["hmac-sha256", "hmac-sha512"] as const;

/** A field that must never be in the file: a credential. The message says where it goes instead. */
function neverInFile(what: string, instead: string) {
  return z
    .never({ error: `never put ${what} in the environment file (it would land in git and in the synthesized JSON); ${instead}` })
    .optional()
    .describe(`Not allowed: ${instead}`);
}

const srvPriority = () =>
  z
    .number()
    .int(`use a whole number from 0 to ${MAX_SRV_PRIORITY_OR_WEIGHT}`)
    .min(0, `use a whole number from 0 to ${MAX_SRV_PRIORITY_OR_WEIGHT}`)
    .max(MAX_SRV_PRIORITY_OR_WEIGHT, `use a whole number from 0 to ${MAX_SRV_PRIORITY_OR_WEIGHT} (a 16-bit SRV field, RFC 2782)`)
    .default(0);

/** One host's SRV entry settings. */
export const srvEntrySchema = z
  .strictObject({
    priority: srvPriority().describe("SRV priority of this host, 0 to 65535; lower is preferred (RFC 2782). Default 0. Advisory: Microsoft's docs disagree on whether KMS clients honour it."),
    weight: srvPriority().describe("SRV weight of this host among hosts of equal priority, 0 to 65535 (RFC 2782). Default 0."),
  })
  .describe("SRV priority and weight of one host.");

/** `dns.srv`: one entry per host, in host order. */
export const dnsSrvSchema = z
  .array(srvEntrySchema)
  .optional()
  .describe(
    "SRV priority and weight of each host, in host order (one entry per host, like hosts.privateIpAddresses), e.g. a preferred host in the main site. Every publisher (Azure Private DNS, dns.rfc2136, the exports) uses them. Default: 0/0 for every host.",
  );

const gssapiSchema = z
  .strictObject({
    realm: z
      .string()
      .regex(REALM, "write the Kerberos realm in upper case, e.g. CORP.CONTOSO.COM (the Active Directory domain)")
      .describe("Kerberos realm: the Active Directory domain in upper case, e.g. CORP.CONTOSO.COM."),
    username: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^\s@]+$/, "write the account name without the realm, e.g. svc-kms-dns")
      .optional()
      .describe("Account that updates the zone, e.g. svc-kms-dns. Its password comes from DNS_UPDATE_PASSWORD or a keytab from DNS_UPDATE_KEYTAB. Default: the current Kerberos ticket (kinit)."),
    password: neverInFile("the password", "export DNS_UPDATE_PASSWORD before terraform apply"),
    keytab: neverInFile("the keytab", "export DNS_UPDATE_KEYTAB=<path of the keytab file> before terraform apply"),
  })
  .describe("GSS-TSIG (RFC 3645, Kerberos): what Active Directory requires for secure dynamic updates.");

const tsigSchema = z
  .strictObject({
    keyName: z
      .string()
      .regex(KEY_NAME, "write the TSIG key's name as the server knows it, e.g. kms-update")
      .describe(
        "Name of the TSIG key, as configured on the server (e.g. the name given to tsig-keygen). With or without the final dot: the stack gives it to the dns provider fully qualified (kms-update becomes kms-update.), which the provider requires.",
      ),
    algorithm: z
      .enum(TSIG_ALGORITHMS, { error: "use hmac-sha256 (RFC 8945 recommends it) or hmac-sha512; hmac-md5 and hmac-sha1 are refused (RFC 8945, section 6)" })
      .default("hmac-sha256")
      .describe("HMAC algorithm of the key: hmac-sha256 (default) or hmac-sha512."),
    secret: neverInFile("the TSIG secret", "set it at apply time in TF_VAR_dns_update_keysecret (README: Publishing the SRV record)"),
    keySecret: neverInFile("the TSIG secret", "set it at apply time in TF_VAR_dns_update_keysecret (README: Publishing the SRV record)"),
  })
  .describe("TSIG (RFC 8945) with a shared key; its secret is set at apply time, never in this file.");

/** `dns.rfc2136`: publish the records through the hashicorp/dns provider. */
export const rfc2136Schema = z
  .strictObject({
    server: z
      .string()
      .refine((value) => HOST_NAME.test(value) || ipaddr.IPv4.isValidFourPartDecimal(value), "write the DNS server's host name (e.g. dc01.corp.contoso.com) or IPv4 address")
      .describe("The DNS server that accepts the updates (for Active Directory, a domain controller's host name: GSS-TSIG needs the name to match the server's Kerberos principal)."),
    port: z.number().int().min(1).max(65535).default(53).describe("Port of the server. Default 53."),
    transport: z.enum(["udp", "tcp"]).default("tcp").describe("udp or tcp. Default tcp (GSS-TSIG key negotiation messages can exceed a UDP datagram)."),
    gssapi: gssapiSchema.optional(),
    tsig: tsigSchema.optional(),
  })
  .superRefine((section, ctx) => {
    if (section.gssapi && section.tsig) {
      addProblem(ctx, "give either gssapi (Kerberos, Active Directory) or tsig (shared key), not both");
    } else if (!section.gssapi && !section.tsig) {
      addProblem(ctx, "missing: give gssapi (realm, username: Active Directory secure updates) or tsig (keyName, algorithm)");
    }
    if (section.gssapi && /^\d+(\.\d+){3}$/.test(section.server)) {
      addProblem(ctx, `"${section.server}" is an IP address; GSS-TSIG needs the server's host name so that its Kerberos principal (DNS/<host name>) matches, e.g. dc01.corp.contoso.com`, ["server"]);
    }
  })
  .describe(
    "Optional: also publish the A and _vlmcs._tcp SRV records on a DNS server that accepts RFC 2136 dynamic updates (Active Directory DNS, BIND), through the hashicorp/dns provider. The zone is dns.zoneName. No secret ever goes in this file.",
  );

/** `dns.privateZone`: publish in Azure Private DNS, or not at all. */
export const privateZoneSchema = z
  .boolean()
  .default(true)
  .describe(
    "Publish the records in an Azure Private DNS zone (true, default). false: no Azure Private DNS zone, link or record at all; publish through dns.rfc2136 (e.g. Active Directory DNS) or hand the exports (cdktf.out/dns/<name>/) to your DNS administrators.",
  );

/** `dns.allowShadowingZone`: the file's own statement that a private zone of the RFC 2136 zone's name is intended. */
export const allowShadowingZoneSchema = z
  .strictObject({
    reason: z
      .string()
      .trim()
      .min(20, "say in a sentence why a private zone may answer for the whole domain here (at least 20 characters), e.g. which vnets are linked and why none of them needs the domain's other names")
      .describe("Why the private zone may answer authoritatively for the whole name in the linked vnets."),
  })
  .optional()
  .describe(
    "Only with dns.rfc2136 and dns.privateZone: true. A private zone named like the zone dns.rfc2136 publishes to shadows it in every linked vnet (README: DNS layouts); it is refused unless this states why that is intended.",
  );

/** The parts of an environment that checkDnsPublishing reads. */
interface DnsPublishingCheckInput {
  readonly hosts: { readonly count: number };
  readonly dns: {
    readonly zoneName: string;
    readonly srv?: readonly unknown[];
    readonly privateZone: boolean;
    readonly zoneResourceGroup?: string;
    readonly linkedVnetIds: readonly string[];
    readonly rfc2136?: { readonly server: string; readonly gssapi?: { readonly realm: string } };
    readonly allowShadowingZone?: { readonly reason: string };
  };
}

/**
 * Cross-field checks on the DNS publishing settings: one SRV entry per host, and no private zone
 * that shadows the zone dns.rfc2136 publishes to. A private zone linked to a vnet answers
 * authoritatively for its whole name there: a name missing from it is NXDOMAIN, with no fallback to
 * other servers (only privatelink zones can fall back: learn.microsoft.com/azure/dns/private-dns-fallback;
 * resolution order: learn.microsoft.com/azure/dns/private-dns-overview). The RFC 2136 records go
 * to dns.zoneName on the server, so a private zone of that name (the one the stack writes) would
 * hide the rest of that zone, e.g. every other name of an Active Directory domain.
 */
export function checkDnsPublishing(env: DnsPublishingCheckInput, ctx: z.RefinementCtx): void {
  const { dns } = env;
  if (dns.srv && dns.srv.length !== env.hosts.count) {
    addProblem(ctx, `lists ${dns.srv.length} entries for ${env.hosts.count} hosts; give one entry (priority, weight) per host in host order, or remove the field`, ["dns", "srv"]);
  }
  if (!dns.privateZone) {
    if (dns.linkedVnetIds.length > 0) addProblem(ctx, "applies only to an Azure private zone, and dns.privateZone is false; remove dns.linkedVnetIds or set dns.privateZone: true", ["dns", "linkedVnetIds"]);
    if (dns.zoneResourceGroup !== undefined) addProblem(ctx, "applies only to an Azure private zone, and dns.privateZone is false; remove dns.zoneResourceGroup or set dns.privateZone: true", ["dns", "zoneResourceGroup"]);
    if (dns.allowShadowingZone) addProblem(ctx, "there is no private zone to shadow anything (dns.privateZone is false); remove dns.allowShadowingZone", ["dns", "allowShadowingZone"]);
    // Without dns.rfc2136 too, the exports (cdktf.out/dns/<name>/) are how the records get published: by hand.
    return;
  }
  if (!dns.rfc2136) {
    if (dns.allowShadowingZone) addProblem(ctx, "applies only with dns.rfc2136 (the zone a private zone could shadow); remove dns.allowShadowingZone", ["dns", "allowShadowingZone"]);
    return;
  }
  if (dns.allowShadowingZone) return;
  const realm = dns.rfc2136.gssapi?.realm.toLowerCase();
  const adDomain = realm !== undefined && (realm === dns.zoneName || realm.endsWith(`.${dns.zoneName}`)) ? ` (the Active Directory domain ${dns.rfc2136.gssapi?.realm} is ${realm === dns.zoneName ? "this name" : "under it"})` : "";
  addProblem(
    ctx,
    `an Azure private zone "${dns.zoneName}" would shadow the zone of that name dns.rfc2136 publishes to on ${dns.rfc2136.server}${adDomain}: a private zone linked to a vnet answers authoritatively for the whole name, so everything resolving through Azure DNS there gets NXDOMAIN for every other name of it. ` +
      "Set dns.privateZone: false (publish only through dns.rfc2136), or, if the shadowing is intended, add dns.allowShadowingZone.reason (README: DNS layouts)",
    ["dns", "privateZone"],
  );
}
