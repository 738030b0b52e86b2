// The parts of an Azure resource id that data sources need to read an existing resource, and the
// provider configuration that reads it in its own subscription.
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Subscription, resource group and name of a top-level resource id,
 * `/subscriptions/<s>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>`.
 */
export function resourceIdParts(id: string): { subscription: string; resourceGroup: string; name: string } {
  const segments = id.split("/");
  return { subscription: segments[2], resourceGroup: segments[4], name: segments[segments.length - 1] };
}

/**
 * The azurerm provider to read an existing resource of `subscription` with: the stack's own
 * provider when that is pinned to the same subscription, else an aliased provider for that
 * subscription (one per subscription, shared). A data source such as azurerm_key_vault or
 * azurerm_log_analytics_workspace builds the id it reads from its provider's subscription
 * (hashicorp/terraform-provider-azurerm v4.55.0, keyvault/key_vault_data_source.go:185-189,
 * loganalytics/log_analytics_workspace_data_source.go:79-85), so a resource in another
 * subscription is "not found", or a same-named resource of the wrong subscription is read.
 * @returns undefined for the stack's own provider
 */
export function providerForSubscription(scope: IConstruct, subscription: string): AzurermProvider | undefined {
  const stack = TerraformStack.of(scope);
  const providers = stack.node.children.filter((c): c is AzurermProvider => c instanceof AzurermProvider);
  const own = providers.find((p) => p.alias === undefined);
  if (own?.subscriptionId !== undefined && own.subscriptionId.toLowerCase() === subscription.toLowerCase()) return undefined;
  const alias = `subscription-${subscription.toLowerCase()}`;
  return providers.find((p) => p.alias === alias) ?? new AzurermProvider(stack, `azurerm-${alias}`, { alias, subscriptionId: subscription, storageUseAzuread: true, features: [{}] });
}
