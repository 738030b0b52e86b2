// The KQL queries of the KMS host monitoring, one file per query in monitoring/queries/, read at
// synth. A query refers to the stack's hosts as `KmsHosts` (the "no client request" alert to its
// period as `NoRequestPeriod`, the bootstrap alert to its look-back for new events as
// `NewEventPeriod`); renderKqlQuery declares the ones a query uses in `let`
// statements in front of it, so the files stay plain, reusable KQL that can be pasted into Log
// Analytics after those lines.
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../powershell";

/** Where the .kql files live: monitoring/queries/ at the package root (source tree, bundle and installed package alike; package.json "files" ships them). */
export function kqlQueriesDir(): string {
  return path.join(packageRoot(), "monitoring", "queries");
}

/** Every query, by file name without `.kql`. */
export const KQL_QUERY_NAMES = [
  "alert-missing-heartbeat",
  "alert-no-client-requests",
  "alert-bootstrap-failed",
  "alert-activation-errors",
  "requests-per-host-per-day",
  "distinct-clients",
  "office-vs-windows-requests",
  "last-activity-per-host",
  "ingestion-per-host-per-day",
  "alert-key-vault-secret-read",
] as const;

/** The name of one query file. */
export type KqlQueryName = (typeof KQL_QUERY_NAMES)[number];

/** Values a query's parameters take in one stack. */
export interface KqlParameters {
  /** The hosts' computer names; compared lower case with the first label of `Computer`. */
  readonly hosts: readonly string[];
  /**
   * Hours without a client request before the "no client request" alert fires.
   * @default 48
   */
  readonly noRequestPeriodHours?: number;
  /**
   * Minutes back a stateless alert looks for newly arrived events (`NewEventPeriod`): its evaluation
   * frequency plus a minute of overlap, so that no event falls between two evaluations.
   * @default 16
   */
  readonly newEventPeriodMinutes?: number;
  /** The vault's resource id (`KmsVaultId`; a reference when the stack creates the vault). */
  readonly keyVaultId?: string;
  /** The KMS host key secret names (`KmsHostKeySecrets`), compared case-insensitively. */
  readonly hostKeySecretNames?: readonly string[];
  /** Object ids allowed to read the host keys (`ExpectedReaders`): the hosts' identities and the deployer; references known at apply. */
  readonly expectedReaderIds?: readonly string[];
}

/** A computer name we put into a KQL string literal: NetBIOS characters only, so nothing needs escaping. */
const SAFE_HOST = /^[A-Za-z0-9-]{1,15}$/;

/** The path of a query's file. */
export function kqlQueryPath(name: KqlQueryName): string {
  return path.join(kqlQueriesDir(), `${name}.kql`);
}

/** Query texts read so far, by file: every stack renders the same queries, and they ship with the package. */
const queryTexts = new Map<string, string>();

/** The text of a query's file, as written (read once per process). */
export function kqlQueryText(name: KqlQueryName): string {
  const file = kqlQueryPath(name);
  const known = queryTexts.get(file);
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: equivalent; only a cache (reading the file again gives the same text)
  if (known !== undefined) return known;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`KQL query ${name}: cannot read ${file} (${(e as Error).message}); restore the file or remove ${name} from KQL_QUERY_NAMES`);
  }
  if (text.trim() === "") throw new Error(`KQL query ${name}: ${file} is empty; write the query or remove ${name} from KQL_QUERY_NAMES`);
  queryTexts.set(file, text);
  return text;
}

/** The query with `let` declarations for the parameters it uses, ready for an alert rule or a saved search. */
export function renderKqlQuery(name: KqlQueryName, parameters: KqlParameters): string {
  const body = kqlQueryText(name).trimEnd();
  const bad = parameters.hosts.filter((h) => !SAFE_HOST.test(h));
  if (parameters.hosts.length === 0 || bad.length > 0) {
    throw new Error(`KQL query ${name}: hosts must be 1-15 letters, digits or hyphens each, and at least one (got ${JSON.stringify(parameters.hosts)})`);
  }
  const hours = parameters.noRequestPeriodHours ?? 48;
  if (!Number.isInteger(hours) || hours < 1) throw new Error(`KQL query ${name}: noRequestPeriodHours must be a whole number of hours, got ${hours}`);
  const declarations: string[] = [];
  if (/\bKmsHosts\b/.test(body)) declarations.push(`let KmsHosts = dynamic(${JSON.stringify(parameters.hosts.map((h) => h.toLowerCase()))});`);
  if (/\bNoRequestPeriod\b/.test(body)) declarations.push(`let NoRequestPeriod = ${hours}h;`);
  const newEventMinutes = parameters.newEventPeriodMinutes ?? 16;
  if (!Number.isInteger(newEventMinutes) || newEventMinutes < 1) throw new Error(`KQL query ${name}: newEventPeriodMinutes must be a whole number of minutes, got ${newEventMinutes}`);
  if (/\bNewEventPeriod\b/.test(body)) declarations.push(`let NewEventPeriod = ${newEventMinutes}m;`);
  declarations.push(...keyVaultDeclarations(name, body, parameters));
  return [...declarations, body].join("\n") + "\n";
}

/** A value we put into a KQL string literal: a Terraform reference, or text with no quote, backslash or line break. */
const SAFE_LITERAL = /^[^"\\\r\n]+$/;

/** `let` lines of the Key Vault audit parameters a query uses; a used parameter must be given. */
function keyVaultDeclarations(name: KqlQueryName, body: string, parameters: KqlParameters): string[] {
  const out: string[] = [];
  const list = (what: string, values: readonly string[] | undefined): string => {
    if (!values || values.length === 0 || values.some((v) => !SAFE_LITERAL.test(v))) {
      throw new Error(`KQL query ${name}: ${what} must be given, at least one, without quotes, backslashes or line breaks (got ${JSON.stringify(values)})`);
    }
    // As given: a Terraform reference must not change case; the query compares case-insensitively (in~).
    return `dynamic(${JSON.stringify(values)})`;
  };
  if (/\bKmsVaultId\b/.test(body)) {
    const id = parameters.keyVaultId;
    if (id === undefined || !SAFE_LITERAL.test(id)) throw new Error(`KQL query ${name}: keyVaultId must be given, without quotes, backslashes or line breaks (got ${JSON.stringify(id)})`);
    out.push(`let KmsVaultId = ${JSON.stringify(id)};`);
  }
  if (/\bKmsHostKeySecrets\b/.test(body)) out.push(`let KmsHostKeySecrets = ${list("hostKeySecretNames", parameters.hostKeySecretNames)};`);
  if (/\bExpectedReaders\b/.test(body)) out.push(`let ExpectedReaders = ${list("expectedReaderIds", parameters.expectedReaderIds)};`);
  return out;
}
