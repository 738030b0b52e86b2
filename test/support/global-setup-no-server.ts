// Jest global setup for the configs whose runs rarely or never call PowerShell: installs it like
// global-setup.ts but starts no PowerShell server, which would cost a pwsh start (1-2 s of CPU) per
// run for nothing. jest.build.config.js: its tests never call pwsh. jest.stryker.config.js: Stryker
// runs jest once per mutant, mostly on test files that never call pwsh; the few that do start pwsh
// themselves (test/support/powershell.ts falls back to that when no server is announced).
import { installPowerShell } from "./global-setup";

export default function globalSetup(): void {
  installPowerShell();
}
