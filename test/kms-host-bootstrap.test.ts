// The bootstrap on the Terraform side: what reaches the host (parameters only, never a key), who
// may read which secret, and in what order.
import { App, TerraformStack } from "cdktf";
import { KmsHost, KmsHostBootstrap, KmsHostKeyProduct, KmsHostKeys } from "../constructs";
import { encodeOfficeProducts, runCommandParameterProblem } from "../constructs/kms-host-bootstrap";
import { NEVER_SYNTHESIZED } from "./support/scratch";
import { synthesizeConstruct } from "./support/synth";

const VAULT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-zq-test-vault";
const PACK_2024 = { uri: "https://download.microsoft.com/download/x/Office2024VolumeLicensePack.exe", sha256: "AB".repeat(32) };
const PACK_2021 = { uri: "https://download.microsoft.com/download/y/Office2021VolumeLicensePack.exe", sha256: "cd".repeat(32) };

const HOST_PROPS = {
  computerName: "kms01",
  resourceGroupName: "rg",
  location: "westeurope",
  subnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/k",
  adminPasswordKeyVaultId: VAULT_ID,
  dnsZoneName: "corp.contoso.com",
};

function bootstrapStack(products: KmsHostKeyProduct[], port = 1688) {
  return synthesizeConstruct((stack) => {
    const host = new KmsHost(stack, "host", HOST_PROPS);
    const keys = new KmsHostKeys(stack, "keys", { keyVaultId: VAULT_ID, keyVaultName: "kv-zq-test-vault", secretNames: products.map((p) => p.secretName) });
    new KmsHostBootstrap(stack, "bootstrap", {
      host,
      location: "westeurope",
      keys,
      keyVaultUri: "https://kv-zq-test-vault.vault.azure.net/",
      products,
      clientCidrs: ["10.0.0.0/8", "192.168.1.0/24"],
      port,
    });
  });
}

/** A bootstrap built, not synthesized: a Windows product by default, `change` applied to its props. */
function build(change: Partial<ConstructorParameters<typeof KmsHostBootstrap>[2]> = {}): KmsHostBootstrap {
  const stack = new TerraformStack(new App({ outdir: NEVER_SYNTHESIZED }), "s");
  const host = new KmsHost(stack, "host", HOST_PROPS);
  const keys = new KmsHostKeys(stack, "keys", { keyVaultId: VAULT_ID, keyVaultName: "kv-zq-test-vault", secretNames: ["w", "o"] });
  return new KmsHostBootstrap(stack, "bootstrap", {
    host,
    location: "westeurope",
    keys,
    keyVaultUri: "https://kv-zq-test-vault.vault.azure.net/",
    products: [{ product: "windows", secretName: "w" }],
    clientCidrs: ["10.0.0.0/8"],
    ...change,
  });
}

function parametersOf(synthesized: ReturnType<typeof bootstrapStack>): Record<string, string> {
  const [command] = synthesized.resources("azurerm_virtual_machine_run_command");
  return Object.fromEntries((command.parameter as { name: string; value: string }[]).map((p) => [p.name, p.value]));
}

describe("KmsHostBootstrap", () => {
  let windowsAnd2024: ReturnType<typeof bootstrapStack>;
  beforeAll(() => {
    windowsAnd2024 = bootstrapStack([
      { product: "windows", secretName: "kms-windows" },
      { product: "office-ltsc-2024", secretName: "kms-office-2024", volumeLicensePack: PACK_2024 },
    ]);
  });

  test("passes the vault, both secret names, the port, the client ranges and the pack's URI and SHA-256 as parameters", () => {
    expect(parametersOf(windowsAnd2024)).toEqual({
      KeyVaultUri: "https://kv-zq-test-vault.vault.azure.net/",
      WindowsKeySecretName: "kms-windows",
      OfficeProductsBase64: Buffer.from(
        JSON.stringify([{ product: "office-ltsc-2024", secretName: "kms-office-2024", packUri: PACK_2024.uri, packSha256: PACK_2024.sha256.toLowerCase() }]),
      ).toString("base64"),
      KmsPort: "1688",
      ClientCidrs: "10.0.0.0/8,192.168.1.0/24",
      DisableDnsPublishing: "true",
      LogPath: "C:\\ProgramData\\AzureKmsHost\\bootstrap.log",
      Revision: "1",
    });
  });

  test("delivers the repository's Install-KmsHost.ps1 verbatim as a stack asset read by file(), with no value spliced into it", () => {
    const [command] = windowsAnd2024.resources("azurerm_virtual_machine_run_command");
    expect(command.source.script).toMatch(/^\$\{file\("assets\/bootstrap-script-Install-KmsHost\/[0-9A-F]+\/Install-KmsHost\.ps1"\)\}$/);
    expect(command.protected_parameter).toBeUndefined();
  });

  test("leaves WindowsKeySecretName out for an Office-only host, and lists every Office version (base64 of JSON)", () => {
    const params = parametersOf(
      bootstrapStack([
        { product: "office-ltsc-2024", secretName: "kms-office-2024", volumeLicensePack: PACK_2024 },
        { product: "office-ltsc-2021", secretName: "kms-office-2021", volumeLicensePack: PACK_2021 },
      ]),
    );
    expect(params).not.toHaveProperty("WindowsKeySecretName");
    expect(params.OfficeProductsBase64).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(params.OfficeProductsBase64 as string, "base64").toString("utf8")).map((p: { product: string; secretName: string }) => [p.product, p.secretName])).toEqual([
      ["office-ltsc-2024", "kms-office-2024"],
      ["office-ltsc-2021", "kms-office-2021"],
    ]);
  });

  test("leaves the Office list out for a Windows-only host, and sends the configured port", () => {
    const params = parametersOf(bootstrapStack([{ product: "windows", secretName: "kms-windows" }], 1689));
    expect(params).toMatchObject({ WindowsKeySecretName: "kms-windows", KmsPort: "1689" });
    expect(params).not.toHaveProperty("OfficeProductsBase64");
  });

  test.each([
    ["an empty value", "", /is empty/],
    ["a double quote", 'a"b', /contains ", which/],
    ["shell metacharacters", "a^b&c%d<e>f|g", /contains \^ & % < > \|, which/],
  ])("refuses a Run Command parameter with %s", (_what, value, message) => {
    expect(runCommandParameterProblem(value)).toMatch(message);
  });

  test("refuses at construction a revision the Run Command would mangle, naming the parameter", () => {
    expect(() => build({ revision: "2 & more" })).toThrow(/Run Command parameter Revision contains &, which/);
  });

  test("grants the host's identity Key Vault Secrets User on each of its secrets and nothing wider", () => {
    const grants = windowsAnd2024.resources("azurerm_role_assignment");
    expect(grants.map((g) => g.scope).sort()).toEqual([`${VAULT_ID}/secrets/kms-office-2024`, `${VAULT_ID}/secrets/kms-windows`]);
    for (const grant of grants) {
      expect(grant).toMatchObject({ role_definition_name: "Key Vault Secrets User", principal_type: "ServicePrincipal" });
      expect(grant.principal_id).toMatch(/identity\[0\]\.principal_id/);
    }
  });

  test("runs only after the read grants exist", () => {
    const [command] = windowsAnd2024.resources("azurerm_virtual_machine_run_command");
    const grantKeys = Object.keys(windowsAnd2024.json.resource.azurerm_role_assignment).map((k) => `azurerm_role_assignment.${k}`);
    expect([...command.depends_on].sort()).toEqual(grantKeys.sort());
  });

  test("checks each secret exists by name only, failing with the vault, the secret and the upload command", () => {
    const [check] = Object.values(windowsAnd2024.json.data.azurerm_key_vault_secrets) as any[];
    expect(check.key_vault_id).toBe(VAULT_ID);
    expect(check.lifecycle.postcondition).toEqual([
      {
        condition: '${contains(self.names, "kms-windows")}',
        error_message: expect.stringMatching(/^Key Vault kv-zq-test-vault has no secret kms-windows\. .*az keyvault secret set --vault-name kv-zq-test-vault --name kms-windows --value/),
      },
      { condition: '${contains(self.names, "kms-office-2024")}', error_message: expect.stringContaining("--name kms-office-2024") },
    ]);
    // A data source that returned values would put keys into state: only the names list is used.
    expect(windowsAnd2024.json.data.azurerm_key_vault_secret).toBeUndefined();
  });

  test("holds no product-key-shaped value anywhere", () => {
    expect(windowsAnd2024.text).not.toMatch(/[A-Z0-9]{5}(-[A-Z0-9]{5}){4}/i);
  });

  test.each([
    ["no products", [], /(products|secretNames) is empty/],
    ["two Windows keys", [{ product: "windows", secretName: "a" }, { product: "windows", secretName: "b" }], /windows 2 times/],
    ["an Office product without a pack", [{ product: "office-ltsc-2021", secretName: "a" }], /needs volumeLicensePack/],
    ["a malformed hash", [{ product: "office-ltsc-2021", secretName: "a", volumeLicensePack: { uri: PACK_2021.uri, sha256: "abc" } }], /not 64 hex digits/],
  ] as [string, KmsHostKeyProduct[], RegExp][])("refuses %s", (_what, products, message) => {
    expect(() => bootstrapStack(products)).toThrow(message);
  });

  test("warns while a Volume License Pack is still the shipped placeholder", () => {
    const bootstrap = build({
      products: [{ product: "office-ltsc-2024", secretName: "o", volumeLicensePack: { uri: "https://download.microsoft.com/download/REPLACE-WITH-THE-PACK-URL/x.exe", sha256: "0".repeat(64) } }],
    });
    expect(bootstrap.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data)).toEqual([expect.stringMatching(/still the shipped placeholder/)]);
  });
});

describe("KmsHostBootstrap props", () => {
  const office = (volumeLicensePack: { uri: string; sha256: string }): KmsHostKeyProduct[] => [{ product: "office-ltsc-2024", secretName: "o", volumeLicensePack }];
  const warnings = (bootstrap: KmsHostBootstrap): unknown[] => bootstrap.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);

  test("refuses an empty product list, naming the construct", () => {
    expect(() => build({ products: [] })).toThrow(new Error("KmsHostBootstrap s/bootstrap: products is empty; list at least one product with its KMS host key secret"));
  });

  test("refuses a port that is not a TCP port", () => {
    expect(() => build({ port: 70000 })).toThrow(/^KmsHostBootstrap s\/bootstrap: port 70000 is not a TCP port/);
  });

  test("refuses an Internet-wide client range, naming its index", () => {
    expect(() => build({ clientCidrs: ["10.0.0.0/8", "0.0.0.0/0"] })).toThrow(/^KmsHostBootstrap s\/bootstrap: clientCidrs\[1\]: /);
  });

  test.each([["a 65th digit", `${"ab".repeat(32)}c`], ["a prefix", `x${"ab".repeat(32)}`]])("refuses a pack hash with %s", (_what, sha256) => {
    expect(() => build({ products: office({ uri: PACK_2024.uri, sha256 }) })).toThrow(new Error("KmsHostBootstrap s/bootstrap: office-ltsc-2024 volumeLicensePack.sha256 is not 64 hex digits"));
  });

  test.each([
    ["the placeholder URL alone", { uri: "https://download.microsoft.com/download/REPLACE-WITH-THE-PACK-URL/x.exe", sha256: PACK_2024.sha256 }, 1],
    ["the all-zero hash alone", { uri: PACK_2024.uri, sha256: "0".repeat(64) }, 1],
    ["neither", PACK_2024, 0],
  ])("warns about a placeholder pack with %s: %i warning(s)", (_what, pack, count) => {
    expect(warnings(build({ products: office(pack) }))).toHaveLength(count);
  });

  test("encodes an Office product without a pack (which the bootstrap refuses) without pack fields", () => {
    expect(JSON.parse(Buffer.from(encodeOfficeProducts([{ product: "office-ltsc-2024", secretName: "o" }]), "base64").toString("utf8"))).toEqual([{ product: "office-ltsc-2024", secretName: "o" }]);
  });

  test("gives the Run Command 90 minutes to create or update", () => {
    const [command] = bootstrapStack([{ product: "windows", secretName: "w" }]).resources("azurerm_virtual_machine_run_command");
    expect(command.timeouts).toEqual({ create: "90m", update: "90m" });
  });
});

describe("KmsHostKeys", () => {
  test("refuses a grant for a secret it does not hold", () => {
    expect(() =>
      synthesizeConstruct((stack) => {
        const keys = new KmsHostKeys(stack, "keys", { keyVaultId: VAULT_ID, keyVaultName: "kv-zq-test-vault", secretNames: ["a"] });
        keys.grantRead(stack, "g", "principal", ["b"], "kms01");
      }),
    ).toThrow(/"b" is not one of the KMS host key secrets/);
  });

  test("refuses duplicate or missing secret names", () => {
    expect(() => synthesizeConstruct((stack) => new KmsHostKeys(stack, "k", { keyVaultId: VAULT_ID, keyVaultName: "kv", secretNames: [] }))).toThrow(/secretNames is empty/);
    expect(() => synthesizeConstruct((stack) => new KmsHostKeys(stack, "k", { keyVaultId: VAULT_ID, keyVaultName: "kv", secretNames: ["a", "a"] }))).toThrow(/twice/);
  });
});
