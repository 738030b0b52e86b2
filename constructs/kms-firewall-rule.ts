// KmsFirewallRule: the network security group rules that admit KMS traffic from the declared
// client networks, and only from them.
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { Construct } from "constructs";
import { AddressRange } from "./address-range";
import { DEFAULT_KMS_PORT, assertTcpPort } from "./kms-port";
import { nameElement } from "./terraform-name";

/** Properties of a {@link KmsFirewallRule}. */
export interface KmsFirewallRuleProps {
  /** Name of the network security group that carries the rules. */
  readonly networkSecurityGroupName: string;
  /** Resource group of the network security group. */
  readonly resourceGroupName: string;
  /** CIDR blocks of the clients that may activate; each must be a bounded network, never the Internet. */
  readonly clientCidrs: string[];
  /** Private IP addresses of the KMS hosts (tokens are fine). */
  readonly hostAddresses: string[];
  /**
   * TCP port the hosts listen on.
   * @default 1688
   */
  readonly port?: number;
  /**
   * Priority of the Allow rule (100–4096, lower wins).
   * @default 200
   */
  readonly priority?: number;
  /**
   * Priority of the rule that denies the KMS port to every other source. It must lose to the
   * Allow rule and win over Azure's default `AllowVnetInBound` (65000), which would otherwise let
   * every peered or on-premises network reach the port.
   * @default 4000
   */
  readonly denyOthersPriority?: number;
}

/**
 * An Inbound Allow TCP rule for the KMS port from exactly the declared client ranges to the hosts,
 * plus an Inbound Deny of the port from everywhere else.
 */
export class KmsFirewallRule extends Construct {
  /** The Allow rule. */
  public readonly allowRule: NetworkSecurityRule;
  /** The Deny rule for every other source. */
  public readonly denyOthersRule: NetworkSecurityRule;
  /** The port the rules cover. */
  public readonly port: number;

  constructor(scope: Construct, id: string, props: KmsFirewallRuleProps) {
    super(scope, id);
    const where = `KmsFirewallRule ${this.node.path}`;
    this.port = props.port ?? DEFAULT_KMS_PORT;
    assertTcpPort(this.port, where);
    const priority = props.priority ?? 200;
    const denyOthersPriority = props.denyOthersPriority ?? 4000;
    for (const [name, value] of [["priority", priority], ["denyOthersPriority", denyOthersPriority]] as const) {
      if (!Number.isInteger(value) || value < 100 || value > 4096) {
        throw new RangeError(`${where}: ${name} ${value} is outside 100-4096, the range Azure allows for NSG rules`);
      }
    }
    if (denyOthersPriority <= priority) {
      throw new RangeError(`${where}: denyOthersPriority (${denyOthersPriority}) must be greater than priority (${priority}), or the Deny rule would shadow the Allow rule`);
    }
    if (props.clientCidrs.length === 0) {
      throw new Error(`${where}: clientCidrs is empty; list the client networks that need activation`);
    }
    if (props.hostAddresses.length === 0) {
      throw new Error(`${where}: hostAddresses is empty; pass the private IP of every KMS host`);
    }
    const clientCidrs = props.clientCidrs.map((cidr, index) => {
      const problem = AddressRange.declaredNetworkProblem(cidr);
      if (problem) throw new RangeError(`${where}: clientCidrs[${index}]: ${problem}`);
      return AddressRange.of(cidr).cidr;
    });

    this.allowRule = new NetworkSecurityRule(this, "allow-clients", {
      name: `allow-kms-${this.port}-from-clients`,
      description: `KMS activation (TCP ${this.port}) from the declared client networks only`,
      resourceGroupName: props.resourceGroupName,
      networkSecurityGroupName: props.networkSecurityGroupName,
      priority,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: String(this.port),
      sourceAddressPrefixes: clientCidrs,
      destinationAddressPrefixes: props.hostAddresses,
    });
    nameElement(this.allowRule, "allow_kms_clients");

    this.denyOthersRule = new NetworkSecurityRule(this, "deny-others", {
      name: `deny-kms-${this.port}-from-others`,
      description: `KMS activation (TCP ${this.port}) from any network that is not a declared client network`,
      resourceGroupName: props.resourceGroupName,
      networkSecurityGroupName: props.networkSecurityGroupName,
      priority: denyOthersPriority,
      direction: "Inbound",
      access: "Deny",
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: String(this.port),
      sourceAddressPrefix: "*",
      destinationAddressPrefix: "*",
    });
    nameElement(this.denyOthersRule, "deny_kms_others");
  }
}
