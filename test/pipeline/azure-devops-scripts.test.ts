// The Azure DevOps side of scripts/pipeline/ (issue 24, item 2): azure-devops-oidc.sh maps what
// AzureCLI@2 sets on a workload-identity service connection to the variables Terraform's azurerm
// provider and backend read, and refuses a connection with a secret; azure-devops-pr-comment.sh
// posts the guard's summary as a pull request thread (to a local HTTP server standing in for the
// Azure DevOps REST API: the request's method, path, api-version, authorization and JSON body are
// what "Pull Request Threads - Create" (api-version 7.1) documents).
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPTS = path.join(ROOT, "scripts", "pipeline");
let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kms-ado-scripts-"));
  // A stand-in `az` that answers `az account show --query id --output tsv` as the CLI does.
  fs.mkdirSync(path.join(work, "bin"));
  fs.writeFileSync(path.join(work, "bin", "az"), '#!/bin/sh\n[ "$*" = "account show --query id --output tsv" ] && echo 11111111-2222-3333-4444-555555555555\n');
  fs.chmodSync(path.join(work, "bin", "az"), 0o755);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** What AzureCLI@2 sets on a workload-identity connection (azureclitask.ts:331-333) plus the mapped access token. */
const TASK_ENV = {
  AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "connection-id",
  AZURESUBSCRIPTION_CLIENT_ID: "client-id",
  AZURESUBSCRIPTION_TENANT_ID: "tenant-id",
  SYSTEM_ACCESSTOKEN: "system-access-token",
  SYSTEM_OIDCREQUESTURI: "https://oidc.example.test/request",
};

function oidc(extra: Record<string, string>, unset: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { PATH: `${path.join(work, "bin")}:${process.env.PATH}`, ...TASK_ENV, ...extra };
  for (const name of unset) delete env[name];
  const script = `source ${SCRIPTS}/lib.sh; source ${SCRIPTS}/azure-devops-oidc.sh; ado_oidc_env; env | grep '^ARM_' | sort`;
  // stdin not a pipe: Debian's bash reads ~/.bashrc when stdin is a socket (its SSH_SOURCE_BASHRC), and node's pipes are sockets.
  const result = spawnSync("bash", ["-c", script, "azure-devops-plan.sh"], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("a workload-identity connection becomes the refreshing Azure DevOps OIDC of the azurerm provider and backend", () => {
  expect(oidc({})).toEqual({
    status: 0,
    stderr: "",
    stdout: [
      "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID=connection-id",
      "ARM_CLIENT_ID=client-id",
      "ARM_SUBSCRIPTION_ID=11111111-2222-3333-4444-555555555555",
      "ARM_TENANT_ID=tenant-id",
      "ARM_USE_CLI=false",
      "ARM_USE_OIDC=true",
      "",
    ].join("\n"),
  });
  expect(oidc({ ARM_SUBSCRIPTION_ID: "given" }).stdout).toContain("ARM_SUBSCRIPTION_ID=given\n");
});

test.each([
  [{ servicePrincipalKey: "a-secret" }, [], 'the service connection authenticates with a secret or certificate; use a workload identity federation connection (README, "Deploying from a pipeline")'],
  [{}, ["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"], "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID is not set: run this script in an AzureCLI@2 task on a workload identity federation service connection"],
  [{}, ["SYSTEM_ACCESSTOKEN"], "SYSTEM_ACCESSTOKEN is not set: add  SYSTEM_ACCESSTOKEN: $(System.AccessToken)  to the task's env"],
  [{}, ["SYSTEM_OIDCREQUESTURI"], "SYSTEM_OIDCREQUESTURI is not set (the predefined variable System.OidcRequestUri); run on Azure DevOps Services"],
])("refused: %j without %j", (extra, unset, message) => {
  expect(oidc(extra as Record<string, string>, unset)).toEqual({ status: 1, stdout: "", stderr: `azure-devops-plan.sh: ${message}\n` });
});

describe("azure-devops-pr-comment.sh", () => {
  let server: http.Server;
  let url: string;
  const requests: { method?: string; url?: string; authorization?: string; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/contoso/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (env: Record<string, string>, summary: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile("bash", [path.join(SCRIPTS, "azure-devops-pr-comment.sh"), summary], { env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
      child.stdin?.end();
    });

  test("posts the summary as an active thread on the pull request, with the job's token", async () => {
    const summary = path.join(work, "summary.md");
    fs.writeFileSync(summary, "## Plan guard\n\nNo changes. \"quoted\" and `code`\n");
    const result = await run(
      { SYSTEM_ACCESSTOKEN: "job-token", SYSTEM_COLLECTIONURI: url, SYSTEM_TEAMPROJECT: "kms", BUILD_REPOSITORY_ID: "repo-id", SYSTEM_PULLREQUEST_PULLREQUESTID: "42", KMS_ENVIRONMENT: "sandbox" },
      summary,
    );
    expect(result).toEqual({ code: 0, stdout: "azure-devops-pr-comment.sh: commented on pull request 42\n", stderr: "" });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: "POST", url: "/contoso/kms/_apis/git/repositories/repo-id/pullRequests/42/threads?api-version=7.1", authorization: "Bearer job-token" });
    expect(JSON.parse(requests[0].body)).toEqual({
      comments: [{ parentCommentId: 0, content: "### Plan of `sandbox`\n\n## Plan guard\n\nNo changes. \"quoted\" and `code`", commentType: 1 }],
      status: 1,
    });
  });

  test("outside a pull request it posts nothing; without the token it fails", async () => {
    const before = requests.length;
    expect(await run({ SYSTEM_ACCESSTOKEN: "t", SYSTEM_COLLECTIONURI: url }, "x.md")).toEqual({ code: 0, stdout: "azure-devops-pr-comment.sh: not a pull request build; nothing to comment\n", stderr: "" });
    expect(await run({ SYSTEM_PULLREQUEST_PULLREQUESTID: "42", SYSTEM_COLLECTIONURI: url }, "x.md")).toMatchObject({ code: 1, stderr: "azure-devops-pr-comment.sh: SYSTEM_ACCESSTOKEN is not set: add  SYSTEM_ACCESSTOKEN: $(System.AccessToken)  to the step's env\n" });
    expect(requests.length).toBe(before);
  });
});
