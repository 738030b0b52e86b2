// Sends one request to the jest run's PowerShell server (pwsh-server.ps1) and prints its reply, so
// that test code can talk to the server synchronously, through execFileSync (a node start costs
// about 50 ms, a pwsh start well over a second). Usage: node pwsh-client.cjs <port file>, the
// request (one line of JSON) on stdin; the reply (one line of JSON) comes out on stdout. Waits up
// to 60 s for the port file, which the server writes once it listens; fails at once when the
// server process (its pid is in the file "pid" beside the port file) is gone. Any failure exits 1
// with the reason, and the server's log ("server.log" beside the port file), on stderr.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script that node runs outside jest */
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");

const PORT_WAIT_MS = 60_000;
// Requests are served one at a time: a reply may wait for other workers' requests first.
const REPLY_WAIT_MS = 300_000;

const portFile = process.argv[2];
const dir = portFile ? path.dirname(portFile) : "";

function fail(reason) {
  let log = "";
  try {
    log = fs.readFileSync(path.join(dir, "server.log"), "utf8").trim();
  } catch {
    // no log yet
  }
  process.stderr.write(`pwsh-client: ${reason}${log ? `\npwsh-server log:\n${log}` : ""}\n`);
  process.exit(1);
}

function serverAlive() {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8"));
  } catch {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

function readPort() {
  try {
    const port = Number(fs.readFileSync(portFile, "utf8"));
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

async function waitForPort() {
  const deadline = Date.now() + PORT_WAIT_MS;
  for (;;) {
    const port = readPort();
    if (port) return port;
    if (!serverAlive()) fail(`the PowerShell server is not running, and its port file ${portFile} is not there`);
    if (Date.now() > deadline) fail(`the PowerShell server wrote no port file ${portFile} within ${PORT_WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main() {
  if (!portFile) fail("usage: node pwsh-client.cjs <port file> < request.json");
  const request = fs.readFileSync(0, "utf8").trim();
  if (request === "" || request.includes("\n")) fail("the request must be one line of JSON on stdin");
  const port = await waitForPort();
  const reply = await new Promise((resolve, reject) => {
    const chunks = [];
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(REPLY_WAIT_MS, () => socket.destroy(new Error(`no reply within ${REPLY_WAIT_MS / 1000} s`)));
    socket.on("connect", () => socket.write(request + "\n"));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  }).catch((error) => fail(`request to the PowerShell server on port ${port} (port file ${portFile}) failed: ${error.message}`));
  if (!reply.endsWith("\n")) fail(`the PowerShell server on port ${port} (port file ${portFile}) closed the connection before its reply was complete`);
  process.stdout.write(reply);
}

main();
