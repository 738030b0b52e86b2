// KmsHost: one Windows Server VM that will act as a KMS host. Secure by default: no public IP,
// Trusted Launch, encryption at host, platform patching, managed identity, and a generated admin
// password that lives only in Key Vault (and, unavoidably, in Terraform state as the random
// provider's result).
import { KeyVaultSecret } from "@cdktf/provider-azurerm/lib/key-vault-secret";
import { NetworkInterface } from "@cdktf/provider-azurerm/lib/network-interface";
import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";
import { Password } from "@cdktf/provider-random/lib/password";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AddressRange } from "./address-range";
import { KmsHostImage } from "./kms-host-image";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** Properties of a {@link KmsHost}. */
export interface KmsHostProps {
  /** Windows computer name: 1–15 characters, letters, digits and hyphens, not only digits. */
  readonly computerName: string;
  /** Resource group of the VM and its NIC. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Resource id of the subnet the NIC joins. */
  readonly subnetId: string;
  /** Key Vault (resource id) that receives the generated admin password as a secret. */
  readonly adminPasswordKeyVaultId: string;
  /** DNS zone the host's A record lives in; used for {@link KmsHost.fqdn}. */
  readonly dnsZoneName: string;
  /**
   * Marketplace image.
   * @default KmsHostImage.WINDOWS_SERVER_2022
   */
  readonly image?: KmsHostImage;
  /**
   * VM size.
   * @default "Standard_D2s_v5"
   */
  readonly size?: string;
  /**
   * Availability zone (`"1"`, `"2"` or `"3"`).
   * @default - no zone (regional placement)
   */
  readonly zone?: string;
  /**
   * Static private IP address inside the subnet.
   * @default - a dynamic address assigned by Azure
   */
  readonly privateIpAddress?: string;
  /**
   * Encrypt temporary disks and caches at the host. Needs the `EncryptionAtHost` feature
   * registered on the subscription.
   * @default true
   */
  readonly encryptionAtHost?: boolean;
  /**
   * Local administrator user name.
   * @default "kmsadmin"
   */
  readonly adminUsername?: string;
  /**
   * OS disk storage type.
   * @default "Premium_LRS"
   */
  readonly osDiskStorageAccountType?: "Premium_LRS" | "StandardSSD_LRS" | "Standard_LRS";
  /**
   * Refuse `terraform destroy` of the VM (production): every rebuilt host spends one of the few
   * activations its KMS host key allows.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Resources that must exist before the admin password secret is written (for example the
   * deployer's `Key Vault Secrets Officer` role assignment on a new vault).
   * @default - none
   */
  readonly secretDependsOn?: ITerraformDependable[];
  /**
   * Tags on the VM, its NIC and its admin password secret (a stack's standard tags are merged in;
   * these win).
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Azure Hybrid Benefit (`license_type`): `Windows_Server` when the hosts' Windows Server licences
   * come with Software Assurance, `None` to say they do not.
   * @default "None" (Azure bills the Windows Server licence with the VM)
   */
  readonly licenseType?: "Windows_Server" | "None";
  /**
   * Patch on a customer schedule (a maintenance configuration assigned to the VM, KmsMaintenanceWindow)
   * instead of Azure's own: sets bypass_platform_safety_checks_on_user_schedule_enabled, without
   * which Azure ignores the schedule (learn.microsoft.com/azure/update-manager/scheduled-patching).
   * @default false
   */
  readonly patchSchedule?: boolean;
}

/** Valid NetBIOS-safe computer name: letters, digits, hyphens; no leading hyphen; not all digits. */
const COMPUTER_NAME = /^(?!-)(?![0-9]+$)[A-Za-z0-9-]{1,15}$/;

/** A Windows Server VM, with no public IP, ready to be bootstrapped into a KMS host. */
export class KmsHost extends Construct {
  /** The virtual machine. */
  public readonly vm: WindowsVirtualMachine;
  /** The VM's network interface (private IP only). */
  public readonly networkInterface: NetworkInterface;
  /** Windows computer name (also the A record name). */
  public readonly computerName: string;
  /** The host's name in the DNS zone, e.g. `kmslab01.corp.contoso.com`. */
  public readonly fqdn: string;

  constructor(scope: Construct, id: string, props: KmsHostProps) {
    super(scope, id);
    if (!COMPUTER_NAME.test(props.computerName)) {
      throw new Error(
        `KmsHost ${this.node.path}: computerName "${props.computerName}" is not a valid Windows computer name; use 1-15 letters, digits or hyphens, not starting with a hyphen and not only digits`,
      );
    }
    // The provider takes None, Windows_Client and Windows_Server (internal/services/compute/
    // windows_virtual_machine_resource.go, license_type); Windows_Client is for Windows client images only.
    if (props.licenseType !== undefined && !["Windows_Server", "None"].includes(props.licenseType)) {
      throw new Error(`KmsHost ${this.node.path}: licenseType "${props.licenseType}" is not one a Windows Server VM takes; use Windows_Server (Azure Hybrid Benefit) or None`);
    }
    if (props.privateIpAddress !== undefined && AddressRange.cidrProblem(`${props.privateIpAddress}/32`) !== undefined) {
      throw new Error(`KmsHost ${this.node.path}: privateIpAddress "${props.privateIpAddress}" is not an IPv4 address`);
    }
    const image = props.image ?? KmsHostImage.WINDOWS_SERVER_2022;
    this.computerName = props.computerName;
    this.fqdn = `${props.computerName.toLowerCase()}.${props.dnsZoneName}`;
    // Every address is the host's name: azurerm_windows_virtual_machine.kmslab01, random_password.kmslab01, ...
    const name = terraformIdentifier(props.computerName);

    this.networkInterface = new NetworkInterface(this, "nic", {
      name: `nic-${props.computerName.toLowerCase()}`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      ipForwardingEnabled: false,
      tags: props.tags ? { ...props.tags } : undefined,
      ipConfiguration: [
        {
          name: "primary",
          subnetId: props.subnetId,
          privateIpAddressVersion: "IPv4",
          privateIpAddressAllocation: props.privateIpAddress ? "Static" : "Dynamic",
          privateIpAddress: props.privateIpAddress,
          // No publicIpAddressId, ever: a KMS host answers any client that reaches it.
        },
      ],
    });
    nameElement(this.networkInterface, name);

    const password = new Password(this, "admin-password", {
      length: 32,
      special: true,
      minLower: 2,
      minUpper: 2,
      minNumeric: 2,
      minSpecial: 2,
      // Characters that survive RDP clients and PowerShell without quoting trouble.
      overrideSpecial: "!#%*()-_=+[]{}:?",
    });
    nameElement(password, name);

    const secret = new KeyVaultSecret(this, "admin-password-secret", {
      name: `${props.computerName.toLowerCase()}-admin-password`,
      keyVaultId: props.adminPasswordKeyVaultId,
      value: password.result,
      contentType: `Local administrator password of ${props.computerName} (user ${props.adminUsername ?? "kmsadmin"})`,
      dependsOn: props.secretDependsOn,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    nameElement(secret, `${name}_admin_password`);

    this.vm = new WindowsVirtualMachine(this, "vm", {
      name: `vm-${props.computerName.toLowerCase()}`,
      computerName: props.computerName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      size: props.size ?? "Standard_D2s_v5",
      zone: props.zone,
      adminUsername: props.adminUsername ?? "kmsadmin",
      adminPassword: password.result,
      networkInterfaceIds: [this.networkInterface.id],
      osDisk: {
        caching: "ReadWrite",
        storageAccountType: props.osDiskStorageAccountType ?? "Premium_LRS",
      },
      sourceImageReference: {
        publisher: image.publisher,
        offer: image.offer,
        sku: image.sku,
        version: image.version,
      },
      // Trusted Launch: needs a Gen2 image, which every KmsHostImage is.
      secureBootEnabled: true,
      vtpmEnabled: true,
      encryptionAtHostEnabled: props.encryptionAtHost ?? true,
      identity: { type: "SystemAssigned" },
      provisionVmAgent: true,
      // The bootstrap runs as a managed Run Command, which is a VM extension operation.
      allowExtensionOperations: true,
      tags: props.tags ? { ...props.tags } : undefined,
      patchMode: "AutomaticByPlatform",
      patchAssessmentMode: "AutomaticByPlatform",
      // Requires patch_mode AutomaticByPlatform (windows_virtual_machine_resource.go, create/update).
      bypassPlatformSafetyChecksOnUserScheduleEnabled: props.patchSchedule ?? false,
      licenseType: props.licenseType ?? "None",
      // Managed boot diagnostics: no storage account to secure.
      bootDiagnostics: {},
      lifecycle: {
        // admin_password forces a new VM in azurerm, and a new VM spends a KMS host key
        // activation: a rotated password goes to Key Vault and is set on the running VM instead
        // (README, "Safe changes"). The image version is "latest", which Terraform never re-resolves,
        // so new image releases do not replace the host either.
        ignoreChanges: ["admin_password"],
        preventDestroy: props.preventDestroy ?? false,
      },
    });
    nameElement(this.vm, name);
  }

  /** Resource id of the VM. */
  public get vmId(): string {
    return this.vm.id;
  }

  /** The NIC's private IP address (a token until apply). */
  public get privateIp(): string {
    return this.networkInterface.privateIpAddress;
  }

  /** Object id of the VM's system-assigned managed identity. */
  public get principalId(): string {
    return this.vm.identity.principalId;
  }
}
