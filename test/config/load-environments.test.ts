// config/load-environments.ts: what a bad environment file or directory is told, field by field,
// for the kinds of mistake the schema alone words generically (a wrong type, a value that is too
// long, a misplaced document), and the checks that span files.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, environmentFiles, formatPath, formatProblem, loadEnvironmentFiles, parseEnvironment } from "../../config/load-environments";
import { environmentWith } from "../support/environments";

/** The problems for the lab fixture changed by `change`, as [field, message]. */
function problems(change: (d: any) => void, file = "environments/lab.yaml"): [string, string][] {
  const result = parseEnvironment(file, stringify(environmentWith("lab", change)));
  return result.ok ? [] : result.problems.map((p) => [p.field, p.message]);
}

/** A valid azurerm backend section. */
const AZURERM_BACKEND = { type: "azurerm", resourceGroupName: "rg-terraform-state", storageAccountName: "sttfstatecontoso", containerName: "tfstate", key: "kms-lab.tfstate" };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-load-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a value of the wrong type is told what it is and how to write it", () => {
  test.each([
    ["a quoted boolean", (d: any) => (d.resourceGroup.create = "yes"), "resourceGroup.create", 'expected boolean, got "yes"; write true or false without quotes'],
    ["a single value for a list", (d: any) => (d.clientCidrs = "10.0.0.0/8"), "clientCidrs", "expected array, got \"10.0.0.0/8\"; write a YAML list (one '- item' per line)"],
    ["a number for a text", (d: any) => (d.location = 5), "location", "expected string, got 5; write a text value (quote it if it looks like a number)"],
    ["null for a text", (d: any) => (d.location = null), "location", "expected string, got null; write a text value (quote it if it looks like a number)"],
    ["a list for a text", (d: any) => (d.location = ["westeurope"]), "location", "expected string, got a list; write a text value (quote it if it looks like a number)"],
    ["a mapping for a text", (d: any) => (d.location = { region: "westeurope" }), "location", "expected string, got a mapping; write a text value (quote it if it looks like a number)"],
    ["a boolean for a text", (d: any) => (d.location = true), "location", "expected string, got true; write a text value (quote it if it looks like a number)"],
    ["a text for a mapping", (d: any) => (d.network = "vnet-kms"), "network", 'expected object, got "vnet-kms"; write a YAML mapping of fields'],
    ["a text for the tags", (d: any) => (d.tags = "it-lab"), "tags", 'expected record, got "it-lab"; write a YAML mapping of fields'],
  ])("%s", (_what, change, field, message) => {
    expect(problems(change)).toEqual([[field, message]]);
  });
});

describe("other mistakes the schema words generically", () => {
  test("a value that is not among the allowed ones lists them", () => {
    expect(problems((d) => (d.tier = "staging"))).toEqual([["tier", '"staging" is not allowed; use one of "lab", "production"']]);
  });

  test("a backend type that is missing or unknown names the two types", () => {
    expect(problems((d) => (d.backend = {}))).toEqual([["backend.type", 'required field is missing; add it ("local" or "azurerm")']]);
    expect(problems((d) => (d.backend = { type: "s3" }))).toEqual([["backend.type", '"s3" is not allowed; use "local" or "azurerm"']]);
  });

  test("a text that is too long or too short says so, with the field's own fix", () => {
    expect(problems((d) => (d.hosts.namePrefix = "abcdefghijklmnopq"))).toEqual([
      ["hosts.namePrefix", '"abcdefghijklmnopq" is too long; Windows computer names are at most 15 characters and two digits are appended (e.g. kms01); shorten the prefix to at most 13 characters'],
    ]);
    expect(problems((d) => (d.resourceGroup.name = ""))[0]).toEqual(["resourceGroup.name", '"" is too short; write a resource group name']);
  });

  test("a number out of range says which bound", () => {
    expect(problems((d) => (d.kms.port = 70000))).toEqual([["kms.port", "70000 is out of range; use a TCP port from 1 to 65535"]]);
    expect(problems((d) => (d.kms.port = 0))).toEqual([["kms.port", "0 is out of range; use a TCP port from 1 to 65535"]]);
  });

  test("a value of the wrong form says what the field wants", () => {
    expect(problems((d) => (d.subscriptionId = "not-a-guid"))).toEqual([["subscriptionId", '"not-a-guid" is not valid; write the subscription id, a UUID']]);
  });

  test("a value of the wrong form with no message of the field's own says which form", () => {
    expect(problems((d) => (d.backend = { ...AZURERM_BACKEND, subscriptionId: "abc" }))).toEqual([["backend.subscriptionId", '"abc" is not valid; expected uuid']]);
  });

  test("a required field that is missing is described, at the line of the mapping it belongs in", () => {
    const data = environmentWith("lab", (d) => delete d.dns.zoneName);
    const text = stringify(data);
    const result = parseEnvironment("environments/lab.yaml", text);
    const dnsLine = text.split("\n").indexOf("dns:") + 1;
    expect(result.ok ? [] : result.problems.map((p) => [p.field, p.line, p.message])).toEqual([
      ["dns.zoneName", dnsLine + 1, "required field is missing; add it (The clients' DNS suffix; clients query _vlmcs._tcp.<zoneName>.)"],
    ]);
  });

  describe("an unknown field", () => {
    test("in a mapping, with no field of a close name, lists the mapping's fields", () => {
      expect(problems((d) => (d.resourceGroup.zzzzzzzzzz = 1))).toEqual([["resourceGroup.zzzzzzzzzz", 'unknown field "zzzzzzzzzz"; allowed fields here: name, create (remove or rename it)']]);
    });

    test("in the azurerm backend, suggests that form's own field", () => {
      expect(problems((d) => (d.backend = { ...AZURERM_BACKEND, containerNme: "tfstate" }))).toEqual([
        ["backend.containerNme", 'unknown field "containerNme"; did you mean "containerName"? (remove or rename it)'],
      ]);
    });

    test("in the azurerm backend, lists that form's fields only, not the local backend's", () => {
      expect(problems((d) => (d.backend = { ...AZURERM_BACKEND, zzzzzzzzzz: "x" }))).toEqual([
        ["backend.zzzzzzzzzz", 'unknown field "zzzzzzzzzz"; allowed fields here: type, resourceGroupName, storageAccountName, containerName, key, subscriptionId (remove or rename it)'],
      ]);
    });

    test("in the local backend, suggests path and not the azurerm backend's fields", () => {
      expect(problems((d) => (d.backend = { type: "local", paht: "state.tfstate" }))).toEqual([["backend.paht", 'unknown field "paht"; did you mean "path"? (remove or rename it)']]);
      expect(problems((d) => (d.backend = { type: "local", containerName: "tfstate" }))).toEqual([
        ["backend.containerName", 'unknown field "containerName"; allowed fields here: type, path (remove or rename it)'],
      ]);
    });
  });

  test.each([
    ["a list", "- a\n- b\n"],
    ["a single value", "just text\n"],
    ["nothing", ""],
  ])("a document that is %s is told to be a mapping of fields", (_what, text) => {
    expect(parseEnvironment("environments/lab.yaml", text)).toEqual({
      ok: false,
      problems: [{ file: "environments/lab.yaml", field: "", message: "must be a YAML mapping of fields (name, location, ...); see environments/lab.yaml" }],
    });
  });

  test("a .yml file is named after its file too", () => {
    expect(parseEnvironment("environments/lab.yml", stringify(environmentWith("lab", () => undefined))).ok).toBe(true);
    expect(problems(() => undefined, "environments/lab.yaml.bak")).toEqual([["name", '"lab" must equal the file name "lab.yaml.bak" (the stack is kms-<name>); rename the file or the field']]);
  });
});

describe("field paths", () => {
  test.each([
    [["hosts", "privateIpAddresses", 1], "hosts.privateIpAddresses[1]"],
    [["tags", "cost-center"], "tags.cost-center"],
    [["tags", "kostenstelle_ä2"], "tags.kostenstelle_ä2"],
    [["tags", "cost.center"], 'tags["cost.center"]'],
    [["tags", "cost center"], 'tags["cost center"]'],
    [["tags", ""], 'tags[""]'],
    [["tags", "2fa"], 'tags["2fa"]'],
    [["x.y", "z"], '["x.y"].z'],
  ] as const)("%j is written %s", (fieldPath, written) => {
    expect(formatPath(fieldPath)).toBe(written);
  });

  test("a tag name over 512 bytes is told the limit at its own name, not zod's \"Invalid key in record\"", () => {
    const long = "x".repeat(513);
    const result = parseEnvironment("environments/lab.yaml", stringify(environmentWith("lab", (d) => (d.tags = { [long]: "v" }))));
    expect(result.ok ? [] : result.problems.map((p) => [p.field, p.line, p.message])).toEqual([[`tags.${long}`, expect.any(Number), "a tag name is at most 512 bytes; shorten it"]]);
  });
});

describe("the environments directory", () => {
  test("a missing directory is refused, saying what to create", () => {
    const missing = path.join(dir, "environments");
    expect(() => environmentFiles(missing)).toThrow(new ConfigError([{ file: missing, field: "", message: "directory not found; create it with one <name>.yaml file per environment" }]));
    expect(() => environmentFiles(missing)).toThrow(`${missing}: directory not found; create it with one <name>.yaml file per environment`);
  });

  test("lists the .yaml and .yml files only, in name order", () => {
    for (const name of ["b.yml", "a.yaml", "notes.txt", "c.yaml.bak", "d.yamlx"]) fs.writeFileSync(path.join(dir, name), "");
    expect(environmentFiles(dir).map((f) => path.basename(f))).toEqual(["a.yaml", "b.yml"]);
  });

  test("a directory without environment files is refused, saying how to start one", () => {
    fs.writeFileSync(path.join(dir, "notes.txt"), "");
    expect(() => loadEnvironmentFiles(dir)).toThrow(new ConfigError([{ file: dir, field: "", message: "no environment files (*.yaml); copy environments/lab.yaml to start one" }]));
  });

  test("a ConfigError is named so, and prints each problem as file:line: field: message", () => {
    const error = new ConfigError([
      { file: "environments/lab.yaml", line: 3, field: "location", message: "m1" },
      { file: "environments/lab.yaml", field: "", message: "m2" },
    ]);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toBe("environments/lab.yaml:3: location: m1\nenvironments/lab.yaml: m2");
    expect(formatProblem({ file: "f.yaml", field: "x", message: "m" })).toBe("f.yaml: x: m");
  });
});

describe("checks across files", () => {
  const write = (name: string, change: (d: any) => void): void => fs.writeFileSync(path.join(dir, `${name}.yaml`), stringify(environmentWith("lab", (d) => ((d.name = name), change(d)))));
  const messages = (): string[] => {
    try {
      loadEnvironmentFiles(dir);
      return [];
    } catch (error) {
      return (error as ConfigError).problems.map((p) => `${p.field}: ${p.message}`);
    }
  };
  const distinct = (d: any, n: number): void => {
    d.keyVault.name = `kv-kms-test-${n}`;
    d.resourceGroup.name = `rg-kms-${n}`;
    d.dns.zoneName = `z${n}.contoso.internal`;
  };

  test("two files creating one resource group in the same subscription: the second is told, with the name as written", () => {
    write("one", (d) => distinct(d, 1));
    write("two", (d) => (distinct(d, 2), (d.resourceGroup.name = "RG-KMS-1")));
    expect(messages()).toEqual([`resourceGroup.name: "RG-KMS-1" is already the resource group (created) in the same subscription of ${path.join(dir, "one.yaml")}; two stacks cannot both create one resource group, so give each environment its own resourceGroup.name`]);
  });

  test("the same resource group name in two subscriptions, or used without creating it, is fine", () => {
    write("one", (d) => (distinct(d, 1), (d.subscriptionId = "11111111-1111-4111-8111-111111111111")));
    write("two", (d) => (distinct(d, 2), (d.resourceGroup.name = "rg-kms-1"), (d.subscriptionId = "22222222-2222-4222-8222-222222222222")));
    write("three", (d) => (distinct(d, 3), (d.resourceGroup = { name: "rg-kms-1", create: false })));
    expect(messages()).toEqual([]);
  });

  test("two files creating one zone in one resource group (its own, or named as the zone's): the second is told; in another resource group it is fine", () => {
    write("one", (d) => distinct(d, 1));
    write("two", (d) => (distinct(d, 2), (d.dns.zoneName = "z1.contoso.internal"), (d.dns.zoneResourceGroup = "rg-kms-1")));
    expect(messages()).toEqual([
      `dns.zoneName: "z1.contoso.internal" is already the private DNS zone (created) in the same resource group of ${path.join(dir, "one.yaml")}; two stacks cannot both create one zone, nor share one (each writes the _vlmcs._tcp SRV record); give each environment its own dns.zoneName, or publish one without a private zone (dns.privateZone: false)`,
    ]);
    write("two", (d) => (distinct(d, 2), (d.dns.zoneName = "z1.contoso.internal"), (d.dns.zoneResourceGroup = "rg-dns")));
    expect(messages()).toEqual([]);
  });

  test("the same zone in one resource group name of two subscriptions is fine", () => {
    write("one", (d) => (distinct(d, 1), (d.subscriptionId = "11111111-1111-4111-8111-111111111111")));
    write("two", (d) => (distinct(d, 2), (d.dns.zoneName = "z1.contoso.internal"), (d.dns.zoneResourceGroup = "rg-kms-1"), (d.subscriptionId = "22222222-2222-4222-8222-222222222222")));
    expect(messages()).toEqual([]);
  });

  const vaultId = (name: string) => `/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/${name}`;
  const useVault = (d: any, name: string): void => void (d.keyVault = { id: vaultId(name) });

  test("one vault and overlapping computer names: the second file is told which secrets both would write, at hosts.namePrefix", () => {
    write("one", (d) => (distinct(d, 1), (d.keyVault.name = "kv-kms-shared"), (d.hosts.count = 2)));
    write("two", (d) => (distinct(d, 2), useVault(d, "KV-KMS-Shared"), (d.hosts.count = 3)));
    const found = messages();
    expect(found).toEqual([
      `hosts.namePrefix: host(s) kmslab01, kmslab02 are also hosts of ${path.join(dir, "one.yaml")}, and both files use the Key Vault kv-kms-shared: both stacks would write kmslab01-admin-password, kmslab02-admin-password there (the second apply fails, or one overwrites the other's password); give each environment its own hosts.namePrefix (or its own vault)`,
    ]);
  });

  test("one vault with different computer names, or the same names in different vaults, is fine", () => {
    write("one", (d) => (distinct(d, 1), useVault(d, "kv-kms-shared")));
    write("two", (d) => (distinct(d, 2), useVault(d, "kv-kms-shared"), (d.hosts.namePrefix = "kmsother")));
    write("three", (d) => (distinct(d, 3), useVault(d, "kv-kms-other")));
    expect(messages()).toEqual([]);
  });

  test("a prefix that only starts like another (kmslab and kmslab0) shares no computer name", () => {
    write("one", (d) => (distinct(d, 1), useVault(d, "kv-kms-shared"), (d.hosts.count = 2)));
    write("two", (d) => (distinct(d, 2), useVault(d, "kv-kms-shared"), (d.hosts.namePrefix = "kmslab0"), (d.hosts.count = 1)));
    // kmslab0 + 01 = kmslab001: no clash with kmslab01, kmslab02.
    expect(messages()).toEqual([]);
  });

  test("one RFC 2136 server and zone: the second file is told at dns.rfc2136.server; another zone or port is fine", () => {
    const rfc2136 = (d: any, server: string, port = 53): void => ((d.dns.privateZone = false), void (d.dns.rfc2136 = { server, port, tsig: { keyName: "kms-update" } }));
    write("one", (d) => (distinct(d, 1), rfc2136(d, "ns1.corp.example.test"), (d.dns.zoneName = "kms.corp.example.test")));
    write("two", (d) => (distinct(d, 2), rfc2136(d, "NS1.corp.example.test."), (d.dns.zoneName = "kms.corp.example.test"), (d.hosts.namePrefix = "kmsother")));
    expect(messages()).toEqual([
      `dns.rfc2136.server: ${path.join(dir, "one.yaml")} also publishes to zone kms.corp.example.test on NS1.corp.example.test. port 53: each stack manages the whole _vlmcs._tcp record set (dns_srv_record_set), so every apply would replace the other's entries; publish both environments' hosts from one environment file, or give each its own zone (dns.zoneName)`,
    ]);
    write("two", (d) => (distinct(d, 2), rfc2136(d, "ns1.corp.example.test"), (d.hosts.namePrefix = "kmsother")));
    write("three", (d) => (distinct(d, 3), rfc2136(d, "ns1.corp.example.test", 5353), (d.dns.zoneName = "kms.corp.example.test"), (d.hosts.namePrefix = "kmsthree")));
    expect(messages()).toEqual([]);
  });

  test("one private zone, created by one file and used by another: the second is told which records both would write", () => {
    write("one", (d) => (distinct(d, 1), (d.hosts.count = 2)));
    write("two", (d) => (distinct(d, 2), (d.dns = { ...d.dns, zoneName: "z1.contoso.internal", createZone: false, zoneResourceGroup: "RG-KMS-1" })));
    expect(messages()).toEqual([
      `dns.zoneName: ${path.join(dir, "one.yaml")} also publishes to the private zone z1.contoso.internal in resource group RG-KMS-1: both stacks would write the records _vlmcs._tcp (SRV), kmslab01 (A) (the second apply fails: "already exists"); give each environment its own zone (dns.zoneName), or publish this one without a private zone (dns.privateZone: false)`,
    ]);
    // Without a private zone in the second file, nothing is shared.
    write("two", (d) => (distinct(d, 2), (d.dns = { zoneName: "z1.contoso.internal", privateZone: false })));
    expect(messages()).toEqual([]);
  });

  test("two azurerm backends with one state blob: the second is told; another key is fine", () => {
    const backend = (key: string) => ({ type: "azurerm", resourceGroupName: "rg-terraform-state", storageAccountName: "sttfstatecontoso", containerName: "tfstate", key });
    write("one", (d) => ((distinct(d, 1)), (d.backend = backend("kms.tfstate"))));
    write("two", (d) => ((distinct(d, 2)), (d.backend = backend("kms.tfstate"))));
    expect(messages()).toEqual([
      `backend.key: "sttfstatecontoso/tfstate/kms.tfstate" is already the state blob of ${path.join(dir, "one.yaml")}; two stacks sharing one state blob overwrite each other's state, so give each environment its own backend.key`,
    ]);
    write("two", (d) => ((distinct(d, 2)), (d.backend = backend("kms-two.tfstate"))));
    expect(messages()).toEqual([]);
  });
});

describe("YAML that does not parse", () => {
  test("is refused at the line of the mistake, with the parser's words and no field", () => {
    expect(parseEnvironment("environments/lab.yaml", "name: lab\ntier: [lab\n")).toEqual({
      ok: false,
      problems: [{ file: "environments/lab.yaml", field: "", line: 3, message: "not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]; fix the syntax at this line" }],
    });
  });

  test("a field written twice is refused at its second line", () => {
    expect(parseEnvironment("environments/lab.yaml", "name: lab\nname: lab2\ntier: lab\n")).toEqual({
      ok: false,
      problems: [{ file: "environments/lab.yaml", field: "", line: 2, message: "not valid YAML: Map keys must be unique; fix the syntax at this line" }],
    });
  });
});

describe("the line of a problem", () => {
  test("a missing top-level field has no line: there is no mapping above it to point at", () => {
    const result = parseEnvironment("environments/lab.yaml", stringify(environmentWith("lab", (d) => delete d.location)));
    expect(result.ok ? [] : result.problems.map((p) => [p.field, p.line])).toEqual([["location", undefined]]);
  });

  test("a missing field two levels down points at its nearest written parent", () => {
    const data = environmentWith("lab", (d) => delete d.kms.products[1].volumeLicensePack.sha256);
    const text = stringify(data);
    const result = parseEnvironment("environments/lab.yaml", text);
    const lines = text.split("\n");
    const uriLine = lines.findIndex((line) => line.trim().startsWith("uri:")) + 1;
    expect(result.ok ? [] : result.problems.map((p) => [p.field, p.line])).toEqual([["kms.products[1].volumeLicensePack.sha256", uriLine]]);
  });

  test("a file whose name field differs from its file name is told at the name's line", () => {
    const text = `# a comment first\n${stringify(environmentWith("lab", () => undefined))}`;
    const result = parseEnvironment("environments/lab2.yaml", text);
    expect(result.ok ? [] : result.problems.map((p) => [p.field, p.line])).toEqual([["name", 2]]);
  });
});

describe("file names in messages", () => {
  const badFile = (): string => {
    fs.writeFileSync(path.join(dir, "lab.yaml"), "name: lab\ntier: [lab\n");
    try {
      loadEnvironmentFiles(dir);
    } catch (error) {
      return (error as ConfigError).problems[0].file;
    }
    throw new Error("the bad file was accepted");
  };

  test("a file below the working directory is named relative to it", () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(badFile()).toBe("lab.yaml");
    } finally {
      process.chdir(cwd);
    }
  });

  test("a file outside the working directory is named by its absolute path", () => {
    const cwd = process.cwd();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "kms-cwd-"));
    process.chdir(elsewhere);
    try {
      expect(badFile()).toBe(path.join(dir, "lab.yaml"));
    } finally {
      process.chdir(cwd);
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
