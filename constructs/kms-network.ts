// KmsNetwork: where the hosts live and what may reach them. Either a new virtual network and
// subnet, or an existing subnet; plus the network security group that carries the KMS and
// management rules. On a subnet we created, the NSG guards the subnet; on a subnet we do not
// own, it guards the hosts' NICs instead, so that we never replace the NSG of a shared subnet.
import { NetworkInterfaceSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/network-interface-security-group-association";
import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Construct } from "constructs";
import { KmsFirewallRule } from "./kms-firewall-rule";
import { KmsHost } from "./kms-host";
import { ManagementAccessRule } from "./management-access-rule";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** A virtual network and subnet that {@link KmsNetwork} creates. */
export interface KmsNetworkNewVnet {
  /** Name of the virtual network. */
  readonly name: string;
  /** Address space of the virtual network, e.g. `10.60.0.0/24`. */
  readonly addressSpace: string;
  /** Prefix of the KMS subnet inside it, e.g. `10.60.0.0/27`. */
  readonly subnetPrefix: string;
}

/** Properties of {@link KmsNetwork}. */
export interface KmsNetworkProps {
  /** Resource group of the network resources. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Name of the network security group, e.g. `nsg-kms-lab`. */
  readonly nsgName: string;
  /**
   * A virtual network and subnet to create. Exactly one of `vnet` and `subnetId` is given.
   * @default - use `subnetId`
   */
  readonly vnet?: KmsNetworkNewVnet;
  /**
   * Resource id of an existing subnet.
   * @default - create `vnet`
   */
  readonly subnetId?: string;
  /**
   * Add the `Microsoft.KeyVault` service endpoint to a created subnet, for a vault whose firewall is on.
   * @default false
   */
  readonly keyVaultServiceEndpoint?: boolean;
  /**
   * Keep Azure's default outbound access on the created subnet (network.egress: defaultOutbound).
   * Off, the hosts reach the Internet through a NAT gateway or your own route (KmsNatGateway).
   * @default false
   */
  readonly defaultOutboundAccess?: boolean;
  /**
   * Tags on the resources this construct creates (a stack's standard tags are merged in; these win).
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What may reach the hosts: the clients on the KMS port, the administrators on the management ports. */
export interface KmsNetworkAccess {
  /** The hosts, in host order. */
  readonly hosts: readonly KmsHost[];
  /** Client address ranges allowed to reach the KMS port. */
  readonly clientCidrs: string[];
  /** Administrator ranges allowed on RDP and WinRM (empty: none). */
  readonly adminCidrs: string[];
  /** The KMS TCP port. */
  readonly port: number;
}

/** The hosts' subnet and network security group. */
export class KmsNetwork extends Construct {
  /** Resource id of the hosts' subnet (a token when created). */
  public readonly subnetId: string;
  /** Resource id of the virtual network that holds the subnet. */
  public readonly vnetId: string;
  /** The network security group. */
  public readonly nsg: NetworkSecurityGroup;
  /** The subnet, when this construct created it. */
  public readonly createdSubnet?: Subnet;
  private readonly resourceGroupName: string;

  constructor(scope: Construct, id: string, props: KmsNetworkProps) {
    super(scope, id);
    const where = `KmsNetwork ${this.node.path}`;
    if ((props.vnet === undefined) === (props.subnetId === undefined)) {
      throw new Error(`${where}: give exactly one of vnet (create a network) and subnetId (use an existing subnet)`);
    }
    this.resourceGroupName = props.resourceGroupName;
    if (props.vnet) {
      const vnet = new VirtualNetwork(this, "vnet", {
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        name: props.vnet.name,
        addressSpace: [props.vnet.addressSpace],
        tags: props.tags ? { ...props.tags } : undefined,
      });
      nameElement(vnet, "kms");
      this.createdSubnet = new Subnet(this, "subnet", {
        name: "snet-kms",
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefixes: [props.vnet.subnetPrefix],
        // The host activates its own KMS host key online with Microsoft, so it needs egress: through
        // a NAT gateway or the customer's route (network.egress), not Azure's retiring default access.
        defaultOutboundAccessEnabled: props.defaultOutboundAccess ?? false,
        // With the vault's firewall on, the hosts reach it through this service endpoint.
        serviceEndpoints: props.keyVaultServiceEndpoint ? ["Microsoft.KeyVault"] : undefined,
      });
      nameElement(this.createdSubnet, "kms");
      this.subnetId = this.createdSubnet.id;
      this.vnetId = vnet.id;
    } else {
      this.subnetId = props.subnetId as string;
      this.vnetId = this.subnetId.replace(/\/subnets\/[^/]+$/i, "");
    }
    this.nsg = new NetworkSecurityGroup(this, "nsg", {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.nsgName,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    nameElement(this.nsg, "kms");
  }

  /**
   * Puts the hosts behind the NSG and adds its rules: the KMS port from exactly the client
   * ranges (and denied to every other source), the management ports from the admin ranges.
   */
  public admit(access: KmsNetworkAccess): KmsFirewallRule {
    if (this.createdSubnet) {
      nameElement(new SubnetNetworkSecurityGroupAssociation(this, "nsg-subnet", { subnetId: this.createdSubnet.id, networkSecurityGroupId: this.nsg.id }), "kms");
    } else {
      access.hosts.forEach((host, index) => {
        const association = new NetworkInterfaceSecurityGroupAssociation(this, `nsg-nic-${index + 1}`, {
          networkInterfaceId: host.networkInterface.id,
          networkSecurityGroupId: this.nsg.id,
        });
        nameElement(association, terraformIdentifier(host.computerName));
      });
    }
    const firewallRule = new KmsFirewallRule(this, "kms-firewall", {
      networkSecurityGroupName: this.nsg.name,
      resourceGroupName: this.resourceGroupName,
      clientCidrs: access.clientCidrs,
      hostAddresses: access.hosts.map((h) => h.privateIp),
      port: access.port,
    });
    new ManagementAccessRule(this, "management-access", {
      networkSecurityGroupName: this.nsg.name,
      resourceGroupName: this.resourceGroupName,
      adminCidrs: access.adminCidrs,
    });
    return firewallRule;
  }
}
