// The `monitoring` section: defaults that turn it on, and every bad value refused with the field
// and the fix. Limits come from the azurerm provider v4.55.0 (cited in constructs/kms-monitoring.ts).
import { fixtureData, fixtureEnvironment, parseFixture } from "../support/fixtures";

const WORKSPACE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/log-ops";
const ACTION_GROUP = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/ag-ops";

const problemsWith = (monitoring: unknown): string[] => parseFixture(fixtureData("monitored", (d) => void (d.monitoring = monitoring))).problems;

describe("monitoring defaults", () => {
  test.each(["lab", "production"])("without a monitoring section a %s environment is monitored, with a created workspace and action group", (tier) => {
    const environment = fixtureEnvironment("monitored", (d) => {
      d.tier = tier;
      // A lab vault needs a firewall or a private endpoint (config/baseline-schema.ts).
      if (tier === "lab") d.keyVault.allowedCidrs = ["198.51.100.16/28"];
      delete d.monitoring;
    });
    expect(environment.monitoring).toEqual({ enabled: true, emailReceivers: [], noClientRequestHours: 48 });
  });

  test("a created workspace keeps 30 days unless told otherwise", () => {
    expect(fixtureEnvironment("monitored", (d) => void (d.monitoring = { workspace: {} })).monitoring.workspace).toEqual({ retentionInDays: 30 });
  });

  test("accepts an existing workspace and action group by id", () => {
    const m = fixtureEnvironment("monitored", (d) => void (d.monitoring = { workspaceId: WORKSPACE, actionGroupId: ACTION_GROUP })).monitoring;
    expect(m).toMatchObject({ workspaceId: WORKSPACE, actionGroupId: ACTION_GROUP, enabled: true });
  });

  test.each([1, 2, 3, 4, 5, 6, 24, 48])("accepts noClientRequestHours %d (an alert window the provider accepts)", (hours) => {
    expect(problemsWith({ noClientRequestHours: hours })).toEqual([]);
  });

  test.each([30, 730])("accepts retentionInDays %d (the provider's bounds)", (days) => {
    expect(problemsWith({ workspace: { retentionInDays: days } })).toEqual([]);
  });
});

describe("monitoring refuses", () => {
  const cases: Array<[string, unknown, string, string]> = [
    ["retention below the provider's 30 days", { workspace: { retentionInDays: 29 } }, "monitoring.workspace.retentionInDays", "the azurerm provider accepts 30 to 730 days; use at least 30"],
    ["retention above the provider's 730 days", { workspace: { retentionInDays: 731 } }, "monitoring.workspace.retentionInDays", "the azurerm provider accepts 30 to 730 days; use at most 730"],
    ["a workspace name the provider refuses", { workspace: { name: "-log" } }, "monitoring.workspace.name", "use 4-63 letters, digits and hyphens, not starting or ending with a hyphen"],
    ["a workspace id of another resource type", { workspaceId: WORKSPACE.replace("Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components") }, "monitoring.workspaceId", "write a Log Analytics workspace resource id"],
    ["an action group id of another resource type", { actionGroupId: WORKSPACE }, "monitoring.actionGroupId", "write an action group resource id"],
    ["an existing workspace and one to create", { workspaceId: WORKSPACE, workspace: { retentionInDays: 30 } }, "monitoring.workspace", "give either workspaceId (use an existing workspace) or workspace (create one), not both"],
    ["e-mail receivers with an existing action group", { actionGroupId: ACTION_GROUP, emailReceivers: [{ name: "ops", address: "ops@example.com" }] }, "monitoring.emailReceivers", "applies only to an action group this stack creates"],
    ["an e-mail address that is not one", { emailReceivers: [{ name: "ops", address: "ops.example.com" }] }, "monitoring.emailReceivers[0].address", "write an e-mail address such as kms-ops@contoso.com"],
    ["two receivers with one name", { emailReceivers: [{ name: "ops", address: "a@example.com" }, { name: "OPS", address: "b@example.com" }] }, "monitoring.emailReceivers[1].name", '"OPS" is already the name of emailReceivers[0]'],
    ["a period the alert window cannot have", { noClientRequestHours: 12 }, "monitoring.noClientRequestHours", "use one of 1, 2, 3, 4, 5, 6, 24, 48 hours"],
    ["a period of zero", { noClientRequestHours: 0 }, "monitoring.noClientRequestHours", "use one of"],
    ["an unknown field", { emailReceiver: [] }, "monitoring.emailReceiver", "emailReceivers"],
  ];
  test.each(cases)("%s", (_what, monitoring, field, message) => {
    const problems = problemsWith(monitoring);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")}: `))]);
    expect(problems[0]).toContain(message);
  });
});
