// KmsStack: one environment, from a validated environment file, as one Terraform stack
// (kms-<name>). Composes the constructs; holds no validation of its own beyond what the schema
// and the constructs already enforce.
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { DataAzurermKeyVault } from "@cdktf/provider-azurerm/lib/data-azurerm-key-vault";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { NetworkInterfaceSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/network-interface-security-group-association";
import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Aspects, AzurermBackend, ITerraformDependable, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { allPublishedKeys } from "../catalog";
import { EnvironmentConfig } from "../config/environment-schema";
import { AddressRange, KmsFirewallRule, KmsHost, KmsHostBootstrap, KmsHostImage, KmsHostKeys, KmsSrvRecord, ManagementAccessRule, StandardTags } from "../constructs";
import { KmsPolicyPack, SHIPPED_SUPPRESSIONS, policyContext, suppressRule } from "../policy";
import { addMonitoring } from "./monitoring";

/** The stack name of an environment. */
export function stackName(environmentName: string): string {
  return `kms-${environmentName}`;
}

/** Computer name of host `index` (0-based): `<prefix><NN>`, e.g. kmslab01. */
export function computerName(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(2, "0")}`;
}

/** Parts of an Azure resource id: `/subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>/<name>...`. */
function resourceIdParts(id: string): { resourceGroup: string; name: string } {
  const segments = id.split("/");
  return { resourceGroup: segments[4], name: segments[segments.length - 1] };
}

/** Built-in role that writes secrets: the deployer needs it to store the generated admin passwords. */
const SECRETS_OFFICER_ROLE = "Key Vault Secrets Officer";

/** A suppression the product ships, with the reason recorded in RULES.md. */
function shippedSuppression(id: string): { id: string; reason: string } {
  const shipped = SHIPPED_SUPPRESSIONS.find((s) => s.id === id);
  if (!shipped) throw new Error(`no shipped suppression for ${id}; add it to SHIPPED_SUPPRESSIONS with its reason`);
  return { id: shipped.id, reason: shipped.reason };
}

/** One KMS host environment. */
export class KmsStack extends TerraformStack {
  /** The validated environment this stack was built from. */
  public readonly config: EnvironmentConfig;
  /** The hosts, in host order. */
  public readonly hosts: KmsHost[];
  /** The Key Vault's resource id (created or existing). */
  public readonly keyVaultId: string;
  /** The Key Vault's URI, e.g. https://kv-kms-lab.vault.azure.net/. */
  public readonly keyVaultUri: string;
  /** The firewall rule for the KMS port. */
  public readonly firewallRule: KmsFirewallRule;
  /** The DNS records. */
  public readonly dnsRecords: KmsSrvRecord;

  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, stackName(config.name));
    this.config = config;
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

    // Network.
    let subnetId: string;
    let kmsVnetId: string;
    let createdSubnet: Subnet | undefined;
    if (config.network.vnet) {
      const vnet = new VirtualNetwork(this, "vnet", {
        ...inResourceGroup,
        name: config.network.vnet.name ?? `vnet-kms-${config.name}`,
        addressSpace: [config.network.vnet.addressSpace],
      });
      createdSubnet = new Subnet(this, "subnet", {
        name: "snet-kms",
        resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefixes: [config.network.vnet.subnetPrefix],
        // The host activates its own KMS host key online with Microsoft, so it needs egress.
        defaultOutboundAccessEnabled: true,
        // With the vault's firewall on, the hosts reach it through this service endpoint.
        serviceEndpoints: config.keyVault.allowedCidrs ? ["Microsoft.KeyVault"] : undefined,
      });
      subnetId = createdSubnet.id;
      kmsVnetId = vnet.id;
    } else {
      subnetId = config.network.subnetId as string;
      kmsVnetId = subnetId.replace(/\/subnets\/[^/]+$/i, "");
    }

    const nsg = new NetworkSecurityGroup(this, "nsg", { ...inResourceGroup, name: `nsg-kms-${config.name}` });

    // Key Vault.
    let secretDependsOn: ITerraformDependable[] = [];
    let keyVaultName: string;
    let createdVault: KeyVault | undefined;
    if (config.keyVault.id) {
      const { resourceGroup, name } = resourceIdParts(config.keyVault.id);
      const existing = new DataAzurermKeyVault(this, "key-vault", { name, resourceGroupName: resourceGroup });
      this.keyVaultId = config.keyVault.id;
      this.keyVaultUri = existing.vaultUri;
      keyVaultName = name;
    } else {
      // Who runs terraform: the vault's tenant, and the identity that stores the admin passwords.
      const client = new DataAzurermClientConfig(this, "client");
      const vault = new KeyVault(this, "key-vault", {
        ...inResourceGroup,
        name: config.keyVault.name as string,
        tenantId: client.tenantId,
        skuName: "standard",
        rbacAuthorizationEnabled: true,
        softDeleteRetentionDays: 90,
        purgeProtectionEnabled: config.tier === "production",
        networkAcls: config.keyVault.allowedCidrs
          ? {
              defaultAction: "Deny",
              bypass: "AzureServices",
              ipRules: config.keyVault.allowedCidrs.map((cidr) => AddressRange.of(cidr).cidr),
              // An existing subnet needs the Microsoft.KeyVault service endpoint (README).
              virtualNetworkSubnetIds: [subnetId],
            }
          : undefined,
      });
      // Whoever runs terraform writes the admin password secrets: give them exactly that right.
      const deployerCanWriteSecrets = new RoleAssignment(this, "deployer-secrets-officer", {
        scope: vault.id,
        roleDefinitionName: SECRETS_OFFICER_ROLE,
        principalId: client.objectId,
        description: "Lets the identity running terraform store the hosts' generated admin passwords.",
      });
      secretDependsOn = [deployerCanWriteSecrets];
      this.keyVaultId = vault.id;
      this.keyVaultUri = vault.vaultUri;
      keyVaultName = config.keyVault.name as string;
      createdVault = vault;
    }
    const keys = new KmsHostKeys(this, "kms-host-keys", {
      keyVaultId: this.keyVaultId,
      keyVaultName,
      secretNames: config.kms.products.map((p) => p.secretName),
      dependsOn: secretDependsOn,
    });
    const production = config.tier === "production";

    // Hosts, spread round-robin across the zones.
    const zones = config.hosts.zones;
    this.hosts = Array.from({ length: config.hosts.count }, (_, index) => {
      const host = new KmsHost(this, `host-${index + 1}`, {
        ...inResourceGroup,
        computerName: computerName(config.hosts.namePrefix, index),
        subnetId,
        adminPasswordKeyVaultId: this.keyVaultId,
        dnsZoneName: config.dns.zoneName,
        image: KmsHostImage.fromName(config.hosts.image),
        size: config.hosts.size,
        zone: zones.length > 0 ? zones[index % zones.length] : undefined,
        privateIpAddress: config.hosts.privateIpAddresses?.[index],
        encryptionAtHost: config.hosts.encryptionAtHost,
        adminUsername: config.hosts.adminUsername,
        osDiskStorageAccountType: config.hosts.osDiskType,
        secretDependsOn,
        preventDestroy: production,
      });
      // The bootstrap is a VM extension operation (managed Run Command): the one documented
      // departure from the generic scanner rule that forbids extensions.
      suppressRule(host, shippedSuppression("KMS-VM-007"));
      return host;
    });

    // Firewall: the NSG guards the subnet we created; on a subnet we do not own, it guards the
    // hosts' NICs instead, so that we never replace the NSG of a shared subnet.
    if (createdSubnet) {
      new SubnetNetworkSecurityGroupAssociation(this, "nsg-subnet", { subnetId: createdSubnet.id, networkSecurityGroupId: nsg.id });
    } else {
      this.hosts.forEach((host, index) => {
        new NetworkInterfaceSecurityGroupAssociation(this, `nsg-nic-${index + 1}`, {
          networkInterfaceId: host.networkInterface.id,
          networkSecurityGroupId: nsg.id,
        });
      });
    }
    this.firewallRule = new KmsFirewallRule(this, "kms-firewall", {
      networkSecurityGroupName: nsg.name,
      resourceGroupName,
      clientCidrs: config.clientCidrs,
      hostAddresses: this.hosts.map((h) => h.privateIp),
      port,
    });
    new ManagementAccessRule(this, "management-access", {
      networkSecurityGroupName: nsg.name,
      resourceGroupName,
      adminCidrs: config.adminCidrs,
    });

    // DNS.
    const zoneResourceGroup = config.dns.zoneResourceGroup ?? resourceGroupName;
    let zoneName = config.dns.zoneName;
    if (config.dns.createZone) {
      const zone = new PrivateDnsZone(this, "dns-zone", { name: config.dns.zoneName, resourceGroupName: zoneResourceGroup });
      // Referencing the zone's name orders the records after the zone.
      zoneName = zone.name;
      [kmsVnetId, ...config.dns.linkedVnetIds].forEach((vnetId, index) => {
        new PrivateDnsZoneVirtualNetworkLink(this, `dns-link-${index + 1}`, {
          name: index === 0 ? `link-kms-${config.name}` : `link-kms-${config.name}-${index + 1}`,
          resourceGroupName: zoneResourceGroup,
          privateDnsZoneName: zone.name,
          virtualNetworkId: vnetId,
          registrationEnabled: false,
        });
      });
    }
    this.dnsRecords = new KmsSrvRecord(this, "kms-dns", {
      zoneName,
      resourceGroupName: zoneResourceGroup,
      hosts: this.hosts.map((h) => ({ name: h.computerName.toLowerCase(), privateIp: h.privateIp })),
      port,
      ttl: config.dns.ttl,
    });

    this.hosts.forEach((host, index) => {
      new KmsHostBootstrap(this, `host-${index + 1}-bootstrap`, {
        host,
        location: config.location,
        keys,
        keyVaultUri: this.keyVaultUri,
        products: config.kms.products,
        clientCidrs: config.clientCidrs,
        port,
        revision: String(config.kms.bootstrapRevision),
      });
    });

    if (production) {
      // Delete locks on what activation depends on; each is scoped to the resource itself, so
      // ordinary changes elsewhere in the group (an NSG rule renamed by a port change) still apply.
      const locked: { id: string; lockable: { id: string } }[] = [
        ...this.hosts.map((h) => ({ id: `lock-${h.node.id}`, lockable: h.vm })),
        ...(createdVault ? [{ id: "lock-key-vault", lockable: createdVault }] : []),
        { id: "lock-srv-record", lockable: this.dnsRecords.srvRecord },
        ...this.dnsRecords.hostRecords.map((r, i) => ({ id: `lock-a-record-${i + 1}`, lockable: r })),
      ];
      for (const { id, lockable } of locked) {
        new ManagementLock(this, id, {
          name: "kms-do-not-delete",
          scope: lockable.id,
          lockLevel: "CanNotDelete",
          notes: "A KMS host, its key vault and its DNS records: deleting them stops volume activation and rebuilding a host spends a KMS host key activation. Remove this lock deliberately first.",
        });
      }
    }

    // Monitoring (issue 13): the agent, data collection, alerts and saved searches (stacks/monitoring.ts).
    addMonitoring(this, config, this.hosts, resourceGroupName);

    KmsPolicyPack.applyTo(
      this,
      policyContext({ clientCidrs: config.clientCidrs, adminCidrs: config.adminCidrs, kmsPort: port, production, allowedPublicKeys: allPublishedKeys() }),
    );
    Aspects.of(this).add(new StandardTags({ "managed-by": "azure-kms-host", environment: config.name, ...config.tags }));
    this.addOutputs();
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
      new LocalBackend(this, { path: backend.path ?? `../../../terraform.${stackName(this.config.name)}.tfstate` });
    }
  }

  private addOutputs(): void {
    const port = this.config.kms.port;
    new TerraformOutput(this, "host_names", { value: this.hosts.map((h) => h.fqdn), description: "KMS host FQDNs in the private DNS zone." });
    new TerraformOutput(this, "private_ips", { value: this.hosts.map((h) => h.privateIp), description: "KMS host private IP addresses." });
    new TerraformOutput(this, "srv_record_fqdn", { value: this.dnsRecords.fqdn, description: "The _vlmcs._tcp SRV record clients discover the hosts by." });
    new TerraformOutput(this, "kms_port", { value: port, description: "TCP port the KMS hosts listen on." });
    new TerraformOutput(this, "client_manual_command", {
      value: `slmgr /skms ${this.hosts[0].fqdn}:${port}`,
      description: "Manual fallback for a client that cannot use DNS discovery (undo with slmgr /ckms).",
    });
    new TerraformOutput(this, "client_kit_path", {
      value: `cdktf.out/client-kit/${this.config.name}`,
      description: "Client kit (Test-KmsClient.ps1, and configuration.xml for Office LTSC) written by npm run synth, relative to the project root.",
    });
    new TerraformOutput(this, "key_vault_uri", { value: this.keyVaultUri, description: "Key Vault holding the admin passwords and KMS host keys." });
  }
}
