import { isToken } from "../config";
import { jsonPath, resourceAt, stringLeaves } from "../json-walk";
import type { Rule, StackViolation } from "../rule";

// Case-insensitive: slmgr accepts lower-case keys too. The lookarounds keep longer hyphenated
// identifiers (which are not product keys) from matching in part.
const PRODUCT_KEY = /(?<![A-Za-z0-9])[A-Za-z0-9]{5}(?:-[A-Za-z0-9]{5}){4}(?![A-Za-z0-9])/g;

/** Attributes Azure expects base64-encoded: a key inside would not show as plain text. */
const BASE64_ATTRIBUTES = new Set(["custom_data", "user_data"]);

/** Shows a key in messages without disclosing it. */
function mask(key: string): string {
  return `${key.slice(0, 5).toUpperCase()}-*****-*****-*****-*****`;
}

function keysIn(text: string): string[] {
  return [...text.matchAll(PRODUCT_KEY)].map((m) => m[0].toUpperCase());
}

/** No product key appears as a literal anywhere in the stack, except published GVLKs. */
export const NoLiteralProductKeys: Rule = {
  id: "KMS-SEC-001",
  statement: "No literal anywhere in the stack JSON (resources, data, providers, variables, locals, outputs; base64 custom_data/user_data decoded) looks like a product key (5x5), unless it is an allowed public GVLK.",
  level: "error",
  mirrors: [],
  explanation:
    "The KMS host key is a licensed secret: synthesized JSON, Terraform state and plan files are copied widely, so the key must come from Key Vault at run time. Microsoft's published GVLKs are public and may be allow-listed through the policy context.",
  checkStack(stack, context) {
    const out: StackViolation[] = [];
    for (const leaf of stringLeaves(stack.terraform())) {
      const candidates = keysIn(leaf.value);
      const attr = leaf.path[leaf.path.length - 1];
      if (BASE64_ATTRIBUTES.has(attr) && !isToken(leaf.value)) {
        candidates.push(...keysIn(Buffer.from(leaf.value, "base64").toString("utf8")));
      }
      for (const key of new Set(candidates)) {
        if (context.allowedPublicKeys.has(key)) continue;
        const resource = resourceAt(stack, leaf.path);
        out.push({
          resource,
          location: resource ? undefined : jsonPath(leaf.path),
          problem: `${resource ? `${jsonPath(leaf.path.slice(3))} contains` : "contains"} a literal product key ${mask(key)}`,
          fix: "Read the key from Key Vault at run time (e.g. a secret reference); never put it in configuration. If it is a published GVLK, add it to allowedPublicKeys.",
        });
      }
    }
    return out;
  },
};
