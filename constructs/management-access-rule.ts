// ManagementAccessRule: RDP and WinRM reach the hosts only from the declared admin networks.
// Azure's default AllowVnetInBound rule would otherwise admit them from every peered and
// on-premises network.
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { Construct } from "constructs";
import { AddressRange } from "./address-range";
import { nameElement } from "./terraform-name";

/** TCP ports of Windows remote management: RDP, WinRM over HTTP, WinRM over HTTPS. */
export const MANAGEMENT_PORTS = [3389, 5985, 5986] as const;

/** Properties of a {@link ManagementAccessRule}. */
export interface ManagementAccessRuleProps {
  /** Name of the network security group that carries the rules. */
  readonly networkSecurityGroupName: string;
  /** Resource group of the network security group. */
  readonly resourceGroupName: string;
  /**
   * CIDR blocks allowed to use RDP and WinRM (for example an Azure Bastion subnet or a jump host).
   * @default - none: management ports are closed to every source
   */
  readonly adminCidrs?: string[];
  /**
   * Priority of the Allow rule (only created when adminCidrs is not empty).
   * @default 300
   */
  readonly priority?: number;
  /**
   * Priority of the Deny rule for every other source.
   * @default 4010
   */
  readonly denyOthersPriority?: number;
}

/** Allow RDP/WinRM from the admin networks (if any), deny it from everywhere else. */
export class ManagementAccessRule extends Construct {
  /** The Allow rule, when adminCidrs is not empty. */
  public readonly allowRule?: NetworkSecurityRule;
  /** The Deny rule for every other source. */
  public readonly denyOthersRule: NetworkSecurityRule;

  constructor(scope: Construct, id: string, props: ManagementAccessRuleProps) {
    super(scope, id);
    const adminCidrs = (props.adminCidrs ?? []).map((cidr, index) => {
      const problem = AddressRange.declaredNetworkProblem(cidr);
      if (problem) throw new RangeError(`ManagementAccessRule ${this.node.path}: adminCidrs[${index}]: ${problem}`);
      return AddressRange.of(cidr).cidr;
    });
    const ports = MANAGEMENT_PORTS.map(String);
    if (adminCidrs.length > 0) {
      this.allowRule = new NetworkSecurityRule(this, "allow-admins", {
        name: "allow-management-from-admins",
        description: "RDP and WinRM from the declared admin networks only",
        resourceGroupName: props.resourceGroupName,
        networkSecurityGroupName: props.networkSecurityGroupName,
        priority: props.priority ?? 300,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePortRange: "*",
        destinationPortRanges: ports,
        sourceAddressPrefixes: adminCidrs,
        destinationAddressPrefix: "*",
      });
      nameElement(this.allowRule, "allow_management_admins");
    }
    this.denyOthersRule = new NetworkSecurityRule(this, "deny-others", {
      name: "deny-management-from-others",
      description: "RDP and WinRM from any network that is not a declared admin network",
      resourceGroupName: props.resourceGroupName,
      networkSecurityGroupName: props.networkSecurityGroupName,
      priority: props.denyOthersPriority ?? 4010,
      direction: "Inbound",
      access: "Deny",
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRanges: ports,
      sourceAddressPrefix: "*",
      destinationAddressPrefix: "*",
    });
    nameElement(this.denyOthersRule, "deny_management_others");
  }
}
