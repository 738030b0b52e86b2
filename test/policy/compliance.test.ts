import { ALL_RULES } from "../../policy";
import { compliantStack, synth, type SynthResult } from "./harness";

describe("Compliance: the full production-shaped stack", () => {
  let result: SynthResult;
  beforeAll(() => {
    result = synth(compliantStack, { production: true });
  });

  test("synthesizes without errors or warnings", () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.thrown).toBeUndefined();
  });

  test.each(ALL_RULES.map((r) => [r.id]))("%s reports nothing", (id) => {
    expect([...result.errors, ...result.warnings, ...result.infos].filter((m) => m.includes(`[${id}]`))).toEqual([]);
  });

  test("the stack JSON carries the resolved configuration the rules read", () => {
    expect(result.json?.resource?.azurerm_windows_virtual_machine?.host1?.secure_boot_enabled).toBe(true);
  });
});
