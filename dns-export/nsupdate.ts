// kms.nsupdate: an nsupdate script (BIND 9 nsupdate(1)) that replaces exactly the KMS records in
// one update message: for each A record and for the SRV record, `update delete <name> <type>`
// removes the whole RRset (RFC 2136, section 2.5.2 "Delete An RRset") and `update add` writes the
// wanted records. The message is applied atomically (RFC 2136, section 3.4.2), so sending the
// script twice leaves the same records. No `server` and no `key` line: the operator supplies them
// (`nsupdate -k <key file>`, and a `server` line or the zone's SOA MNAME).
import type { KmsDnsRecords } from "../constructs/kms-dns-records";
import { KMS_SRV_RECORD_NAME } from "../constructs/kms-dns-records";
import { assertExportable } from "./exportable";

/** The nsupdate script for the records. */
export function renderNsupdateScript(records: KmsDnsRecords, environmentName: string): string {
  assertExportable(records, "kms.nsupdate");
  const srvName = records.absolute(KMS_SRV_RECORD_NAME);
  const lines = [
    `; KMS discovery records for ${records.zoneName} (azure-kms-host environment ${environmentName}).`,
    '; Send with: (echo "server <your DNS server>"; cat kms.nsupdate) | nsupdate -k <key file>',
    "; or: nsupdate -k <key file> kms.nsupdate   (sends to the primary named in the zone's SOA record)",
    "; Replaces exactly these records; sending it again changes nothing.",
    `zone ${records.zoneFqdn}`,
    ...records.aRecords.flatMap((a) => [`update delete ${a.fqdn} A`, `update add ${a.fqdn} ${records.ttl} A ${a.address}`]),
    `update delete ${srvName} SRV`,
    ...records.srvEntries.map((srv) => `update add ${srvName} ${records.ttl} SRV ${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`),
    "send",
  ];
  return `${lines.join("\n")}\n`;
}
