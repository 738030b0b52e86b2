import * as fs from "fs";
import * as path from "path";
import { ALL_RULES, renderRulesMarkdown } from "../../policy";

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
