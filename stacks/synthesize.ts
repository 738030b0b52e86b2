// The main job: validate every environment file, then synthesize every stack. Output is staged in
// a scratch directory and copied into place only when every stack synthesized cleanly, so a bad
// environment file or a policy error never leaves half-written output behind.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { writeClientKit } from "../client-kit";
import { EnvironmentConfig } from "../config/environment-schema";
import { loadEnvironments } from "../config/load-environments";
import { dnsExportDirectory, writeDnsExport } from "../dns-export";
import { KmsStack, stackName } from "./kms-stack";

/** Where to read environments and write output. */
export interface SynthesizeOptions {
  /** Directory of `<name>.yaml` environment files. */
  readonly environmentsDir: string;
  /** cdktf output directory (stacks land in `<outdir>/stacks/kms-<name>/cdk.tf.json`). */
  readonly outdir: string;
  /**
   * Stage output in a scratch directory and copy it into `outdir` only on success. Off when the
   * cdktf CLI drives the app, because the CLI owns its output directory.
   * @default true
   */
  readonly staged?: boolean;
  /**
   * Escape hatch: called with each stack before synthesis, for overrides a team needs. The policy
   * pack still checks the result, so an override cannot quietly weaken a host.
   * @default - no changes
   */
  readonly extend?: (stack: KmsStack) => void;
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
  /** Milliseconds spent in each phase, in order (validate, build, synth, client kit, DNS exports, copy). */
  readonly timings: Readonly<Record<string, number>>;
}

/** Builds the cdktf app for a set of environments (exported for tests). */
export function buildApp(environments: readonly EnvironmentConfig[], outdir: string, extend?: (stack: KmsStack) => void): App {
  // No stack traces in construct metadata: nobody reads them, and capturing one per annotation
  // is a measurable share of synth time.
  const app = new App({ outdir, skipValidation: false, stackTraces: false });
  for (const environment of environments) {
    const stack = new KmsStack(app, environment);
    if (extend) extend(stack);
  }
  return app;
}

/**
 * Validates every environment file (throwing a ConfigError listing every problem), then
 * synthesizes every stack. Throws without touching `outdir` if anything fails.
 */
export function synthesizeAll(options: SynthesizeOptions): SynthesizeResult {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    timings[name] = now - mark;
    mark = now;
  };
  const environments = loadEnvironments(options.environmentsDir);
  phase("validate environment files");
  const staged = options.staged ?? true;
  const target = path.resolve(options.outdir);
  const workdir = staged ? fs.mkdtempSync(path.join(os.tmpdir(), "kms-synth-")) : target;
  const warnings: string[] = [];
  const dnsExportDirs: string[] = [];
  try {
    const app = buildApp(environments, workdir, options.extend);
    phase("build stacks");
    app.synth();
    phase("synthesize (aspects, policy pack, JSON)");
    warnings.push(...collectWarnings(app));
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
    if (staged) {
      // A client kit and a stack's assets are replaced whole, so files they no longer have
      // (configuration.xml, an older script version) go too. .terraform/ and state stay.
      for (const environment of environments) {
        fs.rmSync(path.join(target, "client-kit", environment.name), { recursive: true, force: true });
        fs.rmSync(path.join(target, "stacks", stackName(environment.name), "assets"), { recursive: true, force: true });
        // An export the environment no longer gets (a host lost its static IP) must not linger.
        fs.rmSync(dnsExportDirectory(target, environment.name), { recursive: true, force: true });
      }
      copyTree(workdir, target);
    }
    phase("copy staged output");
  } finally {
    if (staged) fs.rmSync(workdir, { recursive: true, force: true });
  }
  return {
    environments,
    stackFiles: environments.map((e) => path.join(target, "stacks", stackName(e.name), "cdk.tf.json")),
    clientKitDirs: environments.map((e) => path.join(target, "client-kit", e.name)),
    dnsExportDirs,
    warnings,
    timings,
  };
}

/**
 * Warning annotations of every construct (cdktf records them but prints them only through its
 * CLI), once per stack and message: every host of a stack raises the same placeholder warning.
 */
function collectWarnings(app: App): string[] {
  const warnings = app.node.findAll().flatMap((construct) => {
    const stack = construct.node.scopes[1]?.node.id ?? construct.node.id;
    return construct.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => `[${stack}] ${String(m.data)}`);
  });
  return [...new Set(warnings)];
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
  };
}

/** Copies files from `from` over `to`, keeping files that exist only in `to` (e.g. .terraform/). */
function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const destination = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, destination);
    else fs.copyFileSync(source, destination);
  }
}
