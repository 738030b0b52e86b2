// The environment file's DNS publishing settings (dns.srv, dns.rfc2136): every bad input gets a
// message naming the file, the field and the fix.
import { stringify } from "yaml";
import { parseEnvironment } from "../../config/load-environments";
import { fixtureData, fixtureEnvironment } from "./support";

function problemsWithPrivateZone(change: (d: Record<string, any>) => void): string[] {
  const result = parseEnvironment("environments/lab.yaml", stringify(fixtureData(change)));
  if (result.ok) return [];
  return result.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.field}: ${p.message}`);
}

const problems = problemsWithPrivateZone;

const GSSAPI = { server: "dc01.corp.example.test", gssapi: { realm: "CORP.EXAMPLE.TEST", username: "svc-kms-dns" } };

describe("dns.srv (per-host SRV priority and weight)", () => {
  test("defaults to 0/0 for every host when absent", () => {
    expect(fixtureEnvironment((d) => delete d.dns.srv).dns.srv).toBeUndefined();
    expect(fixtureEnvironment((d) => (d.dns.srv = [{}, { weight: 5 }])).dns.srv).toEqual([
      { priority: 0, weight: 0 },
      { priority: 0, weight: 5 },
    ]);
  });

  test.each([
    ["one entry for two hosts", (d: any) => (d.dns.srv = [{ priority: 1 }]), /dns\.srv: lists 1 entries for 2 hosts; give one entry \(priority, weight\) per host/],
    ["a priority above 65535", (d: any) => (d.dns.srv[1].priority = 65536), /dns\.srv\[1\]\.priority: 65536 is out of range; use a whole number from 0 to 65535/],
    ["a negative weight", (d: any) => (d.dns.srv[0].weight = -1), /dns\.srv\[0\]\.weight: -1 is out of range; use a whole number from 0 to 65535/],
    ["a fractional weight", (d: any) => (d.dns.srv[0].weight = 1.5), /dns\.srv\[0\]\.weight: .*whole number/],
  ])("refuses %s", (_name, change, message) => {
    const found = problems(change);
    expect(found).toEqual([expect.stringMatching(message)]);
    expect(found[0]).toMatch(/^environments\/lab\.yaml:\d+: /);
  });
});

describe("dns.rfc2136", () => {
  // Without an Azure private zone: one of the same name would be refused as shadowing (dns-layout.test.ts).
  const problems = (change: (d: Record<string, any>) => void): string[] => problemsWithPrivateZone((d) => ((d.dns.privateZone = false), change(d)));
  test("accepts GSS-TSIG with realm and user, and TSIG with key name (algorithm defaults to hmac-sha256, transport to tcp, port to 53)", () => {
    expect(fixtureEnvironment((d) => ((d.dns.privateZone = false), (d.dns.rfc2136 = GSSAPI))).dns.rfc2136).toEqual({ ...GSSAPI, port: 53, transport: "tcp" });
    expect(fixtureEnvironment((d) => ((d.dns.privateZone = false), (d.dns.rfc2136 = { server: "10.0.0.53", tsig: { keyName: "kms-update" } }))).dns.rfc2136?.tsig).toEqual({ keyName: "kms-update", algorithm: "hmac-sha256" });
  });

  test.each([
    ["a GSS-TSIG password", (d: any) => (d.dns.rfc2136 = { ...GSSAPI, gssapi: { ...GSSAPI.gssapi, password: "x" } }), /dns\.rfc2136\.gssapi\.password: never put the password in the environment file .*export DNS_UPDATE_PASSWORD/],
    ["a keytab path", (d: any) => (d.dns.rfc2136 = { ...GSSAPI, gssapi: { ...GSSAPI.gssapi, keytab: "/etc/krb5.keytab" } }), /dns\.rfc2136\.gssapi\.keytab: never put the keytab .*DNS_UPDATE_KEYTAB/],
    ["a TSIG secret", (d: any) => (d.dns.rfc2136 = { server: "ns1.example.test", tsig: { keyName: "k", secret: "c2VjcmV0" } }), /dns\.rfc2136\.tsig\.secret: never put the TSIG secret .*TF_VAR_dns_update_keysecret/],
    ["hmac-md5", (d: any) => (d.dns.rfc2136 = { server: "ns1.example.test", tsig: { keyName: "k", algorithm: "hmac-md5" } }), /dns\.rfc2136\.tsig\.algorithm: use hmac-sha256 .*RFC 8945/],
    ["both gssapi and tsig", (d: any) => (d.dns.rfc2136 = { ...GSSAPI, tsig: { keyName: "k" } }), /dns\.rfc2136: give either gssapi .* or tsig .*, not both/],
    ["neither gssapi nor tsig", (d: any) => (d.dns.rfc2136 = { server: "ns1.example.test" }), /dns\.rfc2136: missing: give gssapi .* or tsig/],
    ["GSS-TSIG to an IP address", (d: any) => (d.dns.rfc2136 = { ...GSSAPI, server: "10.0.0.53" }), /dns\.rfc2136\.server: "10\.0\.0\.53" is an IP address; GSS-TSIG needs the server's host name/],
    ["a lower-case realm", (d: any) => (d.dns.rfc2136 = { ...GSSAPI, gssapi: { realm: "corp.example.test" } }), /dns\.rfc2136\.gssapi\.realm: .*upper case/],
    ["a server that is not a name", (d: any) => (d.dns.rfc2136 = { ...GSSAPI, server: "dc 01" }), /dns\.rfc2136\.server: .*host name .* or IPv4 address/],
  ])("refuses %s", (_name, change, message) => {
    expect(problems(change)).toEqual([expect.stringMatching(message)]);
  });
  test("GSS-TSIG takes a host name that starts like an address (only a whole dotted quad is an address)", () => {
    expect(problems((d) => (d.dns.rfc2136 = { ...GSSAPI, server: "10.0.0.53.corp.example.test" }))).toEqual([]);
  });

  test("a server that only ends like an address is refused as a name, not also as an address", () => {
    expect(problems((d) => (d.dns.rfc2136 = { ...GSSAPI, server: "dc.10.0.0.53" }))).toEqual([expect.stringMatching(/dns\.rfc2136\.server: .*host name .* or IPv4 address/)]);
  });
});
