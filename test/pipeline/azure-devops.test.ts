// The Azure DevOps pipelines (pipelines/azure-devops/, issue 24 item 2) checked like code: each
// pipeline file is expanded as the service expands templates (test/support/azure-pipelines.ts),
// then validated against Azure Pipelines' published YAML schema (vendored extract,
// test/fixtures/pipeline/azure-pipelines-schema.json, source in its x-source), and every task's
// name and inputs against that task's definition in the schema. The same checks are shown to fail
// on broken copies, so they are not checks that cannot fail.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expandPipeline, pipelineSchema, stepsOf, taskProblems } from "../support/azure-pipelines";

const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, "pipelines", "azure-devops");
const PIPELINES = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml")).map((f) => path.join(DIR, f));
const TEMPLATES = fs.readdirSync(path.join(DIR, "templates")).map((f) => path.join(DIR, "templates", f));
const { schema, validate } = pipelineSchema();

function problemsOf(file: string): string[] {
  const { pipeline } = expandPipeline(file);
  return [...validate(pipeline), ...stepsOf(pipeline).filter(({ step }) => "task" in step).flatMap(({ where, step }) => taskProblems(schema, where, step))];
}

test("there are the three flows: pull request, deploy and drift", () => {
  expect(PIPELINES.map((f) => path.basename(f)).sort()).toEqual(["deploy.yml", "drift.yml", "pull-request.yml"]);
});

test.each(PIPELINES.map((f) => [path.relative(ROOT, f), f]))("%s expands and matches the Azure Pipelines schema and its tasks' definitions", (_name, file) => {
  expect(problemsOf(file)).toEqual([]);
});

test("every template is used by some pipeline", () => {
  const used = new Set(PIPELINES.flatMap((f) => expandPipeline(f).templates));
  expect(TEMPLATES.filter((t) => !used.has(t))).toEqual([]);
});

test("Azure CLI tasks run on a service connection with the pipeline scripts, never an inline script or a secret", () => {
  for (const file of PIPELINES) {
    const { pipeline } = expandPipeline(file);
    for (const { where, step } of stepsOf(pipeline).filter(({ step }) => step.task === "AzureCLI@2")) {
      const inputs = step.inputs as Record<string, string>;
      expect({ where, scriptLocation: inputs.scriptLocation, scriptType: inputs.scriptType }).toEqual({ where, scriptLocation: "scriptPath", scriptType: "bash" });
      expect(fs.statSync(path.join(ROOT, inputs.scriptPath)).mode & 0o111).not.toBe(0);
      expect((step.env as Record<string, string>).SYSTEM_ACCESSTOKEN).toBe("$(System.AccessToken)");
      expect(JSON.stringify(step)).not.toMatch(/secret|password|servicePrincipalKey/i);
    }
  }
});

test("the deploy pipeline applies in deployment jobs on an environment, one at a time, after the plan of the same environment", () => {
  const { pipeline } = expandPipeline(path.join(DIR, "deploy.yml"));
  const stages = pipeline.stages as Record<string, any>[];
  const applies = stages.filter((s) => String(s.stage).startsWith("apply_"));
  expect(applies.length).toBeGreaterThan(0);
  for (const stage of applies) {
    expect(stage.lockBehavior).toBe("sequential");
    expect(stage.dependsOn).toBe(String(stage.stage).replace(/^apply_/, "plan_"));
    expect(stage.jobs[0].environment).toMatch(/^kms-/);
    const steps = stage.jobs[0].strategy.runOnce.deploy.steps as Record<string, unknown>[];
    expect(steps.some((s) => s.download === "current")).toBe(true);
    // No synth and no plan in the apply: it applies the artefact.
    expect(JSON.stringify(steps)).not.toMatch(/synth|plan\.sh/);
  }
});

describe("the checks fail on broken pipelines", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-ado-"));
    fs.cpSync(DIR, dir, { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const broken = (change: (text: string) => string): string[] => {
    const file = path.join(dir, "templates", "plan-stage.yml");
    const original = fs.readFileSync(file, "utf8");
    try {
      fs.writeFileSync(file, change(original));
      return problemsOf(path.join(dir, "pull-request.yml"));
    } finally {
      fs.writeFileSync(file, original);
    }
  };

  test("a misspelled task input", () => {
    expect(broken((t) => t.replace("azureSubscription:", "azureSubscriptio:")).join("\n")).toMatch(/AzureCLI@2 has no input azureSubscriptio .*\n.*AzureCLI@2 needs the input azureSubscription/);
  });

  test("a task version that does not exist", () => {
    expect(broken((t) => t.replace("task: AzureCLI@2", "task: AzureCLI@9"))).toContainEqual(expect.stringContaining("task AzureCLI@9 is not in the schema"));
  });

  test("a value outside a task input's enumeration", () => {
    expect(broken((t) => t.replace("scriptType: bash", "scriptType: zsh"))).toContainEqual(expect.stringContaining('AzureCLI@2 input scriptType: "zsh" is not one of ps, pscore, batch, bash'));
  });

  test("a key the schema does not know (the whole pipeline is validated)", () => {
    expect(broken((t) => t.replace("    jobs:\n      - job: plan\n", "    jobz: []\n    jobs:\n      - job: plan\n")).length).toBeGreaterThan(0);
  });

  test("an undeclared template parameter and an unknown expression", () => {
    expect(() => broken((t) => t.replace("environment: ${{ parameters.environment }}\n", "environment: ${{ parameters.environmnt }}\n"))).toThrow("names parameters.environmnt, which the template does not declare");
    expect(() => broken((t) => t.replace("${{ replace(parameters.environment, '-', '_') }}", "${{ lower(parameters.environment) }}"))).toThrow("does not know the template expression");
  });
});
