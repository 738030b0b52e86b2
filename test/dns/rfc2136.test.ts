// dns.rfc2136: the records on an RFC 2136 server through the hashicorp/dns provider, with GSS-TSIG
// (Active Directory) or TSIG, and never a secret in the synthesized JSON.
import { synthesizeEnvironment, SynthesizedStack } from "../support/synth";
import { fullyQualifiedKeyName } from "../../constructs/kms-rfc2136-records";
import { checkAgainstContract } from "../../rehearsal/provider-contract";
import { azurePrivateDnsAnswers, fixtureEnvironment, sortAnswers } from "./support";

// Made-up values; the test proves they never reach the JSON even when set in the environment.
const FAKE = { DNS_UPDATE_KEYSECRET: "ZmFrZS10c2lnLXNlY3JldC1mb3ItdGVzdHMtb25seQ==", DNS_UPDATE_PASSWORD: "fake-password-for-tests", DNS_UPDATE_KEYTAB: "/tmp/fake.keytab" };

function withFakeSecrets<T>(body: () => T): T {
  const saved = Object.fromEntries(Object.keys(FAKE).map((k) => [k, process.env[k]]));
  Object.assign(process.env, FAKE, { TF_VAR_dns_update_keysecret: FAKE.DNS_UPDATE_KEYSECRET });
  try {
    return body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    delete process.env.TF_VAR_dns_update_keysecret;
  }
}

function expectNoSecret(stack: SynthesizedStack): void {
  for (const value of Object.values(FAKE)) expect(stack.text).not.toContain(value);
  expect(stack.text).not.toMatch(/"(password|keytab)"\s*:/);
}

describe("dns.rfc2136 with GSS-TSIG (Active Directory secure updates), static IPs", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    const environment = fixtureEnvironment((d) => {
      d.dns.rfc2136 = { server: "dc01.corp.example.test", gssapi: { realm: "CORP.EXAMPLE.TEST", username: "svc-kms-dns" } };
      // Both publishers at once, to compare them record for record: a private zone of the RFC 2136 zone's name needs the file to say it means it.
      d.dns.allowShadowingZone = { reason: "test fixture: compares the Azure and RFC 2136 records of one model" };
    });
    stack = withFakeSecrets(() => synthesizeEnvironment(environment));
  });

  test("configures the dns provider with realm and user only; the password or keytab comes from DNS_UPDATE_PASSWORD / DNS_UPDATE_KEYTAB", () => {
    // "dns" is Terraform's short form of registry.terraform.io/hashicorp/dns; 3.4.3 is what @cdktf/provider-dns 9.0.1 was generated from.
    expect(stack.json.terraform.required_providers.dns).toEqual({ source: "dns", version: "3.4.3" });
    expect(stack.json.provider.dns).toEqual([{ update: [{ server: "dc01.corp.example.test", port: 53, transport: "tcp", gssapi: [{ realm: "CORP.EXAMPLE.TEST", username: "svc-kms-dns" }] }] }]);
    expectNoSecret(stack);
    expect(stack.json.variable?.dns_update_keysecret).toBeUndefined();
  });

  test("a dns_a_record_set per host and one dns_srv_record_set with each host's priority and weight", () => {
    expect(stack.resources("dns_a_record_set")).toEqual([
      expect.objectContaining({ zone: "kms.example.test.", name: "kmsfix01", addresses: ["10.60.0.10"], ttl: 300 }),
      expect.objectContaining({ zone: "kms.example.test.", name: "kmsfix02", addresses: ["10.60.0.11"], ttl: 300 }),
    ]);
    const [srv] = stack.resources("dns_srv_record_set");
    expect(srv).toMatchObject({ zone: "kms.example.test.", name: "_vlmcs._tcp", ttl: 300 });
    expect(srv.srv).toEqual([
      { priority: 0, weight: 60, port: 1689, target: "kmsfix01.kms.example.test." },
      { priority: 10, weight: 40, port: 1689, target: "kmsfix02.kms.example.test." },
    ]);
    expect(srv.depends_on).toHaveLength(2);
  });

  test("the RFC 2136 records equal the Azure Private DNS records, record for record (one model, two publishers)", () => {
    const zone = "kms.example.test.";
    const a = new Map(
      stack.resources("dns_a_record_set").map((r) => [`${r.name}.${zone}`, r.addresses.map((address: string) => ({ name: `${r.name}.${zone}`, ttl: r.ttl, type: "A", data: address }))]),
    );
    const [srvSet] = stack.resources("dns_srv_record_set");
    const srv = sortAnswers(srvSet.srv.map((e: any) => ({ name: `${srvSet.name}.${zone}`, ttl: srvSet.ttl, type: "SRV", data: `${e.priority} ${e.weight} ${e.port} ${e.target}` })));
    expect({ a, srv }).toEqual(azurePrivateDnsAnswers(stack.json, "kms.example.test"));
  });

  test("the same priority and weight reach Azure Private DNS", () => {
    const [srv] = stack.resources("azurerm_private_dns_srv_record");
    expect(srv.record.map((r: any) => [r.priority, r.weight, r.port])).toEqual([
      [0, 60, 1689],
      [10, 40, 1689],
    ]);
  });
});

describe("dns.rfc2136 with TSIG, dynamic IPs", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    const environment = fixtureEnvironment((d) => {
      delete d.hosts.privateIpAddresses;
      d.dns.rfc2136 = { server: "127.0.0.1", port: 5353, transport: "udp", tsig: { keyName: "kms-update", algorithm: "hmac-sha512" } };
      d.dns.privateZone = false;
    });
    stack = withFakeSecrets(() => synthesizeEnvironment(environment));
  });

  test("key name and algorithm in the provider block; the secret is a sensitive variable without default", () => {
    expect(stack.json.provider.dns).toEqual([
      { update: [{ server: "127.0.0.1", port: 5353, transport: "udp", key_name: "kms-update.", key_algorithm: "hmac-sha512", key_secret: "${var.dns_update_keysecret}" }] },
    ]);
    expect(stack.json.variable.dns_update_keysecret).toEqual(expect.objectContaining({ type: "string", sensitive: true, nullable: false }));
    expect(stack.json.variable.dns_update_keysecret.default).toBeUndefined();
    expectNoSecret(stack);
  });

  test("the key name is written fully qualified, as hashicorp/dns 3.4.3 requires (config.go:79); one given with its dot stays as written", () => {
    expect(fullyQualifiedKeyName("kms-update")).toBe("kms-update.");
    expect(fullyQualifiedKeyName("kms-update.corp.contoso.com.")).toBe("kms-update.corp.contoso.com.");
    expect(checkAgainstContract(stack.json)).toEqual([]);
  });

  test("A record sets point at the NICs' addresses (references), so dynamic IPs work", () => {
    const aRecords = stack.resources("dns_a_record_set");
    expect(aRecords).toHaveLength(2);
    for (const record of aRecords) expect(record.addresses).toEqual([expect.stringMatching(/^\$\{azurerm_network_interface\.[^.]+\.private_ip_address\}$/)]);
  });
});

describe("without dns.rfc2136", () => {
  test("no dns provider and no dns resources", () => {
    const stack = synthesizeEnvironment(fixtureEnvironment());
    expect(stack.json.provider.dns).toBeUndefined();
    expect(stack.json.terraform.required_providers.dns).toBeUndefined();
    expect(stack.resources("dns_a_record_set")).toEqual([]);
    expect(stack.resources("dns_srv_record_set")).toEqual([]);
  });
});

describe("dns.rfc2136 in production", () => {
  test("synthesizes with the policy pack without a private zone: the locks cover the hosts and the vault, and no DNS record (RFC 2136 records are not Azure resources)", () => {
    const stack = synthesizeEnvironment(
      fixtureEnvironment((d) => {
        d.tier = "production";
        // Production needs a fixed deployer principal when it creates its vault (issue 9).
        d.keyVault.deployerPrincipalId = "6b1f0d3e-2a4c-4e8b-9f7a-5c3d2e1b0a99";
        // Production reaches its vault through a private endpoint only (issue 23).
        delete d.keyVault.allowedCidrs;
        d.dns.rfc2136 = { server: "dc01.corp.example.test", gssapi: { realm: "CORP.EXAMPLE.TEST" } };
        d.dns.privateZone = false;
        d.backend = { type: "azurerm", resourceGroupName: "rg-fixture-state", storageAccountName: "stfixturedns", containerName: "tfstate", key: "kms-lab.tfstate" };
      }),
    );
    // The KMS zone is not written; the vault's private endpoint keeps its own privatelink zone (issue 23).
    const zones = stack.resources("azurerm_private_dns_zone") as { name?: string }[];
    expect(zones.map((z) => z.name).filter((name) => !String(name).startsWith("privatelink."))).toEqual([]);
    expect(Object.keys(stack.json.resource ?? {}).filter((type) => type.startsWith("azurerm_private_dns_") && !["azurerm_private_dns_zone", "azurerm_private_dns_zone_virtual_network_link"].includes(type))).toEqual([]);
    expect(stack.resources("dns_srv_record_set")).toHaveLength(1);
    expect(stack.json.provider.dns[0].update[0].gssapi).toEqual([{ realm: "CORP.EXAMPLE.TEST" }]);
    expect(stack.resources("azurerm_management_lock").length).toBeGreaterThan(0);
  });
});
