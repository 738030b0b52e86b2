import { isLiteralString } from "../config";
import { jsonPath, resourceAt, stringLeaves } from "../json-walk";
import type { Rule, StackViolation } from "../rule";

/** Attribute names that hold credentials. */
const SECRET_NAME = /password|secret/i;

/** Names that merely point at a secret (ids, names, URIs, types), which may legitimately be literal. */
const SECRET_POINTER = /(_id|_ids|_name|_names|_uri|_url|_version|_type|_enabled|_count|content_type|expiration_date)$/i;

/** Sections of the stack JSON that carry configuration values. */
const SECTIONS = new Set(["resource", "data", "provider", "variable", "locals"]);

/** No password or secret is a literal in configuration. */
export const NoLiteralSecrets: Rule = {
  id: "KMS-SEC-002",
  statement: "No password-like attribute (admin_password, password, any *password*/*secret* key, the value/value_wo of azurerm_key_vault_secret, a password/secret variable default) holds a literal string.",
  level: "error",
  mirrors: [],
  explanation:
    "A literal credential ends up in the synthesized JSON, in git and in Terraform state for everyone with read access. Generate it (random_password) or reference it (variable without default, Key Vault); references are not literals and pass.",
  checkStack(stack) {
    const out: StackViolation[] = [];
    for (const leaf of stringLeaves(stack.terraform())) {
      if (!SECTIONS.has(leaf.path[0]) || leaf.path.includes("//")) continue;
      if (!isLiteralString(leaf.value) || leaf.value === "") continue;
      const names = leaf.path.filter((p) => !/^\d+$/.test(p));
      const attr = names[names.length - 1];
      const isKvSecretValue = leaf.path[0] === "resource" && leaf.path[1] === "azurerm_key_vault_secret" && (attr === "value" || attr === "value_wo");
      const isSecretVariable = leaf.path[0] === "variable" && attr === "default" && SECRET_NAME.test(leaf.path[1] ?? "");
      const isSecretAttr = SECRET_NAME.test(attr) && !SECRET_POINTER.test(attr);
      if (!isKvSecretValue && !isSecretVariable && !isSecretAttr) continue;
      const resource = resourceAt(stack, leaf.path);
      out.push({
        resource,
        location: resource ? undefined : jsonPath(leaf.path),
        problem: `${resource ? jsonPath(leaf.path.slice(3)) : "value"} is a literal string`,
        fix: "Use a reference (random_password, a variable without default, a Key Vault secret) instead of a literal.",
      });
    }
    return out;
  },
};
