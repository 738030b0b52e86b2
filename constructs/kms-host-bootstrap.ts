// KmsHostBootstrap: turns a KmsHost into a KMS host. Runs powershell/Install-KmsHost.ps1 on the VM
// as a managed Run Command. Only non-secret settings travel as parameters (vault URI, secret
// names, port, client ranges, pack URIs and hashes); the host reads the keys from Key Vault
// itself, with its managed identity, so no key ever passes through Terraform code, output or state.
import * as path from "path";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { VirtualMachineRunCommand } from "@cdktf/provider-azurerm/lib/virtual-machine-run-command";
import { Annotations, AssetType, Fn, TerraformAsset, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { KmsHostProductName, kmsHostProduct } from "../catalog/kms-host-products";
import { powershellScriptPath } from "../powershell";
import { AddressRange } from "./address-range";
import { KmsHost } from "./kms-host";
import { KmsHostKeys } from "./kms-host-keys";
import { DEFAULT_KMS_PORT, assertTcpPort } from "./kms-port";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** The bootstrap script, delivered verbatim; kept as a .ps1 file so it can be read, linted and parsed. */
export const INSTALL_KMS_HOST_SCRIPT_PATH = powershellScriptPath("Install-KmsHost.ps1");

/** Where the script logs on the host (also its default). */
export const BOOTSTRAP_LOG_PATH = "C:\\ProgramData\\AzureKmsHost\\bootstrap.log";

/** One KMS host key the bootstrap installs and activates. */
export interface KmsHostKeyProduct {
  /** What the key activates. */
  readonly product: KmsHostProductName;
  /** Key Vault secret holding the key. */
  readonly secretName: string;
  /** Office only: the Volume License Pack to install first. */
  readonly volumeLicensePack?: {
    /** https:// address of the pack. */
    readonly uri: string;
    /** Its SHA-256, 64 hex digits. */
    readonly sha256: string;
  };
}

/**
 * Characters a Run Command parameter value must not carry. Parameters reach the script through a
 * command line, and reports on the Run Command handlers (Azure/azure-powershell #7269, #29880) show
 * `"` ending an argument and `^ & % < > |` being stripped or split there.
 */
export const RUN_COMMAND_UNSAFE_CHARACTERS = ['"', "^", "&", "%", "<", ">", "|"] as const;

/**
 * Why `value` cannot travel as a Run Command parameter, or undefined when it can. The provider
 * validates every `parameter.value` as a non-empty string
 * (hashicorp/terraform-provider-azurerm v4.55.0, internal/services/compute/virtual_machine_run_command_resource.go).
 */
export function runCommandParameterProblem(value: string): string | undefined {
  if (value.length === 0) return "is empty (the provider rejects empty values; leave the parameter out instead)";
  const bad = RUN_COMMAND_UNSAFE_CHARACTERS.filter((c) => value.includes(c));
  if (bad.length > 0) return `contains ${bad.join(" ")}, which the Run Command's command line mangles; remove them from the value`;
  return undefined;
}

/** The Office product list as the script reads it: base64 (UTF-8) of compact JSON, free of quotes. */
export function encodeOfficeProducts(office: readonly KmsHostKeyProduct[]): string {
  const entries = office.map((p) => ({ product: p.product, secretName: p.secretName, packUri: p.volumeLicensePack?.uri, packSha256: p.volumeLicensePack?.sha256.toLowerCase() }));
  // Stryker disable next-line StringLiteral: equivalent; Buffer.from reads an empty encoding as UTF-8
  return Buffer.from(JSON.stringify(entries), "utf8").toString("base64");
}

/** The stack's one copy of a bootstrap script, shared by every host of the stack. */
function scriptAsset(scope: Construct, scriptPath: string): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const id = `bootstrap-script-${path.basename(scriptPath, ".ps1")}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof TerraformAsset) return existing;
  return new TerraformAsset(stack, id, { path: scriptPath, type: AssetType.FILE });
}

/** Properties of {@link KmsHostBootstrap}. */
export interface KmsHostBootstrapProps {
  /** The host to bootstrap. */
  readonly host: KmsHost;
  /** Azure region of the host. */
  readonly location: string;
  /** The keys in Key Vault; the host is granted read access to the ones it installs. */
  readonly keys: KmsHostKeys;
  /** The vault's URI, e.g. https://kv-kms-lab.vault.azure.net/. */
  readonly keyVaultUri: string;
  /** The products to activate; at least one. */
  readonly products: KmsHostKeyProduct[];
  /** The client ranges the host firewall admits on the KMS port. */
  readonly clientCidrs: string[];
  /**
   * KMS listening port.
   * @default 1688
   */
  readonly port?: number;
  /**
   * Turn the host's own DNS publishing off because Terraform manages the `_vlmcs._tcp` record.
   * @default true
   */
  readonly terraformManagesDns?: boolean;
  /**
   * A value passed to the script only to change the Run Command: bumping it re-runs the bootstrap
   * in place (after a key rotation), which works even where a delete lock forbids replacing it.
   * @default "1"
   */
  readonly revision?: string;
  /**
   * Script to run (tests may point elsewhere).
   * @default INSTALL_KMS_HOST_SCRIPT_PATH
   */
  readonly scriptPath?: string;
}

/** The managed Run Command that installs the Volume Activation role and activates the KMS host keys. */
export class KmsHostBootstrap extends Construct {
  /** The Run Command resource. A change to the script or a parameter re-runs it on the next apply. */
  public readonly runCommand: VirtualMachineRunCommand;
  /** The host identity's read grants on its KMS host key secrets (role assignments under the vault). */
  public readonly readGrants: readonly RoleAssignment[];

  constructor(scope: Construct, id: string, props: KmsHostBootstrapProps) {
    super(scope, id);
    const where = `KmsHostBootstrap ${this.node.path}`;
    const port = props.port ?? DEFAULT_KMS_PORT;
    assertTcpPort(port, where);
    if (props.products.length === 0) throw new Error(`${where}: products is empty; list at least one product with its KMS host key secret`);
    props.clientCidrs.forEach((cidr, index) => {
      const problem = AddressRange.declaredNetworkProblem(cidr);
      if (problem) throw new RangeError(`${where}: clientCidrs[${index}]: ${problem}`);
    });

    const windows = props.products.filter((p) => kmsHostProduct(p.product).kind === "windows");
    const office = props.products.filter((p) => kmsHostProduct(p.product).kind === "office");
    if (windows.length > 1) throw new Error(`${where}: products lists windows ${windows.length} times; a host has one Windows KMS host key`);
    for (const product of office) {
      if (!product.volumeLicensePack) throw new Error(`${where}: ${product.product} needs volumeLicensePack (uri and sha256)`);
      if (!/^[0-9A-Fa-f]{64}$/.test(product.volumeLicensePack.sha256)) {
        throw new Error(`${where}: ${product.product} volumeLicensePack.sha256 is not 64 hex digits`);
      }
      if (/REPLACE/i.test(product.volumeLicensePack.uri) || product.volumeLicensePack.sha256 === "0".repeat(64)) {
        Annotations.of(this).addWarning(
          `${product.product}: volumeLicensePack is still the shipped placeholder; set the pack's real download URL and SHA-256 before applying, or the host will refuse the pack and the bootstrap will fail`,
        );
      }
    }

    const grants = (this.readGrants = props.keys.grantRead(this, "reads", props.host.principalId, props.products.map((p) => p.secretName), props.host.computerName));

    // Only settings that apply are sent: the provider rejects an empty parameter value, and the
    // script has a default for every parameter left out.
    const parameters: Record<string, string> = { KeyVaultUri: props.keyVaultUri };
    if (windows[0]) parameters.WindowsKeySecretName = windows[0].secretName;
    if (office.length > 0) parameters.OfficeProductsBase64 = encodeOfficeProducts(office);
    parameters.KmsPort = String(port);
    parameters.ClientCidrs = props.clientCidrs.map((c) => AddressRange.of(c).cidr).join(",");
    parameters.DisableDnsPublishing = String(props.terraformManagesDns ?? true);
    parameters.LogPath = BOOTSTRAP_LOG_PATH;
    parameters.Revision = props.revision ?? "1";
    for (const [name, value] of Object.entries(parameters)) {
      const problem = runCommandParameterProblem(value);
      if (problem) throw new Error(`${where}: Run Command parameter ${name} ${problem}`);
    }

    this.runCommand = new VirtualMachineRunCommand(this, "run-command", {
      name: "kms-host-bootstrap",
      location: props.location,
      virtualMachineId: props.host.vmId,
      // The script ships once per stack as an asset beside cdk.tf.json and is read by Terraform's
      // file(): its text is part of the resource, so editing the .ps1 re-runs the bootstrap.
      source: { script: Fn.file(scriptAsset(this, props.scriptPath ?? INSTALL_KMS_HOST_SCRIPT_PATH).path) },
      // Every value was checked above: never empty (StringIsNotEmpty on parameter.value,
      // internal/services/compute/virtual_machine_run_command_resource.go) and free of characters
      // the Run Command's command line mangles.
      parameter: Object.entries(parameters).map(([name, value]) => ({ name, value })),
      // The identity's read grants must exist first; the script still retries while they propagate.
      dependsOn: grants,
      // Role install, pack download and install, and propagation retries can take a while.
      timeouts: { create: "90m", update: "90m" },
    });
    nameElement(this.runCommand, `${terraformIdentifier(props.host.computerName)}_bootstrap`);
  }
}
