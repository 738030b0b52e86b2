// An existing Key Vault or Log Analytics workspace in another subscription than the stack's (a
// central vault or workspace). azurerm 4.55.0's data sources build the id they read from their
// provider's subscription (keyvault/key_vault_data_source.go:185-189,
// loganalytics/log_analytics_workspace_data_source.go:79-85): read through the stack's provider,
// plan fails "not found", or reads a same-named resource of the wrong subscription. Each must be
// read by a provider configured for the id's own subscription.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { validEnvironment } from "../support/environments";
import { synthesizeEnvironment, type SynthesizedStack } from "../support/synth";

const FIXTURE = path.join(__dirname, "..", "fixtures", "contract-environments", "cross-subscription.yaml");

type Json = Record<string, any>;

/** The subscription the provider a data source names (or the default one) reads in. */
function subscriptionOf(stack: SynthesizedStack, dataSource: Json): string | undefined {
  const providers = ([] as Json[]).concat(stack.json.provider.azurerm);
  const alias = typeof dataSource.provider === "string" ? /^azurerm\.(.+)$/.exec(dataSource.provider)?.[1] : undefined;
  return providers.find((p) => (alias === undefined ? p.alias === undefined : p.alias === alias))?.subscription_id;
}

describe("a vault and a workspace in another subscription (fixture cross-subscription)", () => {
  let stack: SynthesizedStack;
  let data: Json;
  beforeAll(() => {
    data = parse(fs.readFileSync(FIXTURE, "utf8")) as Json;
    stack = synthesizeEnvironment(validEnvironment(data));
  });

  test("the fixture's ids are in another subscription than the stack's", () => {
    expect(data.keyVault.id.split("/")[2]).not.toBe(data.subscriptionId);
    expect(data.monitoring.workspaceId.split("/")[2]).not.toBe(data.subscriptionId);
  });

  test("the vault is read in the vault's subscription", () => {
    const vaults = Object.values(stack.json.data.azurerm_key_vault as Record<string, Json>);
    expect(vaults).toHaveLength(1);
    expect(vaults[0]).toMatchObject({ name: "kv-central-secrets", resource_group_name: "rg-central-secrets" });
    expect(subscriptionOf(stack, vaults[0])).toBe(data.keyVault.id.split("/")[2]);
  });

  test("the workspace is read in the workspace's subscription", () => {
    const workspaces = Object.values(stack.json.data.azurerm_log_analytics_workspace as Record<string, Json>);
    expect(workspaces).toHaveLength(1);
    expect(workspaces[0]).toMatchObject({ name: "log-central", resource_group_name: "rg-central-logs" });
    expect(subscriptionOf(stack, workspaces[0])).toBe(data.monitoring.workspaceId.split("/")[2]);
  });

  test("everything else stays with the stack's own provider, pinned to the stack's subscription", () => {
    const own = ([] as Json[]).concat(stack.json.provider.azurerm).filter((p) => p.alias === undefined);
    expect(own).toEqual([expect.objectContaining({ subscription_id: data.subscriptionId })]);
    for (const type of Object.keys(stack.json.resource)) for (const r of Object.values(stack.json.resource[type] as Record<string, Json>)) expect(r.provider).toBeUndefined();
  });

  test("a vault or workspace in the stack's own subscription is read by the stack's provider (no alias)", () => {
    const same = synthesizeEnvironment(
      validEnvironment({
        ...data,
        keyVault: { id: data.keyVault.id.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${data.subscriptionId}`) },
        monitoring: { ...data.monitoring, workspaceId: data.monitoring.workspaceId.replace(/^\/subscriptions\/[^/]+/, `/subscriptions/${data.subscriptionId}`) },
      }),
    );
    expect(([] as Json[]).concat(same.json.provider.azurerm)).toHaveLength(1);
    expect(Object.values(same.json.data.azurerm_key_vault as Record<string, Json>)[0].provider).toBeUndefined();
  });
});
