// Runs PowerShell 7 for tests, synchronously. A pwsh start costs 1.2-2 s of wall time and more
// CPU (.NET start-up), so a jest run starts one pwsh server (pwsh-server.ps1) in its globalSetup,
// without waiting for it, and every call here goes to that server through a small node client
// (pwsh-client.cjs, run with execFileSync). Each request runs in a fresh runspace of its own, so
// nothing one request defines is seen by the next. Every jest config that runs tests calling
// PowerShell starts a server (global-setup.ts, global-setup-stryker.ts); a call with none announced
// is refused, with the fix, rather than starting a pwsh of its own (that fallback cost a pwsh start,
// 1-2 s of CPU, in every run, for its own test alone).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REPO = path.join(__dirname, "..", "..");
const SERVER_SCRIPT = path.join(__dirname, "pwsh-server.ps1");
const CLIENT_SCRIPT = path.join(__dirname, "pwsh-client.cjs");

/** The port file of the jest run's PowerShell server; set by globalSetup, inherited by the workers. */
export const PWSH_SERVER_ENV = "AZURE_KMS_HOST_PWSH_SERVER_PORT_FILE";

/** A script file run with arguments (like pwsh -File), or script text (like pwsh -Command). */
export type PowerShellRequest = { readonly file: string; readonly args?: readonly string[] } | { readonly command: string };

/** What pwsh-server.ps1 replies. */
export interface PowerShellReply {
  /** False when the script stopped on a terminating error (a throw, or an error under 'Stop'). */
  readonly ok: boolean;
  /** The output stream through Out-String: what pwsh would print. */
  readonly stdout: string;
  /** Every error record, the terminating one last, each with its position when it has one. */
  readonly errors: readonly string[];
  readonly hadErrors: boolean;
}

/** The pwsh the project installed (scripts/install-powershell.sh), else pwsh on PATH. */
export function pwshPath(): string {
  const local = path.join(REPO, ".tools", "pwsh", "pwsh");
  if (existsSync(local)) return local;
  return "pwsh";
}

/**
 * Runs `request` and returns the reply as it is, errors included. Goes to the server whose port
 * file is given, by default the jest run's (PWSH_SERVER_ENV); throws when there is none.
 */
export function invokePowerShell(request: PowerShellRequest, portFile: string | undefined = process.env[PWSH_SERVER_ENV]): PowerShellReply {
  if (!portFile) {
    throw new Error(
      `No PowerShell server for this test run (${PWSH_SERVER_ENV} is not set): run the tests through jest with the project's config (jest.config.js), whose globalSetup (test/support/global-setup.ts) installs pwsh and starts the server`,
    );
  }
  // Pure ASCII on the wire: no encoding question for pwsh's stdin.
  const input = JSON.stringify({ ...request, cwd: process.cwd() }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const options = { input, encoding: "utf8" as const, maxBuffer: 256 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] as ["pipe", "pipe", "pipe"] };
  let output: string;
  try {
    output = execFileSync(process.execPath, [CLIENT_SCRIPT, portFile], options);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`PowerShell could not run through the jest run's PowerShell server (port file ${portFile}): ${stderr || (error as Error).message}`);
  }
  return JSON.parse(output) as PowerShellReply;
}

/** Runs `request` and returns what it printed; throws, with PowerShell's error text, if it wrote any error. */
export function runPowerShell(request: PowerShellRequest): string {
  const reply = invokePowerShell(request);
  if (!reply.ok || reply.errors.length > 0) {
    const what = "file" in request ? [request.file, ...(request.args ?? [])].join(" ") : request.command.slice(0, 300);
    throw new Error(`PowerShell failed (${reply.ok ? "error records" : "terminating error"}) running ${what}:\n${reply.errors.join("\n")}`);
  }
  return reply.stdout;
}

/** A running pwsh-server.ps1 and the directory of its port file, pid file and log. */
export interface PowerShellServer {
  readonly portFile: string;
  readonly dir: string;
  /** The process started, leader of a process group of its own (see startPowerShellServer). */
  readonly process: ChildProcess;
}

/**
 * Starts pwsh-server.ps1 in the background and returns at once; clients wait for its port file.
 * It exits by itself when `parentPid` is gone or after `idleSeconds` without a request.
 */
export function startPowerShellServer(options: { pwsh?: string; parentPid?: number; idleSeconds?: number } = {}): PowerShellServer {
  const pwsh = options.pwsh ?? pwshPath();
  const dir = mkdtempSync(path.join(tmpdir(), "azure-kms-host-pwsh-server-"));
  const portFile = path.join(dir, "port");
  const logFile = path.join(dir, "server.log");
  const log = openSync(logFile, "a");
  const args = ["-NoProfile", "-NonInteractive", "-File", SERVER_SCRIPT, "-PortFile", portFile, "-ParentPid", String(options.parentPid ?? process.pid)];
  if (options.idleSeconds !== undefined) args.push("-IdleSeconds", String(options.idleSeconds));
  // A process group of its own: pwsh installed as a .NET tool (.tools/pwsh/pwsh) is a launcher that
  // runs `dotnet pwsh.dll` as its child and does not pass signals on, so stopping means the group.
  // DOTNET_TC_CallCountThreshold: .NET re-JITs a method at its optimizing tier once it has been
  // called 30 times, in the background. Every request runs new script text through much the same
  // engine code, so the server went on re-JITting: about 0.2 s of CPU per request, half of it after
  // the reply, and some 10 s over a jest run on a 2-core machine. The precompiled (ReadyToRun) code
  // pwsh ships is good enough for a run of a minute; with the threshold at its maximum (.NET reads
  // the value as hexadecimal: 0xffff) a request costs about half. Same results: only the JIT's
  // schedule changes.
  const env = { ...process.env, DOTNET_TC_CallCountThreshold: "ffff" };
  const child = spawn(pwsh, args, { cwd: REPO, env, stdio: ["ignore", log, log], detached: true });
  closeSync(log);
  // A failed start (no such pwsh) shows in the log, which clients print when the server is not there.
  child.on("error", (error) => writeFileSync(logFile, `could not start ${pwsh}: ${error.message}\n`, { flag: "a" }));
  if (child.pid !== undefined) writeFileSync(path.join(dir, "pid"), String(child.pid));
  // The server must not keep the jest process alive; it exits by itself when jest is gone.
  child.unref();
  return { portFile, dir, process: child };
}

/**
 * Stops a server from startPowerShellServer and removes its directory. SIGKILL, to its process
 * group: the server keeps no state, and on SIGTERM pwsh first finishes the statement it is in, which
 * cost a second (its accept loop waits a second at a time) at the end of every jest run. Waits for
 * our child to exit, not for the group's last zombie to be reaped, which is up to init.
 */
export async function stopPowerShellServer(server: PowerShellServer): Promise<void> {
  const child = server.process;
  const pgid = child.pid;
  // Signal the group only while its leader, our child, has not been reaped: its id cannot have been
  // reused (nor can it while the group has a member left).
  if (pgid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(-pgid, "SIGKILL");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
  }
  rmSync(server.dir, { recursive: true, force: true });
}
