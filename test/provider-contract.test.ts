// Provider-contract tests: what `terraform validate` / `plan` / `apply` with azurerm 4.55.0 would
// refuse, checked on the synthesized JSON of every shipped environment (whatever files exist in
// environments/) and of the fixture environments in test/fixtures/contract-environments/. The
// rules themselves are data now, each citing the provider source or Microsoft Learn page it
// restates: rehearsal/provider-contract.ts (the providers) and rehearsal/azure-rules.ts (Azure),
// with their own tests (each rule refuses a bad input) in test/rehearsal/. The stack-specific
// promises (links, locks, postconditions) stay here.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnvironmentConfig } from "../config/environment-schema";
import { synthesizeAll } from "../stacks/synthesize";
import { checkAgainstContract } from "../rehearsal/provider-contract";
import { checkAzureRules } from "../rehearsal/azure-rule-checks";
import { isHostsVnet } from "../stacks/zone-links";
import { parse } from "yaml";
import { ENVIRONMENTS_DIR, validEnvironment } from "./support/environments";
import { runReadmeLibraryExample } from "./support/readme-example";
import { parsed, synthesizeEnvironment, type SynthesizedStack } from "./support/synth";

const FIXTURES_DIR = path.join(__dirname, "fixtures", "contract-environments");

type Json = Record<string, any>;

/** Synthesizes every environment file of `dir` in-process into a scratch directory. */
function synthesizeDirectory(dir: string): Map<string, SynthesizedStack & { readonly environment: EnvironmentConfig }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-contract-"));
  try {
    const result = synthesizeAll({ environmentsDir: dir, outdir });
    return new Map(result.stackFiles.map((file, i) => [result.environments[i].name, { ...parsed(fs.readFileSync(file, "utf8")), environment: result.environments[i] }]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe.each([
  ["shipped environments (environments/*.yaml, whatever exists)", ENVIRONMENTS_DIR],
  ["fixture environments (test/fixtures/contract-environments)", FIXTURES_DIR],
])("%s meet the provider's contract", (_what, dir) => {
  let stacks: Map<string, SynthesizedStack & { readonly environment: EnvironmentConfig }>;
  beforeAll(() => {
    stacks = synthesizeDirectory(dir);
  });

  test("every environment file was synthesized", () => {
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    expect([...stacks.keys()].sort()).toEqual(files.map((f) => f.replace(/\.ya?ml$/, "")).sort());
  });

  test("no resource breaks a provider rule or an Azure rule (rehearsal/provider-contract.ts, rehearsal/azure-rule-checks.ts)", () => {
    for (const [name, stack] of stacks) {
      expect({ name, problems: checkAgainstContract(stack.json) }).toEqual({ name, problems: [] });
      expect({ name, problems: checkAzureRules(stack.json) }).toEqual({ name, problems: [] });
    }
  });

  test("every vnet in dns.linkedVnetIds is linked to the zone, created or existing (never silently dropped)", () => {
    for (const stack of stacks.values()) {
      // The KMS zone's links only: a Key Vault private endpoint's privatelink zone has its own link to the hosts' vnet.
      const zones = ((stack.json as { resource?: Record<string, Record<string, { name?: string }>> }).resource?.azurerm_private_dns_zone ?? {}) as Record<string, { name?: string }>;
      const privateLinkZones = Object.entries(zones).filter(([, z]) => z.name?.startsWith("privatelink.")).map(([key]) => `azurerm_private_dns_zone.${key}.`);
      const links = stack.resources("azurerm_private_dns_zone_virtual_network_link").filter((l) => !privateLinkZones.some((ref) => String(l.private_dns_zone_name).includes(ref)) && !String(l.private_dns_zone_name).startsWith("privatelink."));
      for (const id of stack.environment.dns.linkedVnetIds) {
        // The hosts' own vnet, listed again, is the link a created zone has anyway (stacks/zone-links.ts).
        const own = stack.environment.dns.createZone && isHostsVnet(stack.environment, id);
        expect(links.filter((l) => l.virtual_network_id === id)).toHaveLength(own ? 0 : 1);
      }
      if (stack.environment.dns.createZone) expect(links).toHaveLength(1 + stack.environment.dns.linkedVnetIds.filter((id) => !isHostsVnet(stack.environment, id)).length);
      if (!stack.environment.dns.createZone) {
        expect(links.map((l) => l.private_dns_zone_name)).toEqual(stack.environment.dns.linkedVnetIds.map(() => stack.environment.dns.zoneName));
      }
    }
    if (dir === FIXTURES_DIR) expect([...stacks.values()].some((s) => !s.environment.dns.createZone && s.environment.dns.linkedVnetIds.length > 0)).toBe(true);
  });

  test("a missing KMS host key secret stops the apply with the README's read -rs upload, never a key on the command line", () => {
    for (const stack of stacks.values()) {
      const checks = Object.values((stack.json.data?.azurerm_key_vault_secrets ?? {}) as Record<string, Json>);
      expect(checks).toHaveLength(1);
      const messages: string[] = checks[0].lifecycle.postcondition.map((p: Json) => p.error_message);
      expect(messages).toHaveLength(stack.environment.kms.products.length);
      for (const message of messages) {
        expect(message).toMatch(/read -rs KMS_KEY && az keyvault secret set --vault-name \S+ --name \S+ --value "\$KMS_KEY" --output none; unset KMS_KEY/);
        expect(message).not.toMatch(/--value "<|--value [A-Z0-9]{5}-/);
      }
    }
  });

  test("a created vault's deployer assignment is keyVault.deployerPrincipalId when given, else whoever runs terraform", () => {
    for (const stack of stacks.values()) {
      const deployer = stack.json.resource.azurerm_role_assignment?.deployer_secrets_officer;
      if (!stack.environment.keyVault.create) {
        expect(deployer).toBeUndefined();
        continue;
      }
      expect(deployer.principal_id).toEqual(stack.environment.keyVault.deployerPrincipalId ?? expect.stringMatching(/^\$\{data\.azurerm_client_config\.[^.]+\.object_id\}$/));
    }
  });

  test("every run command has parameters, all non-empty (checked, not vacuous)", () => {
    for (const stack of stacks.values()) {
      const commands = stack.resources("azurerm_virtual_machine_run_command");
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) expect(command.parameter.length).toBeGreaterThan(0);
    }
  });

  test("production stacks: every host lock waits for that host's bootstrap and maintenance assignment and is replaced around a replaced Run Command", () => {
    for (const stack of stacks.values()) {
      const locks = stack.resources("azurerm_management_lock");
      const commands = Object.keys(stack.json.resource.azurerm_virtual_machine_run_command ?? {});
      const vmLocks = locks.filter((l) => /azurerm_windows_virtual_machine\./.test(l.scope));
      expect(vmLocks.length).toBe(locks.length === 0 ? 0 : commands.length);
      for (const lock of vmLocks) {
        const command = commands.find((c) => lock.depends_on?.includes(`azurerm_virtual_machine_run_command.${c}`));
        expect(command).toBeDefined();
        expect(lock.lifecycle.replace_triggered_by).toEqual([`azurerm_virtual_machine_run_command.${command}.id`]);
        // The same host: the Run Command's VM is the VM the lock protects.
        const vm = /azurerm_windows_virtual_machine\.[^.]+/.exec(lock.scope)?.[0];
        expect(stack.json.resource.azurerm_virtual_machine_run_command[command as string].virtual_machine_id).toBe(`\${${vm}.id}`);
        // Its maintenance assignment (an extension resource of the VM, under the lock) comes first, so the lock is deleted before it.
        const assignments = Object.entries((stack.json.resource.azurerm_maintenance_assignment_virtual_machine ?? {}) as Record<string, Json>)
          .filter(([, a]) => a.virtual_machine_id === `\${${vm}.id}`)
          .map(([name]) => `azurerm_maintenance_assignment_virtual_machine.${name}`);
        expect(assignments).toHaveLength(1);
        expect(lock.depends_on).toContain(assignments[0]);
      }
    }
  });

  test("a locked vault's lock depends on, and is replaced with, every role assignment under the vault; and likewise on and with the vault's diagnostic settings and private endpoint (deleted before them, replaced around them)", () => {
    let checked = 0;
    let withEndpoint = 0;
    for (const stack of stacks.values()) {
      const vaults = Object.keys(stack.json.resource.azurerm_key_vault ?? {});
      const vaultLocks = stack.resources("azurerm_management_lock").filter((l) => /azurerm_key_vault\./.test(l.scope));
      if (vaultLocks.length === 0) continue;
      checked++;
      expect(vaults).toHaveLength(1);
      const underVault = Object.entries(stack.json.resource.azurerm_role_assignment as Record<string, Json>)
        .filter(([, a]) => String(a.scope).startsWith(`\${azurerm_key_vault.${vaults[0]}.id}`))
        .map(([name]) => `azurerm_role_assignment.${name}`);
      expect(underVault.length).toBeGreaterThan(1);
      // Diagnostic settings on the vault are extension resources its lock covers (ScopeLocked on delete).
      const settings = Object.entries((stack.json.resource.azurerm_monitor_diagnostic_setting ?? {}) as Record<string, Json>)
        .filter(([, d]) => d.target_resource_id === `\${azurerm_key_vault.${vaults[0]}.id}`)
        .map(([name]) => `azurerm_monitor_diagnostic_setting.${name}`);
      // So is the vault's private endpoint (its connection is on the vault; subnet_id is ForceNew).
      const endpoints = Object.entries((stack.json.resource.azurerm_private_endpoint ?? {}) as Record<string, Json>)
        .filter(([, e]) => [e.private_service_connection].flat()[0]?.private_connection_resource_id === `\${azurerm_key_vault.${vaults[0]}.id}`)
        .map(([name]) => `azurerm_private_endpoint.${name}`);
      const covered = [...settings, ...endpoints];
      withEndpoint += endpoints.length;
      expect([...vaultLocks[0].depends_on].sort()).toEqual([...underVault, ...covered].sort());
      const [trigger] = vaultLocks[0].lifecycle.replace_triggered_by as string[];
      const fingerprint = stack.json.resource.terraform_data[trigger.replace(/^terraform_data\./, "")];
      expect([...fingerprint.input.role_assignment_ids].sort()).toEqual(underVault.map((a) => `\${${a}.id}`).sort());
      // A replaced endpoint or setting (an unknown id in the plan) replaces the lock around it.
      expect([...fingerprint.input.covered_ids].sort()).toEqual(covered.map((a) => `\${${a}.id}`).sort());
    }
    // The fixtures include a production stack that creates its vault (vault-prod.yaml), with its private endpoint (the default).
    if (dir === FIXTURES_DIR) expect(checked).toBeGreaterThan(0);
    if (dir === FIXTURES_DIR) expect(withEndpoint).toBeGreaterThan(0);
  });
});

describe.each(["lab", "vault-prod"])("a tag change does not re-run the bootstrap (fixture %s)", (fixture) => {
  let before: SynthesizedStack;
  let after: SynthesizedStack;
  beforeAll(() => {
    const data = parse(fs.readFileSync(path.join(FIXTURES_DIR, `${fixture}.yaml`), "utf8")) as Json;
    before = synthesizeEnvironment(validEnvironment(data));
    after = synthesizeEnvironment(validEnvironment({ ...data, tags: { ...data.tags, "cost-center": "changed", owner: "someone-else" } }));
  });

  test("every run command's JSON is unchanged, while the VMs' tags change", () => {
    expect(after.json.resource.azurerm_virtual_machine_run_command).toEqual(before.json.resource.azurerm_virtual_machine_run_command);
    expect(Object.keys(before.json.resource.azurerm_virtual_machine_run_command).length).toBeGreaterThan(0);
    expect(after.resources("azurerm_windows_virtual_machine")[0].tags).toMatchObject({ owner: "someone-else" });
    expect(before.resources("azurerm_windows_virtual_machine")[0].tags).not.toHaveProperty("owner");
  });
});

describe("the README's library example (a KmsEnvironment in a stack of the user's)", () => {
  test("breaks no provider rule", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-contract-readme-"));
    try {
      const files = runReadmeLibraryExample(outdir);
      expect(files).toHaveLength(1);
      const stack = parsed(fs.readFileSync(files[0], "utf8"));
      expect(stack.resources("azurerm_windows_virtual_machine")).toHaveLength(1);
      expect(checkAgainstContract(stack.json)).toEqual([]);
      expect(checkAzureRules(stack.json)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
