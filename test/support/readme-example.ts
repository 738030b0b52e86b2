// The README's "Use as a library" example, read from README.md: test/package/library.test.ts runs
// it against the packed tarball, test/provider-contract.test.ts checks its stack in-process.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

/** The first ```ts block of the README section "## Use as a library". */
export function readmeLibraryExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Use as a library\n");
  if (start < 0) throw new Error('README.md has no section "## Use as a library"');
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('the README section "Use as a library" has no ```ts example');
  return match[1];
}

/**
 * Runs the README example in this process against the repository's sources (instead of the
 * installed package), writing into `outdir` instead of ./cdktf.out; returns the stack files written.
 */
export function runReadmeLibraryExample(outdir: string): string[] {
  const example = readmeLibraryExample();
  for (const expected of ['from "azure-kms-host"', "new App()"]) {
    if (!example.includes(expected)) throw new Error(`the README example no longer has ${expected}; update test/support/readme-example.ts`);
  }
  // Every import by absolute path (the file is written outside the repository), the package's own to its entry point.
  const source = example
    .replace(/from "([^"]+)"/g, (_, name: string) => `from ${JSON.stringify(name === "azure-kms-host" ? path.join(ROOT, "index") : require.resolve(name, { paths: [ROOT] }))}`)
    .replace("new App()", `new App({ outdir: ${JSON.stringify(outdir)} })`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kms-readme-example-")), "example.ts");
  fs.writeFileSync(file, source);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the example, a CommonJS module once compiled, like node would
    jest.isolateModules(() => require(file));
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const stacks = path.join(outdir, "stacks");
  return fs.readdirSync(stacks).map((stack) => path.join(stacks, stack, "cdk.tf.json"));
}
