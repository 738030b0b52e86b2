// KmsNatGateway alone: the NAT gateway, its egress-only public IP, and the two associations.
import { KmsNatGateway } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const SUBNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-kms";
const build = (idleTimeoutInMinutes?: number): SynthesizedStack =>
  synthesizeConstruct((stack) => new KmsNatGateway(stack, "nat", { resourceGroupName: "rg-kms", location: "westeurope", name: "ng-kms-test", subnetId: SUBNET, idleTimeoutInMinutes }));

describe("KmsNatGateway", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = build();
  });

  test("creates a Standard NAT gateway with the 4-minute idle timeout by default", () => {
    expect(stack.resources("azurerm_nat_gateway")).toEqual([expect.objectContaining({ name: "ng-kms-test", sku_name: "Standard", idle_timeout_in_minutes: 4, resource_group_name: "rg-kms" })]);
  });

  test("gives it one Standard static public IP named after it", () => {
    expect(stack.resources("azurerm_public_ip")).toEqual([expect.objectContaining({ name: "pip-ng-kms-test", sku: "Standard", allocation_method: "Static" })]);
  });

  test("associates that public IP with the gateway and nothing else", () => {
    const [pip] = Object.keys(stack.json.resource.azurerm_public_ip);
    const [nat] = Object.keys(stack.json.resource.azurerm_nat_gateway);
    expect(stack.resources("azurerm_nat_gateway_public_ip_association")).toEqual([expect.objectContaining({ nat_gateway_id: `\${azurerm_nat_gateway.${nat}.id}`, public_ip_address_id: `\${azurerm_public_ip.${pip}.id}` })]);
    expect(stack.text.match(new RegExp(`azurerm_public_ip\\.${pip}\\.`, "g"))).toHaveLength(1);
  });

  test("associates the gateway with the subnet", () => {
    const [nat] = Object.keys(stack.json.resource.azurerm_nat_gateway);
    expect(stack.resources("azurerm_subnet_nat_gateway_association")).toEqual([expect.objectContaining({ subnet_id: SUBNET, nat_gateway_id: `\${azurerm_nat_gateway.${nat}.id}` })]);
  });

  test.each([3, 121, 4.5])("refuses an idle timeout of %s minutes (the provider accepts 4-120)", (minutes) => {
    expect(() => build(minutes)).toThrow(/idleTimeoutInMinutes .* is outside 4-120/);
  });
});
