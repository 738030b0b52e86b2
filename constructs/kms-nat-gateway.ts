// KmsNatGateway: the hosts' outbound route when the stack creates their subnet (network.egress:
// natGateway). A NAT gateway with one Standard static public IP, associated with the subnet. The
// public IP is egress-only: it belongs to the NAT gateway and is never attached to a NIC, so
// nothing on the Internet can open a connection to a host (policy rule KMS-NET-001 checks this).
// The hosts need outbound HTTPS to activate their own KMS host key with Microsoft (README,
// Outbound access).
import { NatGateway } from "@cdktf/provider-azurerm/lib/nat-gateway";
import { NatGatewayPublicIpAssociation } from "@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { SubnetNatGatewayAssociation } from "@cdktf/provider-azurerm/lib/subnet-nat-gateway-association";
import { Construct } from "constructs";
import { nameElement } from "./terraform-name";

/** Properties of {@link KmsNatGateway}. */
export interface KmsNatGatewayProps {
  /** Resource group of the NAT gateway and its public IP. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Name of the NAT gateway, e.g. `ng-kms-lab`; the public IP is `pip-<name>`. */
  readonly name: string;
  /** The subnet (created by the stack) whose outbound traffic goes through the gateway. */
  readonly subnetId: string;
  /**
   * Minutes an idle outbound flow stays open, 4-120 (nat_gateway_resource.go, IntBetween(4, 120)).
   * @default 4
   */
  readonly idleTimeoutInMinutes?: number;
}

/** A NAT gateway with its egress-only public IP, for the hosts' subnet. */
export class KmsNatGateway extends Construct {
  /** The NAT gateway. */
  public readonly natGateway: NatGateway;
  /** The egress-only public IP (never on a NIC). */
  public readonly publicIp: PublicIp;

  constructor(scope: Construct, id: string, props: KmsNatGatewayProps) {
    super(scope, id);
    const idle = props.idleTimeoutInMinutes ?? 4;
    if (!Number.isInteger(idle) || idle < 4 || idle > 120) {
      throw new RangeError(`KmsNatGateway ${this.node.path}: idleTimeoutInMinutes ${idle} is outside 4-120, the range the azurerm provider accepts`);
    }
    const inGroup = { resourceGroupName: props.resourceGroupName, location: props.location };
    // A NAT gateway takes Standard static public IPs only
    // (learn.microsoft.com/azure/nat-gateway/nat-gateway-resource, "Public IP addresses").
    this.publicIp = nameElement(new PublicIp(this, "public-ip", { ...inGroup, name: `pip-${props.name}`, sku: "Standard", allocationMethod: "Static" }), "nat_gateway");
    this.natGateway = nameElement(new NatGateway(this, "nat-gateway", { ...inGroup, name: props.name, skuName: "Standard", idleTimeoutInMinutes: idle }), "kms");
    nameElement(new NatGatewayPublicIpAssociation(this, "public-ip-association", { natGatewayId: this.natGateway.id, publicIpAddressId: this.publicIp.id }), "kms");
    nameElement(new SubnetNatGatewayAssociation(this, "subnet-association", { subnetId: props.subnetId, natGatewayId: this.natGateway.id }), "kms");
  }
}
