// Entry point of the main job (`npm run synth`) and of `cdktf synth`: synthesizes every
// environment in environments/ into cdktf.out/stacks/kms-<name>/cdk.tf.json.
//
//   node dist/main.js [--environments <dir>] [--out <dir>]
//   node dist/main.js --write-schema      (rewrites environments/environment.schema.json)
//   KMS_SYNTH_TIMINGS=1 node dist/main.js (also prints the time spent in each phase)
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { environmentSchema } from "./config/environment-schema";
import { ConfigError } from "./config/load-environments";
import { synthesizeAll } from "./stacks/synthesize";

// cdktf captures a full stack trace (no depth limit) for every token it creates, to explain an
// unresolvable token later; formatting those traces is a measurable share of synth time and
// nothing reads them in this app. Real Errors keep their usual stack traces.
Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]): string =>
  error instanceof Error ? `${error.name}: ${error.message}${frames.map((frame) => `\n    at ${frame.toString()}`).join("")}` : "";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

function main(): number {
  const environmentsDir = path.resolve(option("--environments", "environments"));
  if (process.argv.includes("--write-schema")) {
    const file = path.join(environmentsDir, "environment.schema.json");
    fs.writeFileSync(file, `${JSON.stringify(z.toJSONSchema(environmentSchema, { io: "input" }), null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
    return 0;
  }
  // The cdktf CLI sets CDKTF_OUTDIR and owns that directory; run directly, we stage our output.
  const cliOutdir = process.env.CDKTF_OUTDIR || undefined;
  try {
    const result = synthesizeAll({
      environmentsDir,
      outdir: cliOutdir ?? option("--out", "cdktf.out"),
      staged: cliOutdir === undefined,
    });
    for (const file of result.stackFiles) console.log(`synthesized ${path.relative(process.cwd(), file)}`);
    for (const dir of result.clientKitDirs) console.log(`client kit  ${path.relative(process.cwd(), dir)}/`);
    for (const dir of result.dnsExportDirs) console.log(`dns export  ${path.relative(process.cwd(), dir)}/`);
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    if (process.env.KMS_SYNTH_TIMINGS) {
      for (const [phase, ms] of Object.entries(result.timings)) console.error(`timing: ${ms.toFixed(1).padStart(7)} ms  ${phase}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid environment file(s); nothing was written:\n${error.message}`);
    } else {
      console.error(`Synthesis failed; nothing was written:\n${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
}

process.exitCode = main();
