// DNS layouts (issue 23): dns.privateZone: false publishes without any Azure Private DNS resource,
// and a private zone that would shadow the zone dns.rfc2136 publishes to is refused unless the file
// states why (dns.allowShadowingZone.reason), with file, line, field and fix.
import * as fs from "fs";
import { stringify } from "yaml";
import { ConfigError, parseEnvironment } from "../../config/load-environments";
import { synthesizeAll } from "../../stacks/synthesize";
import { synthesizeEnvironment, SynthesizedStack } from "../support/synth";
import { fixtureData, fixtureEnvironment, prepareMainJob } from "./support";

const GSSAPI = { server: "dc01.corp.example.test", gssapi: { realm: "CORP.EXAMPLE.TEST" } };

function problems(change: (d: Record<string, any>) => void): string[] {
  const result = parseEnvironment("environments/lab.yaml", stringify(fixtureData(change)));
  if (result.ok) return [];
  return result.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.field}: ${p.message}`);
}

describe("dns.privateZone: false with dns.rfc2136 (Active Directory DNS, no Azure private zone)", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeEnvironment(
      fixtureEnvironment((d) => {
        d.dns.privateZone = false;
        d.dns.rfc2136 = GSSAPI;
      }),
    );
  });

  test("writes no azurerm_private_dns_* resource (no zone, no link, no record)", () => {
    expect(Object.keys(stack.json.resource).filter((type) => type.startsWith("azurerm_private_dns_"))).toEqual([]);
    expect(stack.text).not.toContain("azurerm_private_dns_");
  });

  test("still publishes through RFC 2136", () => {
    expect(stack.resources("dns_a_record_set")).toHaveLength(2);
    expect(stack.resources("dns_srv_record_set")).toHaveLength(1);
  });

  test("srv_record_fqdn and host_names are the record model's names in dns.zoneName", () => {
    expect(stack.json.output.srv_record_fqdn.value).toBe("_vlmcs._tcp.kms.example.test.");
    expect(stack.json.output.host_names.value).toEqual(["kmsfix01.kms.example.test", "kmsfix02.kms.example.test"]);
  });
});

test("dns.privateZone defaults to true: the zone and its records are written", () => {
  const stack = synthesizeEnvironment(fixtureEnvironment());
  expect(stack.resources("azurerm_private_dns_zone")).toEqual([expect.objectContaining({ name: "kms.example.test" })]);
  expect(stack.resources("azurerm_private_dns_srv_record")).toHaveLength(1);
});

describe("a private zone that shadows the RFC 2136 zone", () => {
  test("is refused with the file, line, field and both fixes", () => {
    const found = problems((d) => (d.dns.rfc2136 = GSSAPI));
    expect(found).toEqual([
      expect.stringMatching(
        /^environments\/lab\.yaml:\d+: dns\.privateZone: an Azure private zone "kms\.example\.test" would shadow the zone of that name dns\.rfc2136 publishes to on dc01\.corp\.example\.test: .*NXDOMAIN for every other name.*Set dns\.privateZone: false .*dns\.allowShadowingZone\.reason/,
      ),
    ]);
  });

  test("names the Active Directory domain when the realm is the zone or under it", () => {
    const found = problems((d) => {
      d.dns.zoneName = "corp.example.test";
      d.dns.rfc2136 = GSSAPI;
    });
    expect(found).toEqual([expect.stringMatching(/\(the Active Directory domain CORP\.EXAMPLE\.TEST is this name\)/)]);
    const parent = problems((d) => {
      d.dns.zoneName = "example.test";
      d.dns.rfc2136 = GSSAPI;
    });
    expect(parent).toEqual([expect.stringMatching(/\(the Active Directory domain CORP\.EXAMPLE\.TEST is under it\)/)]);
  });

  test("an explicit dns.privateZone: true is refused too, at its own line", () => {
    const text = stringify(fixtureData((d) => ((d.dns.privateZone = true), (d.dns.rfc2136 = GSSAPI))));
    const result = parseEnvironment("environments/lab.yaml", text);
    expect(result.ok).toBe(false);
    const line = text.split("\n").findIndex((l) => l.trim() === "privateZone: true") + 1;
    expect(result.ok ? [] : result.problems.map((p) => [p.field, p.line])).toEqual([["dns.privateZone", line]]);
  });

  test("is accepted when the file states why (dns.allowShadowingZone.reason)", () => {
    expect(problems((d) => ((d.dns.rfc2136 = GSSAPI), (d.dns.allowShadowingZone = { reason: "the linked vnets resolve nothing else of this zone" })))).toEqual([]);
  });

  test.each([
    ["a reason too short to say anything", (d: any) => ((d.dns.rfc2136 = GSSAPI), (d.dns.allowShadowingZone = { reason: "yes" })), /dns\.allowShadowingZone\.reason: .*say in a sentence why/],
    ["allowShadowingZone without dns.rfc2136", (d: any) => (d.dns.allowShadowingZone = { reason: "the linked vnets resolve nothing else of this zone" }), /dns\.allowShadowingZone: applies only with dns\.rfc2136/],
    ["allowShadowingZone without a private zone", (d: any) => ((d.dns.privateZone = false), (d.dns.allowShadowingZone = { reason: "the linked vnets resolve nothing else of this zone" })), /dns\.allowShadowingZone: there is no private zone/],
    ["linkedVnetIds without a private zone", (d: any) => ((d.dns.privateZone = false), (d.dns.linkedVnetIds = ["/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet-x"])), /dns\.linkedVnetIds: applies only to an Azure private zone.*remove dns\.linkedVnetIds or set dns\.privateZone: true/],
    ["zoneResourceGroup without a private zone", (d: any) => ((d.dns.privateZone = false), (d.dns.zoneResourceGroup = "rg-dns")), /dns\.zoneResourceGroup: applies only to an Azure private zone/],
  ])("refuses %s", (_name, change, message) => {
    const found = problems(change);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^environments\/lab\.yaml:\d+: /);
  });

  test("the main job refuses it and writes nothing", () => {
    const run = prepareMainJob([fixtureData((d) => (d.dns.rfc2136 = GSSAPI))]);
    try {
      expect(() => synthesizeAll({ environmentsDir: run.environmentsDir, outdir: run.outdir })).toThrow(ConfigError);
      expect(() => synthesizeAll({ environmentsDir: run.environmentsDir, outdir: run.outdir })).toThrow(/lab\.yaml:\d+: dns\.privateZone: /);
      expect(fs.existsSync(run.outdir)).toBe(false);
    } finally {
      run.cleanup();
    }
  });
});
