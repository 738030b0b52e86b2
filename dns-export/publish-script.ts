// Renders powershell/Publish-KmsDnsRecords.ps1 for one environment by filling in its parameter
// defaults (each on a marked line of the param block), like the client kit's Test-KmsClient.ps1.
// Each marker is replaced exactly once, and a missing or repeated marker fails loudly.
import * as fs from "fs";
import { powerShellSingleQuoted } from "../client-kit/test-kms-client";
import type { KmsDnsRecords } from "../constructs/kms-dns-records";
import { powershellScriptPath } from "../powershell";
import { assertExportable } from "./exportable";

/** Where the unrendered script lives: the package's powershell/ folder (from source, dist/ or an installed package). */
export const PUBLISH_SCRIPT_PATH = powershellScriptPath("Publish-KmsDnsRecords.ps1");

/** The shipped script, read once per process (every environment's export starts from it). */
let shippedTemplate: string | undefined;

/** Defaults baked into the script besides the records. */
export interface PublishScriptDefaults {
  /**
   * The DNS server the script changes (e.g. the RFC 2136 server of the environment).
   * @default - the computer the script runs on
   */
  readonly computerName?: string;
}

/** The script with the environment's defaults filled in. */
export function renderPublishScript(records: KmsDnsRecords, defaults: PublishScriptDefaults = {}, template?: string): string {
  assertExportable(records, "Publish-KmsDnsRecords.ps1");
  const computerName = (defaults.computerName ?? "").replace(/\.$/, "");
  // Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page: keep it ASCII.
  for (const value of [records.zoneName, computerName, ...records.aRecords.map((a) => a.name)]) {
    if (!/^[\x20-\x7E]*$/.test(value)) throw new Error(`Publish-KmsDnsRecords.ps1: ${JSON.stringify(value)} is not ASCII; write DNS names in their punycode (xn--) form`);
  }
  const hosts = records.aRecords.map((a, index) => {
    const srv = records.srvEntries[index];
    return `@{ Name = ${powerShellSingleQuoted(a.name)}; IPv4Address = ${powerShellSingleQuoted(a.address)}; Priority = ${srv.priority}; Weight = ${srv.weight} }`;
  });
  const replacements: readonly [string, string][] = [
    ["$ZoneName = '', # export-default: ZoneName", `$ZoneName = ${powerShellSingleQuoted(records.zoneName)}, # export-default: ZoneName`],
    ["$ComputerName = '', # export-default: ComputerName", `$ComputerName = ${powerShellSingleQuoted(computerName)}, # export-default: ComputerName`],
    ["$TimeToLiveSeconds = 3600, # export-default: TimeToLiveSeconds", `$TimeToLiveSeconds = ${records.ttl}, # export-default: TimeToLiveSeconds`],
    ["$Port = 1688, # export-default: Port", `$Port = ${records.port}, # export-default: Port`],
    ["$KmsHosts = @() # export-default: KmsHosts", `$KmsHosts = @(${hosts.join(", ")}) # export-default: KmsHosts`],
  ];
  let script = template ?? (shippedTemplate ??= fs.readFileSync(PUBLISH_SCRIPT_PATH, "utf8"));
  for (const [marker, replacement] of replacements) {
    const count = script.split(marker).length - 1;
    if (count !== 1) throw new Error(`Publish-KmsDnsRecords.ps1: expected the default marker "${marker}" exactly once, found it ${count} times.`);
    script = script.replace(marker, () => replacement);
  }
  return script;
}
