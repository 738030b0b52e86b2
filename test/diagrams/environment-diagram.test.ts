// diagrams/: the picture of an environment is drawn from its synthesized stack. The fixture's
// expectations come from the fixture file and the stack JSON, not from the diagram code.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { environmentDiagramDot, referencesIn } from "../../diagrams/environment-diagram";
import { diagramMarker, markerOf, renderSvg, writeDiagrams } from "../../diagrams/render";
import { environmentWith, validEnvironment } from "../support/environments";
import { synthesizeEnvironment, type SynthesizedStack } from "../support/synth";

describe("the DOT of a synthesized stack (fixture production: two hosts in zones 1 and 2, an existing subnet)", () => {
  let data: Record<string, any>;
  let stack: SynthesizedStack;
  let dot: string;
  beforeAll(() => {
    data = environmentWith("production", () => undefined);
    stack = synthesizeEnvironment(validEnvironment(data));
    dot = environmentDiagramDot(stack.json, "Environment production");
  });

  test("shows every host once, inside the cluster of its availability zone", () => {
    const vms = stack.resources("azurerm_windows_virtual_machine");
    expect(vms).toHaveLength(data.hosts.count);
    for (const vm of vms) {
      const cluster = new RegExp(`subgraph "cluster_Availability zone ${vm.zone}" \\{[^}]*label="${vm.name}\\\\n`);
      expect(dot).toMatch(cluster);
      expect(dot.split(`label="${vm.name}\\n`)).toHaveLength(2);
    }
    expect(new Set(vms.map((vm) => vm.zone))).toEqual(new Set(data.hosts.zones));
  });

  test("lists each NSG rule with its priority, and the fixture's client networks as a source", () => {
    const rules = stack.resources("azurerm_network_security_rule");
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(dot).toContain(`<tr><td>${rule.priority}</td><td>${rule.direction}</td><td>${rule.access}</td>`);
    expect(dot).toContain(data.clientCidrs.join(", "));
    expect(dot).toContain("Existing subnet vnet-hub-weu / snet-kms");
  });

  test("draws each role assignment as an arrow labelled with its role, to the vault", () => {
    const grants = stack.resources("azurerm_role_assignment");
    const arrows = dot.split("\n").filter((line) => line.includes("->") && /label="Key Vault Secrets (User|Officer)/.test(line));
    expect(arrows).toHaveLength(grants.length);
    for (const product of data.kms.products) expect(dot).toContain(`secret ${product.secretName}`);
    expect(dot).toContain(`label="${data.keyVault.name}\\npurge protection`);
  });

  test("shows the SRV record with one row per host on the KMS port, naming the hosts' A records in the zone", () => {
    const srv = stack.resources("azurerm_private_dns_srv_record")[0];
    expect(srv.record).toHaveLength(data.hosts.count);
    for (let i = 1; i <= data.hosts.count; i += 1) {
      const host = `${data.hosts.namePrefix}${String(i).padStart(2, "0")}.${data.dns.zoneName}.`;
      expect(dot).toContain(`<td>${data.kms.port}</td><td>${host}</td>`);
      expect(dot).toContain(`A ${host}\\nTTL ${data.dns.ttl}`);
    }
    expect(dot).toContain(`SRV _vlmcs._tcp.${data.dns.zoneName}.`);
  });

  test("shows the monitoring: workspace, data collection rule, every alert and the action group", () => {
    for (const alert of stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2")) expect(dot).toContain(alert.name);
    expect(dot).toContain(`Log Analytics ${stack.resources("azurerm_log_analytics_workspace")[0].name}`);
    expect(dot).toContain("notifies nobody (portal only)");
    expect(dot.match(/label="agent"/g)).toHaveLength(data.hosts.count);
  });

  test("marks what the production delete locks cover, and lists any resource type it does not draw", () => {
    expect(dot.match(/\[CanNotDelete lock\]/g)?.length).toBeGreaterThanOrEqual(data.hosts.count + 1);
    expect(environmentDiagramDot({ resource: { azurerm_something_new: { x: {} } } }, "t")).toContain("1 x azurerm_something_new");
  });

  test("is the same text for the same stack", () => {
    expect(environmentDiagramDot(stack.json, "Environment production")).toBe(dot);
  });

  test("reads references to resources and data sources once each", () => {
    expect(referencesIn(["${azurerm_a.b.id}", "${data.azurerm_c.d.id}/x", "${azurerm_a.b.name}"])).toEqual(["azurerm_a.b", "data.azurerm_c.d"]);
  });
});

describe("SVG files (Graphviz as WebAssembly)", () => {
  let dir = "";
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-diagrams-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("an SVG carries the marker of the DOT it was drawn from", async () => {
    const svg = await renderSvg("x", "digraph { a -> b }");
    expect(svg).toMatch(/^<\?xml[^\n]*\n<!-- azure-kms-host diagram of environment x; dot-sha256 [0-9a-f]{64};/);
    expect(svg).toContain("<svg");
    expect(markerOf(svg)).toBe(diagramMarker("x", "digraph { a -> b }"));
  }, 30_000);

  test("writeDiagrams draws a changed stack and leaves an unchanged picture alone", async () => {
    const stackFile = path.join(dir, "stacks", "kms-t", "cdk.tf.json");
    fs.mkdirSync(path.dirname(stackFile), { recursive: true });
    fs.writeFileSync(stackFile, JSON.stringify({ resource: { azurerm_windows_virtual_machine: { v: { name: "vmone", size: "S", zone: "1" } } } }));
    const first = await writeDiagrams(dir, [{ environment: "t", stackFile }]);
    expect(first.written).toEqual([path.join(dir, "diagrams", "t.svg")]);
    const before = fs.statSync(first.written[0]).mtimeMs;
    expect((await writeDiagrams(dir, [{ environment: "t", stackFile }])).unchanged).toEqual(first.written);
    expect(fs.statSync(first.written[0]).mtimeMs).toBe(before);
    fs.writeFileSync(stackFile, JSON.stringify({ resource: { azurerm_windows_virtual_machine: { v: { name: "vmtwo", size: "S", zone: "1" } } } }));
    expect((await writeDiagrams(dir, [{ environment: "t", stackFile }])).written).toEqual(first.written);
    expect(fs.readFileSync(first.written[0], "utf8")).toContain("vmtwo");
    expect(fs.readdirSync(path.join(dir, "diagrams"))).toEqual(["t.svg"]);
  }, 30_000);
});
