// Jest global setup for jest.build.config.js, whose tests never call PowerShell: installs it like
// global-setup.ts but starts no PowerShell server, which would cost a pwsh start (1-2 s of CPU) per
// run for nothing. (A test that did call pwsh here would be refused, with the fix:
// test/support/powershell.ts needs a server.)
import { installPowerShell } from "./global-setup";

export default function globalSetup(): void {
  installPowerShell();
}
