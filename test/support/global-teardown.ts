// Jest global teardown: stops the PowerShell server global-setup.ts started.
import { SERVER_GLOBAL } from "./global-setup";
import { PWSH_SERVER_ENV, stopPowerShellServer, type PowerShellServer } from "./powershell";

export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const server = store[SERVER_GLOBAL] as PowerShellServer | undefined;
  delete store[SERVER_GLOBAL];
  delete process.env[PWSH_SERVER_ENV];
  if (server) await stopPowerShellServer(server);
}
