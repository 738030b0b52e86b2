// test/support/powershell.ts: the jest run's PowerShell server (pwsh-server.ps1, reached through
// pwsh-client.cjs) runs requests like pwsh would, each in a fresh runspace, keeps concurrent
// replies apart; without a server, a call is refused with the fix. (That the server exits when the
// jest process is gone was checked by hand, not here: it costs a pwsh start and seconds of waiting
// in every run.)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  PWSH_SERVER_ENV,
  invokePowerShell,
  runPowerShell,
  type PowerShellRequest,
} from "./support/powershell";

/**
 * One request sent over a socket of its own, asynchronously, so that several are in flight at once:
 * the line pwsh-client.cjs sends, and its reply read to the end as the client reads it. In-process
 * sockets rather than client processes: every connection is open before the first reply comes
 * (a node start per client took 50-100 ms, so client processes were not even sure to overlap),
 * and the client itself is what every other test here runs.
 */
function sendConcurrently(port: number, request: PowerShellRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  });
}

describe("the jest run's PowerShell server", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pwsh-server-test-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is announced to this worker by globalSetup, and the requests go to it", () => {
    expect(process.env[PWSH_SERVER_ENV]).toMatch(/port$/);
    // The server's command line, not that of a pwsh started for the call.
    expect(runPowerShell({ command: "[Environment]::GetCommandLineArgs() -join ' '" })).toContain("-PortFile");
  });

  test("returns what a script file prints, given its arguments", () => {
    const script = path.join(dir, "join.ps1");
    writeFileSync(script, "param([string] $A, [string] $B)\n\"$A|$B\"\n$A.Length\n");
    expect(runPowerShell({ file: script, args: ["two words", "naïve €"] })).toBe("two words|naïve €\n9\n");
  });

  test("returns what a command prints, formatted as pwsh would", () => {
    expect(runPowerShell({ command: "'text'; 1 + 2; ConvertTo-Json -Compress -InputObject @{ a = 1 }" })).toBe('text\n3\n{"a":1}\n');
  });

  test("a throwing script fails with its message", () => {
    expect(() => runPowerShell({ command: "'before'; throw 'the-thrown-message'" })).toThrow(/terminating error[\s\S]*the-thrown-message/);
    const reply = invokePowerShell({ command: "'printed first'; throw 'the-thrown-message'" });
    expect(reply).toMatchObject({ ok: false, hadErrors: true, stdout: "printed first\n" });
    expect(reply.errors).toEqual([expect.stringContaining("the-thrown-message")]);
  });

  test("an error record fails the call too, though the script runs on", () => {
    const reply = invokePowerShell({ command: "Write-Error 'a-soft-error'; 'after'" });
    expect(reply).toMatchObject({ ok: true, stdout: "after\n", hadErrors: true });
    expect(reply.errors).toEqual([expect.stringContaining("a-soft-error")]);
    expect(() => runPowerShell({ command: "Write-Error 'a-soft-error'; 'after'" })).toThrow(/error records[\s\S]*a-soft-error/);
  });

  test("runs each request in a fresh runspace: nothing dot-sourced or set survives it", () => {
    const library = path.join(dir, "library.ps1");
    writeFileSync(library, "function Get-FromLibrary { 'from the library' }\n$LibraryVariable = 'set'\n");
    expect(runPowerShell({ command: `. '${library}'; Get-FromLibrary; $LibraryVariable; $global:Leaked = 1; Set-Location '${dir}'` })).toBe("from the library\nset\n");
    const probe = "[bool](Get-Command Get-FromLibrary -ErrorAction Ignore); [bool](Get-Variable LibraryVariable -ErrorAction Ignore); [bool](Get-Variable Leaked -Scope Global -ErrorAction Ignore); (Get-Location).Path";
    expect(runPowerShell({ command: probe })).toBe(`False\nFalse\nFalse\n${process.cwd()}\n`);
  });

  test("keeps the replies to concurrent requests apart", async () => {
    // The server's port, once it listens (when this test runs alone, pwsh may still be starting).
    const portFile = process.env[PWSH_SERVER_ENV] ?? "";
    const deadline = Date.now() + 60_000;
    while (!existsSync(portFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const port = Number(readFileSync(portFile, "utf8"));
    const ids = [1, 2, 3, 4, 5, 6];
    const replies = await Promise.all(ids.map((id) => sendConcurrently(port, { command: `Start-Sleep -Milliseconds 20; 'reply-${id}-' * 5000` })));
    expect(replies.map((reply) => JSON.parse(reply).stdout)).toEqual(ids.map((id) => `reply-${id}-`.repeat(5000) + "\n"));
  });
});

describe("without a server", () => {
  test("a call is refused, naming the jest config whose globalSetup starts one", () => {
    const saved = process.env[PWSH_SERVER_ENV];
    delete process.env[PWSH_SERVER_ENV];
    try {
      expect(() => runPowerShell({ command: "'never run'" })).toThrow(
        `No PowerShell server for this test run (${PWSH_SERVER_ENV} is not set): run the tests through jest with the project's config (jest.config.js), whose globalSetup (test/support/global-setup.ts) installs pwsh and starts the server`,
      );
    } finally {
      process.env[PWSH_SERVER_ENV] = saved;
    }
  });
});
