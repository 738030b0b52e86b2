// Jest global setup: makes sure PowerShell (for its parser) is installed under .tools/, so that
// `npx jest` works alone in a fresh clone too (quick when already installed), then starts the run's
// PowerShell server (test/support/powershell.ts) without waiting for it: pwsh starts while the
// first test files load. The workers, forked after this, inherit its port file in PWSH_SERVER_ENV;
// global-teardown.ts stops it.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { PWSH_SERVER_ENV, startPowerShellServer, type PowerShellServer } from "./powershell";

/** Runs scripts/install-powershell.sh (fails loudly when pwsh cannot be had) and returns the pwsh it settled on. */
export function installPowerShell(): string {
  const output = execFileSync("bash", [path.join(__dirname, "..", "..", "scripts", "install-powershell.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const pwsh = /^PWSH=(.+)$/m.exec(output)?.[1];
  if (!pwsh) throw new Error(`scripts/install-powershell.sh printed no PWSH= line:\n${output}`);
  return pwsh;
}

/** Shared with global-teardown.ts, which jest runs in this same process. */
export const SERVER_GLOBAL = "__azureKmsHostPwshServer";

export default function globalSetup(): void {
  const server = startPowerShellServer({ pwsh: installPowerShell(), parentPid: process.pid });
  (globalThis as Record<string, unknown>)[SERVER_GLOBAL] = server satisfies PowerShellServer;
  process.env[PWSH_SERVER_ENV] = server.portFile;
}
