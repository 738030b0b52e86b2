// The DNS exports: files a DNS administrator applies by hand or reviews, rendered from the
// environment's record model (KmsDnsRecords) like every other publisher, written by the main job
// to <outdir>/dns/<environment>/ when every host has a static IP.
import * as fs from "fs";
import * as path from "path";
import type { KmsDnsRecords } from "../constructs/kms-dns-records";
import { notExportableReason } from "./exportable";
import { renderNsupdateScript } from "./nsupdate";
import { PublishScriptDefaults, renderPublishScript } from "./publish-script";
import { renderZoneFile } from "./zone-file";

export * from "./exportable";
export * from "./nsupdate";
export * from "./publish-script";
export * from "./zone-file";

/** File names inside `<outdir>/dns/<environment>/`. */
export const DNS_EXPORT_FILE_NAMES = { zone: "kms.zone", nsupdate: "kms.nsupdate", powershell: "Publish-KmsDnsRecords.ps1" } as const;

/** What writeDnsExport did. */
export type DnsExportResult =
  | { readonly written: true; readonly directory: string; readonly files: readonly string[] }
  | { readonly written: false; readonly directory: string; readonly reason: string };

/** `<outdir>/dns/<environmentName>`. */
export function dnsExportDirectory(outdir: string, environmentName: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(environmentName) || environmentName.includes("..")) {
    throw new Error(`DNS export: environment name ${JSON.stringify(environmentName)} cannot be used as a directory name.`);
  }
  return path.join(outdir, "dns", environmentName);
}

/**
 * Writes kms.zone, kms.nsupdate and Publish-KmsDnsRecords.ps1 to `<outdir>/dns/<environmentName>/`
 * when every host has a static IP; otherwise removes any earlier export there and says why.
 * Everything is rendered before anything is written.
 */
export function writeDnsExport(outdir: string, environmentName: string, records: KmsDnsRecords, defaults: PublishScriptDefaults = {}): DnsExportResult {
  const directory = dnsExportDirectory(outdir, environmentName);
  const reason = notExportableReason(records);
  if (reason) {
    // A stale export from when every host had a static IP would publish wrong addresses.
    fs.rmSync(directory, { recursive: true, force: true });
    return { written: false, directory, reason };
  }
  const contents: [string, string][] = [
    [DNS_EXPORT_FILE_NAMES.zone, renderZoneFile(records, environmentName)],
    [DNS_EXPORT_FILE_NAMES.nsupdate, renderNsupdateScript(records, environmentName)],
    [DNS_EXPORT_FILE_NAMES.powershell, renderPublishScript(records, defaults)],
  ];
  fs.mkdirSync(directory, { recursive: true });
  const files = contents.map(([name, text]) => {
    const file = path.join(directory, name);
    fs.writeFileSync(file, text, "utf8");
    return file;
  });
  return { written: true, directory, files };
}
