// A throwaway BIND 9 for tests: `named -g` (foreground) on 127.0.0.1 on a free port, with its
// configuration, zone, journal and TSIG key in a temporary directory. Only loopback traffic.
// Every call is bounded by a timeout, and stop() always kills the server and removes the directory.
import { ChildProcess, execFile, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The BIND 9 programs the tests need, and the Debian package of each. */
export const BIND_TOOLS = { named: "bind9", "named-checkconf": "bind9", "named-checkzone": "bind9", "tsig-keygen": "bind9", nsupdate: "dnsutils", dig: "dnsutils" } as const;
export type BindTool = keyof typeof BIND_TOOLS;

/** named and tsig-keygen live in /usr/sbin, which is not on every user's PATH. */
const SEARCH_DIRS = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), "/usr/sbin", "/usr/bin", "/sbin"];

/** The absolute path of a program, or undefined when it is not installed. */
export function findProgram(name: string): string | undefined {
  for (const dir of SEARCH_DIRS) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The BIND tools that are missing on this machine. */
export function missingBindTools(): BindTool[] {
  return (Object.keys(BIND_TOOLS) as BindTool[]).filter((tool) => !findProgram(tool));
}

/** The message a test shows when BIND is missing. */
export function bindMissingMessage(missing: readonly BindTool[]): string {
  return (
    `BIND 9 is not installed here (missing: ${missing.join(", ")}). These tests need a real DNS server. ` +
    "Install it with: apt-get update && apt-get install -y --no-install-recommends bind9 dnsutils (npm test runs scripts/install-bind.sh, which does this when it can), then run npm test again."
  );
}

/** Runs a program with a timeout; resolves with stdout, rejects with stderr in the message. */
export function run(program: string, args: readonly string[], options: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<string> {
  const file = findProgram(program) ?? program;
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: options.timeoutMs ?? 10_000, cwd: options.cwd, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A port free for both TCP and UDP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket("udp4");
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error("no free port on 127.0.0.1 for both TCP and UDP after 20 tries");
}

/** One record as dig prints it in `+noall +answer` form, normalised. */
export interface DnsAnswer {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  readonly data: string;
}

/** A running named. */
export interface NamedServer {
  readonly port: number;
  readonly directory: string;
  /** Path of the TSIG key file (named.conf `key` statement format, as nsupdate -k reads it). */
  readonly keyFile: string;
  /** Answers for `name` and `type`, sorted. */
  dig(name: string, type: string): Promise<DnsAnswer[]>;
  /** Answers for each `[name, type]`, sorted, from one dig process. */
  digMany(questions: readonly (readonly [string, string])[]): Promise<DnsAnswer[][]>;
  /** Sends an nsupdate script to this server with the TSIG key; the `server` line is prepended. */
  nsupdate(script: string): Promise<void>;
  /** named's log so far. */
  log(): string;
  /** Kills the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startNamed}. */
export interface StartNamedOptions {
  /** The zone to serve, e.g. `kms.example.test` (no trailing dot). */
  readonly zoneName: string;
  /** The zone file body after the SOA and NS records, e.g. `$INCLUDE /path/kms.zone`. */
  readonly zoneBody: string;
  /** Milliseconds to wait for named to answer. @default 10000 */
  readonly startTimeoutMs?: number;
}

/** The zone file: SOA and NS (the server itself), then `zoneBody`. */
export function zoneFileText(zoneName: string, zoneBody: string): string {
  return [
    "$TTL 300",
    `@ IN SOA ns.${zoneName}. hostmaster.${zoneName}. 1 3600 600 86400 300`,
    `@ IN NS ns.${zoneName}.`,
    "ns IN A 127.0.0.1",
    zoneBody,
    "",
  ].join("\n");
}

/** dig's `+noall +answer` lines as records (names and data lower-cased). */
function parseAnswers(text: string): DnsAnswer[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith(";"))
    .map((line) => {
      const [owner, ttl, , type, ...data] = line.split(/\s+/);
      return { name: owner.toLowerCase(), ttl: Number(ttl), type, data: data.join(" ").toLowerCase() };
    });
}

/** Starts named for one zone that accepts updates signed with a fresh TSIG key (`kms-update`). */
export async function startNamed(options: StartNamedOptions): Promise<NamedServer> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "kms-bind-"));
  const keyFile = path.join(directory, "update.key");
  const zoneFile = path.join(directory, `${options.zoneName}.db`);
  let child: ChildProcess | undefined;
  let output = "";
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          running.kill("SIGKILL");
          resolve();
        }, 3000);
        running.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        running.kill("SIGTERM");
      });
    }
    fs.rmSync(directory, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    fs.writeFileSync(keyFile, await run("tsig-keygen", ["-a", "hmac-sha256", "kms-update"]));
    fs.writeFileSync(zoneFile, zoneFileText(options.zoneName, options.zoneBody));
    const conf = path.join(directory, "named.conf");
    fs.writeFileSync(
      conf,
      [
        "options {",
        `  directory "${directory}";`,
        `  pid-file "${path.join(directory, "named.pid")}";`,
        `  session-keyfile "${path.join(directory, "session.key")}";`,
        `  managed-keys-directory "${directory}";`,
        `  listen-on port ${port} { 127.0.0.1; };`,
        "  listen-on-v6 { none; };",
        "  recursion no;",
        "  dnssec-validation no;",
        "  allow-query { 127.0.0.1; };",
        "  notify no;",
        "};",
        "controls { };",
        `include "${keyFile}";`,
        `zone "${options.zoneName}" { type primary; file "${zoneFile}"; allow-update { key "kms-update"; }; };`,
        "",
      ].join("\n"),
    );
    await run("named-checkconf", [conf]);
    child = spawn(findProgram("named") ?? "named", ["-g", "-c", conf, "-n", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    // One dig process for every question: dig takes several queries on one command line.
    const digMany = async (questions: readonly (readonly [string, string])[]): Promise<DnsAnswer[][]> => {
      const args = ["@127.0.0.1", "-p", String(port), "+time=2", "+tries=1", ...questions.flatMap(([name, type]) => [name, type, "+noall", "+answer"])];
      const answers = parseAnswers(await run("dig", args));
      const absolute = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();
      return questions.map(([name, type]) => answers.filter((a) => a.name === absolute(name) && a.type === type).sort((a, b) => a.data.localeCompare(b.data)));
    };
    const digArgs = (name: string, type: string) => ["@127.0.0.1", "-p", String(port), "+noall", "+answer", "+time=2", "+tries=1", name, type];
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    for (;;) {
      if (!child || child.exitCode !== null) throw new Error(`named exited before answering:\n${output}`);
      const soa = await run("dig", digArgs(options.zoneName, "SOA")).catch(() => "");
      if (/\sSOA\s/.test(soa)) break;
      if (Date.now() > deadline) throw new Error(`named did not answer for ${options.zoneName} within the timeout:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      port,
      directory,
      keyFile,
      dig: async (name, type) => (await digMany([[name, type]]))[0],
      digMany,
      async nsupdate(script) {
        await run("nsupdate", ["-k", keyFile], { input: `server 127.0.0.1 ${port}\n${script}` });
      },
      log: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
