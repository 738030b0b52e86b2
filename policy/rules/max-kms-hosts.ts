import { isToken, show } from "../config";
import type { Rule, StackViolation } from "../rule";

/** One KMS host key activates at most six KMS hosts. */
export const MAX_KMS_HOSTS = 6;

/** A stack defines at most six Windows VMs. */
export const MaxKmsHosts: Rule = {
  id: "KMS-VM-008",
  statement: `A stack defines at most ${MAX_KMS_HOSTS} azurerm_windows_virtual_machine instances (count meta-arguments included).`,
  level: "error",
  mirrors: [],
  explanation:
    "A KMS host key can be activated on at most six hosts (Microsoft volume activation documentation); more hosts would fail to activate. A count or for_each that is not a literal cannot be verified and fails.",
  checkStack(stack) {
    const out: StackViolation[] = [];
    let total = 0;
    for (const r of stack.resources.filter((x) => x.type === "azurerm_windows_virtual_machine")) {
      const { count, for_each: forEach } = r.config;
      if (forEach !== undefined) {
        out.push({ resource: r, problem: `for_each = ${show(forEach)} makes the number of hosts unknown at synth time`, fix: "Use a literal count or separate resources." });
      } else if (count === undefined) {
        total += 1;
      } else if (typeof count === "number" || (typeof count === "string" && !isToken(count) && /^\d+$/.test(count))) {
        total += Number(count);
      } else {
        out.push({ resource: r, problem: `count = ${show(count)} is not a literal`, fix: "Use a literal count so the host total can be checked." });
      }
    }
    if (total > MAX_KMS_HOSTS) {
      out.push({ problem: `${total} Windows VMs defined`, fix: `Keep at most ${MAX_KMS_HOSTS} KMS hosts per stack (one KMS host key activates at most ${MAX_KMS_HOSTS}).` });
    }
    return out;
  },
};
