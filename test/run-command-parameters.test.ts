// Every shipped environment, plus an Office-only and a Windows-only fixture, synthesizes Run
// Commands whose parameters survive the trip: never an empty value (the provider rejects it:
// hashicorp/terraform-provider-azurerm v4.55.0, internal/services/compute/virtual_machine_run_command_resource.go)
// and none of `" ^ & % < > |`, which the Run Command's command line mangles (Azure/azure-powershell
// #7269, #29880). Shipped files are checked generically: whatever environments/ holds.
import * as path from "node:path";
import { EnvironmentConfig } from "../config/environment-schema";
import { loadEnvironments } from "../config/load-environments";
import { RUN_COMMAND_UNSAFE_CHARACTERS } from "../constructs/kms-host-bootstrap";
import { ENVIRONMENTS_DIR } from "./support/environments";
import { runPowerShell } from "./support/powershell";
import { synthesizeEnvironment } from "./support/synth";

const FIXTURES_DIR = path.join(__dirname, "fixtures", "environments");
type Parameter = { name: string; value: string };

describe("Run Command parameters", () => {
  const synthesized = new Map<string, Parameter[][]>();
  let environments: EnvironmentConfig[] = [];
  beforeAll(() => {
    environments = [...loadEnvironments(ENVIRONMENTS_DIR), ...loadEnvironments(FIXTURES_DIR)];
    for (const environment of environments) {
      const stack = synthesizeEnvironment(environment);
      synthesized.set(
        environment.name,
        stack.resources("azurerm_virtual_machine_run_command").map((command) => command.parameter as Parameter[]),
      );
    }
  });
  const parametersOf = (name: string): Parameter[][] => {
    const found = synthesized.get(name);
    if (!found || found.length === 0) throw new Error(`environment ${name} synthesized no Run Command`);
    return found;
  };

  test("covers every shipped environment and both fixtures", () => {
    expect(environments.length).toBeGreaterThanOrEqual(3);
    expect(environments.map((e) => e.name)).toEqual(expect.arrayContaining(["fixture-office-only", "fixture-windows-only"]));
  });

  test("no environment sends an empty value or a character the command line mangles", () => {
    const problems: string[] = [];
    for (const environment of environments) {
      for (const parameters of parametersOf(environment.name)) {
        for (const { name, value } of parameters) {
          if (value === "") problems.push(`${environment.name}: ${name} is empty`);
          for (const c of RUN_COMMAND_UNSAFE_CHARACTERS) if (value.includes(c)) problems.push(`${environment.name}: ${name} contains ${c}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test("the Office-only fixture sends the Office list as base64 and no Windows secret", () => {
    for (const parameters of parametersOf("fixture-office-only")) {
      const names = parameters.map((p) => p.name);
      expect(names).not.toContain("WindowsKeySecretName");
      const office = parameters.find((p) => p.name === "OfficeProductsBase64")?.value ?? "";
      expect(JSON.parse(Buffer.from(office, "base64").toString("utf8"))).toEqual([
        expect.objectContaining({ product: "office-ltsc-2024", secretName: "kms-host-key-office-ltsc-2024", packSha256: "ab".repeat(32) }),
      ]);
    }
  });

  test("Install-KmsHost.ps1 decodes the Office list exactly as the construct encoded it", () => {
    const [parameters] = parametersOf("fixture-office-only");
    const encoded = parameters?.find((p) => p.name === "OfficeProductsBase64")?.value ?? "";
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const script = path.join(__dirname, "..", "powershell", "Install-KmsHost.ps1");
    // Dot-sourcing defines the script's functions without running the bootstrap.
    const command = `. '${script}'; ConvertTo-Json -Compress -InputObject @(ConvertFrom-OfficeProductsBase64 -Encoded '${encoded}' -SecretNamePattern '^[0-9A-Za-z-]{1,127}$')`;
    const decoded = JSON.parse(runPowerShell({ command }));
    expect(decoded).toEqual([
      expect.objectContaining({
        Product: "office-ltsc-2024",
        SecretName: "kms-host-key-office-ltsc-2024",
        PackUri: "https://download.microsoft.com/download/fixture/Office2024VolumeLicensePack.exe",
        PackSha256: "AB".repeat(32),
        ActivationId: "F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F",
      }),
    ]);
  });

  test("the Windows-only fixture sends the Windows secret and no Office list", () => {
    for (const parameters of parametersOf("fixture-windows-only")) {
      expect(parameters.map((p) => p.name)).not.toContain("OfficeProductsBase64");
      expect(parameters).toContainEqual({ name: "WindowsKeySecretName", value: "kms-host-key-windows" });
    }
  });
});
