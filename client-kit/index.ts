// The client kit: files an operator hands to Windows and Office clients of one environment.
import * as fs from "fs";
import * as path from "path";
import { buildOfficeConfiguration } from "./office-configuration";
import type { OfficeClientSettingsInput } from "./office-client-schema";
import { renderTestKmsClientScript } from "./test-kms-client";

export * from "./office-client-schema";
export * from "./office-configuration";
export * from "./verify-office-configuration";
export * from "./test-kms-client";

/** What the client kit is built from. */
export interface ClientKitInput {
  /** `clients.office` of the environment; no configuration.xml is written without it. */
  readonly office?: OfficeClientSettingsInput;
  /** DNS suffix whose `_vlmcs._tcp` SRV record clients use. */
  readonly domain: string;
  /** The private DNS zone the KMS hosts are published in. */
  readonly zoneName: string;
  /** FQDNs of the KMS hosts. */
  readonly hosts: readonly string[];
  /** TCP port the KMS hosts listen on. */
  readonly port: number;
  /** Whether the hosts activate Windows. */
  readonly servesWindows: boolean;
  /** Whether the hosts activate Office. */
  readonly servesOffice: boolean;
}

/** The directory written and the files in it. */
export interface ClientKitFiles {
  /** `<outdir>/client-kit/<environmentName>`. */
  readonly directory: string;
  /** Every file written (each joined onto `outdir`), in write order. */
  readonly files: readonly string[];
}

/** File names inside the kit directory. */
// Environments usually share their Office settings, and building a configuration.xml (with its
// read-back check) is the dearest part of a kit: build each distinct one once per process.
const officeConfigurations = new Map<string, string>();

function officeConfigurationFor(settings: NonNullable<ClientKitInput["office"]>): string {
  const key = JSON.stringify(settings);
  let xml = officeConfigurations.get(key);
  // Stryker disable next-line ConditionalExpression: equivalent; only a cache (building again gives the same XML)
  if (xml === undefined) officeConfigurations.set(key, (xml = buildOfficeConfiguration(settings)));
  return xml;
}

export const CLIENT_KIT_FILE_NAMES = { officeConfiguration: "configuration.xml", testScript: "Test-KmsClient.ps1" } as const;

/**
 * Writes `<outdir>/client-kit/<environmentName>/`: configuration.xml (only when `input.office`
 * is given; a stale one is removed otherwise) and Test-KmsClient.ps1 with the environment's defaults.
 * Everything is built before anything is written, so a validation error leaves the old kit intact.
 */
export function writeClientKit(outdir: string, environmentName: string, input: ClientKitInput): ClientKitFiles {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(environmentName) || environmentName.includes("..")) {
    throw new Error(`Client kit: environment name ${JSON.stringify(environmentName)} cannot be used as a directory name.`);
  }
  const configuration = input.office !== undefined ? officeConfigurationFor(input.office) : undefined;
  const script = renderTestKmsClientScript({
    domain: input.domain,
    zoneName: input.zoneName,
    hosts: input.hosts,
    port: input.port,
    servesWindows: input.servesWindows,
    servesOffice: input.servesOffice,
  });

  const directory = path.join(outdir, "client-kit", environmentName);
  fs.mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  const configurationPath = path.join(directory, CLIENT_KIT_FILE_NAMES.officeConfiguration);
  if (configuration !== undefined) {
    // Stryker disable next-line StringLiteral: equivalent; node writes a string as UTF-8 when no encoding is named
    fs.writeFileSync(configurationPath, configuration, "utf8");
    files.push(configurationPath);
  } else {
    fs.rmSync(configurationPath, { force: true });
  }
  const scriptPath = path.join(directory, CLIENT_KIT_FILE_NAMES.testScript);
  // Stryker disable next-line StringLiteral: equivalent; node writes a string as UTF-8 when no encoding is named
  fs.writeFileSync(scriptPath, script, "utf8");
  files.push(scriptPath);
  return { directory, files };
}
