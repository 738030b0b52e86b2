// Jest global setup for StrykerJS's runs (jest.stryker.config.js). Stryker runs jest once per mutant,
// in band, inside each of its test runner processes, and the mutants of the bootstrap and the client
// kit are covered by tests that call PowerShell (the Run Command parameters, Test-KmsClient): with no
// server, every such call started pwsh, 1-2 s of CPU each time. Here each Stryker process starts one
// PowerShell server on its first jest run, and its later runs reuse it: the port file stays in the
// process's environment (PWSH_SERVER_ENV), where test/support/powershell.ts looks for it. The server
// exits when the process does (-ParentPid), and its directory is removed then.
import { rmSync } from "node:fs";
import { installPowerShell } from "./global-setup";
import { PWSH_SERVER_ENV, startPowerShellServer } from "./powershell";

export default function globalSetup(): void {
  if (process.env[PWSH_SERVER_ENV] !== undefined) return;
  const server = startPowerShellServer({ pwsh: installPowerShell(), parentPid: process.pid });
  process.env[PWSH_SERVER_ENV] = server.portFile;
  process.once("exit", () => rmSync(server.dir, { recursive: true, force: true }));
}
