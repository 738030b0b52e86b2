// Production rules (issue 23, item 5): fewer than two hosts and a local state file are refused with
// the field and the fix; no zones in a zonal region and a burstable size are warned about. The lab
// tier is left alone. Fixtures only (test/fixtures/base-environments).
import * as fs from "fs";
import { stringify } from "yaml";
import { ConfigError, parseEnvironment } from "../../config/load-environments";
import { synthesizeAll } from "../../stacks/synthesize";
import { environmentWith } from "../support/environments";
import { projectWith } from "../support/projects";

function outcome(data: Record<string, unknown>): { problems: string[]; warnings: string[] } {
  const text = stringify(data);
  const result = parseEnvironment(`environments/${String(data.name)}.yaml`, text);
  const describe = (p: { file: string; line?: number; field: string; message: string }) => `${p.file}:${p.line ?? "?"}: ${p.field}: ${p.message}`;
  return result.ok ? { problems: [], warnings: result.warnings.map(describe) } : { problems: result.problems.map(describe), warnings: [] };
}

const LOCAL = { type: "local" };

describe("production refuses", () => {
  test.each([
    ["one host", (d: any) => ((d.hosts.count = 1), (d.hosts.zones = ["1"])), /^environments\/production\.yaml:\d+: hosts\.count: 1 host in production: a reboot for patching or a host or zone failure then stops activation for every client; use at least 2 hosts/],
    ["a local state file", (d: any) => (d.backend = LOCAL), /^environments\/production\.yaml:\d+: backend\.type: a local state file in production: the state holds the hosts' admin passwords in plain text .*use backend\.type: azurerm/],
  ])("%s, naming the file, line, field and fix", (_what, change, message) => {
    expect(outcome(environmentWith("production", change)).problems).toEqual([expect.stringMatching(message)]);
  });

  test("two hosts and an azurerm backend pass (the fixture as it is)", () => {
    expect(outcome(environmentWith("production", () => undefined))).toEqual({ problems: [], warnings: expect.any(Array) });
  });

  test("the main job refuses a local state file in production and writes nothing", () => {
    const run = projectWith({ production: environmentWith("production", (d) => (d.backend = LOCAL)) });
    try {
      expect(() => synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir })).toThrow(ConfigError);
      expect(() => synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir })).toThrow(/production\.yaml:\d+: backend\.type: a local state file in production/);
      expect(fs.existsSync(run.outdir)).toBe(false);
    } finally {
      run.cleanup();
    }
  });
});

describe("production warns (synthesis goes on)", () => {
  const productionWarnings = (change: (d: any) => void): string[] => outcome(environmentWith("production", change)).warnings.filter((w) => /hosts\.(zones|size)/.test(w));

  test("no zones in a region that has them (westeurope: zones in catalog/azure-regions.ts)", () => {
    expect(productionWarnings((d) => ((d.location = "westeurope"), (d.hosts.zones = [])))).toEqual([
      expect.stringMatching(/^environments\/production\.yaml:\d+: hosts\.zones: is empty, but westeurope has availability zones: the hosts may share one datacenter; list one zone per host/),
    ]);
  });

  test("no zones in a region without them is not warned about", () => {
    expect(productionWarnings((d) => ((d.location = "francesouth"), (d.hosts.zones = [])))).toEqual([]);
  });

  test.each(["Standard_B2s", "Standard_B2ms", "Standard_B2as_v2", "Standard_B1s"])("a burstable size, %s", (size) => {
    expect(productionWarnings((d) => (d.hosts.size = size))).toEqual([expect.stringMatching(new RegExp(`hosts\\.size: ${size} is a burstable \\(B-series\\) size: .*prefer a general-purpose size`))]);
  });

  test.each(["Standard_D2s_v5", "Standard_DS1_v2", "Standard_E2s_v5"])("a size that is not burstable, %s, is not warned about", (size) => {
    expect(productionWarnings((d) => (d.hosts.size = size))).toEqual([]);
  });
});

describe("the lab tier is left alone", () => {
  test("one host, a local state file, no zones in a zonal region and a burstable size", () => {
    const result = outcome(
      environmentWith("lab", (d) => {
        d.hosts.count = 1;
        d.backend = LOCAL;
        d.location = "westeurope";
        d.hosts.zones = [];
        d.hosts.size = "Standard_B2s";
      }),
    );
    expect(result.problems).toEqual([]);
    expect(result.warnings.filter((w) => /hosts\.(zones|size|count)|backend/.test(w))).toEqual([]);
  });
});
