// Where the PowerShell assets are: beside the package's package.json, in powershell/. Found from
// this module's directory by walking up to the package root, so it works from the source tree
// (jest), from the compiled library (lib/powershell/index.js in an installed package) and from the
// main job's bundle (dist/main.js); code bundled into some other project falls back to Node's
// resolution of the installed package.
import * as fs from "fs";
import * as path from "path";

/** The npm package name whose root holds the assets. */
export const PACKAGE_NAME = "azure-kms-host";

let cachedRoot: string | undefined;

/** The directory holding this package's package.json. Throws, naming what it searched, if none. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  const searched: string[] = [];
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    searched.push(manifest);
    if (readPackageName(manifest) === PACKAGE_NAME) return (cachedRoot = dir);
    if (path.dirname(dir) === dir) break;
  }
  try {
    return (cachedRoot = path.dirname(require.resolve(`${PACKAGE_NAME}/package.json`)));
  } catch {
    throw new Error(
      `${PACKAGE_NAME}: cannot find the package root (a package.json named "${PACKAGE_NAME}") above ${__dirname} ` +
        `(searched ${searched.join(", ")}) nor through require.resolve; install ${PACKAGE_NAME} as a dependency so its powershell/ folder is on disk`,
    );
  }
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** Absolute path of a script shipped in the package's powershell/ folder. */
export function powershellScriptPath(fileName: string): string {
  return path.join(packageRoot(), "powershell", fileName);
}
