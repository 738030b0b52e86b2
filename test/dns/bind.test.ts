// The DNS exports proved on a real DNS server: BIND 9 from Debian (bind9, dnsutils). The main job
// writes cdktf.out/dns/lab/ for a fixture environment with two hosts on static IPs; then
//  - named-checkzone loads a zone that includes kms.zone with $INCLUDE,
//  - named (on 127.0.0.1, a free port, a throwaway configuration) serves it, and dig's answers for
//    the SRV record and each A record equal the record model and the stack's Azure Private DNS
//    records,
//  - kms.nsupdate, sent twice with a TSIG key over a zone holding stale records, leaves exactly one
//    SRV entry per host on the KMS port and one A record per host, and the second send changes nothing.
// Without BIND the file fails with one test whose name says so (a fresh clone skips nothing:
// bash .ci/run installs BIND first).
import * as fs from "fs";
import * as path from "path";
import { DnsAnswer, NamedServer, bindMissingMessage, missingBindTools, run, startNamed, zoneFileText } from "../support/bind";
import { KmsStack } from "../../stacks/kms-stack";
import { buildApp } from "../../stacks/synthesize";
import { azurePrivateDnsAnswers, fixtureData, fixtureEnvironment, modelAnswers, runMainJob, sortAnswers } from "./support";

const missing = missingBindTools();

/** The records the fixture file asks for, derived from the file itself (an oracle independent of the code under test). */
function expectedFromFixture(data: Record<string, any>): { a: Map<string, DnsAnswer[]>; srv: DnsAnswer[] } {
  const zone = `${data.dns.zoneName}.`;
  const names = (data.hosts.privateIpAddresses as string[]).map((_, i) => `${data.hosts.namePrefix}${String(i + 1).padStart(2, "0")}.${zone}`);
  const a = new Map(names.map((name, i) => [name, [{ name, ttl: data.dns.ttl, type: "A", data: data.hosts.privateIpAddresses[i] }]]));
  const srv = names.map((name, i) => ({ name: `_vlmcs._tcp.${zone}`, ttl: data.dns.ttl, type: "SRV", data: `${data.dns.srv[i].priority} ${data.dns.srv[i].weight} ${data.kms.port} ${name}` }));
  return { a, srv: sortAnswers(srv) };
}

if (missing.length > 0) {
  describe(`BIND 9 NOT INSTALLED (missing ${missing.join(", ")}): DNS exports NOT proved on a real DNS server`, () => {
    test("install bind9 and dnsutils (npm test and bash .ci/run do it: scripts/install-bind.sh), then run the tests again", () => {
      throw new Error(bindMissingMessage(missing));
    });
  });
} else {
  describe("DNS exports on a real BIND 9 (named on 127.0.0.1)", () => {
    const data = fixtureData();
    const zoneName: string = data.dns.zoneName;
    const expected = expectedFromFixture(data);
    let job: ReturnType<typeof runMainJob> | undefined;
    let named: NamedServer | undefined;
    let exportDir = "";
    let azure: ReturnType<typeof azurePrivateDnsAnswers>;
    let model: ReturnType<typeof modelAnswers>;

    beforeAll(async () => {
      job = runMainJob([data]);
      exportDir = path.join(job.outdir, "dns", "lab");
      const stackJson = JSON.parse(fs.readFileSync(path.join(job.outdir, "stacks", "kms-lab", "cdk.tf.json"), "utf8")) as Record<string, any>;
      azure = azurePrivateDnsAnswers(stackJson, zoneName);
      // The record model the stack builds (construction only, no synth).
      const stack = buildApp([fixtureEnvironment()], job.outdir).node.children.find((c): c is KmsStack => c instanceof KmsStack);
      if (!stack) throw new Error("buildApp made no KmsStack");
      model = modelAnswers(stack.dnsRecordModel);
      named = await startNamed({ zoneName, zoneBody: `$INCLUDE ${path.join(exportDir, "kms.zone")}` });
    }, 30_000);

    afterAll(async () => {
      await named?.stop();
      job?.cleanup();
    });

    /** What named answers now for the SRV record and each expected A record. */
    async function served(server: NamedServer): Promise<{ a: Map<string, DnsAnswer[]>; srv: DnsAnswer[] }> {
      const names = [...expected.a.keys()];
      const answers = await server.digMany([...names.map((name) => [name, "A"] as const), [`_vlmcs._tcp.${zoneName}.`, "SRV"] as const]);
      return { a: new Map(names.map((name, i) => [name, answers[i]])), srv: answers[names.length] };
    }

    async function serial(server: NamedServer): Promise<number> {
      const [soa] = await server.dig(`${zoneName}.`, "SOA");
      return Number(soa.data.split(" ")[2]);
    }

    test("the main job wrote kms.zone, kms.nsupdate and Publish-KmsDnsRecords.ps1 to <outdir>/dns/lab/", () => {
      expect(fs.readdirSync(exportDir).sort()).toEqual(["Publish-KmsDnsRecords.ps1", "kms.nsupdate", "kms.zone"]);
      expect(job?.result.dnsExportDirs).toEqual([exportDir]);
    });

    test("the record model and the stack's Azure Private DNS records are the fixture's records (priority and weight included)", () => {
      expect(model).toEqual(expected);
      expect(azure).toEqual(expected);
    });

    test("named-checkzone loads a zone that includes kms.zone with $INCLUDE, whatever the origin in effect (absolute names)", async () => {
      const zoneFile = path.join(exportDir, "including.db");
      // A relative name in kms.zone would land under elsewhere.invalid. and named-checkzone would refuse it as out of zone.
      fs.writeFileSync(zoneFile, zoneFileText(zoneName, `$INCLUDE ${path.join(exportDir, "kms.zone")} elsewhere.invalid.`));
      const dump = path.join(exportDir, "dump.db");
      const output = await run("named-checkzone", ["-i", "full", "-D", "-o", dump, zoneName, zoneFile]);
      expect(output).toMatch(new RegExp(`zone ${zoneName.replace(/\./g, "\\.")}/IN: loaded serial 1`));
      expect(output).not.toMatch(/ignoring|out-of-zone|error/i);
      expect(output.trim().split("\n").pop()).toBe("OK");
      // The zone as named-checkzone loaded it (canonical form): exactly the expected A and SRV records besides ns.
      const loaded = fs
        .readFileSync(dump, "utf8")
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter(([owner, , , type]) => (type === "A" || type === "SRV") && owner !== `ns.${zoneName}.`)
        .map(([owner, ttl, , type, ...data]) => ({ name: owner, ttl: Number(ttl), type, data: data.join(" ") }));
      expect(sortAnswers(loaded)).toEqual(sortAnswers([...expected.a.values()].flat().concat(expected.srv)));
    });

    test("named serves the SRV record and each A record from kms.zone, equal to the record model and to Azure Private DNS", async () => {
      const answers = await served(named!);
      expect(answers).toEqual(expected);
      expect(answers).toEqual(model);
      expect(answers).toEqual(azure);
    });

    test("kms.nsupdate sent twice over stale records leaves exactly one SRV entry per host on the KMS port and one A record per host", async () => {
      const server = named!;
      const [host1, host2] = [...expected.a.keys()];
      const host1Srv = expected.srv.find((entry) => entry.data.endsWith(` ${host1}`));
      if (!host1Srv) throw new Error(`fixture: no SRV entry for ${host1}`);
      // Stale state: host 1 has a wrong extra address and a different TTL, host 2 has no A record,
      // the SRV record has an entry for a retired host and lacks host 2.
      await server.nsupdate(
        [
          `zone ${zoneName}.`,
          `update add ${host1} 60 A 10.60.0.99`,
          `update delete ${host2} A`,
          `update delete _vlmcs._tcp.${zoneName}. SRV`,
          `update add _vlmcs._tcp.${zoneName}. 60 SRV 0 0 1688 kmsold01.${zoneName}.`,
          `update add _vlmcs._tcp.${zoneName}. 60 SRV ${host1Srv.data}`,
          "send",
          "",
        ].join("\n"),
      );
      const stale = await served(server);
      expect(stale).not.toEqual(expected);
      expect(stale.a.get(host2)).toEqual([]);

      const script = fs.readFileSync(path.join(exportDir, "kms.nsupdate"), "utf8");
      await server.nsupdate(script);
      expect(await served(server)).toEqual(expected);
      const serialAfterFirst = await serial(server);

      await server.nsupdate(script);
      const afterSecond = await served(server);
      expect(afterSecond).toEqual(expected);
      expect(afterSecond).toEqual(model);
      expect(afterSecond).toEqual(azure);
      expect(afterSecond.srv.map((s) => s.data.split(" ")[2])).toEqual(expected.srv.map(() => String(data.kms.port)));
      // Nothing changed the second time, so BIND did not even bump the zone's serial.
      expect(await serial(server)).toBe(serialAfterFirst);
      expect(server.log()).toMatch(/updating zone/);
    });
  });
}
