// The environment file: one YAML file per environment under environments/, validated by this
// schema. Field descriptions here are the documentation: they flow into the published JSON Schema
// (environments/environment.schema.json) that editors use for completion and hover help.
import { z } from "zod";
import { AddressRange } from "../constructs/address-range";
import { KMS_HOST_PRODUCT_NAMES, WINDOWS_CSVLK_HOST_RELEASES, WINDOWS_CSVLK_VERSIONS, kmsHostProduct } from "../catalog/kms-host-products";
import { KMS_HOST_IMAGE_NAMES, KmsHostImage, KmsHostImageName } from "../constructs/kms-host-image";
import { DEFAULT_KMS_PORT } from "../constructs/kms-port";
import { officeClientSchema } from "../client-kit/office-client-schema";
import { checkDnsPublishing, dnsSrvSchema, rfc2136Schema } from "./dns-publishing-schema";
import { monitoringSchema } from "./monitoring-schema";

// One parse per file per run: compiling zod's fast path (new Function) costs more than it saves.
z.config({ jitless: true });

/** Longest computer-name prefix: Windows computer names are at most 15 characters and we append two digits. */
export const MAX_NAME_PREFIX_LENGTH = 13;
/** One KMS host key (CSVLK) activates at most six hosts (Microsoft Learn, kms-activation-planning). */
export const MAX_HOSTS = 6;

const AZURE_ID_SEGMENT = "[^/]+";
const SUBNET_ID = new RegExp(
  `^/subscriptions/${AZURE_ID_SEGMENT}/resourceGroups/${AZURE_ID_SEGMENT}/providers/Microsoft\\.Network/virtualNetworks/${AZURE_ID_SEGMENT}/subnets/${AZURE_ID_SEGMENT}$`,
  "i",
);
const VNET_ID = new RegExp(
  `^/subscriptions/${AZURE_ID_SEGMENT}/resourceGroups/${AZURE_ID_SEGMENT}/providers/Microsoft\\.Network/virtualNetworks/${AZURE_ID_SEGMENT}$`,
  "i",
);
const KEY_VAULT_ID = new RegExp(
  `^/subscriptions/${AZURE_ID_SEGMENT}/resourceGroups/${AZURE_ID_SEGMENT}/providers/Microsoft\\.KeyVault/vaults/${AZURE_ID_SEGMENT}$`,
  "i",
);
/** A DNS name of at least two labels, each 1-63 letters, digits or hyphens, not starting or ending with a hyphen. */
const DNS_ZONE_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Letters, digits and hyphens, not starting with a hyphen: NetBIOS-safe. */
const NAME_PREFIX = /^[A-Za-z][A-Za-z0-9-]*$/;

/** A CIDR block that is valid and not Internet-wide. */
function clientNetwork(what: string) {
  return z
    .string()
    .describe(`${what}: a CIDR block such as 10.20.0.0/16. Never 0.0.0.0/0, ::/0, *, Any, Internet or a service tag.`)
    .superRefine((value, ctx) => {
      const problem = AddressRange.declaredNetworkProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

function cidrBlock(description: string) {
  return z
    .string()
    .describe(description)
    .superRefine((value, ctx) => {
      const problem = AddressRange.cidrProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** A Key Vault secret name: 1-127 letters, digits and hyphens. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
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
    name: z.string().min(1).max(90).regex(/^[-\w.()]*[-\w()]$/, "use letters, digits, '-', '_', '.', '(' or ')', not ending with '.'").describe("Resource group name."),
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
        name: z.string().min(2).max(64).optional().describe("Name of the new virtual network. Default: vnet-kms-<environment name>."),
        addressSpace: cidrBlock("Address space of the new virtual network, e.g. 10.50.0.0/24."),
        subnetPrefix: cidrBlock("Prefix of the KMS subnet inside addressSpace, e.g. 10.50.0.0/27."),
      })
      .optional()
      .describe("Create a new virtual network and subnet for the hosts. Give this or subnetId, not both."),
  })
  .superRefine((network, ctx) => {
    if (network.subnetId && network.vnet) {
      ctx.addIssue({ code: "custom", message: "give either subnetId (use an existing subnet) or vnet (create one), not both" });
    } else if (!network.subnetId && !network.vnet) {
      ctx.addIssue({ code: "custom", message: "missing: give subnetId (an existing subnet's resource id) or vnet.addressSpace and vnet.subnetPrefix (create one)" });
    }
    if (network.vnet && !AddressRange.cidrProblem(network.vnet.addressSpace) && !AddressRange.cidrProblem(network.vnet.subnetPrefix)) {
      if (!AddressRange.of(network.vnet.addressSpace).containsRange(AddressRange.of(network.vnet.subnetPrefix))) {
        ctx.addIssue({
          code: "custom",
          path: ["vnet", "subnetPrefix"],
          message: `"${network.vnet.subnetPrefix}" is not inside vnet.addressSpace "${network.vnet.addressSpace}"; choose a prefix inside the address space`,
        });
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
    size: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "use an Azure VM size such as Standard_B2s or Standard_D2s_v5").default("Standard_D2s_v5").describe("VM size. Default Standard_D2s_v5."),
    image: z
      .enum(KMS_HOST_IMAGE_NAMES)
      .default("windows-server-2022")
      .describe("Windows Server Datacenter Gen2 image. Datacenter: Azure Edition is never offered: it cannot be a KMS host."),
    zones: z
      .array(z.enum(["1", "2", "3"]))
      .default([])
      .describe('Availability zones; hosts are spread across them round-robin. Empty: no zone. Quote them: ["1", "2"].'),
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
    adminUsername: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,19}$/, "use 1-20 letters, digits, '.', '_' or '-', starting with a letter").default("kmsadmin").describe("Local administrator user name. The password is generated and stored in Key Vault."),
  })
  .superRefine((hosts, ctx) => {
    if (hosts.privateIpAddresses && hosts.privateIpAddresses.length !== hosts.count) {
      ctx.addIssue({
        code: "custom",
        path: ["privateIpAddresses"],
        message: `lists ${hosts.privateIpAddresses.length} addresses for ${hosts.count} hosts; give one address per host or remove the field`,
      });
    }
    if (hosts.privateIpAddresses && new Set(hosts.privateIpAddresses).size !== hosts.privateIpAddresses.length) {
      ctx.addIssue({ code: "custom", path: ["privateIpAddresses"], message: "lists an address twice; give every host its own address" });
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
    zoneResourceGroup: z.string().min(1).max(90).optional().describe("Resource group of an existing zone. Default: resourceGroup.name."),
    linkedVnetIds: z
      .array(z.string().regex(VNET_ID, "write a virtual network resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>"))
      .default([])
      .describe("Extra virtual networks to link to a created zone (for example a DNS Private Resolver's vnet)."),
    ttl: z.number().int().min(1).max(2147483647).default(3600).describe("TTL of the A and SRV records in seconds. Default 3600."),
    srv: dnsSrvSchema,
    rfc2136: rfc2136Schema.optional(),
  })
  .describe("Private DNS: the hosts' A records and the _vlmcs._tcp SRV record.");

const keyVaultSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "use 3-24 letters, digits and hyphens, starting with a letter (Key Vault names are globally unique)")
      .optional()
      .describe("Name of a Key Vault to create (with create: true)."),
    create: z.boolean().optional().describe("true: create the vault named by name."),
    allowedCidrs: z
      .array(
        z
          .string()
          .describe("A public IPv4 range allowed through the vault's firewall, e.g. your deployment runner's egress address.")
          .superRefine((value, ctx) => {
            const problem = AddressRange.declaredNetworkProblem(value);
            if (problem) return void ctx.addIssue({ code: "custom", message: problem });
            const range = AddressRange.of(value);
            if (range.version !== "ipv4" || !range.isPublic) {
              ctx.addIssue({
                code: "custom",
                message: `"${value}" is not a public IPv4 range; Key Vault's firewall matches public IPv4 addresses only (the hosts reach the vault through their subnet's service endpoint), so list the public egress addresses of whoever runs terraform`,
              });
            }
          }),
      )
      .optional()
      .describe(
        "With create: turn the vault's firewall on (default Deny): only these public IPv4 ranges (whoever runs terraform and uploads keys) and the KMS subnet, through its Microsoft.KeyVault service endpoint, reach it. Default: firewall off (the policy pack warns).",
      ),
    id: z
      .string()
      .regex(KEY_VAULT_ID, "write a Key Vault resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>")
      .optional()
      .describe("Resource id of an existing Key Vault (with RBAC authorization) to use instead."),
  })
  .superRefine((kv, ctx) => {
    if (kv.id && kv.allowedCidrs) {
      ctx.addIssue({ code: "custom", path: ["allowedCidrs"], message: "applies only to a vault this stack creates; set the firewall of an existing vault where it is managed, or remove allowedCidrs" });
    }
    if (kv.id && (kv.name || kv.create)) {
      ctx.addIssue({ code: "custom", message: "give either id (use an existing vault) or name with create: true (create one), not both" });
    } else if (!kv.id && !(kv.name && kv.create === true)) {
      ctx.addIssue({ code: "custom", message: "missing: give name and create: true (create a vault) or id (an existing vault's resource id)" });
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
      resourceGroupName: z.string().min(1).describe("Resource group of the state storage account."),
      storageAccountName: z.string().regex(/^[a-z0-9]{3,24}$/, "use 3-24 lower-case letters and digits").describe("State storage account."),
      containerName: z.string().min(3).max(63).describe("Blob container for state."),
      key: z.string().min(1).describe("Blob name of the state file, e.g. kms-production.tfstate."),
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
    location: z.string().regex(/^[a-z0-9]+$/, "use an Azure region name such as westeurope").describe("Azure region, e.g. westeurope."),
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
        port: z
          .number()
          .int()
          .min(1, "use a TCP port from 1 to 65535")
          .max(65535, "use a TCP port from 1 to 65535")
          .default(DEFAULT_KMS_PORT)
          .describe("TCP port the hosts listen on; the NSG rule and every SRV entry follow it. Default 1688."),
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
    tags: z.record(z.string().min(1).max(512), z.string().max(256)).default({}).describe("Tags put on every taggable resource."),
  })
  .superRefine((env, ctx) => {
    const subnetPrefix = env.network.vnet?.subnetPrefix;
    if (subnetPrefix && env.hosts.privateIpAddresses && !AddressRange.cidrProblem(subnetPrefix)) {
      const subnet = AddressRange.of(subnetPrefix);
      env.hosts.privateIpAddresses.forEach((ip, index) => {
        if (!subnet.containsAddress(ip)) {
          ctx.addIssue({
            code: "custom",
            path: ["hosts", "privateIpAddresses", index],
            message: `${ip} is not inside network.vnet.subnetPrefix ${subnetPrefix}; choose an address in the subnet`,
          });
        }
      });
    }
    checkProducts(env, ctx);
    checkDnsPublishing(env, ctx);
    if (env.hosts.zones.length > env.hosts.count) {
      ctx.addIssue({
        code: "custom",
        path: ["hosts", "zones"],
        message: `lists ${env.hosts.zones.length} zones for ${env.hosts.count} host(s); some zones would stay empty, so list at most ${env.hosts.count}`,
      });
    }
  })
  .describe("An azure-kms-host environment: one KMS host stack (kms-<name>).");

/** Product combinations: what each product needs, and what the host image can carry. */
function checkProducts(env: ProductCheckInput, ctx: z.RefinementCtx): void {
  const image = KmsHostImage.fromName(env.hosts.image);
  const seenProducts = new Map<string, number>();
  const seenSecrets = new Map<string, number>();
  env.kms.products.forEach((entry, index) => {
    const at = (...rest: (string | number)[]) => ["kms", "products", index, ...rest];
    const product = kmsHostProduct(entry.product);
    if (seenProducts.has(entry.product)) {
      ctx.addIssue({ code: "custom", path: at("product"), message: `"${entry.product}" is already listed as kms.products[${seenProducts.get(entry.product)}]; one KMS host key per product, so list it once` });
    }
    seenProducts.set(entry.product, index);
    const secretKey = entry.secretName.toLowerCase();
    if (seenSecrets.has(secretKey)) {
      ctx.addIssue({ code: "custom", path: at("secretName"), message: `"${entry.secretName}" is already used by kms.products[${seenSecrets.get(secretKey)}]; each KMS host key needs its own secret` });
    }
    seenSecrets.set(secretKey, index);
    if (product.kind === "office" && !entry.volumeLicensePack) {
      ctx.addIssue({
        code: "custom",
        path: at("volumeLicensePack"),
        message: `required for ${entry.product}: add volumeLicensePack.uri and volumeLicensePack.sha256 (the host installs the Office Volume License Pack and refuses it unless its SHA-256 matches)`,
      });
    }
    if (product.kind === "windows" && entry.volumeLicensePack) {
      ctx.addIssue({ code: "custom", path: at("volumeLicensePack"), message: "only Office products have a Volume License Pack; remove it from the windows entry" });
    }
    if (product.kind !== "windows" && entry.csvlkVersion) {
      ctx.addIssue({ code: "custom", path: at("csvlkVersion"), message: `only the windows product has a CSVLK version; remove it from ${entry.product}` });
    }
    if (image.release < product.minimumHostRelease) {
      ctx.addIssue({
        code: "custom",
        path: at("product"),
        message: `${entry.product} needs a KMS host on Windows Server ${product.minimumHostRelease} or later, but hosts.image is ${image.name}; use a newer hosts.image (e.g. windows-server-2022)`,
      });
    }
    if (entry.csvlkVersion && !WINDOWS_CSVLK_HOST_RELEASES[entry.csvlkVersion].includes(image.release)) {
      ctx.addIssue({
        code: "custom",
        path: at("csvlkVersion"),
        message: `a ${entry.csvlkVersion} KMS host key installs only on Windows Server ${WINDOWS_CSVLK_HOST_RELEASES[entry.csvlkVersion].join(", ")}, not on ${image.name}; change hosts.image or use a matching key`,
      });
    }
  });
}

/** One validated `kms.products` entry. */
export type KmsProductEntry = z.output<typeof kmsProductSchema>;

/** The parts of an environment that checkProducts reads (the whole type would refer to itself). */
interface ProductCheckInput {
  readonly hosts: { readonly image: KmsHostImageName };
  readonly kms: { readonly products: readonly KmsProductEntry[] };
}

/** A validated environment, with defaults filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
