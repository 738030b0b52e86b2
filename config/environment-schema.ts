// The environment file: one YAML file per environment under environments/, validated by this
// schema. Field descriptions here are the documentation: they flow into the published JSON Schema
// (environments/environment.schema.json) that editors use for completion and hover help.
import * as z from "zod";
import { AddressRange } from "../constructs/address-range";
import { KMS_HOST_PRODUCT_NAMES, WINDOWS_CSVLK_HOST_RELEASES, WINDOWS_CSVLK_VERSIONS, kmsHostProduct } from "../catalog/kms-host-products";
import { KMS_HOST_IMAGE_NAMES, KmsHostImage, KmsHostImageName } from "../constructs/kms-host-image";
import { DEFAULT_KMS_PORT } from "../constructs/kms-port";
import { officeClientSchema } from "../client-kit/office-client-schema";
import { AZURE_REGIONS, AZURE_REGION_NAMES } from "../catalog/azure-regions";
import { officeProductById } from "../catalog/odt-products";
import { OFFICE_VERSION_NAMES } from "../catalog/office-versions";
import { addProblem } from "./add-problem";
import { AZURE_RESERVED_ADDRESSES_PER_SUBNET, MIN_AZURE_SUBNET_PREFIX, reservedAddressRole, usableAddressCount } from "./azure-subnet";
import { allowShadowingZoneSchema, checkDnsPublishing, dnsSrvSchema, privateZoneSchema, rfc2136Schema } from "./dns-publishing-schema";
import { baselineWarnings, checkBaseline, egressSchema, keyVaultPrivateEndpointSchema, licenseTypeSchema, patchWindowSchema } from "./baseline-schema";
import { monitoringSchema } from "./monitoring-schema";
import { checkProduction, productionWarnings } from "./production-rules";
import { checkTags, tagNameProblem } from "./tag-rules";
import { checkKmsPort } from "./windows-ports";
import { closestName, isPlaceholderId } from "./names";

// One parse per file per run: compiling zod's fast path (new Function) costs more than it saves.
z.config({ jitless: true });

/** Longest computer-name prefix: Windows computer names are at most 15 characters and we append two digits. */
export const MAX_NAME_PREFIX_LENGTH = 13;
/** Azure's per-resource tag limit (vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/tags/validate.go). */
export const MAX_TAGS = 50;
/** One KMS host key (CSVLK) activates at most six hosts (Microsoft Learn, kms-activation-planning). */
export const MAX_HOSTS = 6;

const AZURE_ID_SEGMENT = "[^/]+";
// Subnet and vnet ids are checked by the provider with commonids.ValidateSubnetID /
// ValidateVirtualNetworkID, which parse case-sensitively (vendor/github.com/hashicorp/
// go-azure-helpers/resourcemanager/commonids/subnet.go and virtual_network.go: parser.Parse(input,
// false)): "resourcegroups" or "microsoft.network" in lower case fails terraform validate.
const SUBNET_ID = new RegExp(
  `^/subscriptions/${AZURE_ID_SEGMENT}/resourceGroups/${AZURE_ID_SEGMENT}/providers/Microsoft\\.Network/virtualNetworks/${AZURE_ID_SEGMENT}/subnets/${AZURE_ID_SEGMENT}$`,
);
const VNET_ID = new RegExp(`^/subscriptions/${AZURE_ID_SEGMENT}/resourceGroups/${AZURE_ID_SEGMENT}/providers/Microsoft\\.Network/virtualNetworks/${AZURE_ID_SEGMENT}$`);
// An existing vault is read with data.azurerm_key_vault by name and resource group, which the
// provider validates as VaultName (internal/services/keyvault/key_vault_data_source.go,
// keyvault/validate/vault_name.go: ^[a-zA-Z0-9-]{3,24}$) and resourcegroups.ValidateName.
const KEY_VAULT_ID = new RegExp(`^/subscriptions/${AZURE_ID_SEGMENT}/resourceGroups/[-\\w.()]{0,89}[-\\w()]/providers/Microsoft\\.KeyVault/vaults/[a-zA-Z0-9-]{3,24}$`, "i");
/** A DNS name of at least two labels, each 1-63 letters, digits or hyphens, not starting or ending with a hyphen. */
const DNS_ZONE_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * Administrator names Azure refuses, copied from the provider's WindowsAdminUsername
 * (internal/services/compute/validate/windows_admin_username.go, disallowedNames; compared
 * case-sensitively there, so here too).
 */
const DISALLOWED_ADMIN_USERNAMES: readonly string[] = [
  "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a", "actuser", "adm", "admin2", "aspnet",
  "backup", "console", "david", "guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
];

/** Letters, digits and hyphens, not starting with a hyphen: NetBIOS-safe. */
const NAME_PREFIX = /^[A-Za-z][A-Za-z0-9-]*$/;

/** A CIDR block that is valid and not Internet-wide. */
function clientNetwork(what: string) {
  return z
    .string()
    .describe(`${what}: a CIDR block such as 10.20.0.0/16. Never 0.0.0.0/0, ::/0, *, Any, Internet or a service tag.`)
    .superRefine((value, ctx) => {
      const problem = AddressRange.declaredNetworkProblem(value);
      if (problem) addProblem(ctx, problem);
    });
}

function cidrBlock(description: string) {
  return z
    .string()
    .describe(description)
    .superRefine((value, ctx) => {
      const problem = AddressRange.cidrProblem(value);
      if (problem) addProblem(ctx, problem);
    });
}

/**
 * A Key Vault secret name: 1-127 letters, digits and hyphens. The provider checks the character set
 * (internal/services/keyvault/validate/nested_item_name.go, NestedItemName: ^[0-9a-zA-Z-]+$); Azure
 * the length (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers).
 */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * A resource group name. Provider: vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/
 * resourcegroups/validate.go (ValidateName): 1-90 characters of ^[-\w._()]+$, not ending in '.'.
 * Go's \w is ASCII [0-9A-Za-z_], as is JavaScript's without the u flag.
 */
function resourceGroupName(description: string) {
  return z
    .string()
    .min(1, "write a resource group name")
    .max(90, "use at most 90 characters (a resource group name)")
    .regex(/^[-\w.()]*[-\w()]$/, "use letters, digits, '-', '_', '.', '(' or ')', not ending with '.' (a resource group name)")
    .describe(description);
}
/** A SHA-256 digest in hex, as Get-FileHash and sha256sum print it. */
const SHA256_HEX = /^[0-9A-Fa-f]{64}$/;

const volumeLicensePackSchema = z
  .strictObject({
    uri: z
      .string()
      .refine((value) => {
        try {
          return new URL(value).protocol === "https:";
        } catch {
          return false;
        }
      }, "write the https:// address of the Volume License Pack download (the .exe, not the Download Center page)")
      .describe("https:// address the host downloads the Office Volume License Pack (.exe) from."),
    sha256: z
      .string()
      .regex(SHA256_HEX, "write the pack's SHA-256 as 64 hex digits (Get-FileHash <file> -Algorithm SHA256, or sha256sum <file>)")
      .describe("SHA-256 of the pack; the host refuses a download that does not match."),
  })
  .describe("Office only: the Office Volume License Pack that installs the Office KMS host licence files.");

const kmsProductSchema = z
  .strictObject({
    product: z.enum(KMS_HOST_PRODUCT_NAMES).describe("What the host activates: windows (Windows Server CSVLK) or an Office version."),
    secretName: z
      .string()
      .regex(SECRET_NAME, "use 1-127 letters, digits and hyphens (a Key Vault secret name)")
      .describe("Key Vault secret that holds this product's KMS host key (CSVLK). Upload it with az keyvault secret set; it never passes through Terraform."),
    csvlkVersion: z
      .enum(WINDOWS_CSVLK_VERSIONS)
      .optional()
      .describe("windows only: the Windows Server release the KMS host key comes with; checked against hosts.image."),
    volumeLicensePack: volumeLicensePackSchema.optional(),
  })
  .describe("One KMS host key the hosts install and activate.");

const resourceGroupSchema = z
  .strictObject({
    name: resourceGroupName("Resource group name."),
    create: z.boolean().default(true).describe("Create the resource group (true) or use an existing one (false)."),
  })
  .describe("The resource group that holds every resource of the stack.");

const networkSchema = z
  .strictObject({
    subnetId: z
      .string()
      .regex(SUBNET_ID, "write a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>")
      .optional()
      .describe("Existing subnet for the hosts (resource id). Give this or vnet, not both."),
    vnet: z
      .strictObject({
        // The provider only checks "not empty" (internal/services/network/virtual_network_resource.go);
        // Azure's rule (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules,
        // Microsoft.Network/virtualNetworks): 2-64 letters, digits, '_', '.', '-', starting with a
        // letter or digit, ending with a letter, digit or '_'.
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$/, "use 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with a letter, digit or '_'")
          .optional()
          .describe("Name of the new virtual network. Default: vnet-kms-<environment name>."),
        addressSpace: cidrBlock("Address space of the new virtual network, e.g. 10.50.0.0/24."),
        subnetPrefix: cidrBlock(`Prefix of the KMS subnet inside addressSpace, e.g. 10.50.0.0/27: IPv4, /${MIN_AZURE_SUBNET_PREFIX} or larger; Azure keeps ${AZURE_RESERVED_ADDRESSES_PER_SUBNET} addresses of every subnet.`),
      })
      .optional()
      .describe("Create a new virtual network and subnet for the hosts. Give this or subnetId, not both."),
    egress: egressSchema,
  })
  .superRefine((network, ctx) => {
    if (network.subnetId && network.vnet) {
      addProblem(ctx, "give either subnetId (use an existing subnet) or vnet (create one), not both");
    } else if (!network.subnetId && !network.vnet) {
      addProblem(ctx, "missing: give subnetId (an existing subnet's resource id) or vnet.addressSpace and vnet.subnetPrefix (create one)");
    }
    if (network.vnet && !AddressRange.cidrProblem(network.vnet.subnetPrefix)) {
      const subnet = AddressRange.of(network.vnet.subnetPrefix);
      // Hosts take IPv4 addresses (the NIC's private_ip_address_version defaults to IPv4), and Azure
      // supports no IPv4 subnet smaller than /29 (learn.microsoft.com/azure/virtual-network/virtual-networks-faq,
      // "How small and how large can virtual networks and subnets be?").
      if (subnet.version !== "ipv4") {
        addProblem(ctx, `"${network.vnet.subnetPrefix}" is IPv6; the hosts need an IPv4 subnet, e.g. 10.50.0.0/27`, ["vnet", "subnetPrefix"]);
      } else if (subnet.prefixLength > MIN_AZURE_SUBNET_PREFIX) {
        addProblem(ctx, `"${network.vnet.subnetPrefix}" is smaller than Azure's smallest subnet, /${MIN_AZURE_SUBNET_PREFIX}; use /${MIN_AZURE_SUBNET_PREFIX} or larger`, ["vnet", "subnetPrefix"]);
      }
    }
    if (network.vnet && !AddressRange.cidrProblem(network.vnet.addressSpace) && !AddressRange.cidrProblem(network.vnet.subnetPrefix)) {
      if (!AddressRange.of(network.vnet.addressSpace).containsRange(AddressRange.of(network.vnet.subnetPrefix))) {
        addProblem(ctx, `"${network.vnet.subnetPrefix}" is not inside vnet.addressSpace "${network.vnet.addressSpace}"; choose a prefix inside the address space`, ["vnet", "subnetPrefix"]);
      }
    }
  })
  .describe("Where the hosts' NICs live.");

const hostsSchema = z
  .strictObject({
    count: z
      .number()
      .int()
      .min(1, "at least one host is needed")
      .max(MAX_HOSTS, `one KMS host key activates at most ${MAX_HOSTS} hosts; use ${MAX_HOSTS} or fewer`)
      .describe(`Number of KMS hosts, 1 to ${MAX_HOSTS} (one KMS host key activates at most ${MAX_HOSTS} hosts).`),
    // The provider only checks "not empty" (internal/services/compute/windows_virtual_machine_resource.go, size).
    size: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "use an Azure VM size such as Standard_B2s or Standard_D2s_v5").default("Standard_D2s_v5").describe("VM size. Default Standard_D2s_v5."),
    image: z
      .enum(KMS_HOST_IMAGE_NAMES)
      .default("windows-server-2022")
      .describe("Windows Server Datacenter Gen2 image. Datacenter: Azure Edition is never offered: it cannot be a KMS host."),
    zones: z
      .array(z.enum(["1", "2", "3"]))
      .default([])
      .describe('Availability zones; hosts are spread across them round-robin. Empty: no zone. Quote them: ["1", "2"].'),
    // The computer name <prefix><NN> and the VM name vm-<prefix><NN> meet the provider's
    // WindowsComputerNameFull (internal/services/compute/validate/windows_computer_name.go: at most
    // 15 characters of ^[a-zA-Z0-9-]+$, not ending with '-', not only digits) and VirtualMachineName
    // (internal/services/compute/validate/virtual_machine_name.go: 1-80 of ^[a-zA-Z0-9._-]+$).
    namePrefix: z
      .string()
      .regex(NAME_PREFIX, "use letters, digits and hyphens, starting with a letter")
      .max(
        MAX_NAME_PREFIX_LENGTH,
        `Windows computer names are at most 15 characters and two digits are appended (e.g. kms01); shorten the prefix to at most ${MAX_NAME_PREFIX_LENGTH} characters`,
      )
      .describe(`Computer-name prefix; host N is <prefix><NN> (e.g. kmslab01). At most ${MAX_NAME_PREFIX_LENGTH} characters.`),
    privateIpAddresses: z
      .array(z.ipv4("write an IPv4 address such as 10.50.0.10"))
      .optional()
      .describe("Static private IPs, one per host in host order. Default: dynamic addresses."),
    osDiskType: z.enum(["Premium_LRS", "StandardSSD_LRS", "Standard_LRS"]).default("Premium_LRS").describe("OS disk storage type. Default Premium_LRS."),
    encryptionAtHost: z
      .boolean()
      .default(true)
      .describe("Encryption at host (needs the EncryptionAtHost feature registered on the subscription). Default true."),
    // Provider: internal/services/compute/validate/windows_admin_username.go (WindowsAdminUsername):
    // at most 20 characters, not ending with '.', none of its disallowed names.
    adminUsername: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9._-]{0,19}$/, "use 1-20 letters, digits, '.', '_' or '-', starting with a letter")
      .refine((name) => !name.endsWith("."), "must not end with '.' (Azure refuses it); remove the trailing dot")
      .refine((name) => !DISALLOWED_ADMIN_USERNAMES.includes(name), {
        message: "is a name Azure refuses for a Windows administrator; choose another, such as kmsadmin",
      })
      .default("kmsadmin")
      .describe("Local administrator user name. The password is generated and stored in Key Vault."),
    licenseType: licenseTypeSchema,
    patchWindow: patchWindowSchema,
    // Production's route to rebuild one host (README, "Replacing one production host"): the listed
    // hosts lose prevent_destroy, nothing else changes; their lock is replaced around the rebuild.
    replace: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9-]*[0-9]{2}$/, "write a host's computer name, e.g. kmsprd02"))
      .default([])
      .describe(
        "Computer names of production hosts you are about to rebuild (terraform apply -replace=<VM address>): each loses prevent_destroy until you remove it from this list; its delete lock is deleted and created again around the rebuild, in the same apply. Default: none.",
      ),
  })
  .superRefine((hosts, ctx) => {
    hosts.replace.forEach((name, index) => {
      const names = Array.from({ length: hosts.count }, (_, i) => `${hosts.namePrefix}${String(i + 1).padStart(2, "0")}`);
      if (!names.includes(name)) addProblem(ctx, `"${name}" is not one of the hosts (${names.join(", ")}); list the computer name of the host to rebuild`, ["replace", index]);
    });
    if (hosts.privateIpAddresses && hosts.privateIpAddresses.length !== hosts.count) {
      addProblem(ctx, `lists ${hosts.privateIpAddresses.length} addresses for ${hosts.count} hosts; give one address per host or remove the field`, ["privateIpAddresses"]);
    }
    if (hosts.privateIpAddresses && new Set(hosts.privateIpAddresses).size !== hosts.privateIpAddresses.length) {
      addProblem(ctx, "lists an address twice; give every host its own address", ["privateIpAddresses"]);
    }
  })
  .describe("The KMS host VMs.");

const dnsSchema = z
  .strictObject({
    zoneName: z
      .string()
      .regex(DNS_ZONE_NAME, "write a lower-case DNS name such as corp.contoso.com")
      .describe("The clients' DNS suffix; clients query _vlmcs._tcp.<zoneName>."),
    createZone: z.boolean().default(true).describe("Create the Azure Private DNS zone (true) or use an existing one (false)."),
    zoneResourceGroup: resourceGroupName("Resource group of an existing zone. Default: resourceGroup.name.").optional(),
    linkedVnetIds: z
      .array(z.string().regex(VNET_ID, "write a virtual network resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>"))
      .default([])
      // Azure refuses a second link of one vnet to one zone (learn.microsoft.com/azure/dns/private-dns-virtual-network-links).
      .superRefine((ids, ctx) => {
        ids.forEach((id, index) => {
          const first = ids.findIndex((other) => other.toLowerCase() === id.toLowerCase());
          if (first !== index) addProblem(ctx, `repeats dns.linkedVnetIds[${first}]; Azure links a vnet to a zone once, so list it once`, [index]);
        });
      })
      .describe(
        "Extra virtual networks to link to the zone (for example a DNS Private Resolver's vnet). A created zone is also linked to the hosts' vnet; an existing zone (createZone: false) is linked to exactly these, so list only vnets not linked to it yet.",
      ),
    // Provider: privatedns/private_dns_a_record_resource.go and private_dns_srv_record_resource.go (ttl IntBetween(1, math.MaxInt32)).
    ttl: z.number().int().min(1).max(2147483647).default(3600).describe("TTL of the A and SRV records in seconds. Default 3600."),
    srv: dnsSrvSchema,
    rfc2136: rfc2136Schema.optional(),
    privateZone: privateZoneSchema,
    allowShadowingZone: allowShadowingZoneSchema,
  })
  .describe("DNS: the hosts' A records and the _vlmcs._tcp SRV record, in an Azure Private DNS zone (dns.privateZone), on an RFC 2136 server (dns.rfc2136) and in the exports.");

const keyVaultSchema = z
  .strictObject({
    // Provider: internal/services/keyvault/validate/vault_name.go (VaultName: ^[a-zA-Z0-9-]{3,24}$).
    // Azure also wants a leading letter, a trailing letter or digit and no "--"
    // (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, Microsoft.KeyVault/vaults).
    name: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "use 3-24 letters, digits and hyphens, starting with a letter (Key Vault names are globally unique)")
      .refine((name) => !name.includes("--"), "must not contain two hyphens in a row (Azure refuses it); use single hyphens")
      .optional()
      .describe("Name of a Key Vault to create (with create: true)."),
    create: z.boolean().optional().describe("true: create the vault named by name."),
    deployerPrincipalId: z
      .uuid("write the object id (a UUID) of the group or pipeline identity that runs terraform")
      .optional()
      .describe(
        "With create: object id of the group or pipeline identity that runs terraform; it gets Key Vault Secrets Officer on the vault to store the hosts' admin passwords. " +
          "Required in production: a role assignment cannot be changed in place, and the vault's delete lock would refuse replacing it when someone else runs terraform. " +
          "Default (lab): whoever runs terraform.",
      ),
    allowedCidrs: z
      .array(
        z
          .string()
          .describe("A public IPv4 range allowed through the vault's firewall, e.g. your deployment runner's egress address.")
          .superRefine((value, ctx) => {
            const problem = AddressRange.declaredNetworkProblem(value);
            if (problem) return void addProblem(ctx, problem);
            const range = AddressRange.of(value);
            if (range.version !== "ipv4" || !range.isPublic) {
              addProblem(ctx, `"${value}" is not a public IPv4 range; Key Vault's firewall matches public IPv4 addresses only (the hosts reach the vault through their subnet's service endpoint), so list the public egress addresses of whoever runs terraform`);
            }
          }),
      )
      .optional()
      .describe(
        "With create: turn the vault's firewall on (default Deny): only these public IPv4 ranges (whoever runs terraform and uploads keys) and the KMS subnet, through its Microsoft.KeyVault service endpoint, reach it. A lab vault needs this or privateEndpoint (a vault with neither would be open to the Internet, and is refused); production uses its private endpoint instead.",
      ),
    id: z
      .string()
      .regex(KEY_VAULT_ID, "write a Key Vault resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name> (name: 3-24 letters, digits and hyphens)")
      .optional()
      .describe("Resource id of an existing Key Vault (with RBAC authorization) to use instead."),
    privateEndpoint: keyVaultPrivateEndpointSchema.optional(),
    serviceEndpoint: z
      .boolean()
      .optional()
      .describe("With id and network.vnet: add the Microsoft.KeyVault service endpoint to the subnet the stack creates, for an existing vault whose firewall admits that subnet. Default: none."),
  })
  .superRefine((kv, ctx) => {
    if (kv.id && kv.deployerPrincipalId) {
      addProblem(ctx, "applies only to a vault this stack creates; grant rights on an existing vault where it is managed, or remove deployerPrincipalId", ["deployerPrincipalId"]);
    }
    if (kv.id && kv.allowedCidrs) {
      addProblem(ctx, "applies only to a vault this stack creates; set the firewall of an existing vault where it is managed, or remove allowedCidrs", ["allowedCidrs"]);
    }
    if (kv.id && (kv.name || kv.create)) {
      addProblem(ctx, "give either id (use an existing vault) or name with create: true (create one), not both");
    } else if (!kv.id && !(kv.name && kv.create === true)) {
      addProblem(ctx, "missing: give name and create: true (create a vault) or id (an existing vault's resource id)");
    }
  })
  .describe("The Key Vault holding the hosts' admin passwords and the KMS host keys.");

const backendSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("local"),
      path: z
        .string()
        .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(p), "use a relative path: an absolute path ties the stack to one machine")
        .optional()
        .describe("State file path, relative to the stack directory. Default: ../../../terraform.kms-<name>.tfstate (the project root)."),
    }),
    z.strictObject({
      type: z.literal("azurerm"),
      resourceGroupName: resourceGroupName("Resource group of the state storage account."),
      storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, "use 3-24 lower-case letters and digits").describe("State storage account."),
      // Azure Storage naming (learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata):
      // a container is 3-63 lower-case letters, digits and single hyphens, starting and ending with a
      // letter or digit; a blob name is 1-1024 characters.
      containerName: z
        .string()
        .regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, "use 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (an Azure Storage container name)")
        .describe("Blob container for state."),
      key: z.string().min(1).max(1024).describe("Blob name of the state file, e.g. kms-production.tfstate."),
      subscriptionId: z.uuid().optional().describe("Subscription of the state storage account, if different."),
    }),
  ])
  .describe("Terraform state backend: local (with a relative path) or azurerm.");

/** Schema of one environment file. */
export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path of the JSON Schema, for editors."),
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, "use 1-20 lower-case letters, digits and hyphens, starting with a letter")
      .describe("Environment name; must equal the file name. The stack is kms-<name>."),
    tier: z
      .enum(["lab", "production"])
      .describe("lab or production. Production adds purge protection, delete locks and prevent_destroy."),
    location: z
      .string()
      .superRefine((value, ctx) => {
        if (AZURE_REGIONS[value]) return;
        const suggestion = closestName(value.toLowerCase().replace(/\s+/g, ""), AZURE_REGION_NAMES);
        addProblem(ctx, `"${value}" is not an Azure region name; ${suggestion ? `did you mean "${suggestion}"? ` : ""}use a programmatic name from catalog/azure-regions.ts (az account list-locations -o table, column Name), e.g. westeurope`);
      })
      .describe("Azure region (programmatic name, e.g. westeurope); checked against catalog/azure-regions.ts."),
    subscriptionId: z.uuid("write the subscription id, a UUID").optional().describe("Subscription to deploy into. Default: ARM_SUBSCRIPTION_ID from the environment."),
    resourceGroup: resourceGroupSchema,
    network: networkSchema,
    clientCidrs: z
      .array(clientNetwork("A client network allowed to reach the KMS port"))
      .min(1, "list at least one client network that needs activation")
      .describe("The networks allowed to reach the KMS port; the NSG admits exactly these."),
    adminCidrs: z
      .array(clientNetwork("An admin network allowed to use RDP and WinRM"))
      .default([])
      .describe("Networks allowed RDP/WinRM to the hosts (e.g. an Azure Bastion subnet). Default none."),
    kms: z
      .strictObject({
        // Provider: privatedns/private_dns_srv_record_resource.go (record.port IntBetween(1, 65535)).
        port: z
          .number()
          .int()
          .min(1, "use a TCP port from 1 to 65535")
          .max(65535, "use a TCP port from 1 to 65535")
          .default(DEFAULT_KMS_PORT)
          .describe("TCP port the hosts listen on; the NSG rule and every SRV entry follow it. Default 1688. Not a TCP port Windows itself uses (e.g. 135, 445, 3389; config/windows-ports.ts) nor one in Windows' dynamic range 49152-65535."),
        bootstrapRevision: z
          .number()
          .int()
          .min(1)
          .default(1)
          .describe("Bump it to re-run the bootstrap on every host in place, e.g. after rotating a KMS host key in Key Vault. Default 1."),
        products: z
          .array(kmsProductSchema)
          .min(1, "list at least one product (windows and/or an Office version) with the Key Vault secret of its KMS host key")
          .describe("What the hosts activate, each with the Key Vault secret holding its KMS host key. Office-only is fine: Azure keeps activating the host's own Windows."),
      })
      .describe("KMS service settings."),
    hosts: hostsSchema,
    dns: dnsSchema,
    keyVault: keyVaultSchema,
    backend: backendSchema,
    clients: z
      .strictObject({
        domain: z
          .string()
          .regex(DNS_ZONE_NAME, "write a lower-case DNS name such as corp.contoso.com")
          .optional()
          .describe("The clients' own DNS suffix, when it differs from dns.zoneName. Default: dns.zoneName."),
        office: officeClientSchema.optional().describe("Office LTSC volume deployment: writes an Office Deployment Tool configuration.xml into the client kit."),
      })
      .optional()
      .describe("The client kit written to cdktf.out/client-kit/<name>/: Test-KmsClient.ps1 always, configuration.xml with clients.office."),
    monitoring: monitoringSchema,
    // Provider: vendor/github.com/hashicorp/go-azure-helpers/resourcemanager/tags/validate.go
    // (Validate): at most 50 tags per resource, keys at most 512 and values at most 256 bytes (Go len).
    tags: z
      .record(
        z
          .string()
          .min(1)
          .refine((key) => Buffer.byteLength(key) <= 512, "a tag name is at most 512 bytes; shorten it")
          .superRefine((key, ctx) => {
            const problem = tagNameProblem(key);
            if (problem) addProblem(ctx, problem);
          }),
        z.string().refine((value) => Buffer.byteLength(value) <= 256, "a tag value is at most 256 bytes; shorten it"),
      )
      .default({})
      .describe(`Tags put on every taggable resource, with managed-by and environment (at most ${MAX_TAGS} tags in all). Not managed-by or environment themselves (in any case), and no < > % & \\ ? / in a name (Azure refuses them).`),
  })
  .superRefine((env, ctx) => {
    checkProducts(env, ctx);
    checkAddresses(env, ctx);
    checkClientOffice(env, ctx);
    if (env.hosts.zones.length > 0 && AZURE_REGIONS[env.location] && !AZURE_REGIONS[env.location].zones) {
      addProblem(ctx, `${env.location} has no availability zones (catalog/azure-regions.ts); remove hosts.zones or choose a region with zones`, ["hosts", "zones"]);
    }
    const tagCount = new Set(["managed-by", "environment", ...Object.keys(env.tags)]).size;
    if (tagCount > MAX_TAGS) {
      addProblem(ctx, `gives every resource ${tagCount} tags with managed-by and environment; Azure allows ${MAX_TAGS}, so remove ${tagCount - MAX_TAGS}`, ["tags"]);
    }
    if (env.tier === "production" && env.keyVault.create && !env.keyVault.deployerPrincipalId) {
      addProblem(ctx, "required in production: add the object id of the group or pipeline identity that runs terraform (az ad group show -g <group> --query id -o tsv); " +
          "a role assignment for whoever happens to run terraform would be replaced under the vault's delete lock", ["keyVault", "deployerPrincipalId"]);
    }
    checkDnsPublishing(env, ctx);
    checkProduction(env, ctx);
    checkKmsPort(env, ctx);
    checkTags(env, ctx);
    checkBaseline(env, ctx);
    if (env.hosts.zones.length > env.hosts.count) {
      addProblem(ctx, `lists ${env.hosts.zones.length} zones for ${env.hosts.count} host(s); some zones would stay empty, so list at most ${env.hosts.count}`, ["hosts", "zones"]);
    }
  })
  .describe("An azure-kms-host environment: one KMS host stack (kms-<name>).");

/**
 * Static addresses against the subnet the stack creates: inside it, not one of the addresses Azure
 * keeps, and a subnet with room for every host. Azure keeps the first four addresses and the last
 * of every subnet (learn.microsoft.com/azure/virtual-network/virtual-networks-faq, "Are there any
 * restrictions on using IP addresses within these subnets?"). An existing subnet (network.subnetId)
 * is not known at synth: Azure refuses a reserved or used address at apply.
 */
function checkAddresses(env: AddressCheckInput, ctx: z.RefinementCtx): void {
  const subnetPrefix = env.network.vnet?.subnetPrefix;
  if (!subnetPrefix || AddressRange.cidrProblem(subnetPrefix)) return;
  const subnet = AddressRange.of(subnetPrefix);
  if (subnet.version !== "ipv4" || subnet.prefixLength > MIN_AZURE_SUBNET_PREFIX) return;
  const usable = usableAddressCount(subnet.prefixLength);
  if (usable < env.hosts.count) {
    addProblem(ctx, `"${subnetPrefix}" has ${usable} usable addresses (Azure keeps ${AZURE_RESERVED_ADDRESSES_PER_SUBNET} of every subnet) for ${env.hosts.count} hosts; use a larger subnet`, ["network", "vnet", "subnetPrefix"]);
  }
  env.hosts.privateIpAddresses?.forEach((ip, index) => {
    if (!subnet.containsAddress(ip)) {
      addProblem(ctx, `${ip} is not inside network.vnet.subnetPrefix ${subnetPrefix}; choose an address in the subnet`, ["hosts", "privateIpAddresses", index]);
      return;
    }
    const role = reservedAddressRole(subnet.cidr, ip);
    if (role) {
      addProblem(ctx, `${ip} is ${role}, one of the ${AZURE_RESERVED_ADDRESSES_PER_SUBNET} addresses Azure keeps in ${subnet.cidr}; choose an address from the fifth to the second-to-last of the subnet`, ["hosts", "privateIpAddresses", index]);
    }
  });
}

/**
 * The client kit and the hosts agree: every Office product the kit installs is activated by an
 * Office KMS host key of its version in kms.products (one host key per Office version activates
 * all of that version's volume products: learn.microsoft.com/office/volume-license-activation/
 * configure-a-kms-host-computer-for-office).
 */
function checkClientOffice(env: ClientOfficeCheckInput, ctx: z.RefinementCtx): void {
  const hostProducts = new Set<string>(env.kms.products.map((p) => p.product));
  env.clients?.office?.products.forEach((id, index) => {
    const product = officeProductById(id);
    if (!product || hostProducts.has(product.version)) return;
    addProblem(ctx, `${id} is ${OFFICE_VERSION_NAMES[product.version]}, but kms.products has no ${product.version} entry, so the hosts cannot activate it; add { product: ${product.version}, secretName: ..., volumeLicensePack: ... } to kms.products or install a version the hosts activate`, ["clients", "office", "products", index]);
  });
}

/** Warnings that do not stop synthesis: placeholder ids still in the file. */
export function environmentWarnings(env: EnvironmentConfig): { path: (string | number)[]; message: string }[] {
  const warnings: { path: (string | number)[]; message: string }[] = [];
  const check = (value: string | undefined, fieldPath: (string | number)[]): void => {
    if (value !== undefined && isPlaceholderId(value)) {
      warnings.push({ path: fieldPath, message: `${JSON.stringify(value)} is still a placeholder (all-zero id); put the real id here before applying, or Azure refuses it` });
    }
  };
  check(env.subscriptionId, ["subscriptionId"]);
  if (env.tier === "production" && env.subscriptionId === undefined) {
    // internal/provider/provider.go (providerConfigure): an empty subscription_id is accepted while
    // use_cli is on (the default), and the Azure CLI's current subscription is used.
    warnings.push({
      path: ["subscriptionId"],
      message: "is not set: terraform then uses ARM_SUBSCRIPTION_ID, and without it silently the Azure CLI's current subscription; set subscriptionId so production always lands in the right one",
    });
  }
  check(env.network.subnetId, ["network", "subnetId"]);
  env.dns.linkedVnetIds.forEach((id, index) => check(id, ["dns", "linkedVnetIds", index]));
  check(env.keyVault.id, ["keyVault", "id"]);
  check(env.keyVault.deployerPrincipalId, ["keyVault", "deployerPrincipalId"]);
  if (env.backend.type === "azurerm") check(env.backend.subscriptionId, ["backend", "subscriptionId"]);
  warnings.push(...productionWarnings(env));
  warnings.push(...baselineWarnings(env));
  return warnings;
}

/** Product combinations: what each product needs, and what the host image can carry. */
function checkProducts(env: ProductCheckInput, ctx: z.RefinementCtx): void {
  const image = KmsHostImage.fromName(env.hosts.image);
  const seenProducts = new Map<string, number>();
  const seenSecrets = new Map<string, number>();
  env.kms.products.forEach((entry, index) => {
    const at = (...rest: (string | number)[]) => ["kms", "products", index, ...rest];
    const product = kmsHostProduct(entry.product);
    if (seenProducts.has(entry.product)) {
      addProblem(ctx, `"${entry.product}" is already listed as kms.products[${seenProducts.get(entry.product)}]; one KMS host key per product, so list it once`, at("product"));
    }
    seenProducts.set(entry.product, index);
    const secretKey = entry.secretName.toLowerCase();
    if (seenSecrets.has(secretKey)) {
      addProblem(ctx, `"${entry.secretName}" is already used by kms.products[${seenSecrets.get(secretKey)}]; each KMS host key needs its own secret`, at("secretName"));
    }
    seenSecrets.set(secretKey, index);
    if (product.kind === "office" && !entry.volumeLicensePack) {
      addProblem(ctx, `required for ${entry.product}: add volumeLicensePack.uri and volumeLicensePack.sha256 (the host installs the Office Volume License Pack and refuses it unless its SHA-256 matches)`, at("volumeLicensePack"));
    }
    if (product.kind === "windows" && entry.volumeLicensePack) {
      addProblem(ctx, "only Office products have a Volume License Pack; remove it from the windows entry", at("volumeLicensePack"));
    }
    if (product.kind !== "windows" && entry.csvlkVersion) {
      addProblem(ctx, `only the windows product has a CSVLK version; remove it from ${entry.product}`, at("csvlkVersion"));
    }
    if (image.release < product.minimumHostRelease) {
      addProblem(ctx, `${entry.product} needs a KMS host on Windows Server ${product.minimumHostRelease} or later, but hosts.image is ${image.name}; use a newer hosts.image (e.g. windows-server-2022)`, at("product"));
    }
    if (entry.csvlkVersion && !WINDOWS_CSVLK_HOST_RELEASES[entry.csvlkVersion].includes(image.release)) {
      addProblem(ctx, `a ${entry.csvlkVersion} KMS host key installs only on Windows Server ${WINDOWS_CSVLK_HOST_RELEASES[entry.csvlkVersion].join(", ")}, not on ${image.name}; change hosts.image or use a matching key`, at("csvlkVersion"));
    }
  });
}

/** One validated `kms.products` entry. */
export type KmsProductEntry = z.output<typeof kmsProductSchema>;

/** The parts of an environment that checkAddresses reads. */
interface AddressCheckInput {
  readonly network: { readonly vnet?: { readonly subnetPrefix: string } };
  readonly hosts: { readonly count: number; readonly privateIpAddresses?: readonly string[] };
}

/** The parts of an environment that checkClientOffice reads. */
interface ClientOfficeCheckInput {
  readonly kms: { readonly products: readonly { readonly product: string }[] };
  readonly clients?: { readonly office?: { readonly products: readonly string[] } };
}

/** The parts of an environment that checkProducts reads (the whole type would refer to itself). */
interface ProductCheckInput {
  readonly hosts: { readonly image: KmsHostImageName };
  readonly kms: { readonly products: readonly KmsProductEntry[] };
}

/** A validated environment, with defaults filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
