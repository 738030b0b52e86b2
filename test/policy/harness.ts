// Shared builders for the policy tests: a compliant KMS-shaped stack made of raw provider
// resources (independent of the project's own constructs), and a synth helper that runs the pack
// through app.synth() (Testing.synth would not fail on errors) and collects the annotations.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, LocalBackend, TerraformStack, TerraformVariable } from "cdktf";
import { KeyVault, type KeyVaultConfig } from "@cdktf/provider-azurerm/lib/key-vault";
import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { NetworkInterface, type NetworkInterfaceConfig } from "@cdktf/provider-azurerm/lib/network-interface";
import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NetworkSecurityRule, type NetworkSecurityRuleConfig } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { PrivateDnsSrvRecord } from "@cdktf/provider-azurerm/lib/private-dns-srv-record";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { WindowsVirtualMachine, type WindowsVirtualMachineConfig } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import type { Construct } from "constructs";
import { KmsPolicyPack, policyContext, type PolicyContextProps, type Rule } from "../../policy";

/** Client and admin ranges used by every test. */
export const CLIENT_CIDRS = ["10.20.0.0/16", "192.168.10.0/24"];
export const ADMIN_CIDRS = ["10.0.1.0/26"];

/** What a synthesis produced. */
export interface SynthResult {
  readonly app: App;
  readonly stack: TerraformStack;
  readonly outdir: string;
  /** The error app.synth() threw, if any. */
  readonly thrown?: Error;
  readonly errors: string[];
  readonly warnings: string[];
  readonly infos: string[];
  /** Parsed cdk.tf.json, when synthesis succeeded. */
   
  readonly json?: Record<string, any>;
}

/** The base pieces a test stack builds on. */
export interface Base {
  readonly stack: TerraformStack;
  readonly rg: ResourceGroup;
  readonly password: TerraformVariable;
}

/**
 * Builds a stack with provider + resource group, runs `build`, applies the pack, synthesizes.
 * `makeStack` makes the stack (default: a plain TerraformStack), for a stack class of its own.
 */
export function synth(
  build: (base: Base) => void,
  context: Partial<PolicyContextProps> = {},
  rules?: readonly Rule[],
  makeStack: (app: App, id: string) => TerraformStack = (app, id) => new TerraformStack(app, id),
): SynthResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-policy-"));
  const app = new App({ outdir });
  const stack = makeStack(app, "kms");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: "00000000-0000-0000-0000-000000000000" });
  const rg = new ResourceGroup(stack, "rg", { name: "rg-kms", location: "westeurope" });
  const password = new TerraformVariable(stack, "admin_password", { type: "string", sensitive: true });
  build({ stack, rg, password });
  KmsPolicyPack.applyTo(stack, policyContext({ clientCidrs: CLIENT_CIDRS, adminCidrs: ADMIN_CIDRS, ...context }), { rules });
  let thrown: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    thrown = e as Error;
  }
  const entries = stack.node.findAll().flatMap((c) => c.node.metadata);
  const of = (type: string) => entries.filter((m) => m.type === type).map((m) => String(m.data));
  // Only the pack's own findings may stop synthesis. Anything else (a rule that crashes on its
  // input, a provider or cdktf error) is a failure of the test, not a finding to assert on.
  if (thrown && !isPolicyFailure(thrown, of("@cdktf/error"))) throw thrown;
  const file = path.join(outdir, "stacks", "kms", "cdk.tf.json");
  const json = !thrown && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
  return { app, stack, outdir, thrown, errors: of("@cdktf/error"), warnings: of("@cdktf/warn"), infos: of("@cdktf/info"), json };
}

/** Prefix of every message the pack reports: a rule id (`[KMS-VM-001]`) or the pack's own (`[KMS-POLICY]`). */
const FINDING = /^\[KMS-[A-Z]+(-\d{3})?\] /;

/**
 * Whether `error` is cdktf refusing to synthesize because of error annotations, every one of
 * them a policy finding.
 */
export function isPolicyFailure(error: Error, errorAnnotations: readonly string[]): boolean {
  return (
    error.message.startsWith('Encountered Annotations with level "ERROR"') &&
    errorAnnotations.length > 0 &&
    errorAnnotations.every((message) => FINDING.test(message))
  );
}

/** Messages (errors + warnings) of one rule. */
export function findings(result: SynthResult, ruleId: string): string[] {
  const found = [...result.errors, ...result.warnings].filter((m) => m.startsWith(`[${ruleId}]`));
  // Every finding reads "[id] where: problem. fix" (KmsPolicyPack.report), the problem and the fix
  // both given: a finding that says what is wrong and not what to do (or the reverse) fails here.
  for (const message of found) {
    if (!/^\[[A-Z]+-[A-Z]+-\d{3}\] \S[^\n]*?: \S/.test(message) || message.includes(": . ") || message.endsWith(". ")) {
      throw new Error(`finding without a problem or a fix (expected "[id] where: problem. fix"): ${message}`);
    }
  }
  return found;
}

/** A NIC without public IP. */
export function nic(scope: Construct, base: Base, id = "nic", extra: Partial<NetworkInterfaceConfig> = {}): NetworkInterface {
  return new NetworkInterface(scope, id, {
    name: `${id}-kms`,
    location: base.rg.location,
    resourceGroupName: base.rg.name,
    ipConfiguration: [{ name: "primary", subnetId: "${var.subnet_id}", privateIpAddressAllocation: "Dynamic" }],
    ...extra,
  });
}

/** A VM that satisfies every VM rule (production ones included). */
export function vm(scope: Construct, base: Base, id = "host", extra: Partial<WindowsVirtualMachineConfig> = {}): WindowsVirtualMachine {
  const n = nic(scope, base, `${id}-nic`);
  return new WindowsVirtualMachine(scope, id, {
    name: `${id}-kms`,
    location: base.rg.location,
    resourceGroupName: base.rg.name,
    size: "Standard_D2s_v5",
    adminUsername: "kmsadmin",
    adminPassword: base.password.stringValue,
    networkInterfaceIds: [n.id],
    osDisk: { caching: "ReadWrite", storageAccountType: "Premium_LRS" },
    sourceImageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-g2", version: "latest" },
    secureBootEnabled: true,
    vtpmEnabled: true,
    encryptionAtHostEnabled: true,
    patchMode: "AutomaticByPlatform",
    patchAssessmentMode: "AutomaticByPlatform",
    allowExtensionOperations: false,
    identity: { type: "SystemAssigned" },
    lifecycle: { preventDestroy: true },
    ...extra,
  });
}

/** A Key Vault that satisfies every Key Vault rule. */
export function keyVault(scope: Construct, base: Base, extra: Partial<KeyVaultConfig> = {}): KeyVault {
  return new KeyVault(scope, "kv", {
    name: "kv-kms",
    location: base.rg.location,
    resourceGroupName: base.rg.name,
    tenantId: "11111111-1111-1111-1111-111111111111",
    skuName: "standard",
    rbacAuthorizationEnabled: true,
    softDeleteRetentionDays: 90,
    purgeProtectionEnabled: true,
    publicNetworkAccessEnabled: false,
    networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
    ...extra,
  });
}

/** A standalone NSG rule; defaults to a compliant KMS client rule. */
export function nsgRule(scope: Construct, base: Base, id: string, extra: Partial<NetworkSecurityRuleConfig> = {}): NetworkSecurityRule {
  return new NetworkSecurityRule(scope, id, {
    name: id,
    resourceGroupName: base.rg.name,
    networkSecurityGroupName: "nsg-kms",
    priority: 100,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourcePortRange: "*",
    destinationPortRange: "1688",
    sourceAddressPrefixes: CLIENT_CIDRS,
    destinationAddressPrefix: "VirtualNetwork",
    ...extra,
  });
}

/** The full compliant production-shaped stack: two hosts, NSG (inline + standalone), vault, SRV record, RG lock. */
export function compliantStack(base: Base): void {
  const s = base.stack;
  vm(s, base, "host1");
  vm(s, base, "host2");
  keyVault(s, base);
  new NetworkSecurityGroup(s, "nsg", {
    name: "nsg-kms",
    location: base.rg.location,
    resourceGroupName: base.rg.name,
    securityRule: [
      {
        name: "allow-kms", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp",
        sourcePortRange: "*", destinationPortRange: "1688", sourceAddressPrefixes: CLIENT_CIDRS, destinationAddressPrefix: "*",
      },
      {
        name: "allow-rdp-bastion", priority: 110, direction: "Inbound", access: "Allow", protocol: "Tcp",
        sourcePortRange: "*", destinationPortRanges: ["3389", "5985-5986"], sourceAddressPrefix: "10.0.1.0/27", destinationAddressPrefix: "*",
      },
      {
        name: "deny-all", priority: 4096, direction: "Inbound", access: "Deny", protocol: "*",
        sourcePortRange: "*", destinationPortRange: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "*",
      },
    ],
  });
  nsgRule(s, base, "kms-from-clients");
  new PrivateDnsSrvRecord(s, "vlmcs", {
    name: "_vlmcs._tcp",
    zoneName: "corp.example",
    resourceGroupName: base.rg.name,
    ttl: 3600,
    record: [{ priority: 0, weight: 0, port: 1688, target: "host1.corp.example" }],
  });
  new ManagementLock(s, "rg-lock", { name: "kms-no-delete", scope: base.rg.id, lockLevel: "CanNotDelete", notes: "KMS activation" });
}
