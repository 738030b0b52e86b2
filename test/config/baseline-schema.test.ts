// The baseline fields of issue 23 in the environment file: the vault's exposure (allowedCidrs, a
// private endpoint, a service endpoint for an existing vault), the hosts' egress, the Windows
// licence and the patch window. Built from the test fixtures, one change each.
import { stringify } from "yaml";
import { environmentWarnings } from "../../config/environment-schema";
import { parseEnvironment } from "../../config/load-environments";
import { environmentWith, problemsOf, validEnvironment } from "../support/environments";

const VAULT_ID = "/subscriptions/3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-fixture-shared";
const ZONE_ID = (name: string) => `/subscriptions/3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${name}`;
const warningsOf = (data: Record<string, unknown>) => environmentWarnings(validEnvironment(data)).map((w) => `${w.path.join(".")}: ${w.message}`);

describe("keyVault exposure", () => {
  test("a lab vault with neither allowedCidrs nor privateEndpoint is refused, with the two fixes", () => {
    expect(problemsOf(environmentWith("lab", (d) => delete d.keyVault.allowedCidrs))).toEqual([
      expect.stringMatching(/^keyVault: a vault with neither allowedCidrs nor privateEndpoint would be open to the Internet; add keyVault\.allowedCidrs .* or keyVault\.privateEndpoint/),
    ]);
  });

  test("the refusal names the file and the line of the keyVault section, and writes nothing", () => {
    const result = parseEnvironment("environments/lab.yaml", stringify(environmentWith("lab", (d) => delete d.keyVault.allowedCidrs)));
    expect(result.ok).toBe(false);
    const problem = !result.ok ? result.problems[0] : undefined;
    expect(problem).toEqual(expect.objectContaining({ file: "environments/lab.yaml", field: "keyVault" }));
    expect(typeof problem?.line).toBe("number");
  });

  test("a lab vault with a private endpoint alone is accepted, its zone created by default", () => {
    const env = validEnvironment(environmentWith("lab", (d) => {
      delete d.keyVault.allowedCidrs;
      d.keyVault.privateEndpoint = {};
    }));
    expect(env.keyVault.privateEndpoint).toEqual({ privateDnsZone: { create: true } });
  });

  test("allowedCidrs next to a private endpoint is refused: public access is off", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.keyVault.privateEndpoint = {})))).toEqual([expect.stringMatching(/^keyVault\.allowedCidrs: does nothing with a private endpoint/)]);
  });

  test("allowedCidrs on a created production vault is refused: production reaches it through its private endpoint", () => {
    expect(problemsOf(environmentWith("production", (d) => (d.keyVault.allowedCidrs = ["198.51.100.16/28"])))).toEqual([expect.stringMatching(/^keyVault\.allowedCidrs: does nothing in production/)]);
  });

  test("an existing zone must be a Key Vault privatelink zone", () => {
    expect(problemsOf(environmentWith("production", (d) => (d.keyVault.privateEndpoint = { privateDnsZone: { id: ZONE_ID("privatelink.blob.core.windows.net") } })))).toEqual([
      expect.stringMatching(/^keyVault\.privateEndpoint\.privateDnsZone\.id: is not a Key Vault private link zone/),
    ]);
    expect(problemsOf(environmentWith("production", (d) => (d.keyVault.privateEndpoint = { privateDnsZone: { id: ZONE_ID("privatelink.vaultcore.azure.net") } })))).toEqual([]);
  });

  test("a private endpoint subnet must be a subnet resource id", () => {
    expect(problemsOf(environmentWith("production", (d) => (d.keyVault.privateEndpoint = { subnetId: "snet-pe" })))).toEqual([expect.stringMatching(/^keyVault\.privateEndpoint\.subnetId: .*write a subnet resource id/)]);
  });
});

describe("an existing vault's route", () => {
  test("is warned about when neither a private endpoint nor a service endpoint is declared", () => {
    expect(warningsOf(environmentWith("lab", (d) => (d.keyVault = { id: VAULT_ID })))).toEqual([expect.stringMatching(/^keyVault\.id: declares no route to the vault: .*403/)]);
  });

  test("serviceEndpoint on a created subnet answers the warning, and puts Microsoft.KeyVault on the subnet", () => {
    expect(warningsOf(environmentWith("lab", (d) => (d.keyVault = { id: VAULT_ID, serviceEndpoint: true })))).toEqual([]);
  });

  test("serviceEndpoint on an existing subnet is refused: the stack does not own it", () => {
    expect(problemsOf(environmentWith("production", (d) => (d.keyVault = { id: VAULT_ID, serviceEndpoint: true })))).toEqual([expect.stringMatching(/^keyVault\.serviceEndpoint: applies only to a subnet this stack creates/)]);
  });

  test("serviceEndpoint on a created vault is refused: allowedCidrs or a private endpoint cover it", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.keyVault.serviceEndpoint = true)))).toEqual([expect.stringMatching(/^keyVault\.serviceEndpoint: applies only to an existing vault/)]);
  });
});

describe("network.egress", () => {
  test("defaultOutbound is refused in production, with the retirement as the reason", () => {
    const problems = problemsOf(environmentWith("production", (d) => {
      d.network = { vnet: { addressSpace: "10.60.0.0/24", subnetPrefix: "10.60.0.0/27" }, egress: "defaultOutbound" };
    }));
    expect(problems).toContainEqual(expect.stringMatching(/^network\.egress: is refused in production: Azure is retiring default outbound access .*default-outbound-access/));
  });

  test("defaultOutbound in a lab is accepted with a warning", () => {
    expect(warningsOf(environmentWith("lab", (d) => (d.network.egress = "defaultOutbound")))).toEqual([expect.stringMatching(/^network\.egress: uses Azure's default outbound access, which Azure is retiring/)]);
  });

  test.each(["natGateway", "defaultOutbound"])("%s on an existing subnet is refused: the stack does not own its route", (egress) => {
    expect(problemsOf(environmentWith("production", (d) => (d.network.egress = egress)))).toContainEqual(expect.stringMatching(new RegExp(`^network\\.egress: "${egress}" applies only to a subnet this stack creates`)));
  });

  test("an unknown mode is refused with the three choices", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.network.egress = "firewall")))).toEqual([expect.stringMatching(/^network\.egress: .*natGateway.*existing.*defaultOutbound/)]);
  });
});

describe("hosts.licenseType and hosts.patchWindow", () => {
  test("default to the licence in the VM price and a 3-hour Saturday 02:00 UTC window", () => {
    const env = validEnvironment(environmentWith("lab", () => undefined));
    expect(env.hosts.licenseType).toBe("None");
    expect(env.hosts.patchWindow).toEqual({ startDate: "2026-01-03", startTime: "02:00", durationHours: 3, recurEvery: "1Week Saturday", timeZone: "UTC" });
  });

  test("licenseType accepts Windows_Server (Azure Hybrid Benefit) and refuses Windows_Client", () => {
    expect(validEnvironment(environmentWith("lab", (d) => (d.hosts.licenseType = "Windows_Server"))).hosts.licenseType).toBe("Windows_Server");
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.licenseType = "Windows_Client")))).toEqual([expect.stringMatching(/^hosts\.licenseType: /)]);
  });

  test.each([
    [{ durationHours: 1 }, /^hosts\.patchWindow\.durationHours: .*a patch window lasts at least 1\.5 hours/],
    [{ durationHours: 4 }, /^hosts\.patchWindow\.durationHours: .*a patch window lasts at most 3 h 55 min/],
    [{ durationHours: 2.1 }, /^hosts\.patchWindow\.durationHours: use quarter hours/],
    [{ startTime: "2am" }, /^hosts\.patchWindow\.startTime: .*write a time as HH:mm/],
    [{ startDate: "2026-13-01" }, /^hosts\.patchWindow\.startDate: .*write a date as YYYY-MM-DD/],
    [{ recurEvery: "6Hour" }, /^hosts\.patchWindow\.recurEvery: .*write a daily, weekly or monthly recurrence/],
    [{ timeZone: "Europe/Paris" }, /^hosts\.patchWindow\.timeZone: is not a Windows time zone id/],
  ])("refuses the patch window %j", (change, message) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.patchWindow = change)))).toEqual([expect.stringMatching(message)]);
  });
});
