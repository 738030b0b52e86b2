// The README's statements that depend on the providers' contract (rehearsal/provider-contract.ts)
// and on Azure's rules (rehearsal/azure-rules.ts), checked against them and against the stacks.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { forceNewAttributes } from "../../rehearsal/provider-contract";
import { azureRule } from "../../rehearsal/azure-rules";
import { validEnvironment } from "../support/environments";
import { synthesizeEnvironment } from "../support/synth";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const FIXTURES = path.join(__dirname, "..", "fixtures", "contract-environments");

/** The text of the README section under `heading` (up to the next heading of its level or above). */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}`);
  expect(start).toBeGreaterThan(-1);
  const end = README.indexOf("\n## ", start + 4);
  return README.slice(start, end === -1 ? undefined : end);
}

/** The top-level bullets of a section (each with its continuation lines). */
function bullets(text: string): string[] {
  return text.split(/\n(?=- )/).filter((b) => b.startsWith("- "));
}

describe("README, Safe changes: dns.ttl", () => {
  const safeChanges = section("Safe changes and what replaces a host");

  test("the contract says ttl replaces both RFC 2136 record sets (dns 3.4.3)", () => {
    expect(forceNewAttributes("dns_a_record_set")).toContain("ttl");
    expect(forceNewAttributes("dns_srv_record_set")).toContain("ttl");
    expect(forceNewAttributes("azurerm_private_dns_a_record")).not.toContain("ttl");
    expect(forceNewAttributes("azurerm_private_dns_srv_record")).not.toContain("ttl");
  });

  test("no bullet calls dns.ttl in place without saying it replaces the RFC 2136 records", () => {
    const inPlace = bullets(safeChanges).find((b) => b.startsWith("- **In place, no downtime:**"));
    expect(inPlace).toBeDefined();
    const mentions = (inPlace as string).split(/;\s*/).filter((part) => part.includes("`dns.ttl`"));
    for (const part of mentions) expect(part).toMatch(/Azure Private DNS/);
  });

  test("a bullet says dns.ttl replaces the RFC 2136 records, and the gap that leaves", () => {
    const statement = bullets(safeChanges).find((b) => b.includes("`dns.ttl`") && /RFC 2136/.test(b) && /replace/i.test(b));
    expect(statement).toBeDefined();
    expect(statement).toMatch(/delete|deleted/i);
    expect(statement).toMatch(/no SRV record|without (the|its|their) records/i);
  });
});

describe("README, roles: the production locks in the DNS zone's resource group", () => {
  test("a production stack on an existing zone elsewhere locks records in the zone's resource group (fixture production)", () => {
    const data = parse(fs.readFileSync(path.join(FIXTURES, "production.yaml"), "utf8")) as Record<string, any>;
    const stack = synthesizeEnvironment(validEnvironment(data));
    const records = { ...stack.json.resource.azurerm_private_dns_a_record, ...stack.json.resource.azurerm_private_dns_srv_record } as Record<string, any>;
    const lockedInZoneGroup = stack.resources("azurerm_management_lock").filter((lock) => {
      const name = /azurerm_private_dns_(?:a|srv)_record\.([^.]+)\.id/.exec(lock.scope)?.[1];
      return name !== undefined && records[name].resource_group_name === data.dns.zoneResourceGroup;
    });
    expect(data.dns.zoneResourceGroup).not.toBe(data.resourceGroup.name);
    expect(lockedInZoneGroup.length).toBe(data.hosts.count + 1);
  });

  test("the roles table grants locks/write (and delete) on the zone's resource group, which Private DNS Zone Contributor does not", () => {
    expect(azureRule("lock-write-needs-authorization").statement).toMatch(/Owner and User Access Administrator/);
    const row = README.split("\n").find((line) => line.startsWith("| on an existing DNS zone"));
    expect(row).toBeDefined();
    expect(row).toMatch(/Microsoft\.Authorization\/locks\/write/);
    expect(row).toMatch(/Microsoft\.Authorization\/locks\/delete/);
    expect(row).toMatch(/zone's resource group/);
  });
});
