// The exports for DNS administrators, written by the main job to <outdir>/dns/<environment>/.
// (test/dns/bind.test.ts proves kms.zone and kms.nsupdate on a real BIND 9.)
import { Token } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { KmsDnsRecords } from "../../constructs/kms-dns-records";
import { renderNsupdateScript, renderPublishScript, renderZoneFile, writeDnsExport } from "../../dns-export";
import { parsePowerShellFiles } from "../support/powershell-ast";
import type { KmsStack } from "../../stacks/kms-stack";
import { synthesizeAll } from "../../stacks/synthesize";
import { fixtureData, prepareMainJob, runMainJob } from "./support";

const records = new KmsDnsRecords({
  zoneName: "kms.example.test",
  port: 1689,
  ttl: 300,
  hosts: [
    { name: "kmsfix01", address: "10.60.0.10", weight: 60 },
    { name: "kmsfix02", address: "10.60.0.11", priority: 10, weight: 40 },
  ],
});

describe("kms.zone", () => {
  test("absolute owner names and targets with the trailing dot, the TTL, an A per host and an SRV entry per host", () => {
    const lines = renderZoneFile(records, "lab")
      .split("\n")
      .filter((l) => l && !l.startsWith(";"));
    expect(lines).toEqual([
      "kmsfix01.kms.example.test. 300 IN A 10.60.0.10",
      "kmsfix02.kms.example.test. 300 IN A 10.60.0.11",
      "_vlmcs._tcp.kms.example.test. 300 IN SRV 0 60 1689 kmsfix01.kms.example.test.",
      "_vlmcs._tcp.kms.example.test. 300 IN SRV 10 40 1689 kmsfix02.kms.example.test.",
    ]);
  });
});

describe("kms.nsupdate", () => {
  const script = renderNsupdateScript(records, "lab");
  const commands = script.split("\n").filter((l) => l && !l.startsWith(";"));

  test("has no server and no key lines, names the zone and ends with send", () => {
    expect(commands.filter((l) => /^(server|key|local|gsstsig|oldgsstsig)\b/.test(l))).toEqual([]);
    expect(commands[0]).toBe("zone kms.example.test.");
    expect(commands[commands.length - 1]).toBe("send");
    expect(commands.filter((l) => l === "send")).toHaveLength(1);
  });

  test("deletes each RRset it writes before adding the wanted records (a replace, in one message)", () => {
    expect(commands.slice(1, -1)).toEqual([
      "update delete kmsfix01.kms.example.test. A",
      "update add kmsfix01.kms.example.test. 300 A 10.60.0.10",
      "update delete kmsfix02.kms.example.test. A",
      "update add kmsfix02.kms.example.test. 300 A 10.60.0.11",
      "update delete _vlmcs._tcp.kms.example.test. SRV",
      "update add _vlmcs._tcp.kms.example.test. 300 SRV 0 60 1689 kmsfix01.kms.example.test.",
      "update add _vlmcs._tcp.kms.example.test. 300 SRV 10 40 1689 kmsfix02.kms.example.test.",
    ]);
  });
});

describe("Publish-KmsDnsRecords.ps1", () => {
  const script = renderPublishScript(records, { computerName: "dc01.corp.example.test" });

  test("carries the environment's zone, server, TTL, port and hosts as parameter defaults", () => {
    expect(script).toContain("[string] $ZoneName = 'kms.example.test', # export-default: ZoneName");
    expect(script).toContain("[string] $ComputerName = 'dc01.corp.example.test', # export-default: ComputerName");
    expect(script).toContain("[int] $TimeToLiveSeconds = 300, # export-default: TimeToLiveSeconds");
    expect(script).toContain("[int] $Port = 1689, # export-default: Port");
    expect(script).toContain(
      "[object[]] $KmsHosts = @(@{ Name = 'kmsfix01'; IPv4Address = '10.60.0.10'; Priority = 0; Weight = 60 }, @{ Name = 'kmsfix02'; IPv4Address = '10.60.0.11'; Priority = 10; Weight = 40 }) # export-default: KmsHosts",
    );
  });

  test("the template and the rendered script parse and are ASCII (Windows PowerShell 5.1 reads BOM-less files as ANSI)", () => {
    const templatePath = path.join(__dirname, "..", "..", "powershell", "Publish-KmsDnsRecords.ps1");
    const template = fs.readFileSync(templatePath, "utf8");
    // PowerShell's own parser, one pwsh run for both files.
    const renderedDir = fs.mkdtempSync(path.join(os.tmpdir(), "publish-script-"));
    try {
      const renderedPath = path.join(renderedDir, "Publish-KmsDnsRecords.ps1");
      fs.writeFileSync(renderedPath, script);
      expect(parsePowerShellFiles([templatePath, renderedPath]).map((facts) => facts.errors)).toEqual([[], []]);
    } finally {
      fs.rmSync(renderedDir, { recursive: true, force: true });
    }
    for (const text of [template, script]) {
      expect(text).toMatch(/^[\x09\x0A\x0D\x20-\x7E]*$/);
      // PowerShell's own parser (PowerShell 7-only syntax included) and Pester check the template
      // in test/powershell/Publish-KmsDnsRecords.Tests.ps1.
    }
    expect(template).toMatch(/\[CmdletBinding\(SupportsShouldProcess = \$true\)\]/);
  });

  test("a template whose marker drifted fails loudly", () => {
    expect(() => renderPublishScript(records, {}, "param([string] $ZoneName = '')")).toThrow(/expected the default marker .* exactly once, found it 0 times/);
  });
});

describe("the main job writes the exports only when every host has a static IP", () => {
  test("static IPs: <outdir>/dns/lab/ holds the three files, rendered from the same model as the stack", () => {
    const job = runMainJob([fixtureData()]);
    try {
      const dir = path.join(job.outdir, "dns", "lab");
      expect(job.result.dnsExportDirs).toEqual([dir]);
      expect(fs.readFileSync(path.join(dir, "kms.zone"), "utf8")).toBe(renderZoneFile(records, "lab"));
      expect(fs.readFileSync(path.join(dir, "kms.nsupdate"), "utf8")).toBe(renderNsupdateScript(records, "lab"));
      expect(fs.readFileSync(path.join(dir, "Publish-KmsDnsRecords.ps1"), "utf8")).toBe(renderPublishScript(records));
      expect(job.result.warnings.filter((w) => w.includes("DNS export"))).toEqual([]);
    } finally {
      job.cleanup();
    }
  });

  test("with dns.rfc2136, the publishing script's ComputerName defaults to the environment's DNS server", () => {
    const job = runMainJob([fixtureData((d) => ((d.dns.privateZone = false), (d.dns.rfc2136 = { server: "dc01.corp.example.test", gssapi: { realm: "CORP.EXAMPLE.TEST" } })))]);
    try {
      const script = fs.readFileSync(path.join(job.outdir, "dns", "lab", "Publish-KmsDnsRecords.ps1"), "utf8");
      expect(script).toBe(renderPublishScript(records, { computerName: "dc01.corp.example.test" }));
    } finally {
      job.cleanup();
    }
  });

  test("dynamic IPs: no export, a warning that says why and what to do, and a stale export from an earlier run is removed", () => {
    const first = runMainJob([fixtureData()]);
    try {
      const dir = path.join(first.outdir, "dns", "lab");
      expect(fs.existsSync(dir)).toBe(true);
      const file = path.join(first.environmentsDir, "lab.yaml");
      fs.writeFileSync(file, stringify(fixtureData((d) => delete d.hosts.privateIpAddresses)));
      const second = synthesizeAll({ environmentsDir: first.environmentsDir, outdir: first.outdir });
      expect(second.dnsExportDirs).toEqual([]);
      expect(second.warnings).toContainEqual(
        expect.stringMatching(/^\[kms-lab\] no DNS export written to .*dns\/lab\/: host\(s\) kmsfix01, kmsfix02 have no static IP.*set hosts\.privateIpAddresses .* or publish through Terraform with dns\.rfc2136/),
      );
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      first.cleanup();
    }
  });

  test("a run that fails after lab's export was rendered writes nothing (the exports go through the same staging as the stacks)", () => {
    const run = prepareMainJob([fixtureData(), fixtureData((d) => {
      // Names Azure requires to be unique differ between the two files (issue 9's cross-file checks).
      d.name = "zz";
      d.keyVault.name = `${d.keyVault.name}-zz`.slice(0, 24);
      d.resourceGroup.name = `${d.resourceGroup.name}-zz`;
      d.dns.zoneName = `zz.${d.dns.zoneName}`;
    })]);
    try {
      // zz's stack sorts after lab's, so lab's export is already in the staging directory when zz's fails.
      const failZzExport = (stack: KmsStack) => {
        if (stack.config.name !== "zz") return;
        Object.defineProperty(stack, "dnsRecordModel", {
          get() {
            throw new Error("export failed on purpose");
          },
        });
      };
      expect(() => synthesizeAll({ environmentsDir: run.environmentsDir, outdir: run.outdir, extend: failZzExport })).toThrow("export failed on purpose");
      expect(fs.existsSync(run.outdir)).toBe(false);
    } finally {
      run.cleanup();
    }
  });
});

describe("writeDnsExport on its own (unstaged, as under the cdktf CLI)", () => {
  test("removes an earlier export when the hosts no longer all have static IPs", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-dns-unstaged-"));
    try {
      expect(writeDnsExport(outdir, "lab", records).written).toBe(true);
      const dynamic = new KmsDnsRecords({ zoneName: "kms.example.test", hosts: [{ name: "kmsfix01", address: Token.asString({ nic: 1 }) }] });
      const result = writeDnsExport(outdir, "lab", dynamic);
      expect(result).toEqual({ written: false, directory: path.join(outdir, "dns", "lab"), reason: expect.stringContaining("kmsfix01 have no static IP") });
      expect(fs.existsSync(result.directory)).toBe(false);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
