// KmsStack: one environment, from a validated environment file, as one Terraform stack
// (kms-<name>). Composes the constructs; holds no validation of its own beyond what the schema
// and the constructs already enforce.
import * as path from "path";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Aspects, AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { allPublishedKeys } from "../catalog";
import { EnvironmentConfig } from "../config/environment-schema";
import { KmsDeleteLocks, KmsDnsRecords, KmsFirewallRule, KmsHost, KmsHostBootstrap, KmsHostImage, KmsHostKeys, KmsKeyVault, KmsNetwork, KmsPrivateDns, KmsGssTsigAuth, KmsRfc2136Records, KmsSrvRecord, KmsTsigAuth, StandardTags, TerraformData, resourceAddress } from "../constructs";
import { KmsPolicyPack, SHIPPED_SUPPRESSIONS, policyContext, suppressRule } from "../policy";
import { prepareKeepingResolution, takePreparedStackTerraform } from "../policy/prepared-resolution";
import { recordEnvironmentFields } from "./environment-fields";
import { addMonitoring } from "./monitoring";

/** The stack name of an environment. */
export function stackName(environmentName: string): string {
  return `kms-${environmentName}`;
}

/** Computer name of host `index` (0-based): `<prefix><NN>`, e.g. kmslab01. */
export function computerName(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(2, "0")}`;
}

/** How the RFC 2136 updates authenticate (the schema guarantees exactly one of gssapi and tsig). */
function rfc2136Auth(section: NonNullable<EnvironmentConfig["dns"]["rfc2136"]>): KmsGssTsigAuth | KmsTsigAuth {
  if (section.gssapi) return { kind: "gssapi", realm: section.gssapi.realm, username: section.gssapi.username };
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent; gssapi is handled above, and KmsRfc2136Records treats every kind but "gssapi" as TSIG
  if (section.tsig) return { kind: "tsig", keyName: section.tsig.keyName, algorithm: section.tsig.algorithm };
  throw new Error("dns.rfc2136: give gssapi or tsig");
}

/** A suppression the product ships, with the reason recorded in RULES.md. */
function shippedSuppression(id: string): { id: string; reason: string } {
  // Stryker disable next-line ConditionalExpression: equivalent while KMS-VM-007, the one id asked for, is the first shipped suppression
  const shipped = SHIPPED_SUPPRESSIONS.find((s) => s.id === id);
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable; guards an id added to addHosts without its entry in SHIPPED_SUPPRESSIONS
  if (!shipped) throw new Error(`no shipped suppression for ${id}; add it to SHIPPED_SUPPRESSIONS with its reason`);
  return { id: shipped.id, reason: shipped.reason };
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

/** A PowerShell line that points a client's licensing service at one KMS host, without VBScript. */
export function manualClientCommand(hostFqdn: string, port: number): string {
  return `$s = Get-CimInstance SoftwareLicensingService; Invoke-CimMethod -InputObject $s -MethodName SetKeyManagementServiceMachine -Arguments @{ MachineName = '${hostFqdn}' }; Invoke-CimMethod -InputObject $s -MethodName SetKeyManagementServicePort -Arguments @{ PortNumber = [uint32]${port} }`;
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
  /** The DNS records in Azure Private DNS. */
  public readonly dnsRecords: KmsSrvRecord;
  /** The environment's DNS record model, rendered by every publisher (Private DNS, RFC 2136, exports). */
  public readonly dnsRecordModel: KmsDnsRecords;
  /** The records on an RFC 2136 server, when the environment has `dns.rfc2136`. */
  public readonly rfc2136Records?: KmsRfc2136Records;

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
    const port = config.kms.port;

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

    // Resource group.
    // A created group is referenced by its name attribute, so Terraform orders everything after it.
    const resourceGroupName = config.resourceGroup.create
      ? new ResourceGroup(this, "resource-group", { name: config.resourceGroup.name, location: config.location }).name
      : config.resourceGroup.name;
    const inResourceGroup = { resourceGroupName, location: config.location };
    const production = config.tier === "production";

    const network = new KmsNetwork(this, "network", {
      ...inResourceGroup,
      nsgName: `nsg-kms-${config.name}`,
      vnet: config.network.vnet
        ? { name: config.network.vnet.name ?? `vnet-kms-${config.name}`, addressSpace: config.network.vnet.addressSpace, subnetPrefix: config.network.vnet.subnetPrefix }
        : undefined,
      subnetId: config.network.vnet ? undefined : config.network.subnetId,
      keyVaultServiceEndpoint: config.keyVault.allowedCidrs !== undefined,
    });

    this.keyVault = new KmsKeyVault(this, "vault", {
      ...inResourceGroup,
      existingId: config.keyVault.id,
      name: config.keyVault.id ? undefined : config.keyVault.name,
      purgeProtection: production,
      allowedCidrs: config.keyVault.allowedCidrs,
      subnetId: network.subnetId,
      deployerPrincipalId: config.keyVault.deployerPrincipalId,
    });
    recordEnvironmentFields(this.keyVault, ["keyVault"]);
    recordEnvironmentFields(network, ["network"]);
    this.keyVaultId = this.keyVault.id;
    this.keyVaultUri = this.keyVault.uri;
    const keys = new KmsHostKeys(this, "kms-host-keys", {
      keyVaultId: this.keyVault.id,
      keyVaultName: this.keyVault.name,
      secretNames: config.kms.products.map((p) => p.secretName),
      dependsOn: this.keyVault.secretDependsOn,
    });

    this.hosts = this.addHosts(network.subnetId, inResourceGroup);
    this.firewallRule = network.admit({ hosts: this.hosts, clientCidrs: config.clientCidrs, adminCidrs: config.adminCidrs, port });
    recordEnvironmentFields(this.firewallRule, ["kms", "port"], ["clientCidrs"], ["adminCidrs"]);
    const managementAccess = network.node.tryFindChild("management-access");
    if (managementAccess) recordEnvironmentFields(managementAccess, ["adminCidrs"], ["kms", "port"]);

    const zoneResourceGroup = config.dns.zoneResourceGroup ?? resourceGroupName;
    // One record model per environment; every publisher renders it, so they cannot disagree.
    // A static address is used as written (so the exports can be built before apply); otherwise the
    // NIC's address is a reference, resolved at apply.
    this.dnsRecordModel = new KmsDnsRecords({
      zoneName: config.dns.zoneName,
      hosts: this.hosts.map((h, index) => ({
        name: h.computerName.toLowerCase(),
        address: config.hosts.privateIpAddresses?.[index] ?? h.privateIp,
        // Stryker disable next-line OptionalChaining: equivalent; dns.srv has one entry per host (config/dns-publishing-schema.ts, checkDnsPublishing)
        priority: config.dns.srv?.[index]?.priority,
        // Stryker disable next-line OptionalChaining: equivalent, as above
        weight: config.dns.srv?.[index]?.weight,
      })),
      port,
      ttl: config.dns.ttl,
    });
    this.dnsRecords = new KmsPrivateDns(this, "dns", {
      resourceGroupName: zoneResourceGroup,
      createZone: config.dns.createZone,
      // A created zone is linked to the hosts' vnet too; an existing zone only to the vnets listed
      // (its owner has linked the networks that already use it).
      linkedVnetIds: config.dns.createZone ? [network.vnetId, ...config.dns.linkedVnetIds] : config.dns.linkedVnetIds,
      linkNamePrefix: `link-kms-${config.name}`,
      records: this.dnsRecordModel,
    }).records;
    const rfc2136 = config.dns.rfc2136;
    if (rfc2136) {
      this.rfc2136Records = new KmsRfc2136Records(this, "dns-rfc2136", {
        records: this.dnsRecordModel,
        server: rfc2136.server,
        port: rfc2136.port,
        transport: rfc2136.transport,
        auth: rfc2136Auth(rfc2136),
      });
    }

    this.bootstraps = this.hosts.map(
      (host, index) =>
        new KmsHostBootstrap(this, `host-${index + 1}-bootstrap`, {
          host,
          location: config.location,
          keys,
          keyVaultUri: this.keyVaultUri,
          products: config.kms.products,
          clientCidrs: config.clientCidrs,
          port,
          revision: String(config.kms.bootstrapRevision),
        }),
    );
    this.bootstraps.forEach((b) => recordEnvironmentFields(b, ["kms", "products"], ["kms", "bootstrapRevision"]));

    if (production) {
      // A host's lock waits for its bootstrap: a failed bootstrap leaves the Run Command tainted
      // (its create fails the apply), so no lock exists yet and the replace that the next apply
      // plans goes through. Should the Run Command be replaced later (-replace, a new VM id), the
      // lock is replaced around it: deleted first, created again after the new Run Command.
      // A host listed in hosts.replace keeps its lock: `apply -replace` of its VM replaces the lock
      // around it (the lock's scope is the VM's id), deleted first and created after the new bootstrap.
      const hostLocks = this.hosts.map((h, i) => ({
        id: `lock-${h.node.id}`,
        resource: h.vm,
        dependsOn: [this.bootstraps[i].runCommand],
        replaceTriggeredBy: [`${resourceAddress(this.bootstraps[i].runCommand)}.id`],
      }));
      new KmsDeleteLocks(this, "locks", {
        targets: [
          ...hostLocks,
          ...(this.keyVault.createdVault ? [this.vaultLockTarget(this.keyVault.createdVault)] : []),
          { id: "lock-srv-record", resource: this.dnsRecords.srvRecord },
          ...this.dnsRecords.hostRecords.map((r, i) => ({ id: `lock-a-record-${i + 1}`, resource: r })),
        ],
      });
    }

    // Monitoring (issue 13): the agent, data collection, alerts and saved searches (stacks/monitoring.ts).
    addMonitoring(this, config, { hosts: this.hosts, bootstraps: this.bootstraps, resourceGroupName });

    KmsPolicyPack.applyTo(
      this,
      policyContext({ clientCidrs: config.clientCidrs, adminCidrs: config.adminCidrs, kmsPort: port, production: config.tier === "production", allowedPublicKeys: allPublishedKeys() }),
    );
    // Run Commands stay untagged: Azure re-runs a changed Run Command, and a tag is part of it.
    this.standardTags = new StandardTags(
      { "managed-by": "azure-kms-host", environment: config.name, ...config.tags },
      { excludeResourceTypes: ["azurerm_virtual_machine_run_command"] },
    );
    Aspects.of(this).add(this.standardTags);
    this.addOutputs();
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

  /**
   * The vault's lock. A CanNotDelete lock forbids deleting role assignments at or below its scope
   * (learn.microsoft.com/azure/azure-resource-manager/management/lock-resources), and a role
   * assignment cannot be updated, only replaced (internal/services/authorization/
   * role_assignment_resource.go). So a changed product, secret name, deployer or host identity
   * would fail under a plain lock. The lock depends on every role assignment under the vault and
   * is replaced whenever their set changes (a terraform_data holding their ids): Terraform deletes
   * the lock, changes the assignments, then creates the lock again.
   */
  private vaultLockTarget(vault: { readonly id: string }) {
    // Stryker disable next-line ArrayDeclaration: unreachable; a vault this stack creates always has its deployer's assignment (KmsKeyVault), only an existing one has none
    const assignments = [...(this.keyVault.deployerRoleAssignment ? [this.keyVault.deployerRoleAssignment] : []), ...this.bootstraps.flatMap((b) => b.readGrants)];
    const fingerprint = new TerraformData(this, "key-vault-role-assignments", { input: { role_assignment_ids: assignments.map((a) => a.id) } });
    return {
      id: "lock-key-vault",
      resource: vault,
      dependsOn: assignments,
      replaceTriggeredBy: [fingerprint.address],
    };
  }

  /** The hosts, spread round-robin across the zones, each with the shipped KMS-VM-007 suppression. */
  private addHosts(subnetId: string, inResourceGroup: { resourceGroupName: string; location: string }): KmsHost[] {
    const { config } = this;
    const zones = config.hosts.zones;
    return Array.from({ length: config.hosts.count }, (_, index) => {
      const host = new KmsHost(this, `host-${index + 1}`, {
        ...inResourceGroup,
        computerName: computerName(config.hosts.namePrefix, index),
        subnetId,
        adminPasswordKeyVaultId: this.keyVaultId,
        dnsZoneName: config.dns.zoneName,
        image: KmsHostImage.fromName(config.hosts.image),
        size: config.hosts.size,
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; with no zones, zones[index % 0] is zones[NaN], undefined too
        zone: zones.length > 0 ? zones[index % zones.length] : undefined,
        privateIpAddress: config.hosts.privateIpAddresses?.[index],
        encryptionAtHost: config.hosts.encryptionAtHost,
        adminUsername: config.hosts.adminUsername,
        osDiskStorageAccountType: config.hosts.osDiskType,
        secretDependsOn: this.keyVault.secretDependsOn,
        preventDestroy: config.tier === "production" && !config.hosts.replace.includes(computerName(config.hosts.namePrefix, index)),
      });
      recordEnvironmentFields(host, ["hosts"]);
      if (config.tier === "production" && config.hosts.replace.includes(host.computerName)) {
        suppressRule(host, {
          id: "KMS-OPS-002",
          reason: `hosts.replace lists ${host.computerName}: the operator is rebuilding this one host on purpose (terraform apply -replace); prevent_destroy returns when it leaves the list.`,
        });
      }
      // The bootstrap is a VM extension operation (managed Run Command): the one documented
      // departure from the generic scanner rule that forbids extensions.
      suppressRule(host, shippedSuppression("KMS-VM-007"));
      return host;
    });
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

  private addOutputs(): void {
    const port = this.config.kms.port;
    new TerraformOutput(this, "host_names", { value: this.hosts.map((h) => h.fqdn), description: "KMS host FQDNs in the private DNS zone." });
    new TerraformOutput(this, "private_ips", { value: this.hosts.map((h) => h.privateIp), description: "KMS host private IP addresses." });
    new TerraformOutput(this, "srv_record_fqdn", { value: this.dnsRecords.fqdn, description: "The _vlmcs._tcp SRV record clients discover the hosts by." });
    new TerraformOutput(this, "kms_port", { value: port, description: "TCP port the KMS hosts listen on." });
    new TerraformOutput(this, "client_manual_command", {
      // The licensing service's own WMI methods, not slmgr.vbs (VBScript is being retired):
      // SetKeyManagementServiceMachine / SetKeyManagementServicePort on SoftwareLicensingService,
      // https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
      value: manualClientCommand(this.hosts[0].fqdn, port),
      description:
        "Manual fallback for a client that cannot use DNS discovery, in PowerShell as an administrator (undo with the ClearKeyManagementServiceMachine and ClearKeyManagementServicePort methods). Test-KmsClient.ps1 -Fix does this per product, only where it is needed.",
    });
    new TerraformOutput(this, "client_kit_path", {
      value: this.clientKitPath,
      description: "Client kit (Test-KmsClient.ps1, and configuration.xml for Office LTSC) written by npm run synth, relative to the project root.",
    });
    new TerraformOutput(this, "key_vault_uri", { value: this.keyVaultUri, description: "Key Vault holding the admin passwords and KMS host keys." });
  }
}
