// KmsStack: one environment, from a validated environment file, as one Terraform stack
// (kms-<name>). Composes the constructs; holds no validation of its own beyond what the schema
// and the constructs already enforce.
import * as path from "path";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Aspects, AzurermBackend, LocalBackend, TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import { Construct, Node } from "constructs";
import { EnvironmentConfig } from "../config/environment-schema";
import { KmsDnsRecords, KmsEnvironment, KmsFirewallRule, KmsHost, KmsHostBootstrap, KmsKeyVault, KmsRfc2136Records, KmsSrvRecord, StandardTags, readableLogicalId } from "../constructs";
import { prepareKeepingResolution, takePreparedStackTerraform } from "../policy/prepared-resolution";

export { computerName, manualClientCommand } from "../constructs/kms-environment";

/** The stack name of an environment. */
export function stackName(environmentName: string): string {
  return `kms-${environmentName}`;
}

/** Where the main job writes a stack, so the stack's relative paths point at the right places. */
export interface KmsStackOptions {
  /**
   * The project root: the default local state file and `client_kit_path` are relative to it.
   * @default process.cwd()
   */
  readonly projectRoot?: string;
  /**
   * The output directory the stack ends up in (absolute, or relative to `projectRoot`), which is
   * not where cdktf writes it when the main job stages its output.
   * @default "cdktf.out"
   */
  readonly outdir?: string;
}

/** `a/b` whatever the platform: paths inside Terraform JSON must not depend on the synth machine. */
function portable(relativePath: string): string {
  return relativePath.split(path.sep).join("/");
}

/** One KMS host environment. */
export class KmsStack extends TerraformStack {
  /** The validated environment this stack was built from. */
  public readonly config: EnvironmentConfig;
  /** The hosts, in host order. */
  public readonly hosts: KmsHost[];
  /** The Key Vault (created or existing). */
  public readonly keyVault: KmsKeyVault;
  /** The bootstrap of each host, in host order. */
  public readonly bootstraps: KmsHostBootstrap[];
  /** The Key Vault's resource id (created or existing). */
  public readonly keyVaultId: string;
  /** The Key Vault's URI, e.g. https://kv-kms-lab.vault.azure.net/. */
  public readonly keyVaultUri: string;
  /** The firewall rule for the KMS port. */
  public readonly firewallRule: KmsFirewallRule;
  /** The DNS records in Azure Private DNS; none with `dns.privateZone: false`. */
  public readonly dnsRecords?: KmsSrvRecord;
  /** The environment's DNS record model, rendered by every publisher (Private DNS, RFC 2136, exports). */
  public readonly dnsRecordModel: KmsDnsRecords;
  /** The records on an RFC 2136 server, when the environment has `dns.rfc2136`. */
  public readonly rfc2136Records?: KmsRfc2136Records;
  /** Everything the environment deploys: the stack is the providers, the backend, the outputs and this. */
  public readonly environment: KmsEnvironment;

  /** The `client_kit_path` output: the client kit directory relative to the project root. */
  public readonly clientKitPath: string;
  private readonly defaultStatePath: string;
  private readonly standardTags: StandardTags;

  constructor(scope: Construct, config: EnvironmentConfig, options: KmsStackOptions = {}) {
    super(scope, stackName(config.name));
    this.config = config;
    const projectRoot = path.resolve(options.projectRoot ?? process.cwd());
    const outdir = path.resolve(projectRoot, options.outdir ?? "cdktf.out");
    // Terraform runs in <outdir>/stacks/<stack>/; the state stays in the project root whatever --out says.
    this.defaultStatePath = portable(path.relative(path.join(outdir, "stacks", stackName(config.name)), path.join(projectRoot, `terraform.${stackName(config.name)}.tfstate`)));
    this.clientKitPath = portable(path.relative(projectRoot, path.join(outdir, "client-kit", config.name)));

    new AzurermProvider(this, "azurerm", {
      subscriptionId: config.subscriptionId,
      storageUseAzuread: true,
      features: [
        {
          keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
          resourceGroup: [{ preventDeletionIfContainsResources: true }],
        },
      ],
    });
    new RandomProvider(this, "random");
    this.configureBackend();

    // Everything the environment deploys (constructs/kms-environment.ts).
    this.environment = new KmsEnvironment(this, "environment", config);
    this.hosts = this.environment.hosts;
    this.keyVault = this.environment.keyVault;
    this.bootstraps = this.environment.bootstraps;
    this.keyVaultId = this.environment.keyVaultId;
    this.keyVaultUri = this.environment.keyVaultUri;
    this.firewallRule = this.environment.firewallRule;
    this.dnsRecords = this.environment.dnsRecords;
    this.dnsRecordModel = this.environment.dnsRecordModel;
    this.rfc2136Records = this.environment.rfc2136Records;
    // The standard tags also go on whatever is added to the stack itself (an extension's resources).
    this.standardTags = this.environment.standardTags;
    Aspects.of(this).add(this.standardTags);
    this.addOutputs();
  }

  /**
   * A hash-free name for an element no construct named (the constructs name everything they
   * create: constructs/terraform-name.ts): its construct path joined by `_`, e.g.
   * `azurerm_public_ip.leak` for a resource an extension adds as `leak`. A name another element
   * already has is refused, never merged.
   */
  protected override allocateLogicalId(tfElement: TerraformElement | Node): string {
    if (!TerraformElement.isTerraformElement(tfElement)) return super.allocateLogicalId(tfElement);
    return readableLogicalId(this, tfElement);
  }

  /**
   * cdktf's preparation of the stack (a backend, every element resolved once for cross-stack
   * references), keeping what it resolved (policy/prepared-resolution.ts): the policy pack, this
   * stack's first aspect, checks that instead of resolving the whole stack a second time, and
   * {@link toTerraform} reuses it. The standard tags go on first, so that the kept resolution has
   * them (and the pack checks the tags that will be deployed); the tagging aspect still tags
   * whatever is added after this.
   */
  public override prepareStack(): void {
    for (const construct of this.node.findAll()) this.standardTags.visit(construct);
    prepareKeepingResolution(this);
  }

  /**
   * The stack's Terraform configuration: built from the resolution kept at preparation, with only
   * the elements an aspect changed since resolved again, when every aspect in the stack reports its
   * changes (the policy pack and the standard tags do); otherwise, and outside a synth, exactly as
   * cdktf builds it.
   */
  public override toTerraform(): Record<string, unknown> {
    return takePreparedStackTerraform(this) ?? super.toTerraform();
  }

  private configureBackend(): void {
    const backend = this.config.backend;
    if (backend.type === "azurerm") {
      new AzurermBackend(this, {
        resourceGroupName: backend.resourceGroupName,
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: backend.key,
        subscriptionId: backend.subscriptionId,
        useAzureadAuth: true,
      });
    } else {
      // Relative to cdktf.out/stacks/<stack>/, where terraform runs: the project root. Never let
      // cdktf default it, which bakes this machine's absolute path into the output.
      new LocalBackend(this, { path: backend.path ?? this.defaultStatePath });
    }
  }

  /** The stack's own output (the environment's are KmsEnvironment's). */
  private addOutputs(): void {
    new TerraformOutput(this, "client_kit_path", {
      value: this.clientKitPath,
      description: "Client kit (Test-KmsClient.ps1, and configuration.xml for Office LTSC) written by npm run synth, relative to the project root.",
    });
  }

}
