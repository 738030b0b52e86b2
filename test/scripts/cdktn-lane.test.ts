// scripts/cdktn-lane.mjs: the comparison of the cdktf build's output with the CDK Terrain build's
// allows exactly the framework version and the provider version pins to differ, and nothing else.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const LANE = path.join(__dirname, "..", "..", "scripts", "cdktn-lane.mjs");

/** compareOutputs over two folders holding one stack each, in a fresh node (the script is an ES module). */
function compare(cdktf: Record<string, unknown>, cdktn: Record<string, unknown>, extra: Record<string, [string, string]> = {}): { problems: string[]; stacks: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktn-lane-test-"));
  try {
    for (const [side, stack] of [["a", cdktf], ["b", cdktn]] as const) {
      fs.mkdirSync(path.join(dir, side, "stacks", "kms-x"), { recursive: true });
      fs.writeFileSync(path.join(dir, side, "stacks", "kms-x", "cdk.tf.json"), JSON.stringify(stack));
      for (const [file, contents] of Object.entries(extra)) fs.writeFileSync(path.join(dir, side, file), contents[side === "a" ? 0 : 1]);
    }
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import { compareOutputs } from ${JSON.stringify(LANE)}; console.log(JSON.stringify(compareOutputs(${JSON.stringify(path.join(dir, "a"))}, ${JSON.stringify(path.join(dir, "b"))})));`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const stack = (version: string, azurerm: string, vmSize = "Standard_B2s") => ({
  "//": { metadata: { backend: "local", stackName: "kms-x", version } },
  terraform: { required_providers: { azurerm: { source: "azurerm", version: azurerm }, dns: { source: "hashicorp/dns", version: "3.4.3" } } },
  resource: { azurerm_windows_virtual_machine: { kmsx01: { size: vmSize } } },
});

describe("scripts/cdktn-lane.mjs compareOutputs", () => {
  test("accepts a stack that differs only in the framework version and the provider version pins", () => {
    expect(compare(stack("0.21.0", "4.55.0"), stack("0.24.0", "4.73.0"))).toEqual({ problems: [], stacks: 1 });
  });

  test("reports any other difference, naming the file and the path", () => {
    const { problems, stacks } = compare(stack("0.21.0", "4.55.0"), stack("0.24.0", "4.73.0", "Standard_D2s_v5"));
    expect(stacks).toBe(0);
    expect(problems).toEqual(['stacks/kms-x/cdk.tf.json: resource.azurerm_windows_virtual_machine.kmsx01.size: "Standard_B2s" (cdktf) / "Standard_D2s_v5" (CDK Terrain)']);
  });

  test("reports a provider's source changing, a file only one build wrote, and any other file not byte-identical", () => {
    const other = stack("0.24.0", "4.73.0");
    other.terraform.required_providers.azurerm.source = "hashicorp/azurerm-fork";
    const { problems } = compare(stack("0.21.0", "4.55.0"), other, { "x.txt": ["one", "two"] });
    expect(problems).toEqual([expect.stringContaining("terraform.required_providers.azurerm.source"), "x.txt: differs"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktn-lane-test-"));
    fs.mkdirSync(path.join(dir, "a"));
    fs.mkdirSync(path.join(dir, "b"));
    fs.writeFileSync(path.join(dir, "b", "only.json"), "{}");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import { compareOutputs } from ${JSON.stringify(LANE)}; console.log(JSON.stringify(compareOutputs(${JSON.stringify(path.join(dir, "a"))}, ${JSON.stringify(path.join(dir, "b"))}).problems));`], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(JSON.parse(r.stdout)).toEqual(["only.json: written by the CDK Terrain build only"]);
  });
});
