import { TerraformElement, TerraformLocal, TerraformOutput, TerraformVariable } from "cdktf";
import { KeyVaultSecret } from "@cdktf/provider-azurerm/lib/key-vault-secret";
import { findings, synth, vm } from "./harness";

// A made-up key with the 5x5 shape; never a real product key.
const FAKE_KEY = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY";
// Microsoft's published GVLK for Windows Server 2022 Datacenter (public, not a secret).
const GVLK_2022_DC = "WX4NM-KYWYW-QJJR4-XV3QB-6VM33";

describe("KMS-SEC-001 no literal product keys", () => {
  test("Noncompliance 1: a key in a resource attribute (reported on the resource, masked)", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { tags: { note: `key ${FAKE_KEY}` } }));
    const msgs = findings(r, "KMS-SEC-001");
    expect(msgs).toEqual(["[KMS-SEC-001] azurerm_windows_virtual_machine.host: tags.note contains a literal product key ABCDE-*****-*****-*****-*****. Read the key from Key Vault at run time (e.g. a secret reference); never put it in configuration. If it is a published GVLK, add it to allowedPublicKeys."]);
    expect(r.thrown?.message).not.toContain(FAKE_KEY);
  });

  test("Noncompliance 2: keys in a variable default, a local and an output", () => {
    const r = synth((b) => {
      new TerraformVariable(b.stack, "kms_key", { type: "string", default: FAKE_KEY.toLowerCase() });
      new TerraformLocal(b.stack, "key_local", `slmgr /ipk ${FAKE_KEY}`);
      new TerraformOutput(b.stack, "key_out", { value: FAKE_KEY });
    });
    expect(findings(r, "KMS-SEC-001")).toEqual([
      expect.stringContaining("[KMS-SEC-001] variable.kms_key.default: contains"),
      expect.stringContaining("[KMS-SEC-001] locals.key_local: contains"),
      expect.stringContaining("[KMS-SEC-001] output.key_out.value: contains"),
    ]);
  });

  test("Noncompliance 3: a key inside base64 custom_data", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { customData: Buffer.from(`slmgr /ipk ${FAKE_KEY}`).toString("base64") }));
    expect(findings(r, "KMS-SEC-001")).toEqual([expect.stringContaining("azurerm_windows_virtual_machine.host: custom_data contains a literal product key")]);
  });

  test("Compliance: an allow-listed GVLK, and a GUID-shaped value", () => {
    const r = synth(
      (b) => void vm(b.stack, b, "host", { tags: { gvlk: GVLK_2022_DC, id: "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53" } }),
      { allowedPublicKeys: [GVLK_2022_DC] },
    );
    expect(findings(r, "KMS-SEC-001")).toEqual([]);
  });
});

describe("KMS-SEC-002 no literal secrets", () => {
  test("Noncompliance 1: a literal admin_password", () => {
    const r = synth((b) => void vm(b.stack, b, "host", { adminPassword: "P@ssw0rd-in-git!" }));
    expect(findings(r, "KMS-SEC-002")).toEqual(["[KMS-SEC-002] azurerm_windows_virtual_machine.host: admin_password is a literal string. Use a reference (random_password, a variable without default, a Key Vault secret) instead of a literal."]);
    expect(r.thrown?.message).not.toContain("P@ssw0rd");
  });

  test("Noncompliance 2: a literal Key Vault secret value and a literal client_secret on the provider", () => {
    const r = synth((b) => {
      new KeyVaultSecret(b.stack, "secret", { name: "kms-host-key", keyVaultId: "${var.kv_id}", value: "not-a-reference" });
      (b.stack.node.findChild("azurerm") as TerraformElement).addOverride("client_secret", "literal-secret");
    });
    expect(findings(r, "KMS-SEC-002")).toEqual([
      expect.stringContaining("[KMS-SEC-002] provider.azurerm[0].client_secret: value is a literal string"),
      expect.stringContaining("[KMS-SEC-002] azurerm_key_vault_secret.secret: value is a literal string"),
    ]);
  });

  test("Noncompliance 3: a password variable with a literal default", () => {
    const r = synth((b) => void new TerraformVariable(b.stack, "sql_password", { type: "string", default: "hunter2hunter2" }));
    expect(findings(r, "KMS-SEC-002")).toEqual([expect.stringContaining("[KMS-SEC-002] variable.sql_password.default: value is a literal string")]);
  });

  test("Compliance: references, and pointers such as key_vault_secret_id", () => {
    const r = synth((b) => {
      vm(b.stack, b, "host");
      new KeyVaultSecret(b.stack, "secret", { name: "kms-host-key", keyVaultId: "${var.kv_id}", value: b.password.stringValue });
      new TerraformLocal(b.stack, "pointer", { key_vault_secret_id: "https://kv.vault.azure.net/secrets/x" });
    });
    expect(findings(r, "KMS-SEC-002")).toEqual([]);
  });
});
