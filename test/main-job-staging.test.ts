// The main job's staging when renames fail (stacks/synthesize.ts, moveTree): the staging directory
// is normally beside the output, so moving it into place is a rename; across file systems the
// rename fails with EXDEV and the output is copied instead; any other failure fails the run.
// fs is replaced by the real module with a renameSync that fails on demand (jest.mock is the only
// seam: the code under test imports fs as a namespace).
import * as fs from "fs";
import * as path from "path";
import { synthesizeAll } from "../stacks/synthesize";
import { environmentWith } from "./support/environments";
import { projectWith, type ScratchProject } from "./support/projects";

let mockRenameFailure: string | undefined;
let mockRenameCalls = 0;
jest.mock("fs", () => {
  const actual = jest.requireActual<typeof import("fs")>("fs");
  return {
    ...actual,
    renameSync: (...args: Parameters<typeof actual.renameSync>) => {
      mockRenameCalls += 1;
      if (mockRenameFailure) throw Object.assign(new Error(`${mockRenameFailure}: rename refused by the test`), { code: mockRenameFailure });
      return actual.renameSync(...args);
    },
  };
});

let run: ScratchProject;
beforeEach(() => {
  run = projectWith({ lab: environmentWith("lab", () => undefined) });
  mockRenameCalls = 0;
});
afterEach(() => {
  mockRenameFailure = undefined;
  run.cleanup();
});

test("a rename refused with EXDEV (another file system): the output is copied into place, whole, and the staging directory goes", () => {
  mockRenameFailure = "EXDEV";
  const { environments: environmentsDir, outdir } = run;
  const result = synthesizeAll({ environmentsDir, outdir });
  expect(mockRenameCalls).toBeGreaterThan(0);
  expect(JSON.parse(fs.readFileSync(result.stackFiles[0], "utf8")).resource).toBeDefined();
  expect(fs.readdirSync(path.join(outdir, "stacks", "kms-lab", "assets")).length).toBeGreaterThan(0);
  expect(fs.readdirSync(path.join(outdir, "client-kit", "lab")).sort()).toEqual(["Test-KmsClient.ps1", "configuration.xml"]);
  expect(fs.readdirSync(run.dir).sort()).toEqual(["cdktf.out", "environments"]);
});

test("a rename that fails for another reason fails the run, and the staging directory still goes", () => {
  mockRenameFailure = "EACCES";
  expect(() => synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir })).toThrow(/EACCES/);
  expect(fs.readdirSync(run.dir).filter((name) => name.includes("staging"))).toEqual([]);
});

test("without failures the output is renamed into place (no copy)", () => {
  const result = synthesizeAll({ environmentsDir: run.environments, outdir: run.outdir });
  expect(mockRenameCalls).toBeGreaterThan(0);
  expect(fs.existsSync(result.stackFiles[0])).toBe(true);
});
