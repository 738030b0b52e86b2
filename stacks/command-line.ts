// The main job's command line: usage text and a strict parser (an unknown option is refused).

export const USAGE = `Usage: node dist/main.js [options]     (npm run synth)

Validates every environments/<name>.yaml and synthesizes stack kms-<name> into
<out>/stacks/kms-<name>/cdk.tf.json, plus a client kit in <out>/client-kit/<name>/.
Nothing is written unless every file is valid and every stack passes the policy pack.

Options:
  --environments <dir>  directory of environment files (default: environments)
  --out <dir>           output directory (default: cdktf.out; the cdktf CLI's CDKTF_OUTDIR wins)
  --only <env>[,<env>]  synthesize only these environments (every file is still validated);
                        other environments' output is left as it was; an unknown name is refused
  --write-schema        rewrite <environments>/environment.schema.json and exit
  --help                print this help and exit

Also: node dist/main.js check-plan <plan.json> [--markdown <out.md>] [--acknowledge <hazard-id>]...
  says what a plan (terraform show -json <planfile>) does to the KMS service (README, "Checking a plan").

Environment: KMS_SYNTH_TIMINGS=1 also prints the time spent in each phase.
`;

/** Parsed command line. */
export interface CommandLine {
  readonly help: boolean;
  readonly writeSchema: boolean;
  readonly environments: string;
  readonly out: string;
  /** `--only`: the environment names to synthesize (undefined: all). */
  readonly only?: readonly string[];
}

/** Parses argv (without node and the script); throws with a one-line reason on anything unknown. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h" || arg === "--write-schema") {
      flags.add(arg === "-h" ? "--help" : arg);
    } else if (arg === "--environments" || arg === "--out") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new Error(`${arg} needs a directory, e.g. ${arg} ${arg === "--out" ? "cdktf.out" : "environments"}`);
      values[arg] = value;
      i++;
    } else if (arg === "--only") {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new Error("--only needs environment names, e.g. --only lab or --only lab,production");
      const names = value.split(",").map((name) => name.trim());
      if (names.some((name) => name === "")) throw new Error(`--only ${JSON.stringify(value)} has an empty name; write the names separated by single commas, e.g. --only lab,production`);
      only.push(...names);
      i++;
    } else {
      throw new Error(`unknown option ${JSON.stringify(arg)}; see --help`);
    }
  }
  return { help: flags.has("--help"), writeSchema: flags.has("--write-schema"), environments: values["--environments"] ?? "environments", out: values["--out"] ?? "cdktf.out", only: only.length > 0 ? only : undefined };
}

