// Behaviour at the boundaries where deliberate bugs used to survive the suite (issue 10): SRV
// priority versus weight (and the record bounds), equal allow/deny priorities, azurerm_public_ip_prefix, NSG fields given
// as tokens, warning de-duplication, and zones round-robin with more hosts than zones. (Host bits
// in a CIDR: address-range.test.ts.)
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PublicIpPrefix } from "@cdktf/provider-azurerm/lib/public-ip-prefix";
import { TerraformOutput } from "cdktf";
import { KmsDnsRecords, type KmsDnsRecordsProps, KmsFirewallRule, KmsSrvRecord } from "../constructs";
import { synthesizeAll } from "../stacks/synthesize";
import { findings, keyVault, nic, nsgRule, synth } from "./policy/harness";
import { environmentWith, FIXTURE_ENVIRONMENTS_DIR, validEnvironment } from "./support/environments";
import { synthesizeConstruct, synthesizeEnvironment } from "./support/synth";

describe("KMS DNS records: priority, weight and bounds", () => {
  const records = (change: Partial<KmsDnsRecordsProps> = {}) => new KmsDnsRecords({ zoneName: "corp.contoso.com", hosts: [{ name: "kms01", address: "10.1.0.4" }], ...change });

  test("puts priority and weight each in its own field of the host's entry", () => {
    const model = records({ hosts: [{ name: "kms01", address: "10.1.0.4", priority: 10, weight: 20 }, { name: "kms02", address: "10.1.0.5" }] });
    expect(model.srvEntries.map((e) => [e.priority, e.weight])).toEqual([
      [10, 20],
      [0, 0],
    ]);
  });

  test("accepts the TTL bounds 1 and 2147483647 and refuses just outside them", () => {
    for (const ttl of [1, 2147483647]) expect(records({ ttl }).ttl).toBe(ttl);
    for (const ttl of [0, 2147483648, 1.5]) expect(() => records({ ttl })).toThrow(`ttl ${ttl} is not a DNS TTL`);
  });

  test("accepts priority and weight 0 and 65535 and refuses -1 and 65536", () => {
    expect(records({ hosts: [{ name: "kms01", address: "10.1.0.4", priority: 65535, weight: 0 }] }).srvEntries[0]).toMatchObject({ priority: 65535, weight: 0 });
    expect(() => records({ hosts: [{ name: "kms01", address: "10.1.0.4", priority: 65536 }] })).toThrow("SRV priority 65536");
    expect(() => records({ hosts: [{ name: "kms01", address: "10.1.0.4", weight: -1 }] })).toThrow("SRV weight -1");
  });

  test("refuses an empty host list and a port outside 1-65535", () => {
    expect(() => records({ hosts: [] })).toThrow(/hosts is empty/);
    for (const port of [0, 65536]) expect(() => records({ port })).toThrow(`KmsDnsRecords: port ${port} is not a TCP port`);
  });
});

describe("KmsFirewallRule priorities", () => {
  const props = { resourceGroupName: "rg", networkSecurityGroupName: "nsg", clientCidrs: ["10.0.0.0/8"], hostAddresses: ["10.1.0.4"] };
  const build = (extra: Record<string, unknown>) => synthesizeConstruct((stack) => new KmsFirewallRule(stack, "fw", { ...props, ...extra }));

  test("refuses a deny priority equal to the allow priority: Azure would not order them", () => {
    expect(() => build({ priority: 300, denyOthersPriority: 300 })).toThrow("denyOthersPriority (300) must be greater than priority (300)");
  });

  test("accepts a deny priority one above the allow priority", () => {
    const rules = build({ priority: 300, denyOthersPriority: 301 }).resources("azurerm_network_security_rule");
    expect(rules.map((r) => [r.access, r.priority])).toEqual([
      ["Allow", 300],
      ["Deny", 301],
    ]);
  });

  test("accepts the priority bounds 100 and 4096 and refuses 99 and 4097", () => {
    expect(build({ priority: 100, denyOthersPriority: 4096 }).resources("azurerm_network_security_rule").map((r) => r.priority)).toEqual([100, 4096]);
    expect(() => build({ priority: 99 })).toThrow("priority 99 is outside 100-4096");
    expect(() => build({ denyOthersPriority: 4097 })).toThrow("denyOthersPriority 4097 is outside 100-4096");
  });
});

describe("policy pack boundaries", () => {
  test("KMS-NET-001 refuses an azurerm_public_ip_prefix as it does an azurerm_public_ip", () => {
    const r = synth((b) => {
      new PublicIpPrefix(b.stack, "prefix", { name: "ippre", location: "westeurope", resourceGroupName: b.rg.name, prefixLength: 30 });
    });
    expect(findings(r, "KMS-NET-001")).toEqual([expect.stringContaining("[KMS-NET-001] azurerm_public_ip_prefix.prefix: azurerm_public_ip_prefix is not allowed")]);
  });

  test("KMS-NET-003: a direction and access given as tokens count as Inbound Allow (they might be)", () => {
    const r = synth((b) => void nsgRule(b.stack, b, "tokens", { direction: "${var.direction}", access: "${var.access}", sourceAddressPrefixes: undefined, sourceAddressPrefix: "Internet" }));
    expect(findings(r, "KMS-NET-003")).toEqual([expect.stringContaining('rule "tokens" allows Inbound from "Internet"')]);
  });

  test("KMS-NET-003: only a token in one field is enough; a literal Outbound or Deny is not Inbound Allow", () => {
    const inbound = synth((b) => void nsgRule(b.stack, b, "a", { access: "${var.access}", sourceAddressPrefixes: undefined, sourceAddressPrefix: "*" }));
    expect(findings(inbound, "KMS-NET-003")).toHaveLength(1);
    const outbound = synth((b) => void nsgRule(b.stack, b, "b", { direction: "Outbound", access: "${var.access}", sourceAddressPrefixes: undefined, sourceAddressPrefix: "*" }));
    expect(findings(outbound, "KMS-NET-003")).toEqual([]);
    const deny = synth((b) => void nsgRule(b.stack, b, "c", { direction: "${var.direction}", access: "Deny", sourceAddressPrefixes: undefined, sourceAddressPrefix: "*" }));
    expect(findings(deny, "KMS-NET-003")).toEqual([]);
  });
});

describe("warnings of the main job", () => {
  test("every host raises the same placeholder warning, reported once per stack", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-warnings-"));
    try {
      // The production fixture has two hosts whose Volume License Packs are still placeholders.
      const result = synthesizeAll({ environmentsDir: FIXTURE_ENVIRONMENTS_DIR, outdir });
      expect(new Set(result.warnings).size).toBe(result.warnings.length);
      const placeholders = result.warnings.filter((w) => /placeholder/.test(w));
      expect(placeholders.filter((w) => w.startsWith("[kms-production] "))).toHaveLength(2); // one per pack (2024, 2021), not per host
      expect(placeholders.filter((w) => w.startsWith("[kms-lab] "))).toHaveLength(1);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("zones", () => {
  test("hosts go round-robin across the zones when there are more hosts than zones", () => {
    const stack = synthesizeEnvironment(validEnvironment(environmentWith("production", (d) => ((d.hosts.count = 5), (d.hosts.zones = ["1", "3"])))));
    expect(stack.resources("azurerm_windows_virtual_machine").map((vm) => vm.zone)).toEqual(["1", "3", "1", "3", "1"]);
  });

  test("without zones no host gets one", () => {
    const stack = synthesizeEnvironment(validEnvironment(environmentWith("production", (d) => ((d.hosts.count = 2), (d.hosts.zones = [])))));
    expect(stack.resources("azurerm_windows_virtual_machine").map((vm) => vm.zone)).toEqual([undefined, undefined]);
  });
});

describe("messages name the construct and carry the fix", () => {
  test("KmsSrvRecord.fqdn is the SRV record's own fqdn attribute", () => {
    const json = synthesizeConstruct((stack) => {
      const srv = new KmsSrvRecord(stack, "dns", { resourceGroupName: "rg-dns", records: new KmsDnsRecords({ zoneName: "corp.contoso.com", hosts: [{ name: "kms01", address: "10.1.0.4" }] }) });
      new TerraformOutput(stack, "srv", { value: srv.fqdn });
    }).json;
    const [key] = Object.keys(json.resource.azurerm_private_dns_srv_record);
    expect(json.output.srv.value).toBe(`\${azurerm_private_dns_srv_record.${key}.fqdn}`);
  });

  test("KMS-KV-001 and KMS-NET-001 say how to fix what they find", () => {
    const vault = synth((b) => void keyVault(b.stack, b, { rbacAuthorizationEnabled: false }));
    expect(findings(vault, "KMS-KV-001")).toEqual([expect.stringMatching(/: rbac_authorization_enabled is false, enable_rbac_authorization is unset\. Set rbac_authorization_enabled = true and grant access with role assignments\.$/)]);
    const pip = synth((b) => {
      new PublicIpPrefix(b.stack, "prefix", { name: "ippre", location: "westeurope", resourceGroupName: b.rg.name, prefixLength: 30 });
      nic(b.stack, b, "nic").addOverride("ip_configuration.0.public_ip_address_id", "pip");
    });
    expect(findings(pip, "KMS-NET-001").sort()).toEqual([
      '[KMS-NET-001] azurerm_network_interface.nic: ip_configuration "primary" sets public_ip_address_id = "pip". Remove public_ip_address_id from the NIC.',
      "[KMS-NET-001] azurerm_public_ip_prefix.prefix: azurerm_public_ip_prefix is not allowed in this stack. Remove it; reach the host over private networking (VNet peering, VPN, ExpressRoute, Bastion).",
    ]);
  });

  test.each([
    ["null", null],
    ["an empty string", ""],
  ])("KMS-NET-001: a public_ip_address_id of %s attaches no public IP", (_what, value) => {
    const r = synth((b) => nic(b.stack, b, "nic").addOverride("ip_configuration.0.public_ip_address_id", value));
    expect(findings(r, "KMS-NET-001")).toEqual([]);
  });
});
