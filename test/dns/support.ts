// Fixtures and helpers for the DNS tests: the fixture environment (test/dns/fixtures/), a run of
// the main job over fixture files, and the records a synthesized stack puts in Azure Private DNS,
// in the same normalised form as dig's answers.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import type { EnvironmentConfig } from "../../config/environment-schema";
import { parseEnvironment } from "../../config/load-environments";
import type { KmsDnsRecords } from "../../constructs/kms-dns-records";
import { KMS_SRV_RECORD_NAME } from "../../constructs/kms-dns-records";
import { SynthesizeOptions, SynthesizeResult, synthesizeAll } from "../../stacks/synthesize";
import type { DnsAnswer } from "../support/bind";

export const FIXTURE_DIR = path.join(__dirname, "fixtures", "environments");

/** The raw data of the fixture environment `lab`, with `change` applied. */
export function fixtureData(change: (data: Record<string, any>) => void = () => undefined): Record<string, any> {
  const data = parse(fs.readFileSync(path.join(FIXTURE_DIR, "lab.yaml"), "utf8")) as Record<string, any>;
  change(data);
  return data;
}

/** Validates fixture data as `environments/<name>.yaml`; throws with every problem. */
export function fixtureEnvironment(change?: (data: Record<string, any>) => void): EnvironmentConfig {
  const data = fixtureData(change);
  const result = parseEnvironment(`environments/${String(data.name)}.yaml`, stringify(data));
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.field}: ${p.message}`).join("\n"));
  return result.environment;
}

/** What a run of the main job over fixture environments left behind. */
export interface MainJobRun {
  /** The result, when the run succeeded. */
  readonly result: SynthesizeResult;
  /** The output directory (`<temp>/cdktf.out`). */
  readonly outdir: string;
  /** The environments directory the run read. */
  readonly environmentsDir: string;
  /** Removes every file of the run. */
  cleanup(): void;
}

/** Runs the main job over the given environments (written to a temp directory) into a fresh outdir; throws what the job throws, after cleaning up. */
export function runMainJob(environments: readonly Record<string, any>[], extend?: SynthesizeOptions["extend"]): MainJobRun {
  const run = prepareMainJob(environments);
  try {
    return { ...run, result: synthesizeAll({ environmentsDir: run.environmentsDir, outdir: run.outdir, extend }) };
  } catch (error) {
    run.cleanup();
    throw error;
  }
}

/** Writes the environments to a temp directory; the caller runs synthesizeAll and cleans up. */
export function prepareMainJob(environments: readonly Record<string, any>[]): Omit<MainJobRun, "result"> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kms-dns-job-"));
  const environmentsDir = path.join(root, "environments");
  fs.mkdirSync(environmentsDir);
  for (const data of environments) fs.writeFileSync(path.join(environmentsDir, `${String(data.name)}.yaml`), stringify(data));
  return { outdir: path.join(root, "cdktf.out"), environmentsDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The records a model stands for, as dig would answer them. */
export function modelAnswers(records: KmsDnsRecords): { a: Map<string, DnsAnswer[]>; srv: DnsAnswer[] } {
  const a = new Map(records.aRecords.map((r) => [r.fqdn, [{ name: r.fqdn, ttl: records.ttl, type: "A", data: r.address }]]));
  const srvName = records.absolute(KMS_SRV_RECORD_NAME);
  const srv = records.srvEntries.map((e) => ({ name: srvName, ttl: records.ttl, type: "SRV", data: `${e.priority} ${e.weight} ${e.port} ${e.target}` }));
  return { a, srv: sortAnswers(srv) };
}

/**
 * The A and SRV records of a synthesized stack's Azure Private DNS resources, as dig would answer
 * them. SRV targets are references to the A records' `fqdn`, which Azure returns absolute with the
 * trailing dot; they are resolved here from the referenced record's name and zone.
 */
export function azurePrivateDnsAnswers(stackJson: Record<string, any>, zoneName: string): { a: Map<string, DnsAnswer[]>; srv: DnsAnswer[] } {
  const aResources = (stackJson.resource?.azurerm_private_dns_a_record ?? {}) as Record<string, any>;
  const fqdnOf = (key: string): string => {
    const record = aResources[key];
    if (!record) throw new Error(`SRV target references an unknown A record ${key}`);
    return `${record.name}.${zoneName}.`;
  };
  const a = new Map<string, DnsAnswer[]>();
  for (const record of Object.values(aResources)) {
    const fqdn = `${record.name}.${zoneName}.`;
    a.set(fqdn, sortAnswers((record.records as string[]).map((address) => ({ name: fqdn, ttl: record.ttl, type: "A", data: address }))));
  }
  const srvResources = Object.values((stackJson.resource?.azurerm_private_dns_srv_record ?? {}) as Record<string, any>);
  if (srvResources.length !== 1) throw new Error(`expected one azurerm_private_dns_srv_record, found ${srvResources.length}`);
  const [srvResource] = srvResources;
  const srvName = `${srvResource.name}.${zoneName}.`;
  const srv = (srvResource.record as any[]).map((entry) => {
    const reference = /^\$\{azurerm_private_dns_a_record\.([^.]+)\.fqdn\}$/.exec(entry.target);
    const target = reference ? fqdnOf(reference[1]) : String(entry.target);
    return { name: srvName, ttl: srvResource.ttl, type: "SRV", data: `${entry.priority} ${entry.weight} ${entry.port} ${target}` };
  });
  return { a, srv: sortAnswers(srv) };
}

export function sortAnswers(answers: DnsAnswer[]): DnsAnswer[] {
  return [...answers].sort((x, y) => x.data.localeCompare(y.data));
}
