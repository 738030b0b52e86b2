// Exports are written before apply, so every address must be known then: a static IP.
import type { KmsDnsRecords } from "../constructs/kms-dns-records";

/** Why the records cannot be exported, or undefined when they can. */
export function notExportableReason(records: KmsDnsRecords): string | undefined {
  const dynamic = records.hostsWithoutStaticAddress;
  if (dynamic.length === 0) return undefined;
  return (
    `host(s) ${dynamic.join(", ")} have no static IP, so their addresses are known only after terraform apply; ` +
    "set hosts.privateIpAddresses (one per host) to get the exports, or publish through Terraform with dns.rfc2136 (README: Publishing the SRV record)"
  );
}

/** Throws unless every address is static. */
export function assertExportable(records: KmsDnsRecords, file: string): void {
  const reason = notExportableReason(records);
  if (reason) throw new Error(`${file}: cannot be written: ${reason}`);
}
