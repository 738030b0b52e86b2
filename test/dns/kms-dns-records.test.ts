// KmsDnsRecords: the one record model every publisher renders.
import { Token } from "cdktf";
import { KmsDnsRecords, KmsDnsRecordsProps } from "../../constructs/kms-dns-records";

const base: KmsDnsRecordsProps = {
  zoneName: "kms.example.test",
  hosts: [
    { name: "kms01", address: "10.60.0.10" },
    { name: "kms02", address: "10.60.0.11", priority: 10, weight: 65535 },
  ],
};

describe("KmsDnsRecords", () => {
  test("an A record per host and an SRV entry per host, absolute names with the trailing dot, defaults 1688/3600/0/0", () => {
    const records = new KmsDnsRecords(base);
    expect(records.aRecords).toEqual([
      { name: "kms01", fqdn: "kms01.kms.example.test.", address: "10.60.0.10" },
      { name: "kms02", fqdn: "kms02.kms.example.test.", address: "10.60.0.11" },
    ]);
    expect(records.srvEntries).toEqual([
      { priority: 0, weight: 0, port: 1688, target: "kms01.kms.example.test." },
      { priority: 10, weight: 65535, port: 1688, target: "kms02.kms.example.test." },
    ]);
    expect([records.ttl, records.zoneFqdn, records.srvFqdn]).toEqual([3600, "kms.example.test.", "_vlmcs._tcp.kms.example.test."]);
    expect(records.hasStaticAddresses).toBe(true);
  });

  test("a token address (a dynamic IP) is accepted and makes the records non-exportable", () => {
    const records = new KmsDnsRecords({ ...base, hosts: [base.hosts[0], { name: "kms02", address: Token.asString({ dynamic: true }) }] });
    expect(records.hasStaticAddresses).toBe(false);
    expect(records.hostsWithoutStaticAddress).toEqual(["kms02"]);
  });

  test.each([
    ["a zone with a trailing dot", { zoneName: "kms.example.test." }, /zoneName "kms\.example\.test\." is not a lower-case DNS name/],
    ["an upper-case zone", { zoneName: "KMS.example.test" }, /zoneName/],
    ["no hosts", { hosts: [] }, /hosts is empty/],
    ["a duplicate host", { hosts: [base.hosts[0], base.hosts[0]] }, /"kms01" appears twice/],
    ["a host name with a dot", { hosts: [{ name: "kms01.corp", address: "10.0.0.1" }] }, /not one lower-case DNS label/],
    ["an IPv6 address", { hosts: [{ name: "kms01", address: "fd00::1" }] }, /"fd00::1", which is not an IPv4 address/],
    ["a priority of 65536", { hosts: [{ name: "kms01", address: "10.0.0.1", priority: 65536 }] }, /SRV priority 65536; use a whole number from 0 to 65535/],
    ["a negative weight", { hosts: [{ name: "kms01", address: "10.0.0.1", weight: -1 }] }, /SRV weight -1/],
    ["a TTL of 0", { ttl: 0 }, /ttl 0 is not a DNS TTL/],
    ["port 0", { port: 0 }, /port 0 is not a TCP port/],
  ])("refuses %s", (_name, change, message) => {
    expect(() => new KmsDnsRecords({ ...base, ...change } as KmsDnsRecordsProps)).toThrow(message);
  });
});
