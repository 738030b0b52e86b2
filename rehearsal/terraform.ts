// Runs the real terraform binary on a stand-in (rehearsal/stand-in.ts) in a scratch directory: one
// `terraform init` per directory (no provider to download: terraform_data is built in), then
// apply / plan / destroy as a person would, with $REHEARSAL_DIR pointing at the directory where the
// provisioners keep their log and records (rehearsal/azure-provisioners.ts).
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StandIn, realAddress, toStandIn } from "./stand-in";

/** The outcome of one terraform command. */
export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A planned change of one real address (stand-in helpers left out). */
export interface PlannedChange {
  readonly address: string;
  readonly actions: readonly string[];
}

/** The terraform binary's version, or an Error saying it is missing. */
export function terraformVersion(): string | Error {
  const run = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
  if (run.error || run.status !== 0) return new Error(`terraform is not on PATH (${run.error?.message ?? run.stderr}); the rehearsal needs Terraform >= 1.5`);
  return (JSON.parse(run.stdout) as { terraform_version: string }).terraform_version;
}

function resourcesOf(config: Record<string, unknown>): Record<string, Record<string, any>> {
  return ((config.resource as Record<string, unknown>).terraform_data ?? {}) as Record<string, Record<string, any>>;
}

/** A scratch directory holding one stand-in's configuration and state. */
export class Rehearsal {
  public readonly dir: string;
  private standIn?: StandIn;
  private initialised = false;

  constructor(prefix = "kms-rehearsal-") {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** A copy of this directory (configuration, state, records), to rehearse from the same applied state. */
  public copy(): Rehearsal {
    const copy = new Rehearsal();
    fs.cpSync(this.dir, copy.dir, { recursive: true });
    copy.standIn = this.standIn;
    copy.initialised = this.initialised;
    fs.rmSync(path.join(copy.dir, "log"), { force: true });
    return copy;
  }

  /** Writes the stand-in of a synthesized stack as the configuration (main.tf.json). */
  public configure(stack: Record<string, any>): StandIn {
    fs.writeFileSync(path.join(this.dir, "terraform.rc"), "");
    const previous = this.standIn;
    this.standIn = toStandIn(stack);
    // A resource gone from the configuration is still deleted by its provider, Azure's rules
    // included; Terraform runs no destroy-time provisioner of a resource block that is gone
    // (developer.hashicorp.com/terraform/language/resources/provisioners/syntax, "Destroy-Time
    // Provisioners"). So the block stays, as a ghost with count = 0 and only those provisioners.
    if (previous) {
      const now = resourcesOf(this.standIn.config);
      for (const [name, block] of Object.entries(resourcesOf(previous.config))) {
        if (name in now) continue;
        const destroyTime = ((block.provisioner ?? []) as Record<string, { when?: string }>[]).filter((p) => Object.values(p)[0].when === "destroy");
        if (destroyTime.length > 0 || block.count === 0) now[name] = { count: 0, provisioner: destroyTime.length > 0 ? destroyTime : block.provisioner };
      }
    }
    fs.writeFileSync(path.join(this.dir, "main.tf.json"), `${JSON.stringify(this.standIn.config, null, 1)}\n`);
    return this.standIn;
  }

  /** The stand-in address of a real one, as the current configuration maps it. */
  public address(real: string): string {
    const standIn = this.standIn?.addresses.get(real);
    if (!standIn) throw new Error(`${real} is not in the configured stack`);
    return standIn;
  }

  /** Runs terraform with `args` (init first, once). */
  public terraform(...args: string[]): TerraformRun {
    if (!this.initialised && args[0] !== "init") {
      const init = this.run(["init", "-input=false", "-no-color"]);
      if (init.code !== 0) throw new Error(`terraform init failed in ${this.dir}:\n${init.stderr}`);
      this.initialised = true;
    }
    return this.run(args);
  }

  /** `terraform apply -auto-approve` with extra arguments (real addresses in -replace / -target are mapped). */
  public apply(...args: string[]): TerraformRun {
    return this.terraform("apply", "-auto-approve", "-input=false", "-no-color", ...args.map((a) => this.mapArgument(a)));
  }

  /** `terraform apply -auto-approve`, without blocking: several rehearsals can apply at once. */
  public applyAsync(...args: string[]): Promise<TerraformRun> {
    if (!this.initialised) {
      const init = this.run(["init", "-input=false", "-no-color"]);
      if (init.code !== 0) return Promise.reject(new Error(`terraform init failed in ${this.dir}:\n${init.stderr}`));
      this.initialised = true;
    }
    const child = spawn("terraform", ["apply", "-auto-approve", "-input=false", "-no-color", ...args.map((a) => this.mapArgument(a))], { cwd: this.dir, env: this.environment() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /** `terraform destroy -auto-approve`. */
  public destroy(...args: string[]): TerraformRun {
    return this.terraform("destroy", "-auto-approve", "-input=false", "-no-color", ...args.map((a) => this.mapArgument(a)));
  }

  /** A plan, as Terraform's JSON plan (terraform show -json), and its run. */
  public plan(...args: string[]): { run: TerraformRun; json?: Record<string, any> } {
    const run = this.terraform("plan", "-input=false", "-no-color", "-out=plan.bin", ...args.map((a) => this.mapArgument(a)));
    if (run.code !== 0) return { run };
    const show = this.terraform("show", "-json", "plan.bin");
    if (show.code !== 0) throw new Error(`terraform show failed:\n${show.stderr}`);
    return { run, json: JSON.parse(show.stdout) as Record<string, any> };
  }

  /** The planned changes of a JSON plan, by real address (helpers dropped; no-ops kept). */
  public static changes(plan: Record<string, any>): PlannedChange[] {
    // A ghost (a resource gone from the configuration, kept with count = 0) is planned at `<address>[0]`,
    // moved from its old address: report the old one.
    return ((plan.resource_changes ?? []) as { address: string; previous_address?: string; change: { actions: string[] } }[]).flatMap((c) => {
      const real = realAddress(c.previous_address ?? c.address);
      return real ? [{ address: real, actions: c.change.actions }] : [];
    });
  }

  /** The provisioners' log since the last call (`<event> <real address>` lines), then cleared. */
  public takeLog(): string[] {
    const file = path.join(this.dir, "log");
    if (!fs.existsSync(file)) return [];
    const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    fs.rmSync(file);
    return lines;
  }

  /** Makes the bootstrap (Run Command) script of these real addresses (or `*`) fail on create or update; none with []. */
  public failBootstrap(on: "create" | "update", addresses: readonly string[]): void {
    const file = path.join(this.dir, `fail-bootstrap-${on}`);
    if (addresses.length === 0) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, `${addresses.join("\n")}\n`);
  }

  /** Removes the directory. */
  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private mapArgument(argument: string): string {
    const match = /^(-replace=|-target=)(.*)$/.exec(argument);
    if (!match || !this.standIn) return argument;
    return `${match[1]}${this.address(match[2])}`;
  }

  private environment(): NodeJS.ProcessEnv {
    return { ...process.env, REHEARSAL_DIR: this.dir, TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: path.join(this.dir, "terraform.rc"), TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
  }

  private run(args: string[]): TerraformRun {
    const run = spawnSync("terraform", args, {
      cwd: this.dir,
      encoding: "utf8",
      env: this.environment(),
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.error) {
      throw (run.error as NodeJS.ErrnoException).code === "ENOENT" ? new Error("terraform is not on PATH; the rehearsal needs Terraform >= 1.5 (no provider plugin, no network)") : run.error;
    }
    return { code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
  }
}
