// Renders powershell/Test-KmsClient.ps1 for one environment by filling in its parameter defaults,
// so an operator can run it with no arguments while any -Parameter still overrides the default.
// Each default sits on a marked line in the param block; the renderer replaces each marker exactly
// once and fails loudly if the script and this file drift apart.
import * as fs from "fs";
import { assertTcpPort } from "../constructs/kms-port";
import { powershellScriptPath } from "../powershell";

/** The environment values baked into the script as parameter defaults. */
export interface TestKmsClientDefaults {
  /** DNS suffix whose `_vlmcs._tcp` SRV record clients use. */
  readonly domain: string;
  /** The private DNS zone the KMS hosts are published in. */
  readonly zoneName: string;
  /** FQDNs of the KMS hosts. */
  readonly hosts: readonly string[];
  /** TCP port the KMS hosts listen on. */
  readonly port: number;
  /** Whether the hosts activate Windows (a Windows KMS host key is configured); `-Fix` pins Windows only then. */
  readonly servesWindows: boolean;
  /** Whether the hosts activate Office; `-Fix` pins Office only then. */
  readonly servesOffice: boolean;
}

/** Where the unrendered script lives: the package's powershell/ folder (from source, dist/ or an installed package). */
export const TEST_KMS_CLIENT_SCRIPT_PATH = powershellScriptPath("Test-KmsClient.ps1");

// PowerShell treats the typographic quotes U+2018..U+201B as single quotes too, so all of them are
// doubled; otherwise a pasted curly quote could end the string early.
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** A PowerShell single-quoted string literal for `value` (quotes doubled, nothing else is special). */
export function powerShellSingleQuoted(value: string): string {
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/** The shipped script, read once per process (every environment's kit starts from it). */
let shippedTemplate: string | undefined;

/** The script with the environment's defaults filled in. Throws if a marker is missing or repeated. */
export function renderTestKmsClientScript(defaults: TestKmsClientDefaults, template?: string): string {
  checkDefaults(defaults);
  let script = template ?? (shippedTemplate ??= fs.readFileSync(TEST_KMS_CLIENT_SCRIPT_PATH, "utf8"));
  const replacements: readonly [string, string][] = [
    ["$Domain = '', # kit-default: Domain", `$Domain = ${powerShellSingleQuoted(defaults.domain)}, # kit-default: Domain`],
    ["$ZoneName = '', # kit-default: ZoneName", `$ZoneName = ${powerShellSingleQuoted(defaults.zoneName)}, # kit-default: ZoneName`],
    [
      "$KmsHosts = @(), # kit-default: KmsHosts",
      `$KmsHosts = @(${defaults.hosts.map(powerShellSingleQuoted).join(", ")}), # kit-default: KmsHosts`,
    ],
    ["$Port = 1688, # kit-default: Port", `$Port = ${defaults.port}, # kit-default: Port`],
    ["$HostsServeWindows = $true, # kit-default: HostsServeWindows", `$HostsServeWindows = $${defaults.servesWindows}, # kit-default: HostsServeWindows`],
    ["$HostsServeOffice = $true, # kit-default: HostsServeOffice", `$HostsServeOffice = $${defaults.servesOffice}, # kit-default: HostsServeOffice`],
  ];
  for (const [marker, replacement] of replacements) {
    const count = script.split(marker).length - 1;
    if (count !== 1) {
      throw new Error(`Test-KmsClient.ps1: expected the default marker "${marker}" exactly once, found it ${count} times.`);
    }
    // A function replacement, so `$&`-style patterns in the value are not interpreted.
    script = script.replace(marker, () => replacement);
  }
  return script;
}

// Windows PowerShell 5.1 reads a BOM-less script in the ANSI code page, so the script must stay
// ASCII; DNS names reach here already validated, and punycode keeps IDNs ASCII.
function checkDefaults(defaults: TestKmsClientDefaults): void {
  assertTcpPort(defaults.port, "Test-KmsClient.ps1");
  for (const [name, value] of [["domain", defaults.domain], ["zoneName", defaults.zoneName], ...defaults.hosts.map((h) => ["hosts", h])]) {
    if (!/^[\x20-\x7E]*$/.test(value as string)) {
      throw new Error(
        `Test-KmsClient.ps1: ${name} ${JSON.stringify(value)} has non-ASCII or control characters; ` +
          "write DNS names in their ASCII (punycode, xn--) form.",
      );
    }
  }
}
