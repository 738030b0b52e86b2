import * as fs from "fs";
import * as path from "path";
import { ALL_RULES, policyContext, renderRulesMarkdown } from "../../policy";

const RULES_MD = path.join(__dirname, "..", "..", "RULES.md");

describe("RULES.md", () => {
  test("matches renderRulesMarkdown(ALL_RULES)", () => {
    const expected = renderRulesMarkdown(ALL_RULES);
    if (process.env.UPDATE_RULES_MD === "1") fs.writeFileSync(RULES_MD, expected);
    const actual = fs.existsSync(RULES_MD) ? fs.readFileSync(RULES_MD, "utf8") : "";
    if (actual !== expected) {
      throw new Error("RULES.md is out of date with ALL_RULES. Regenerate it with: UPDATE_RULES_MD=1 npx jest test/policy/rules-md.test.ts");
    }
  });

  test("every rule has a unique well-formed id, a one-line statement and an explanation", () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of ALL_RULES) {
      expect(r.id).toMatch(/^KMS-[A-Z]+-\d{3}$/);
      expect(r.statement).not.toContain("\n");
      expect(r.explanation.length).toBeGreaterThan(20);
      expect(r.checkResource ?? r.checkStack).toBeDefined();
    }
  });
});

test("renderRulesMarkdown keeps a table cell on one line: a | is escaped and a line break becomes a space", () => {
  const rule = { ...ALL_RULES[0], statement: "either a | b\nor c", mirrors: ["X|1"] };
  expect(renderRulesMarkdown([rule])).toContain(`| ${rule.id} | either a \\| b or c | ${rule.level} | X\\|1 |`);
});

test("policyContext: no allowed public keys unless given, and given ones upper-cased", () => {
  expect([...policyContext({ clientCidrs: ["10.0.0.0/8"] }).allowedPublicKeys]).toEqual([]);
  expect([...policyContext({ clientCidrs: ["10.0.0.0/8"], allowedPublicKeys: ["abcde-fghij"] }).allowedPublicKeys]).toEqual(["ABCDE-FGHIJ"]);
});
