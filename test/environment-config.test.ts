// Validation of environment files: every class of bad input gets a message that names the field
// and the fix; the fixture files validate; the published JSON Schema is current. (The shipped
// files are checked generically in shipped-environments.test.ts.)
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as z from "zod";
import { environmentSchema } from "../config/environment-schema";
import { ConfigError, loadEnvironments, parseEnvironment } from "../config/load-environments";
import { ENVIRONMENTS_DIR, environmentWith, FIXTURE_ENVIRONMENTS_DIR, fixtureEnvironmentData, problemsOf } from "./support/environments";
import { stringify } from "yaml";

describe("environment files", () => {
  test.each(["lab", "production"] as const)("the %s fixture validates", (name) => {
    expect(problemsOf(fixtureEnvironmentData(name))).toEqual([]);
  });

  test("every file in a directory loads, named after its file", () => {
    expect(loadEnvironments(FIXTURE_ENVIRONMENTS_DIR).map((e) => e.name)).toEqual(["lab", "production"]);
  });

  test("the published JSON Schema matches the schema in code (run `npm run schema` after changing it)", () => {
    const published = JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS_DIR, "environment.schema.json"), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(environmentSchema, { io: "input" }))));
  });

  test("defaults fill in the KMS port, zones and tags", () => {
    const result = parseEnvironment("environments/lab.yaml", stringify(environmentWith("lab", (d) => { delete d.kms.port; delete d.tags; })));
    expect(result.ok && result.environment).toMatchObject({ kms: { port: 1688 }, hosts: { zones: [] }, tags: {} });
  });
});

describe("client ranges", () => {
  test.each(["0.0.0.0/0", "*", "Internet", "::/0", "Any"])("refuse %s as opening the KMS port to the Internet", (cidr) => {
    const problems = problemsOf(environmentWith("lab", (d) => d.clientCidrs.push(cidr)));
    expect(problems).toEqual([`clientCidrs[2]: "${cidr}" opens the port to the whole Internet; list your client networks instead`]);
  });

  test.each(["10.0.0.300/24", "10.0.0.0/33", "not-a-cidr", "10.0.0.1"])("refuse the invalid CIDR %s", (cidr) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.clientCidrs = [cidr])))).toEqual([expect.stringMatching(/^clientCidrs\[0\]: .*(not a valid CIDR|not a CIDR block|service tag)/)]);
  });

  test("refuse an empty list", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.clientCidrs = [])))).toEqual([expect.stringMatching(/^clientCidrs: list at least one client network/)]);
  });

  test("refuse an Internet-wide admin range", () => {
    expect(problemsOf(environmentWith("production", (d) => (d.adminCidrs = ["0.0.0.0/0"])))).toEqual([expect.stringMatching(/^adminCidrs\[0\]: .*whole Internet/)]);
  });
});

describe("hosts", () => {
  test.each([0, 7])("refuse a count of %s", (count) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.count = count)))).toEqual([expect.stringMatching(/^hosts\.count: /)]);
  });

  test("explain the six-host limit of a KMS host key", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.count = 7)))[0]).toMatch(/at most 6 hosts/);
  });

  test("refuse a name prefix that makes computer names over 15 characters", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.namePrefix = "kmslaboratory1")))).toEqual([
      expect.stringMatching(/^hosts\.namePrefix: .*at most 15 characters.*at most 13 characters/),
    ]);
  });

  test("refuse an image that is not offered, naming the allowed ones", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.image = "windows-server-2022-azure-edition")))).toEqual([
      expect.stringMatching(/^hosts\.image: .*windows-server-2022.*windows-server-2025/),
    ]);
  });

  test("refuse static IPs outside the subnet or of the wrong count", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.privateIpAddresses = ["10.99.0.4"])))).toEqual([expect.stringMatching(/^hosts\.privateIpAddresses\[0\]: .*not inside/)]);
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.privateIpAddresses = ["10.50.0.4", "10.50.0.5"])))).toEqual([expect.stringMatching(/^hosts\.privateIpAddresses: lists 2 addresses for 1 hosts/)]);
  });

  test("refuse zones given as numbers, with the fix", () => {
    expect(problemsOf(environmentWith("production", (d) => (d.hosts.zones = [1, 2])))[0]).toMatch(/^hosts\.zones\[0\]: /);
  });
});

describe("KMS port", () => {
  test.each([0, 70000])("refuse %s", (port) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.port = port)))).toEqual([expect.stringMatching(/^kms\.port: .*use .*(at least 1|at most 65535|from 1 to 65535)/)]);
  });

  test("refuse a quoted port, saying to drop the quotes", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.port = "1688")))).toEqual([expect.stringMatching(/^kms\.port: expected number, got "1688"; write a plain number without quotes/)]);
  });
});

describe("structure", () => {
  test.each([["location"], ["hosts.namePrefix"], ["dns.zoneName"], ["tier"]])("a missing %s is named as a required field", (field) => {
    const data = environmentWith("lab", (d) => {
      const parts = field.split(".");
      const parent = parts.slice(0, -1).reduce((o, k) => o[k], d);
      delete parent[parts[parts.length - 1]];
    });
    expect(problemsOf(data)).toEqual([expect.stringMatching(new RegExp(`^${field.replace(".", "\\.")}: required field is missing; add it`))]);
  });

  test("a misspelt field is refused with a suggestion", () => {
    const data = environmentWith("lab", (d) => {
      d.hosts.nameprefx = d.hosts.namePrefix;
      delete d.hosts.namePrefix;
    });
    expect(problemsOf(data)).toEqual(
      expect.arrayContaining([`hosts.nameprefx: unknown field "nameprefx"; did you mean "namePrefix"? (remove or rename it)`, expect.stringMatching(/^hosts\.namePrefix: required field is missing/)]),
    );
  });

  test("an unknown top-level field is refused", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.clientCidr = ["10.0.0.0/8"])))).toEqual([expect.stringMatching(/^clientCidr: unknown field "clientCidr"; did you mean "clientCidrs"\?/)]);
  });

  test("network needs exactly one of subnetId and vnet", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.network = {})))).toEqual([expect.stringMatching(/^network: missing: give subnetId .* or vnet/)]);
    expect(
      problemsOf(environmentWith("lab", (d) => (d.network.subnetId = "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s"))),
    ).toEqual([expect.stringMatching(/^network: give either subnetId .* not both/)]);
  });

  test("a subnet prefix outside the address space is refused", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.network.vnet.subnetPrefix = "10.60.0.0/27")))).toEqual([expect.stringMatching(/^network\.vnet\.subnetPrefix: .*not inside/)]);
  });

  test("keyVault needs a name to create or an id", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.keyVault = { name: "kv-kms-lab" })))).toEqual([expect.stringMatching(/^keyVault: missing: give name and create: true/)]);
  });

  test("a local backend with an absolute path is refused", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.backend.path = "/home/me/state.tfstate")))).toEqual([expect.stringMatching(/^backend\.path: use a relative path/)]);
  });

  test("an unknown backend type is refused", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.backend = { type: "s3" }))).length).toBe(1);
  });

  test("the name must equal the file name", () => {
    expect(problemsOf(fixtureEnvironmentData("lab"), "environments/lab2.yaml")).toEqual([expect.stringMatching(/^name: "lab" must equal the file name "lab2"/)]);
  });

  test("every problem is reported at once, each with its line", () => {
    const text = stringify(
      environmentWith("lab", (d) => {
        d.kms.port = 70000;
        d.hosts.count = 0;
        d.clientCidrs = ["0.0.0.0/0"];
      }),
    );
    const result = parseEnvironment("environments/lab.yaml", text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual(["clientCidrs[0]", "hosts.count", "kms.port"]);
    const lines = text.split("\n");
    for (const problem of result.problems) {
      expect(problem.line).toBeDefined();
      expect(lines[(problem.line as number) - 1]).toMatch(problem.field === "clientCidrs[0]" ? /0\.0\.0\.0\/0/ : problem.field === "kms.port" ? /port: 70000/ : /count: 0/);
    }
  });

  test("YAML syntax errors name the line", () => {
    const result = parseEnvironment("environments/lab.yaml", "name: lab\nhosts: [1, 2\n");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/not valid YAML/) });
  });

  test("loadEnvironments reports problems from every file together", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-env-"));
    try {
      fs.writeFileSync(path.join(dir, "a.yaml"), stringify(environmentWith("lab", (d) => ((d.name = "a"), (d.kms.port = 0)))));
      fs.writeFileSync(path.join(dir, "b.yaml"), stringify(environmentWith("lab", (d) => ((d.name = "b"), (d.hosts.count = 7)))));
      let error: unknown;
      try {
        loadEnvironments(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/a\.yaml:\d+: kms\.port: [^\n]+\n.*b\.yaml:\d+: hosts\.count: /s);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("kms.products", () => {
  const pack = { uri: "https://download.microsoft.com/download/x/pack.exe", sha256: "ab".repeat(32) };

  test("accept an Office-only environment: Azure keeps activating the host's Windows", () => {
    // clients.office must then install Office LTSC 2021 too (the kit and the hosts agree).
    const data = environmentWith("lab", (d) => {
      d.kms.products = [{ product: "office-ltsc-2021", secretName: "o21", volumeLicensePack: pack }];
      delete d.clients;
    });
    expect(problemsOf(data)).toEqual([]);
  });

  test("refuse an empty list", () => {
    expect(problemsOf(environmentWith("lab", (d) => ((d.kms.products = []), delete d.clients)))).toEqual([expect.stringMatching(/^kms\.products: list at least one product/)]);
  });

  test("refuse an unknown product, naming the valid ones", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[0].product = "office-365")))).toEqual([
      expect.stringMatching(/^kms\.products\[0\]\.product: "office-365" is not allowed; use one of "windows", "office-ltsc-2024"/),
    ]);
  });

  test("refuse an Office product without its Volume License Pack", () => {
    expect(problemsOf(environmentWith("lab", (d) => delete d.kms.products[1].volumeLicensePack))).toEqual([
      expect.stringMatching(/^kms\.products\[1\]\.volumeLicensePack: required for office-ltsc-2024: add volumeLicensePack\.uri and volumeLicensePack\.sha256/),
    ]);
  });

  test("refuse a missing hash", () => {
    expect(problemsOf(environmentWith("lab", (d) => delete d.kms.products[1].volumeLicensePack.sha256))).toEqual([
      expect.stringMatching(/^kms\.products\[1\]\.volumeLicensePack\.sha256: required field is missing/),
    ]);
  });

  test.each(["abc", "g".repeat(64), "ab".repeat(33)])("refuse the malformed hash %s", (sha256) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[1].volumeLicensePack.sha256 = sha256)))).toEqual([
      expect.stringMatching(/^kms\.products\[1\]\.volumeLicensePack\.sha256: .*64 hex digits/),
    ]);
  });

  test.each(["http://download.microsoft.com/pack.exe", "ftp://x/pack.exe", "not a url"])("refuse the pack address %s", (uri) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[1].volumeLicensePack.uri = uri)))).toEqual([expect.stringMatching(/^kms\.products\[1\]\.volumeLicensePack\.uri: .*https:\/\//)]);
  });

  test("refuse Office LTSC 2024 on a Windows Server 2019 host", () => {
    expect(problemsOf(environmentWith("lab", (d) => ((d.hosts.image = "windows-server-2019"), (d.kms.products[0].csvlkVersion = "windows-server-2019"))))).toEqual([
      expect.stringMatching(/^kms\.products\[1\]\.product: office-ltsc-2024 needs a KMS host on Windows Server 2022 or later, but hosts\.image is windows-server-2019/),
    ]);
  });

  test("accept Office LTSC 2021 on a Windows Server 2019 host", () => {
    const data = environmentWith("lab", (d) => {
      d.hosts.image = "windows-server-2019";
      d.kms.products = [{ product: "office-ltsc-2021", secretName: "o21", volumeLicensePack: pack }];
      delete d.clients;
    });
    expect(problemsOf(data)).toEqual([]);
  });

  test("refuse a Windows Server 2022 KMS host key on a Windows Server 2025 host", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.hosts.image = "windows-server-2025")))).toEqual([
      expect.stringMatching(/^kms\.products\[0\]\.csvlkVersion: a windows-server-2022 KMS host key installs only on Windows Server 2022, 2019, 2016, not on windows-server-2025/),
    ]);
  });

  test("refuse a product or a secret listed twice", () => {
    expect(problemsOf(environmentWith("lab", (d) => d.kms.products.push({ ...d.kms.products[1], secretName: "other" })))).toEqual([
      expect.stringMatching(/^kms\.products\[2\]\.product: "office-ltsc-2024" is already listed as kms\.products\[1\]/),
    ]);
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[1].secretName = d.kms.products[0].secretName)))).toEqual([
      expect.stringMatching(/^kms\.products\[1\]\.secretName: .* already used by kms\.products\[0\]/),
    ]);
  });

  test("refuse a pack on the windows product and a CSVLK version on an Office product", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[0].volumeLicensePack = pack)))).toEqual([expect.stringMatching(/^kms\.products\[0\]\.volumeLicensePack: only Office products/)]);
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[1].csvlkVersion = "windows-server-2022")))).toEqual([expect.stringMatching(/^kms\.products\[1\]\.csvlkVersion: only the windows product/)]);
  });

  test("refuse a secret name Key Vault would not accept", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.kms.products[0].secretName = "kms_host_key")))).toEqual([expect.stringMatching(/^kms\.products\[0\]\.secretName: .*letters, digits and hyphens/)]);
  });
});

describe("clients.office", () => {
  test("a subscription product is refused with the sign-in explanation, at its path", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.clients.office.products = ["O365ProPlusRetail"])))).toEqual([
      expect.stringMatching(/^clients\.office\.products\[0\]: .*sign-in/i),
    ]);
  });

  test("the section's own fix is kept: an unquoted edition is told to quote it", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.clients.office.edition = 64)))).toEqual([expect.stringMatching(/^clients\.office\.edition: .*quoted string/)]);
  });

  test("a misspelt setting gets a suggestion", () => {
    expect(problemsOf(environmentWith("lab", (d) => ((d.clients.office.language = ["en-us"]), delete d.clients.office.languages)))).toEqual([
      expect.stringMatching(/^clients\.office\.language: unknown field "language"; did you mean "languages"\?/),
    ]);
  });
});

describe("keyVault.allowedCidrs", () => {
  test.each(["10.0.0.0/8", "fd00::/48"])("refuses the non-public range %s: the vault firewall matches public IPv4 only", (cidr) => {
    expect(problemsOf(environmentWith("lab", (d) => (d.keyVault.allowedCidrs = [cidr])))).toEqual([expect.stringMatching(/^keyVault\.allowedCidrs\[0\]: .*not a public IPv4 range/)]);
  });

  test("refuses an Internet-wide range", () => {
    expect(problemsOf(environmentWith("lab", (d) => (d.keyVault.allowedCidrs = ["0.0.0.0/0"])))).toEqual([expect.stringMatching(/^keyVault\.allowedCidrs\[0\]: .*whole Internet/)]);
  });

  test("refuses a firewall for an existing vault", () => {
    const id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-lab";
    expect(problemsOf(environmentWith("lab", (d) => (d.keyVault = { id, allowedCidrs: ["203.0.113.0/28"] })))).toEqual([expect.stringMatching(/^keyVault\.allowedCidrs: applies only to a vault this stack creates/)]);
  });
});
