import { blocks, isObject } from "../config";
import type { Rule, StackViolation } from "../rule";

/**
 * Credential attributes of the hashicorp/dns provider's `update` block and where each should
 * come from instead (hashicorp/terraform-provider-dns v3.4.3, internal/provider/provider_framework.go:
 * Schema and the environment variables Configure reads).
 */
const CREDENTIALS: readonly { readonly path: readonly string[]; readonly instead: string }[] = [
  { path: ["key_secret"], instead: "a sensitive variable without default (TF_VAR_dns_update_keysecret)" },
  { path: ["gssapi", "password"], instead: "DNS_UPDATE_PASSWORD in the environment of terraform apply" },
  { path: ["gssapi", "keytab"], instead: "DNS_UPDATE_KEYTAB in the environment of terraform apply" },
];

/** `${var.<name>}` exactly: the whole value is one variable. */
const VARIABLE_REFERENCE = /^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$/;

/** The dns provider's credentials are never literals. */
export const DnsUpdateNoCredentials: Rule = {
  id: "KMS-DNS-001",
  statement:
    "Every dns provider update block takes its TSIG secret only from a sensitive variable without default, and carries no GSS-TSIG password or keytab (the provider reads DNS_UPDATE_PASSWORD / DNS_UPDATE_KEYTAB).",
  level: "error",
  mirrors: [],
  explanation:
    "A credential that can update the clients' DNS zone can redirect every KMS client (and, in Active Directory, far more) to any host. In the provider block it would sit in the synthesized JSON and in git; a variable's default would too, and a non-sensitive variable is printed in plans. The hashicorp/dns provider reads the GSS-TSIG password and keytab from DNS_UPDATE_PASSWORD and DNS_UPDATE_KEYTAB; the TSIG secret cannot come from DNS_UPDATE_KEYSECRET while key_name is in the file (the provider's AlsoRequires validator), so it is a sensitive variable.",
  checkStack(stack) {
    const json = stack.terraform();
    const providers = isObject(json.provider) ? blocks(json.provider.dns) : [];
    const variables = isObject(json.variable) ? json.variable : {};
    const out: StackViolation[] = [];
    providers.forEach((provider, providerIndex) => {
      blocks(provider.update).forEach((update, updateIndex) => {
        for (const credential of CREDENTIALS) {
          const [first, second] = credential.path;
          const containers = second === undefined ? [{ at: "", block: update }] : blocks(update[first]).map((block, i) => ({ at: `${first}[${i}].`, block }));
          for (const { at, block } of containers) {
            const attribute = second ?? first;
            const value = block[attribute];
            if (value === undefined || value === null || value === "") continue;
            const location = `provider.dns[${providerIndex}].update[${updateIndex}]`;
            const problem = credentialProblem(value, variables, attribute);
            if (problem) out.push({ location, problem: `${at}${attribute} ${problem}`, fix: `Take it from ${credential.instead}, not from the configuration.` });
          }
        }
      });
    });
    return out;
  },
};

/** What is wrong with a credential value, or undefined when it is a sensitive variable without default. */
function credentialProblem(value: unknown, variables: Readonly<Record<string, unknown>>, attribute: string): string | undefined {
  if (attribute !== "key_secret") return typeof value === "string" && !value.includes("${") ? "is a literal" : "is set in the configuration";
  if (typeof value !== "string" || !value.includes("${")) return "is a literal";
  const reference = VARIABLE_REFERENCE.exec(value);
  if (!reference) return `is the expression ${value}, not a sensitive variable`;
  const variable = variables[reference[1]];
  if (!isObject(variable)) return `refers to var.${reference[1]}, which is not declared`;
  if (variable.default !== undefined) return `refers to var.${reference[1]}, which has a default`;
  if (variable.sensitive !== true) return `refers to var.${reference[1]}, which is not sensitive`;
  return undefined;
}
