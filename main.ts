// Entry point of the main job (`npm run synth`) and of `cdktf synth` / `cdktf deploy`: synthesizes
// every environment in environments/ into cdktf.out/stacks/kms-<name>/cdk.tf.json. Run by the
// cdktf CLI (CDKTF_OUTDIR set) it behaves the same: a policy error exits non-zero and leaves the
// previous output untouched, whatever CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS says.
import * as fs from "fs";
import * as path from "path";
import * as z from "zod";
import { environmentSchema } from "./config/environment-schema";
import { ConfigError } from "./config/load-environments";
import { CommandLine, USAGE, parseCommandLine } from "./stacks/command-line";
import { PolicyError, synthesizeAll, UnknownEnvironmentError } from "./stacks/synthesize";
import { writeDiagrams } from "./diagrams/render";

// No stack traces in this process. Nothing the main job prints carries one (every error is
// reported by its message, pointing at the environment file), yet cdktf captures a full stack
// trace, with no depth limit, for every token and every attribute reference it creates, to
// explain an unresolvable token later: about 2 ms per environment. With the limit at 0, errors
// get no frames and cdktf (patched: patches/README.md) records an empty creation stack.
Error.stackTraceLimit = 0;

/** What the diagram step draws once the stacks are written (diagrams/render.ts). */
let diagramsToDraw: { outdir: string; stacks: { environment: string; stackFile: string }[] } | undefined;

function main(): number {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (commandLine.help) {
    console.log(USAGE);
    return 0;
  }
  const environmentsDir = path.resolve(commandLine.environments);
  if (commandLine.writeSchema) {
    const file = path.join(environmentsDir, "environment.schema.json");
    fs.writeFileSync(file, `${JSON.stringify(z.toJSONSchema(environmentSchema, { io: "input" }), null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return 0;
  }
  try {
    // The cdktf CLI sets CDKTF_OUTDIR: write there, staged like every other run.
    const outdir = process.env.CDKTF_OUTDIR || commandLine.out;
    const result = synthesizeAll({ environmentsDir, outdir, only: commandLine.only });
    diagramsToDraw = { outdir, stacks: result.environments.map((e, i) => ({ environment: e.name, stackFile: result.stackFiles[i] })) };
    const out = [
      ...result.stackFiles.map((file) => `synthesized ${path.relative(process.cwd(), file)}`),
      ...result.clientKitDirs.map((dir) => `client kit  ${path.relative(process.cwd(), dir)}/`),
      ...result.dnsExportDirs.map((dir) => `dns export  ${path.relative(process.cwd(), dir)}/`),
    ];
    const err = [
      ...result.warnings.map((warning) => `warning: ${warning}`),
      ...result.staleOutput.map(
        (stale) =>
          `warning: ${path.relative(process.cwd(), stale)} comes from no environment file any more (deleted or renamed?). ` +
          `If its resources still exist, destroy them first (README, "Decommissioning an environment"), then delete this directory.`,
      ),
      ...(process.env.KMS_SYNTH_TIMINGS ? Object.entries(result.timings).map(([phase, ms]) => `timing: ${ms.toFixed(1).padStart(7)} ms  ${phase}`) : []),
    ];
    // One write per stream instead of a console call per line (each a cold trip through
    // console's formatting and a separate write: about 2 ms a synth).
    if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
    if (err.length > 0) process.stderr.write(`${err.join("\n")}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid environment file(s); nothing was written:\n${error.message}`);
    } else if (error instanceof UnknownEnvironmentError) {
      console.error(`Unknown environment; nothing was written:\n${error.message}`);
    } else if (error instanceof PolicyError) {
      console.error(`Policy check failed; nothing was written:\n${error.message}\nFix each problem above; the policy pack cannot be switched off.`);
    } else {
      console.error(`Synthesis failed; nothing was written:\n${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
}

// `check-plan <plan.json> ...` (rehearsal/check-plan.ts): loaded only when asked for, so the
// synth path neither loads nor waits for it.
if (process.argv[2] === "check-plan") {
  void import("./rehearsal/check-plan").then(({ PROCESS_IO, runCheckPlan }) => {
    process.exitCode = runCheckPlan(process.argv.slice(3), PROCESS_IO);
  });
} else {
  process.exitCode = main();

  // A picture of each environment, from the stacks just written: <out>/diagrams/<name>.svg. Graphviz
  // (WebAssembly) loads only when a stack changed since its picture was drawn.
  if (process.exitCode === 0 && diagramsToDraw) {
    const started = process.hrtime.bigint();
    const { outdir, stacks } = diagramsToDraw;
    writeDiagrams(outdir, stacks).then(
      (drawn) => {
        const lines = [...drawn.written.map((file) => `diagram     ${path.relative(process.cwd(), file)}`), ...drawn.unchanged.map((file) => `diagram     ${path.relative(process.cwd(), file)} (unchanged)`)];
        if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
        if (process.env.KMS_SYNTH_TIMINGS) process.stderr.write(`timing: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1).padStart(7)} ms  draw diagrams (${drawn.written.length} drawn, ${drawn.unchanged.length} unchanged)\n`);
      },
      (error: unknown) => {
        console.error(`The stacks were written, but drawing the diagrams failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      },
    );
  }
}
