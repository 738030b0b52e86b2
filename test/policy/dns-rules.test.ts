import { TerraformVariable } from "cdktf";
import { DnsProvider } from "@cdktf/provider-dns/lib/provider";
import { findings, synth } from "./harness";

// Made-up values with the shape of the real thing; never real credentials.
const FAKE_TSIG_SECRET = "bm90LWEtcmVhbC1zZWNyZXQtbm90LWEtcmVhbC1zZWNyZXQ=";

describe("KMS-DNS-001 dns provider credentials", () => {
  test("Noncompliance 1: a literal TSIG key_secret", () => {
    const r = synth((b) => void new DnsProvider(b.stack, "dns", { update: [{ server: "ns1.example.test", keyName: "kms-update", keyAlgorithm: "hmac-sha256", keySecret: FAKE_TSIG_SECRET }] }));
    expect(findings(r, "KMS-DNS-001")).toEqual([
      "[KMS-DNS-001] provider.dns[0].update[0]: key_secret is a literal. Take it from a sensitive variable without default (TF_VAR_dns_update_keysecret), not from the configuration.",
    ]);
    expect(r.thrown?.message).not.toContain(FAKE_TSIG_SECRET);
  });

  test("Noncompliance 2: a GSS-TSIG password and a keytab path in the block", () => {
    const r = synth((b) => {
      new DnsProvider(b.stack, "dns", { update: [{ server: "dc01.corp.example.test", gssapi: [{ realm: "CORP.EXAMPLE.TEST", username: "svc-dns", password: "not-a-real-password" }] }] });
      new DnsProvider(b.stack, "dns2", { alias: "second", update: [{ server: "dc02.corp.example.test", gssapi: [{ realm: "CORP.EXAMPLE.TEST", username: "svc-dns", keytab: "/etc/krb5.keytab" }] }] });
    });
    expect(findings(r, "KMS-DNS-001")).toEqual([
      expect.stringContaining("[KMS-DNS-001] provider.dns[0].update[0]: gssapi[0].password is a literal. Take it from DNS_UPDATE_PASSWORD"),
      expect.stringContaining("[KMS-DNS-001] provider.dns[1].update[0]: gssapi[0].keytab is a literal. Take it from DNS_UPDATE_KEYTAB"),
    ]);
  });

  test("Noncompliance 3: key_secret from a variable with a default, from a non-sensitive variable, and from an expression", () => {
    const r = synth((b) => {
      const withDefault = new TerraformVariable(b.stack, "tsig_default", { type: "string", sensitive: true, default: "x" });
      const plain = new TerraformVariable(b.stack, "tsig_plain", { type: "string" });
      new DnsProvider(b.stack, "dns", { update: [{ server: "ns1.example.test", keyName: "k", keyAlgorithm: "hmac-sha256", keySecret: withDefault.stringValue }] });
      new DnsProvider(b.stack, "dns2", { alias: "b", update: [{ server: "ns1.example.test", keyName: "k", keyAlgorithm: "hmac-sha256", keySecret: plain.stringValue }] });
      new DnsProvider(b.stack, "dns3", { alias: "c", update: [{ server: "ns1.example.test", keyName: "k", keyAlgorithm: "hmac-sha256", keySecret: `prefix-${plain.stringValue}` }] });
    });
    expect(findings(r, "KMS-DNS-001")).toEqual([
      expect.stringContaining("update[0]: key_secret refers to var.tsig_default, which has a default"),
      expect.stringContaining("update[0]: key_secret refers to var.tsig_plain, which is not sensitive"),
      expect.stringContaining("update[0]: key_secret is the expression prefix-${var.tsig_plain}, not a sensitive variable"),
    ]);
  });

  test("Compliance: GSS-TSIG with realm and user only, and TSIG with a sensitive variable without default", () => {
    const r = synth((b) => {
      const secret = new TerraformVariable(b.stack, "dns_update_keysecret", { type: "string", sensitive: true, nullable: false });
      new DnsProvider(b.stack, "dns", { update: [{ server: "dc01.corp.example.test", gssapi: [{ realm: "CORP.EXAMPLE.TEST", username: "svc-dns" }] }] });
      new DnsProvider(b.stack, "dns2", { alias: "tsig", update: [{ server: "ns1.example.test", keyName: "kms-update", keyAlgorithm: "hmac-sha256", keySecret: secret.stringValue }] });
    });
    expect(findings(r, "KMS-DNS-001")).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});
