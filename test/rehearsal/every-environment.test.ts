// The rehearsal on every shipped environment and every fixture environment file (generically: the
// files are whatever is there): each stack's stand-in takes a first apply with the real terraform
// binary, in the order the stacks promise (each host's Key Vault grants before its bootstrap, each
// lock after what it locks and after its host's bootstrap), and plans no change after it.
import * as fs from "fs";
import * as path from "path";
import { stringify, parse } from "yaml";
import { parseEnvironment } from "../../config/load-environments";
import { Rehearsal } from "../../rehearsal/terraform";
import { at, bootstrapOf, changed, grantsOf, hostsOf, lockOf, resourcesOf } from "../support/rehearsal";
import { synthesizeEnvironment } from "../support/synth";

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, "..", "..");
const DIRS = ["environments", "test/fixtures/base-environments", "test/fixtures/environments", "test/fixtures/contract-environments", "test/fixtures/rehearsal"];
const files = DIRS.flatMap((dir) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => path.join(dir, f)),
);

it("finds environment files", () => expect(files.length).toBeGreaterThanOrEqual(4));

/** Each file's stack, its rehearsal and the first apply's log: the applies run three at a time. */
const applied = new Map<string, { stack: Record<string, any>; rehearsal: Rehearsal; log: string[] }>();
beforeAll(async () => {
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const data = parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, unknown>;
      const result = parseEnvironment(`environments/${String(data.name)}.yaml`, stringify(data));
      if (!result.ok) throw new Error(`${file} is invalid: ${result.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`);
      const stack = synthesizeEnvironment(result.environment).json;
      const rehearsal = new Rehearsal();
      rehearsal.configure(stack);
      applied.set(file, { stack, rehearsal, log: [] });
      const run = await rehearsal.applyAsync();
      if (run.code !== 0) throw new Error(`first apply of ${file} failed:\n${run.stderr}`);
      applied.get(file)!.log = rehearsal.takeLog();
    }
  };
  await Promise.all([worker(), worker(), worker()]);
});
afterAll(() => applied.forEach((a) => a.rehearsal.dispose()));

describe.each(files)("%s", (file) => {
  let stack: Record<string, any>;
  let log: string[];
  let rehearsal: Rehearsal;
  beforeAll(() => {
    ({ stack, log, rehearsal } = applied.get(file)!);
  });

  it("first apply: each host's grants before its bootstrap, its lock (if any) after the bootstrap", () => {
    for (const host of hostsOf(stack)) {
      const bootstrap = at(log, `create ${bootstrapOf(stack, host.address)}`);
      for (const grant of grantsOf(stack, host.address)) expect(at(log, `create ${grant}`)).toBeLessThan(bootstrap);
      const lock = lockOf(stack, host.address);
      if (lock) expect(at(log, `create ${lock}`)).toBeGreaterThan(bootstrap);
    }
  });
  it("every lock is created after what it locks", () => {
    for (const lock of resourcesOf(stack, "azurerm_management_lock")) {
      const target = String(lock.body.scope).replace(/^\$\{(.*)\.id\}$/, "$1");
      if (target !== lock.body.scope) expect(at(log, `create ${lock.address}`)).toBeGreaterThan(at(log, `create ${target}`));
    }
  });
  it("then plans no change", () => {
    expect(changed(rehearsal)).toEqual(new Map());
  });
});
