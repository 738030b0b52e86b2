// The main job: validate every environment file, then synthesize every stack. Output is staged in
// a scratch directory beside the output and moved into place only when every stack synthesized cleanly, so a bad
// environment file or a policy error never leaves half-written output behind. That holds however
// the app is run: directly (`npm run synth`), or by the cdktf CLI, which sets CDKTF_OUTDIR and
// CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true (the latter makes cdktf write a stack despite its
// error annotations; this job reads the annotations itself and refuses, whatever the variable says).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { IConstruct } from "constructs";
import { writeClientKit } from "../client-kit";
import { kmsHostProduct } from "../catalog/kms-host-products";
import { EnvironmentConfig } from "../config/environment-schema";
import { ConfigError, ConfigProblem, LoadedEnvironment, formatPath, formatProblem, loadEnvironmentFiles } from "../config/load-environments";
import { dnsExportDirectory, writeDnsExport } from "../dns-export";
import { environmentFieldsOf } from "./environment-fields";
import { KmsStack, stackName } from "./kms-stack";
import { selectEnvironments, UnknownEnvironmentError } from "./select-environments";

/** Where to read environments and write output. */
export interface SynthesizeOptions {
  /** Directory of `<name>.yaml` environment files. */
  readonly environmentsDir: string;
  /** cdktf output directory (stacks land in `<outdir>/stacks/kms-<name>/cdk.tf.json`). */
  readonly outdir: string;
  /**
   * Escape hatch: called with each stack before synthesis, for overrides a team needs. The policy
   * pack still checks the result, so an override cannot quietly weaken a host.
   * @default - no changes
   */
  readonly extend?: (stack: KmsStack) => void;
  /**
   * Synthesize only these environments (`--only`); every file is still validated, and other
   * environments' output in `outdir` is left as it was. An unknown name throws an
   * UnknownEnvironmentError before anything is written.
   * @default - every environment
   */
  readonly only?: readonly string[];
}

/** What a successful run wrote. */
export interface SynthesizeResult {
  /** The environments synthesized. */
  readonly environments: EnvironmentConfig[];
  /** The stack files written, one per environment. */
  readonly stackFiles: string[];
  /** The client kit directories written, one per environment. */
  readonly clientKitDirs: string[];
  /** The DNS export directories written (`<outdir>/dns/<name>/`), for environments whose hosts all have static IPs. */
  readonly dnsExportDirs: string[];
  /** Warnings raised during synthesis (construct path and message), to show the user. */
  readonly warnings: string[];
  /** Output in `outdir` that no environment file produces any more (a deleted or renamed environment). */
  readonly staleOutput: string[];
  /** Milliseconds spent in each phase, in order (validate, build, synth, client kit, DNS exports, move into place). */
  readonly timings: Readonly<Record<string, number>>;
}

/** Thrown when a stack has error annotations (policy errors); nothing was written. */
export class PolicyError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "PolicyError";
  }
}

/** Builds the cdktf app for a set of environments (exported for tests). */
export function buildApp(environments: readonly EnvironmentConfig[], outdir: string, extend?: (stack: KmsStack) => void, finalOutdir: string = outdir): App {
  // No stack traces in construct metadata: nobody reads them, and capturing one per annotation
  // is a measurable share of synth time.
  const app = new App({
    outdir,
    skipValidation: false,
    // Stryker disable next-line BooleanLiteral: equivalent; the traces are never printed
    stackTraces: false,
  });
  for (const environment of environments) {
    const stack = new KmsStack(app, environment, { outdir: finalOutdir });
    if (extend) extend(stack);
  }
  return app;
}

/**
 * Validates every environment file (throwing a ConfigError listing every problem), then
 * synthesizes every stack. Throws without touching `outdir` if anything fails (a PolicyError for
 * error annotations, whatever CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS says).
 */
export function synthesizeAll(options: SynthesizeOptions): SynthesizeResult {
  const timings: Record<string, number> = {};
  // process.hrtime, not the global `performance`: the first use of that loads node's perf_hooks
  // (nine internal modules) into every synth, for two numbers.
  let mark = process.hrtime.bigint();
  const phase = (name: string): void => {
    const now = process.hrtime.bigint();
    timings[name] = Number(now - mark) / 1e6;
    mark = now;
  };
  const all = loadEnvironmentFiles(options.environmentsDir);
  const loaded = selectEnvironments(all, options.only);
  const environments = loaded.map((l) => l.environment);
  phase("validate environment files");
  const target = path.resolve(options.outdir);
  const workdir = stagingDirectory(target);
  const warnings: string[] = loaded.flatMap((l) => l.warnings.map(formatProblem));
  const dnsExportDirs: string[] = [];
  try {
    const app = buildApp(environments, workdir, options.extend, target);
    phase("build stacks");
    let synthError: unknown;
    try {
      app.synth();
    } catch (error) {
      synthError = error;
    }
    // Error annotations decide, not whether cdktf threw: with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS
    // set, cdktf writes the stack and returns normally.
    const errors = annotations(app, "@cdktf/error");
    if (errors.length > 0) throw new PolicyError(errors.map((e) => describeAnnotation(e, loaded)));
    if (synthError) throw synthError;
    phase("synthesize (aspects, policy pack, JSON)");
    warnings.push(...new Set(annotations(app, "@cdktf/warn").map((a) => `[${a.stack}] ${a.message}`)));
    for (const stack of kmsStacks(app)) {
      writeClientKit(workdir, stack.config.name, clientKitInput(stack));
    }
    phase("write client kits");
    for (const stack of kmsStacks(app)) {
      const result = writeDnsExport(workdir, stack.config.name, stack.dnsRecordModel, { computerName: stack.config.dns.rfc2136?.server });
      if (result.written) dnsExportDirs.push(path.join(target, path.relative(workdir, result.directory)));
      else warnings.push(`[${stackName(stack.config.name)}] no DNS export written to ${path.join(options.outdir, path.relative(workdir, result.directory))}/: ${result.reason}`);
    }
    phase("write DNS exports");
    // A client kit and a stack's assets are replaced whole, so files they no longer have
    // (configuration.xml, an older script version) go too. .terraform/ and state stay.
    for (const environment of environments) {
      fs.rmSync(path.join(target, "client-kit", environment.name), { recursive: true, force: true });
      fs.rmSync(path.join(target, "stacks", stackName(environment.name), "assets"), { recursive: true, force: true });
      // An export the environment no longer gets (a host lost its static IP) must not linger.
      fs.rmSync(dnsExportDirectory(target, environment.name), { recursive: true, force: true });
    }
    moveTree(workdir, target);
    phase("move staged output into place");
  } finally {
    // Stryker disable next-line BooleanLiteral: equivalent; the staging directory always exists here
    fs.rmSync(workdir, { recursive: true, force: true });
  }
  return {
    environments,
    stackFiles: environments.map((e) => path.join(target, "stacks", stackName(e.name), "cdk.tf.json")),
    clientKitDirs: environments.map((e) => path.join(target, "client-kit", e.name)),
    dnsExportDirs,
    warnings,
    staleOutput: staleOutput(target, all.map((l) => l.environment)),
    timings,
  };
}

/** One annotation of a construct. */
interface FoundAnnotation {
  readonly construct: IConstruct;
  readonly stack: string;
  readonly message: string;
}

function annotations(app: App, type: string): FoundAnnotation[] {
  return app.node.findAll().flatMap((construct) => {
    const stack = construct.node.scopes[1]?.node.id ?? construct.node.id;
    return construct.node.metadata.filter((m) => m.type === type).map((m) => ({ construct, stack, message: String(m.data) }));
  });
}

/**
 * An error annotation as the user should read it: at the environment field it comes from
 * (`environments/lab.yaml:18: kms.port: [KMS-NET-004] ...`) when the construct records one, else at
 * the construct path.
 */
function describeAnnotation(annotation: FoundAnnotation, loaded: readonly LoadedEnvironment[]): string {
  const source = loaded.find((l) => stackName(l.environment.name) === annotation.stack);
  const fields = environmentFieldsOf(annotation.construct);
  if (!source || fields.length === 0) return `[${annotation.construct.node.path}] ${annotation.message}`;
  const [first, ...others] = fields;
  const also = others.length > 0 ? ` (this resource also follows ${others.map((f) => formatPath(f)).join(", ")})` : "";
  const problem: ConfigProblem = { file: source.file, field: formatPath(first), line: source.lineOf(first), message: `${annotation.message}${also}` };
  return formatProblem(problem);
}

/** Stack directories, client kits and DNS exports in `outdir` that no current environment produces. */
function staleOutput(outdir: string, environments: readonly EnvironmentConfig[]): string[] {
  const stacks = new Set(environments.map((e) => stackName(e.name)));
  const names = new Set(environments.map((e) => e.name));
  const dnsExports = path.dirname(dnsExportDirectory(outdir, "any"));
  const list = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : []);
  return [
    ...list(path.join(outdir, "stacks"))
      .filter((name) => name.startsWith("kms-") && !stacks.has(name))
      .map((name) => path.join(outdir, "stacks", name)),
    ...list(path.join(outdir, "client-kit"))
      .filter((name) => !names.has(name))
      .map((name) => path.join(outdir, "client-kit", name)),
    ...list(dnsExports)
      .filter((name) => !names.has(name))
      .map((name) => path.join(dnsExports, name)),
  ];
}

function kmsStacks(app: App): KmsStack[] {
  return app.node.children.filter((c): c is KmsStack => c instanceof KmsStack);
}

/** What the client kit of a stack needs: the clients' domain, the zone, the hosts and the port. */
function clientKitInput(stack: KmsStack) {
  const { config } = stack;
  return {
    office: config.clients?.office,
    domain: config.clients?.domain ?? config.dns.zoneName,
    zoneName: config.dns.zoneName,
    hosts: stack.hosts.map((h) => h.fqdn),
    port: config.kms.port,
    servesWindows: config.kms.products.some((p) => kmsHostProduct(p.product).kind === "windows"),
    servesOffice: config.kms.products.some((p) => kmsHostProduct(p.product).kind === "office"),
  };
}

/**
 * A scratch directory for the output, beside `target` (so that moving it into place is a rename
 * on the same file system), or in the system's temporary directory when `target`'s parent does
 * not exist or is not writable (moving then copies).
 */
function stagingDirectory(target: string): string {
  try {
    return fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.staging-`));
  } catch {
    return fs.mkdtempSync(path.join(os.tmpdir(), "kms-synth-"));
  }
}

/**
 * Moves what `from` holds over `to`, keeping files that exist only in `to` (.terraform/, state):
 * a directory `to` lacks moves whole, a file replaces its namesake. Renames, or copies across
 * file systems.
 */
function moveTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(to, entry.name);
    if (entry.isDirectory() && fs.existsSync(destination)) {
      moveTree(source, destination);
      continue;
    }
    try {
      fs.renameSync(source, destination);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
      if (entry.isDirectory()) moveTree(source, destination);
      else fs.copyFileSync(source, destination);
    }
  }
}

export { ConfigError, UnknownEnvironmentError };
