// The harness itself: only the pack's findings count as a "thrown" result; anything else a rule or
// cdktf throws fails the test that synthesized, so a rule that crashes on compliant input cannot
// pass its Compliance tests.
import type { Rule } from "../../policy";
import { findings, isPolicyFailure, synth, vm } from "./harness";

const crashing: Rule = {
  id: "KMS-TST-001",
  statement: "test rule that crashes",
  level: "error",
  mirrors: [],
  explanation: "test",
  checkResource: () => {
    throw new TypeError("cannot read the config");
  },
};

const reporting: Rule = { ...crashing, id: "KMS-TST-002", checkResource: () => [{ problem: "always wrong", fix: "Fix it." }] };

test.each([
  ["no problem", { problem: "", fix: "Fix it." }],
  ["no fix", { problem: "always wrong", fix: "" }],
])("findings() refuses a finding with %s, so that every rule test checks both are given", (_what, violation) => {
  const r = synth((b) => void vm(b.stack, b, "host"), {}, [{ ...crashing, id: "KMS-TST-003", checkResource: () => [violation] }]);
  expect(() => findings(r, "KMS-TST-003")).toThrow(/^finding without a problem or a fix/);
  expect(findings(synth((b) => void vm(b.stack, b, "host"), {}, [reporting]), "KMS-TST-002")).toHaveLength(3);
});

test("a rule that throws makes synth() throw that error, not return it as a finding", () => {
  expect(() => synth((b) => void vm(b.stack, b, "host"), {}, [crashing])).toThrow(TypeError);
});

test("an error-level finding is returned as thrown, with the finding among the errors", () => {
  const r = synth((b) => void vm(b.stack, b, "host"), {}, [reporting]);
  expect(r.thrown?.message).toContain("[KMS-TST-002] azurerm_windows_virtual_machine.host: always wrong. Fix it.");
  expect(r.errors.length).toBeGreaterThan(0);
});

test.each([
  ["an annotation failure whose errors are all findings", 'Encountered Annotations with level "ERROR":\n...', ["[KMS-VM-001] x", "[KMS-POLICY] y"], true],
  ["an annotation failure with a non-policy error among them", 'Encountered Annotations with level "ERROR":\n...', ["[KMS-VM-001] x", "provider said no"], false],
  ["an annotation failure with no error annotation", 'Encountered Annotations with level "ERROR":\n...', [], false],
  ["any other error", "Cannot read properties of undefined", ["[KMS-VM-001] x"], false],
])("isPolicyFailure: %s → %s", (_what, message, errors, expected) => {
  expect(isPolicyFailure(new Error(message), errors)).toBe(expected);
});
