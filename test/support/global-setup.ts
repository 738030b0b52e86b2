// Jest global setup: makes sure PowerShell (for its parser) is installed under .tools/, so that
// `npx jest` works alone in a fresh clone too. Quick when already installed.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export default function globalSetup(): void {
  execFileSync("bash", [path.join(__dirname, "..", "..", "scripts", "install-powershell.sh")], { stdio: ["ignore", "ignore", "inherit"] });
}
