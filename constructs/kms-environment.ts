// KmsEnvironment: everything one environment deploys, as one construct: the resource group, the
// network or an existing subnet with its NSG rules, the vault and the hosts' key grants, the hosts
// and their bootstraps, the DNS publishers, monitoring, the production locks, the standard tags and
// the policy pack. KmsStack (one environment file as a stack) is a provider, a backend and this
// construct; a library user puts it in a stack of their own.
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { Aspects, TerraformOutput, TerraformStack, type TerraformOutputConfig, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type * as z from "zod";
import { allPublishedKeys } from "../catalog";
import { EnvironmentConfig, environmentSchema } from "../config/environment-schema";
import { formatPath } from "../config/load-environments";
import { KmsPolicyPack, SHIPPED_SUPPRESSIONS, policyContext, suppressRule } from "../policy";
import { recordEnvironmentFields } from "../stacks/environment-fields";
import { addMonitoring } from "../stacks/monitoring";
import { zoneLinkVnetIds } from "../stacks/zone-links";
import { KmsDeleteLocks } from "./kms-delete-locks";
import { KmsDnsRecords } from "./kms-dns-records";
import { KmsFirewallRule } from "./kms-firewall-rule";
import { KmsHost } from "./kms-host";
import { KmsHostBootstrap } from "./kms-host-bootstrap";
import { KmsHostImage } from "./kms-host-image";
import { KmsHostKeys } from "./kms-host-keys";
import { KmsKeyVault } from "./kms-key-vault";
import { KmsKeyVaultAudit } from "./kms-key-vault-audit";
import { KmsKeyVaultPrivateEndpoint } from "./kms-key-vault-private-endpoint";
import { KmsMaintenanceWindow } from "./kms-maintenance-window";
import { KmsNatGateway } from "./kms-nat-gateway";
import { KmsNetwork } from "./kms-network";
import { KmsPrivateDns } from "./kms-private-dns";
import { KmsGssTsigAuth, KmsRfc2136Records, KmsTsigAuth } from "./kms-rfc2136-records";
import { KmsSrvRecord } from "./kms-srv-record";
import { StandardTags } from "./standard-tags";
import { TerraformData, resourceAddress } from "./terraform-data";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** Computer name of host `index` (0-based): `<prefix><NN>`, e.g. kmslab01. */
export function computerName(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(2, "0")}`;
}

/** A PowerShell line that points a client's licensing service at one KMS host, without VBScript. */
export function manualClientCommand(hostFqdn: string, port: number): string {
  return `$s = Get-CimInstance SoftwareLicensingService; Invoke-CimMethod -InputObject $s -MethodName SetKeyManagementServiceMachine -Arguments @{ MachineName = '${hostFqdn}' }; Invoke-CimMethod -InputObject $s -MethodName SetKeyManagementServicePort -Arguments @{ PortNumber = [uint32]${port} }`;
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

/**
 * The schema KmsEnvironment validates its props with: the environment file's
 * (environments/environment.schema.json describes every field), with `backend` optional, since
 * the backend is the stack's (KmsStack), not the construct's.
 */
export const kmsEnvironmentSchema = environmentSchema.safeExtend({
  // safeExtend keeps the environment's refinements (none reads backend); it accepts, at compile
  // time, only narrower fields, hence the cast: the field is wider here, optional.
  backend: environmentSchema.shape.backend.optional() as unknown as typeof environmentSchema.shape.backend,
}) as unknown as z.ZodType<KmsEnvironmentConfig, EnvironmentInput>;

type EnvironmentInput = Omit<z.input<typeof environmentSchema>, "backend"> & { readonly backend?: z.input<typeof environmentSchema>["backend"] };

/** A validated {@link KmsEnvironmentProps}, with the defaults filled in. */
export type KmsEnvironmentConfig = Omit<EnvironmentConfig, "backend"> & { readonly backend?: EnvironmentConfig["backend"] };

/**
 * Properties of a {@link KmsEnvironment}: an environment file's fields, as code. They are validated
 * at construction with the environment file's own checks, and the defaults below filled in
 * ({@link KmsEnvironment.config} holds the result). Each field's values are described in
 * environments/environment.schema.json and in the README's Environments table.
 */
/** A resource the vault's lock refuses to delete (an extension or child of the vault), with its id. */
type UnderVaultLock = TerraformResource & { readonly id: string };

export interface KmsEnvironmentProps {
  /** Environment name, 1-20 lower-case letters, digits and hyphens: resources are named after it (`nsg-kms-<name>`, `vnet-kms-<name>`, ...). */
  readonly name: EnvironmentInput["name"];
  /** `lab`, or `production`: purge protection on a created vault, CanNotDelete locks, `prevent_destroy` on the hosts. */
  readonly tier: EnvironmentInput["tier"];
  /** Azure region by programmatic name, e.g. `westeurope`. */
  readonly location: EnvironmentInput["location"];
  /** The resource group of every resource: `{ name, create }`; `create` defaults to true. */
  readonly resourceGroup: EnvironmentInput["resourceGroup"];
  /** An existing subnet (`{ subnetId }`) or a new vnet and subnet (`{ vnet: { addressSpace, subnetPrefix, name? } }`). */
  readonly network: EnvironmentInput["network"];
  /** The client networks allowed to reach the KMS port (CIDR blocks; never the Internet). */
  readonly clientCidrs: EnvironmentInput["clientCidrs"];
  /**
   * Networks allowed RDP and WinRM to the hosts (e.g. an Azure Bastion subnet).
   * @default [] (no management access)
   */
  readonly adminCidrs?: EnvironmentInput["adminCidrs"];
  /** The KMS service: `products` (each with the Key Vault secret of its KMS host key); `port` (default 1688) and `bootstrapRevision` (default 1). */
  readonly kms: EnvironmentInput["kms"];
  /** The hosts: `count` (1-6) and `namePrefix`; `size` (default Standard_D2s_v5), `image` (default windows-server-2022), `zones` (default none), static IPs, disk type, encryption at host (default on), admin user (default kmsadmin). */
  readonly hosts: EnvironmentInput["hosts"];
  /** DNS: `zoneName`; `createZone` (default true), `zoneResourceGroup`, `linkedVnetIds`, `ttl` (default 3600), SRV priorities and weights, optional RFC 2136 publishing. */
  readonly dns: EnvironmentInput["dns"];
  /** The Key Vault: `{ name, create: true }` (with `deployerPrincipalId`, required in production, and `allowedCidrs`), or `{ id }` of an existing one. */
  readonly keyVault: EnvironmentInput["keyVault"];
  /**
   * Monitoring: the Azure Monitor Agent, a data collection rule, alerts and saved searches.
   * @default - on, with a created workspace and action group (no e-mail receivers)
   */
  readonly monitoring?: EnvironmentInput["monitoring"];
  /**
   * Tags on every taggable resource, with `managed-by` and `environment`.
   * @default {}
   */
  readonly tags?: EnvironmentInput["tags"];
  /**
   * Read by KmsStack only (its provider).
   * @default - none
   */
  readonly subscriptionId?: EnvironmentInput["subscriptionId"];
  /**
   * Read by KmsStack only (its backend).
   * @default - none
   */
  readonly backend?: EnvironmentInput["backend"];
  /**
   * Read by the main job only (the client kit).
   * @default - none
   */
  readonly clients?: EnvironmentInput["clients"];
  /**
   * The environment file's `$schema` line; ignored.
   * @default - none
   */
  readonly $schema?: EnvironmentInput["$schema"];
}

// The props are exactly the schema's input: a field added to the schema must be added above too.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const PROPS_ARE_THE_SCHEMA_INPUT: Same<KmsEnvironmentProps, EnvironmentInput> = true;
void PROPS_ARE_THE_SCHEMA_INPUT;

/** `props` validated as an environment, or an error naming every problem (field and fix) and the construct. */
function validatedEnvironment(where: string, props: KmsEnvironmentProps): KmsEnvironmentConfig {
  const result = kmsEnvironmentSchema.safeParse(props);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${formatPath(issue.path) || "(props)"}: ${issue.message}`);
  throw new Error(`KmsEnvironment ${where}: invalid props; nothing was built:\n${problems.join("\n")}`);
}

/**
 * One KMS host environment: every resource a stack of it holds, apart from the providers, the
 * backend and the outputs: the resource group, the network or an existing subnet with its NSG
 * rules, the vault and the hosts' key grants, the hosts and their bootstraps, the DNS publishers,
 * monitoring, the production locks and the standard tags. It applies the policy pack to its stack.
 * One per stack: every resource has a fixed, readable Terraform address (`azurerm_windows_virtual_machine.kmslab01`).
 */
export class KmsEnvironment extends Construct {
  /** The validated props, with the defaults filled in. */
  public readonly config: KmsEnvironmentConfig;
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
  /** The standard tags (managed-by, environment and the environment's own), as an aspect on this construct. */
  public readonly standardTags: StandardTags;

  constructor(scope: Construct, id: string, props: KmsEnvironmentProps) {
    super(scope, id);
    const config = (this.config = validatedEnvironment(this.node.path, props));
    const port = config.kms.port;

    // Resource group.
    // A created group is referenced by its name attribute, so Terraform orders everything after it.
    const resourceGroupName = config.resourceGroup.create
      ? nameElement(new ResourceGroup(this, "resource-group", { name: config.resourceGroup.name, location: config.location }), "kms").name
      : config.resourceGroup.name;
    const inResourceGroup = { resourceGroupName, location: config.location };
    const production = config.tier === "production";
    // Issue 23: the hosts' outbound route (natGateway by default for a created subnet, the customer's
    // own otherwise), and the vault's private endpoint (by default in production, for a created vault).
    const egress = config.network.egress ?? (config.network.vnet ? "natGateway" : "existing");
    const privateEndpoint = config.keyVault.privateEndpoint ?? (production && !config.keyVault.id ? { privateDnsZone: { create: true as const } } : undefined);

    const network = new KmsNetwork(this, "network", {
      ...inResourceGroup,
      nsgName: `nsg-kms-${config.name}`,
      vnet: config.network.vnet
        ? { name: config.network.vnet.name ?? `vnet-kms-${config.name}`, addressSpace: config.network.vnet.addressSpace, subnetPrefix: config.network.vnet.subnetPrefix }
        : undefined,
      subnetId: config.network.vnet ? undefined : config.network.subnetId,
      keyVaultServiceEndpoint: (config.keyVault.allowedCidrs !== undefined && !privateEndpoint) || config.keyVault.serviceEndpoint === true,
      defaultOutboundAccess: egress === "defaultOutbound",
    });
    if (egress === "natGateway" && network.createdSubnet) {
      new KmsNatGateway(this, "nat-gateway", { ...inResourceGroup, name: `ng-kms-${config.name}`, subnetId: network.createdSubnet.id });
    }

    this.keyVault = new KmsKeyVault(this, "vault", {
      ...inResourceGroup,
      existingId: config.keyVault.id,
      name: config.keyVault.id ? undefined : config.keyVault.name,
      purgeProtection: production,
      allowedCidrs: config.keyVault.allowedCidrs,
      subnetId: network.subnetId,
      deployerPrincipalId: config.keyVault.deployerPrincipalId,
      publicNetworkAccess: privateEndpoint && !config.keyVault.id ? false : undefined,
    });
    // The endpoint's connection is on the vault: deleting the endpoint is refused under the vault's lock.
    let vaultEndpoint: UnderVaultLock | undefined;
    if (privateEndpoint) {
      const zone = privateEndpoint.privateDnsZone;
      const endpoint = new KmsKeyVaultPrivateEndpoint(this, "key-vault-private-endpoint", {
        ...inResourceGroup,
        name: `pe-${this.keyVault.name}`,
        keyVaultId: this.keyVault.id,
        subnetId: privateEndpoint.subnetId ?? network.subnetId,
        existingZoneId: "id" in zone ? zone.id : undefined,
        linkedVnetId: network.vnetId,
      });
      recordEnvironmentFields(endpoint, ["keyVault", "privateEndpoint"]);
      // With public access off, the secrets (and the hosts' reads) go through the endpoint.
      this.keyVault.secretDependsOn.push(endpoint.endpoint);
      vaultEndpoint = endpoint.endpoint;
    }
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
    // Azure Update Manager: each host its own window, host N (N-1) windows after host 1.
    const patchWindows = this.hosts.map((host, index) => {
      const window = new KmsMaintenanceWindow(this, `host-${index + 1}-patch-window`, {
        ...inResourceGroup,
        name: `mc-kms-${host.computerName.toLowerCase()}`,
        virtualMachineId: host.vmId,
        window: config.hosts.patchWindow,
        slot: index,
        terraformName: terraformIdentifier(host.computerName),
      });
      recordEnvironmentFields(window, ["hosts", "patchWindow"]);
      return window;
    });
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
    // dns.privateZone: false writes no azurerm_private_dns_* resource at all.
    this.dnsRecords = !config.dns.privateZone ? undefined : new KmsPrivateDns(this, "dns", {
      resourceGroupName: zoneResourceGroup,
      createZone: config.dns.createZone,
      // A created zone is linked to the hosts' vnet too (once, if also listed); an existing zone only
      // to the vnets listed (its owner has linked the networks that already use it).
      linkedVnetIds: zoneLinkVnetIds(config, network.vnetId),
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

    // Monitoring (issue 13): the agent, data collection, alerts and saved searches (stacks/monitoring.ts).
    // Resources the vault's lock covers besides its role assignments (vaultLockTarget): deleting
    // them is refused under it (ScopeLocked), so a replace of one must fall inside its window.
    const underVaultLock: UnderVaultLock[] = vaultEndpoint ? [vaultEndpoint] : [];
    const monitoring = addMonitoring(this, config, { hosts: this.hosts, bootstraps: this.bootstraps, resourceGroupName });
    if (monitoring) {
      // Who read the KMS host keys: the vault's audit log in the workspace, and an alert (issue 23).
      const audit = new KmsKeyVaultAudit(this, "key-vault-audit", {
        environmentName: config.name,
        resourceGroupName,
        keyVaultId: this.keyVault.id,
        workspaceId: monitoring.workspaceId,
        workspaceLocation: monitoring.workspaceLocation,
        actionGroupId: monitoring.actionGroupId,
        hosts: this.hosts,
        hostKeySecretNames: config.kms.products.map((p) => p.secretName),
        deployerPrincipalId: this.keyVault.deployerPrincipalId,
      });
      recordEnvironmentFields(audit, ["keyVault"], ["monitoring"]);
      // The diagnostic setting is an extension resource of the vault: under the vault's lock.
      underVaultLock.push(audit.diagnosticSetting);
    }

    if (production) {
      // A host's lock waits for its bootstrap: a failed bootstrap leaves the Run Command tainted
      // (its create fails the apply), so no lock exists yet and the replace that the next apply
      // plans goes through. Should the Run Command be replaced later (-replace, a new VM id), the
      // lock is replaced around it: deleted first, created again after the new Run Command.
      // A host listed in hosts.replace keeps its lock: `apply -replace` of its VM replaces the lock
      // around it (the lock's scope is the VM's id), deleted first and created after the new bootstrap.
      const hostLocks = this.hosts.map((h, i) => ({
        id: `lock-${h.node.id}`,
        terraformName: terraformIdentifier(h.computerName),
        resource: h.vm,
        // The maintenance assignment is an extension resource of the VM, so the VM's lock blocks
        // deleting it (Learn, lock-resources): the lock waits for it, and so is deleted before it.
        dependsOn: [this.bootstraps[i].runCommand, patchWindows[i].assignment],
        replaceTriggeredBy: [`${resourceAddress(this.bootstraps[i].runCommand)}.id`],
      }));
      new KmsDeleteLocks(this, "locks", {
        targets: [
          ...hostLocks,
          ...(this.keyVault.createdVault ? [this.vaultLockTarget(this.keyVault.createdVault, underVaultLock)] : []),
          // Records on an RFC 2136 server are not Azure resources: no lock can cover them.
          ...(this.dnsRecords ? [{ id: "lock-srv-record", terraformName: "vlmcs", resource: this.dnsRecords.srvRecord }] : []),
          ...(this.dnsRecords?.hostRecords ?? []).map((r, i) => ({ id: `lock-a-record-${i + 1}`, terraformName: `${terraformIdentifier(this.hosts[i].computerName)}_a_record`, resource: r })),
        ],
      });
    }

    KmsPolicyPack.applyTo(
      TerraformStack.of(this),
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

  /** The environment's outputs, under their own names (`output.host_names`, ...). */
  private addOutputs(): void {
    const port = this.config.kms.port;
    const output = (name: string, config: TerraformOutputConfig) => nameElement(new TerraformOutput(this, name, config), name);
    output("host_names", { value: this.hosts.map((h) => h.fqdn), description: "KMS host FQDNs in dns.zoneName." });
    output("private_ips", { value: this.hosts.map((h) => h.privateIp), description: "KMS host private IP addresses." });
    output("srv_record_fqdn", { value: this.dnsRecords?.fqdn ?? this.dnsRecordModel.srvFqdn, description: "The _vlmcs._tcp SRV record clients discover the hosts by." });
    output("kms_port", { value: port, description: "TCP port the KMS hosts listen on." });
    output("client_manual_command", {
      // The licensing service's own WMI methods, not slmgr.vbs (VBScript is being retired):
      // SetKeyManagementServiceMachine / SetKeyManagementServicePort on SoftwareLicensingService,
      // https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
      value: manualClientCommand(this.hosts[0].fqdn, port),
      description:
        "Manual fallback for a client that cannot use DNS discovery, in PowerShell as an administrator (undo with the ClearKeyManagementServiceMachine and ClearKeyManagementServicePort methods). Test-KmsClient.ps1 -Fix does this per product, only where it is needed.",
    });
    output("key_vault_uri", { value: this.keyVaultUri, description: "Key Vault holding the admin passwords and KMS host keys." });
  }

  /**
   * The vault's lock. A CanNotDelete lock forbids deleting role assignments at or below its scope
   * (learn.microsoft.com/azure/azure-resource-manager/management/lock-resources), and a role
   * assignment cannot be updated, only replaced (internal/services/authorization/
   * role_assignment_resource.go). So a changed product, secret name, deployer or host identity
   * would fail under a plain lock. The lock depends on every role assignment under the vault and
   * is replaced whenever their set changes (a terraform_data holding their ids): Terraform deletes
   * the lock, changes the assignments, then creates the lock again. The same holds for `covered`,
   * the other resources deleting which the lock refuses (the vault's private endpoint, whose
   * subnet_id is ForceNew, and its diagnostic setting): their ids are in the fingerprint too, so a
   * replaced one (an unknown id in the plan) replaces the lock around it.
   */
  private vaultLockTarget(vault: { readonly id: string }, covered: readonly UnderVaultLock[]) {
    // Stryker disable next-line ArrayDeclaration: unreachable; a vault this stack creates always has its deployer's assignment (KmsKeyVault), only an existing one has none
    const assignments = [...(this.keyVault.deployerRoleAssignment ? [this.keyVault.deployerRoleAssignment] : []), ...this.bootstraps.flatMap((b) => b.readGrants)];
    const fingerprint = new TerraformData(this, "key-vault-role-assignments", {
      input: { role_assignment_ids: assignments.map((a) => a.id), covered_ids: covered.map((c) => c.id) },
      terraformName: "key_vault_role_assignments",
    });
    return {
      id: "lock-key-vault",
      terraformName: "key_vault",
      resource: vault,
      dependsOn: [...assignments, ...covered],
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
        licenseType: config.hosts.licenseType,
        // The host's own maintenance window (KmsMaintenanceWindow) drives its patching.
        patchSchedule: true,
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
}
