// Tests for powershell/Install-KmsHost.ps1, the Run Command script that bootstraps the KMS host.
// PowerShell cannot run here, so the script is checked through its tree-sitter parse tree: the
// grammar proves it parses, and the tree lets each test look at the exact command, parameter or
// branch it is about instead of trusting a substring that a comment could satisfy.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parsePowerShell, powerShellSyntaxErrors, type PowerShellNode } from "./support/powershell-grammar";

type Node = PowerShellNode;

const scriptPath = path.join(__dirname, "..", "powershell", "Install-KmsHost.ps1");
const source = readFileSync(scriptPath, "utf8");
const root = parsePowerShell(source);

// ---------------------------------------------------------------------------------------------
// Tree helpers
// ---------------------------------------------------------------------------------------------

function ancestors(node: Node): Node[] {
  const result: Node[] = [];
  for (let current = node.parent; current; current = current.parent) result.push(current);
  return result;
}

function commandName(command: Node): string {
  return command.namedChildren.find((child) => child.type === "command_name")?.text ?? "";
}

/** Every command invocation (cmdlet, function or native) below `node`. */
function commands(node: Node, name?: string): Node[] {
  const all = node.descendantsOfType("command");
  if (name === undefined) return all;
  return all.filter((command) => commandName(command).toLowerCase() === name.toLowerCase());
}

/**
 * The value given to `-Parameter` in a command: the element after the parameter, or "" for a
 * switch. undefined when the parameter is absent.
 */
function argumentOf(command: Node, parameter: string): Node | null | undefined {
  const elements = command.namedChildren.find((child) => child.type === "command_elements");
  if (!elements) return undefined;
  const items = elements.namedChildren.filter((child) => child.type !== "command_argument_sep");
  const index = items.findIndex((item) => item.type === "command_parameter" && item.text.toLowerCase() === parameter.toLowerCase());
  if (index < 0) return undefined;
  const next = items[index + 1];
  if (!next || next.type === "command_parameter") return null;
  return next;
}

function argumentText(command: Node, parameter: string): string | undefined {
  const value = argumentOf(command, parameter);
  if (value === undefined) return undefined;
  return value === null ? "" : value.text;
}

/** The value of a PowerShell string literal ('...' or "..."), without quotes. */
function stringValue(literal: string): string {
  if (literal.startsWith("'")) return literal.slice(1, -1).replace(/''/g, "'");
  if (literal.startsWith('"')) return literal.slice(1, -1);
  return literal;
}

/** String literals below `node`, as values. */
function strings(node: Node): string[] {
  return node.descendantsOfType("string_literal").map((literal) => stringValue(literal.text));
}

function functionNamed(name: string): Node {
  const found = root
    .descendantsOfType("function_statement")
    .find((fn) => fn.namedChildren.find((child) => child.type === "function_name")?.text.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`function ${name} not found in the script`);
  return found;
}

/** Right-hand side of the assignment to `$script:Name` (or `$Name`). */
function assignedValue(variable: string): Node {
  const found = root.descendantsOfType("assignment_expression").find((assignment) => {
    const left = assignment.namedChildren.find((child) => child.type === "left_assignment_expression");
    return left?.text.toLowerCase() === variable.toLowerCase();
  });
  if (!found) throw new Error(`no assignment to ${variable}`);
  const value = found.namedChildren[found.namedChildren.length - 1];
  if (!value) throw new Error(`assignment to ${variable} has no value`);
  return value;
}

function assignedString(variable: string): string {
  const literal = assignedValue(variable).descendantsOfType("string_literal")[0];
  if (!literal) throw new Error(`${variable} is not assigned a string`);
  return stringValue(literal.text);
}

function assignedNumber(variable: string): number {
  return Number(assignedValue(variable).text);
}

function isThrow(node: Node): boolean {
  return node.type === "flow_control_statement" && /^throw\b/i.test(node.text);
}

/** First option string of every `Invoke-Slmgr -Arguments @('/opt', ...)` call below `node`. */
function slmgrCalls(node: Node): { option: string; call: Node }[] {
  return commands(node, "Invoke-Slmgr").map((call) => {
    const value = argumentOf(call, "-Arguments");
    const first = value ? strings(value)[0] : undefined;
    return { option: first ?? "", call };
  });
}

/** The if_statement whose condition is the pipeline directly under it. */
function ifCondition(ifStatement: Node): string {
  return ifStatement.namedChildren.find((child) => child.type === "pipeline")?.text ?? "";
}

// ---------------------------------------------------------------------------------------------
// Secret-leak detector
// ---------------------------------------------------------------------------------------------

const OUTPUT_COMMANDS = new Set(
  [
    "Write-Log",
    "Write-Output",
    "Write-Host",
    "Write-Verbose",
    "Write-Warning",
    "Write-Information",
    "Write-Debug",
    "Write-Error",
    "Add-Content",
    "Set-Content",
    "Out-File",
    "Out-Host",
    "Start-Transcript",
  ].map((name) => name.toLowerCase()),
);

/** Nodes whose text can reach the log or stdout: output commands, slmgr's display text, throw messages (logged by the top-level catch), direct console writes. */
function outputSinks(node: Node): Node[] {
  const sinks: Node[] = [];
  for (const command of commands(node)) {
    const name = commandName(command).toLowerCase();
    if (OUTPUT_COMMANDS.has(name)) sinks.push(command);
    if (name === "invoke-slmgr") {
      const display = argumentOf(command, "-Display");
      if (display) sinks.push(display);
    }
  }
  sinks.push(...node.descendantsOfType("flow_control_statement").filter(isThrow));
  sinks.push(...node.descendantsOfType("invokation_expression").filter((call) => /^\[console\]::/i.test(call.text)));
  return sinks;
}

function variableName(variable: Node): string {
  return variable.text
    .replace(/^[$@]\{?/, "")
    .replace(/\}$/, "")
    .replace(/^(script|global|local|private):/i, "")
    .toLowerCase();
}

/** A secret variable is allowed in a sink only masked (argument of Get-MaskedKey) or as its .Length. */
function isMaskedUse(variable: Node): boolean {
  const maskedByCall = ancestors(variable).some((ancestor) => ancestor.type === "command" && commandName(ancestor).toLowerCase() === "get-maskedkey");
  const parent = variable.parent;
  const lengthOnly =
    parent?.type === "member_access" && parent.namedChildren.find((child) => child.type === "member_name")?.text.toLowerCase() === "length";
  return maskedByCall || lengthOnly;
}

function secretLeaks(node: Node, secretNames: readonly string[]): string[] {
  const secrets = new Set(secretNames.map((name) => name.toLowerCase()));
  const leaks: string[] = [];
  for (const sink of outputSinks(node)) {
    for (const variable of sink.descendantsOfType("variable")) {
      if (secrets.has(variableName(variable)) && !isMaskedUse(variable)) {
        leaks.push(`line ${variable.startPosition.row + 1}: ${variable.text} in ${sink.text.slice(0, 100)}`);
      }
    }
  }
  return leaks;
}

// Variables that hold a KMS host key, a Key Vault token, or a response that contains either.
const SECRET_VARIABLES = ["HostKey", "HostKeys", "Key", "Token", "headers", "tokenResponse", "secretResponse"] as const;

// ---------------------------------------------------------------------------------------------
// Command-line exposure detector
// ---------------------------------------------------------------------------------------------

// Cmdlets that may receive a secret because they run inside the PowerShell process and put
// nothing on a command line: the Key Vault request carries the token in its header.
const IN_PROCESS_CMDLETS = new Set(["invoke-restmethod"]);

/** Names of the functions `node` defines: calling them starts no process. */
function definedFunctions(node: Node): Set<string> {
  return new Set(
    node
      .descendantsOfType("function_statement")
      .map((fn) => fn.namedChildren.find((child) => child.type === "function_name")?.text.toLowerCase() ?? "")
      .filter((name) => name !== ""),
  );
}

/** True when `variable` is exactly the value of `ProductKey = ...` in the -Arguments hashtable of an InstallProductKey CIM call. */
function isProductKeyArgument(variable: Node, call: Node): boolean {
  if (argumentText(call, "-MethodName") !== "InstallProductKey") return false;
  const argumentsValue = argumentOf(call, "-Arguments");
  if (!argumentsValue || !ancestors(variable).includes(argumentsValue)) return false;
  const entry = ancestors(variable).find((ancestor) => ancestor.type === "hash_entry");
  if (!entry || !ancestors(entry).includes(argumentsValue)) return false;
  const key = entry.namedChildren.find((child) => child.type === "key_expression")?.text;
  const value = entry.namedChildren[entry.namedChildren.length - 1];
  return key === "ProductKey" && value?.text === variable.text;
}

/**
 * Places where a secret variable can reach a process command line (where 4688 auditing, Sysmon
 * and Defender for Endpoint record it): any slmgr call, a native or `&` invocation, Start-Process,
 * [Process]::Start, or a CIM call other than InstallProductKey's ProductKey argument. Calls to the
 * script's own functions are fine (their bodies are checked in turn), as are in-process cmdlets.
 */
function commandLineExposures(node: Node, secretNames: readonly string[], scriptFunctions: Set<string>): string[] {
  const secrets = new Set(secretNames.map((name) => name.toLowerCase()));
  const exposures: string[] = [];
  for (const variable of node.descendantsOfType("variable")) {
    if (!secrets.has(variableName(variable))) continue;
    const where = `line ${variable.startPosition.row + 1}: ${variable.text}`;
    const chain = ancestors(variable);
    if (chain.some((ancestor) => ancestor.type === "invokation_expression" && /Process\]::Start|ProcessStartInfo/i.test(ancestor.text))) {
      exposures.push(`${where} in a .NET process start`);
      continue;
    }
    const call = chain.find((ancestor) => ancestor.type === "command");
    if (!call) continue;
    const name = commandName(call).toLowerCase();
    const text = call.text.slice(0, 100);
    if (name === "invoke-slmgr") exposures.push(`${where} passed to slmgr: ${text}`);
    else if (name === "invoke-cimmethod") {
      if (!isProductKeyArgument(variable, call)) exposures.push(`${where} in a CIM call other than InstallProductKey(ProductKey): ${text}`);
    } else if (name === "") exposures.push(`${where} in a call through & or .: ${text}`);
    else if (!scriptFunctions.has(name) && !IN_PROCESS_CMDLETS.has(name)) exposures.push(`${where} passed to ${commandName(call)}: ${text}`);
  }
  return exposures;
}

/** Code tokens (string values and bare words, not comments) that ask slmgr to install a key. */
function ipkTokens(node: Node): string[] {
  const values = [...strings(node), ...node.descendantsOfType("generic_token").map((token) => token.text)];
  return values.filter((value) => /(^|[\s'"])[/-]ipk\b/i.test(value));
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("Install-KmsHost.ps1", () => {
  test("parses with zero syntax errors", () => {
    expect(powerShellSyntaxErrors(source)).toEqual([]);
  });

  test("declares exactly the Run Command parameter interface", () => {
    const paramBlock = root.namedChildren.find((child) => child.type === "param_block");
    expect(paramBlock).toBeDefined();
    const parameters = (paramBlock as Node).descendantsOfType("script_parameter").map((parameter) => {
      const attributes = parameter.namedChildren.find((child) => child.type === "attribute_list")?.namedChildren ?? [];
      const type = attributes.find((attribute) => attribute.namedChildren[0]?.type === "type_literal")?.text;
      const mandatory = attributes.some((attribute) => /^\[Parameter\(\s*Mandatory\s*=\s*\$true\s*\)\]$/i.test(attribute.text));
      const name = parameter.namedChildren.find((child) => child.type === "variable")?.text;
      const defaultNode = parameter.namedChildren.find((child) => child.type === "script_parameter_default");
      const literal = defaultNode?.descendantsOfType("string_literal")[0];
      return { name, type, mandatory, default: literal ? stringValue(literal.text) : defaultNode?.text };
    });
    expect(parameters).toEqual([
      { name: "$KeyVaultUri", type: "[string]", mandatory: true, default: undefined },
      { name: "$WindowsKeySecretName", type: "[string]", mandatory: false, default: "" },
      { name: "$OfficeProductsJson", type: "[string]", mandatory: false, default: "[]" },
      { name: "$KmsPort", type: "[string]", mandatory: false, default: "1688" },
      { name: "$ClientCidrs", type: "[string]", mandatory: false, default: "" },
      { name: "$DisableDnsPublishing", type: "[string]", mandatory: false, default: "true" },
      { name: "$LogPath", type: "[string]", mandatory: false, default: "C:\\ProgramData\\AzureKmsHost\\bootstrap.log" },
      { name: "$Revision", type: "[string]", mandatory: false, default: "" },
    ]);
  });

  test("runs in strict mode and stops on every error", () => {
    const topLevel = root.namedChildren.find((child) => child.type === "statement_list");
    const names = commands(topLevel as Node).map(commandName);
    expect(names).toContain("Set-StrictMode");
    const strict = commands(root, "Set-StrictMode")[0] as Node;
    expect(argumentText(strict, "-Version")).toBe("Latest");
    expect(assignedString("$ErrorActionPreference")).toBe("Stop");
  });

  test("installs the VolumeActivation feature with its management tools, skipping it when installed", () => {
    const fn = functionNamed("Install-VolumeActivationRole");
    const install = commands(fn, "Install-WindowsFeature");
    expect(install).toHaveLength(1);
    expect(argumentText(install[0] as Node, "-Name")).toBe("VolumeActivation");
    expect(argumentText(install[0] as Node, "-IncludeManagementTools")).toBe("");
    const skip = fn.descendantsOfType("if_statement").find((statement) => /\$feature\.Installed/.test(ifCondition(statement)));
    expect(skip?.descendantsOfType("flow_control_statement").some((statement) => /^return\b/i.test(statement.text))).toBe(true);
  });

  test("gets the Key Vault token from IMDS inside a bounded retry loop with backoff", () => {
    expect(assignedString("$script:ImdsTokenUri")).toBe(
      "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net",
    );
    const fn = functionNamed("Get-KeyVaultAccessToken");
    const request = commands(fn, "Invoke-RestMethod");
    expect(request).toHaveLength(1);
    expect(argumentText(request[0] as Node, "-Uri")).toBe("$script:ImdsTokenUri");
    expect(argumentText(request[0] as Node, "-Headers")).toMatch(/^@\{\s*Metadata\s*=\s*'true'\s*\}$/);
    const loop = ancestors(request[0] as Node).find((ancestor) => ancestor.type === "for_statement");
    expect(loop).toBeDefined();
    expect((loop as Node).namedChildren.find((child) => child.type === "for_condition")?.text).toMatch(/\$script:MaxAttempts/);
    const sleep = commands(loop as Node, "Start-Sleep");
    expect(sleep.length).toBeGreaterThan(0);
    expect(argumentText(sleep[0] as Node, "-Seconds")).toBe("$wait");
    expect(commands(loop as Node, "Get-BackoffSeconds")).toHaveLength(1);
    // Bounded: about ten attempts, capped wait.
    expect(assignedNumber("$script:MaxAttempts")).toBeGreaterThanOrEqual(5);
    expect(assignedNumber("$script:MaxAttempts")).toBeLessThanOrEqual(15);
    expect(assignedNumber("$script:MaxBackoffSeconds")).toBeLessThanOrEqual(120);
    // And it gives up with a throw after the loop.
    expect(fn.descendantsOfType("flow_control_statement").filter(isThrow).length).toBeGreaterThan(0);
  });

  test("reads each secret with Key Vault API 7.4, retries 403/404/5xx and says how to upload a missing key", () => {
    expect(assignedString("$script:KeyVaultApiVersion")).toBe("7.4");
    const fn = functionNamed("Get-KeyVaultSecretValue");
    expect(strings(fn)).toContain("{0}secrets/{1}?api-version={2}");
    const loop = commands(fn, "Invoke-RestMethod").map((call) => ancestors(call).find((ancestor) => ancestor.type === "for_statement"))[0];
    expect(loop).toBeDefined();
    const retryRule = (loop as Node).text.match(/\$retryable = .*/)?.[0] ?? "";
    expect(retryRule).toMatch(/\$lastStatus -eq 403/);
    expect(retryRule).toMatch(/\$lastStatus -eq 404/);
    expect(retryRule).toMatch(/\$lastStatus -ge 500/);
    expect(strings(fn)).toContain("az keyvault secret set --vault-name $vaultName --name $SecretName --value <your KMS host key>");
    const throws = fn.descendantsOfType("flow_control_statement").filter(isThrow).map((statement) => statement.text);
    expect(throws.some((text) => /403/.test(text) && /Key Vault Secrets User/.test(text))).toBe(true);
    expect(throws.some((text) => /not found/.test(text) && /\$upload/.test(text))).toBe(true);
  });

  test("installs each KMS host key through Install-ProductKey only when that key is not already installed", () => {
    expect(assignedString("$script:WindowsApplicationId")).toBe("55c92734-d682-4d71-983e-d6ec3f16059f");
    for (const [name, label, secret] of [
      ["Install-WindowsKmsHostKey", "'Windows'", "$SecretName"],
      ["Install-OfficeKmsHostKey", "$Entry.Product", "$Entry.SecretName"],
    ] as const) {
      const fn = functionNamed(name);
      expect(slmgrCalls(fn).map((call) => call.option)).not.toContain("/ipk");
      const install = commands(fn, "Install-ProductKey");
      expect(install).toHaveLength(1);
      expect(argumentText(install[0] as Node, "-HostKey")).toBe("$HostKey");
      expect(argumentText(install[0] as Node, "-Label")).toBe(label);
      expect(argumentText(install[0] as Node, "-SecretName")).toBe(secret);
      // Idempotent: only in the else branch of "this key is already installed".
      const guard = ancestors(install[0] as Node).find((ancestor) => ancestor.type === "if_statement");
      expect(ifCondition(guard as Node)).toMatch(/\.PartialProductKey -eq \$last5/);
      expect((guard as Node).namedChildren.find((child) => child.type === "statement_block")?.text).not.toMatch(/Install-ProductKey/);
      // And the result is checked against WMI afterwards.
      const after = fn.descendantsOfType("if_statement").find((statement) => /PartialProductKey -ne \$last5/.test(ifCondition(statement)));
      expect(after?.descendantsOfType("flow_control_statement").some(isThrow)).toBe(true);
    }
    const main = commands(root, "Install-WindowsKmsHostKey");
    expect(main).toHaveLength(1);
    expect(argumentText(main[0] as Node, "-SecretName")).toBe("$config.WindowsSecretName");
    // A KMS client (GVLK) product also contains VOLUME_KMS; the host check must exclude it.
    const hostCheck = functionNamed("Test-IsKmsHostProduct").text;
    expect(hostCheck).toMatch(/-match 'VOLUME_KMS'/);
    expect(hostCheck).toMatch(/-notmatch 'VOLUME_KMSCLIENT'/);
  });

  test("activates with slmgr /ato unless the licence is already Licensed", () => {
    for (const name of ["Install-WindowsKmsHostKey", "Install-OfficeKmsHostKey"]) {
      const fn = functionNamed(name);
      const ato = slmgrCalls(fn).filter((call) => call.option === "/ato");
      expect(ato).toHaveLength(1);
      const skip = fn
        .descendantsOfType("if_statement")
        .find((statement) => /LicenseStatus -eq 1/.test(ifCondition(statement)) && /\breturn\b/.test(statement.text));
      expect(skip).toBeDefined();
      expect((skip as Node).startIndex).toBeLessThan((ato[0] as { call: Node }).call.startIndex);
    }
    const officeAto = slmgrCalls(functionNamed("Install-OfficeKmsHostKey")).find((call) => call.option === "/ato");
    expect(argumentText((officeAto as { call: Node }).call, "-Arguments")).toBe("@('/ato', $Entry.ActivationId)");
  });

  test("Install-ProductKey calls SoftwareLicensingService.InstallProductKey via CIM with the key only as ProductKey, then RefreshLicenseStatus", () => {
    const fn = functionNamed("Install-ProductKey");
    // The service object is the SoftwareLicensingService instance.
    const serviceAssignment = fn.descendantsOfType("assignment_expression").find((assignment) => assignment.namedChildren[0]?.text === "$service");
    expect(serviceAssignment?.namedChildren[serviceAssignment.namedChildren.length - 1]?.text).toBe("Get-LicensingService");
    expect(commands(functionNamed("Get-LicensingService"), "Get-CimInstance").map((call) => argumentText(call, "-ClassName"))).toEqual(["SoftwareLicensingService"]);
    const cim = commands(fn, "Invoke-CimMethod");
    expect(cim.map((call) => argumentText(call, "-MethodName"))).toEqual(["InstallProductKey", "RefreshLicenseStatus"]);
    const [install, refresh] = cim as [Node, Node];
    expect(argumentText(install, "-InputObject")).toBe("$service");
    expect(argumentText(install, "-Arguments")).toMatch(/^@\{\s*ProductKey\s*=\s*\$HostKey\s*\}$/);
    expect(argumentText(refresh, "-InputObject")).toBe("$service");
    expect(argumentText(refresh, "-Arguments")).toBeUndefined();
    // The HostKey variable appears only as that argument, as the masked form, or in the log line's masked form.
    const uses = fn.descendantsOfType("variable").filter((variable) => variableName(variable) === "hostkey" && variable.parent?.type !== "script_parameter");
    for (const use of uses) {
      const call = ancestors(use).find((ancestor) => ancestor.type === "command") as Node;
      expect(["invoke-cimmethod", "get-maskedkey"]).toContain(commandName(call).toLowerCase());
      if (commandName(call) === "Invoke-CimMethod") expect(isProductKeyArgument(use, call)).toBe(true);
    }
    expect(uses.filter((use) => commandName(ancestors(use).find((a) => a.type === "command") as Node) === "Invoke-CimMethod")).toHaveLength(1);
    // The ReturnValue of InstallProductKey is checked, and a CIM exception is caught, both leading to one throw.
    const tryStatement = ancestors(install).find((ancestor) => ancestor.type === "try_statement") as Node;
    expect(tryStatement).toBeDefined();
    expect(commands(tryStatement, "Get-CimReturnValue").map((call) => argumentText(call, "-Result"))).toContain("$result");
    expect(commands(tryStatement.descendantsOfType("catch_clause")[0] as Node, "Get-LicensingErrorCode")).toHaveLength(1);
    const failure = fn.descendantsOfType("if_statement").find((statement) => ifCondition(statement) === "$failed");
    const thrown = (failure as Node).descendantsOfType("flow_control_statement").filter(isThrow);
    expect(thrown).toHaveLength(1);
    expect(commands(thrown[0] as Node, "Get-LicensingErrorHint").map((call) => argumentText(call, "-Code"))).toEqual(["$code"]);
    expect((thrown[0] as Node).text).toMatch(/\$SecretName/);
    expect(install.startIndex).toBeLessThan(refresh.startIndex);
    expect(thrown[0]?.startIndex).toBeLessThan(refresh.startIndex);
    // Exactly one InstallProductKey call in the whole script: every key goes through this function.
    expect(commands(root, "Invoke-CimMethod").filter((call) => argumentText(call, "-MethodName") === "InstallProductKey")).toHaveLength(1);
  });

  test("maps the key-installation HRESULTs to actionable messages", () => {
    const table = assignedValue("$script:LicensingErrorHints");
    const hints = Object.fromEntries(
      table.descendantsOfType("hash_entry").map((entry) => {
        const [key, value] = strings(entry);
        return [key, value ?? ""];
      }),
    );
    expect(Object.keys(hints)).toEqual(expect.arrayContaining(["0xC004F050", "0xC004C008", "0xC004F015", "0xC004F069", "0x80070005"]));
    for (const key of Object.keys(hints)) expect(key).toMatch(/^0x[0-9A-F]{8}$/);
    expect(hints["0xC004F050"]).toMatch(/invalid/i);
    expect(hints["0xC004F050"]).toMatch(/CSVLK/);
    expect(hints["0xC004C008"]).toMatch(/activation limit/i);
    expect(hints["0xC004C008"]).toMatch(/Activation Center/);
    expect(hints["0xC004F015"]).toMatch(/Volume License Pack/);
    // Hints are fixed text (single-quoted, so nothing is interpolated) that says what to do next.
    for (const entry of table.descendantsOfType("hash_entry")) {
      expect(entry.descendantsOfType("variable")).toEqual([]);
      expect(entry.descendantsOfType("string_literal").every((literal) => literal.text.startsWith("'"))).toBe(true);
    }
    for (const hint of Object.values(hints)) expect(hint).toMatch(/re-run\.$/);
    // Unknown codes fall back to the look-up advice; slmgr failures (/ato) use the same table.
    expect(assignedString("$script:LicensingErrorLookup")).toMatch(/activation-error-codes/);
    expect(functionNamed("Get-LicensingErrorHint").text).toMatch(/return \$script:LicensingErrorLookup/);
    expect(commands(functionNamed("Invoke-Slmgr"), "Get-LicensingErrorHint")).toHaveLength(1);
  });

  test("runs slmgr.vbs through cscript //nologo from System32", () => {
    const fn = functionNamed("Invoke-Slmgr");
    expect(strings(fn)).toEqual(expect.arrayContaining(["System32\\cscript.exe", "System32\\slmgr.vbs"]));
    expect(fn.text).toMatch(/& \$cscript \/\/nologo \$slmgr @Arguments 2>&1/);
  });

  test("maps exactly the four Office versions to their KMS host Activation IDs", () => {
    const table = assignedValue("$script:OfficeKmsHostActivationIds");
    const entries = Object.fromEntries(
      table.descendantsOfType("hash_entry").map((entry) => {
        const [key, value] = strings(entry);
        return [key, value];
      }),
    );
    expect(entries).toEqual({
      "office-ltsc-2024": "F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F",
      "office-ltsc-2021": "47F3B983-7C53-4D45-ABC6-BCD91E2DD90A",
      "office-2019": "70512334-47B4-44DB-A233-BE5EA33B914C",
      "office-2016": "98EBFE73-2084-4C97-932C-C0CD1643BEA7",
    });
    expect(assignedString("$script:OfficeApplicationId")).toBe("0ff1ce15-a989-479d-af46-f275c6370663");
  });

  test("does not contain the erratum LTSC 2024 id (the KMS client SKU) anywhere", () => {
    expect(source.toUpperCase()).not.toContain("8D368FC1-9470-4BE2-8D66-90E836CBB051");
  });

  test("refuses a Volume License Pack whose SHA-256 does not match, deleting it before anything runs it", () => {
    const fn = functionNamed("Save-OfficeVolumeLicensePack");
    const hash = commands(fn, "Get-FileHash");
    expect(hash).toHaveLength(1);
    expect(argumentText(hash[0] as Node, "-Algorithm")).toBe("SHA256");
    const mismatch = fn.descendantsOfType("if_statement").find((statement) => /\$actual -ne \$Entry\.PackSha256/.test(ifCondition(statement)));
    expect(mismatch).toBeDefined();
    const block = (mismatch as Node).namedChildren.find((child) => child.type === "statement_block") as Node;
    expect(commands(block, "Remove-Item").map((call) => argumentText(call, "-LiteralPath"))).toEqual(["$path"]);
    const failure = block.descendantsOfType("flow_control_statement").filter(isThrow);
    expect(failure).toHaveLength(1);
    expect((failure[0] as Node).text).toMatch(/\$\(\$Entry\.PackSha256\)/);
    expect((failure[0] as Node).text).toMatch(/\$actual/);
    // Downloaded over TLS 1.2, and the pack only runs after the hash check.
    expect(fn.text).toMatch(/\[Net\.SecurityProtocolType\]::Tls12/);
    const install = functionNamed("Install-OfficeVolumeLicensePack");
    const save = commands(install, "Save-OfficeVolumeLicensePack")[0] as Node;
    const run = commands(install, "Invoke-PackProcess")[0] as Node;
    expect(save.startIndex).toBeLessThan(run.startIndex);
    expect(commands(root, "Start-Process").map((call) => ancestors(call).find((a) => a.type === "function_statement")?.text.split(/\s+/)[1])).toEqual([
      "Invoke-PackProcess",
    ]);
  });

  test("skips the Volume License Pack when the Activation ID's licence is already present", () => {
    const fn = functionNamed("Install-OfficeVolumeLicensePack");
    const first = fn.descendantsOfType("if_statement")[0] as Node;
    expect(ifCondition(first)).toMatch(/Get-LicensingProduct -ActivationId \$Entry\.ActivationId/);
    expect(first.text).toMatch(/\breturn\b/);
    expect(first.startIndex).toBeLessThan((commands(fn, "Save-OfficeVolumeLicensePack")[0] as Node).startIndex);
  });

  test("sets the listening port with slmgr /sprt only when it differs", () => {
    const fn = functionNamed("Set-KmsListeningPort");
    const sprt = slmgrCalls(fn).filter((call) => call.option === "/sprt");
    expect(sprt).toHaveLength(1);
    const guard = ancestors((sprt[0] as { call: Node }).call).find((ancestor) => ancestor.type === "if_statement");
    expect(ifCondition(guard as Node)).toMatch(/\$effective -ne \$Config\.Port/);
  });

  test("enables firewall rule SPPSVC-In-TCP for the client CIDRs and KMS port on all profiles", () => {
    expect(assignedString("$script:FirewallRuleName")).toBe("SPPSVC-In-TCP");
    const fn = functionNamed("Set-KmsFirewall");
    const full = commands(fn, "Set-NetFirewallRule").find((call) => argumentText(call, "-LocalPort") !== undefined && argumentText(call, "-Name") === "$script:FirewallRuleName");
    expect(full).toBeDefined();
    expect(argumentText(full as Node, "-Enabled")).toBe("True");
    expect(argumentText(full as Node, "-RemoteAddress")).toBe("$Config.ClientCidrs");
    expect(argumentText(full as Node, "-LocalPort")).toBe("([string]$Config.Port)");
    expect(argumentText(full as Node, "-Profile")).toBe("Any");
    // Fallback rule of our own, scoped the same way, when the built-in port cannot be changed.
    const own = commands(fn, "New-NetFirewallRule");
    expect(own).toHaveLength(1);
    expect(argumentText(own[0] as Node, "-RemoteAddress")).toBe("$Config.ClientCidrs");
    expect(argumentText(own[0] as Node, "-LocalPort")).toBe("([string]$Config.Port)");
    expect(argumentText(own[0] as Node, "-Action")).toBe("Allow");
  });

  test("turns DNS publishing off with slmgr /cdns when asked, on with /sdns otherwise", () => {
    const fn = functionNamed("Set-KmsDnsPublishing");
    const options = slmgrCalls(fn).map((call) => call.option);
    expect(options).toEqual(["/cdns", "/sdns"]);
    const branch = fn.descendantsOfType("if_statement").find((statement) => ifCondition(statement) === "$Config.DisableDnsPublishing" && slmgrCalls(statement).length > 0);
    expect(branch).toBeDefined();
    const thenBlock = (branch as Node).namedChildren.find((child) => child.type === "statement_block") as Node;
    expect(slmgrCalls(thenBlock).map((call) => call.option)).toEqual(["/cdns"]);
  });

  test("restarts sppsvc only when something changed", () => {
    const fn = functionNamed("Restart-SoftwareProtectionService");
    const restart = commands(fn, "Restart-Service");
    expect(restart).toHaveLength(1);
    expect(argumentText(restart[0] as Node, "-Name")).toBe("sppsvc");
    const guard = fn.descendantsOfType("if_statement")[0] as Node;
    expect(ifCondition(guard)).toBe("-not $script:SppConfigChanged");
    expect(guard.text).toMatch(/\breturn\b/);
    expect(guard.startIndex).toBeLessThan((restart[0] as Node).startIndex);
  });

  test("verifies with slmgr /dlv per product and the WMI listening port, failing otherwise", () => {
    const assert = functionNamed("Assert-KmsProduct");
    expect(commands(assert, "Invoke-Slmgr").map((call) => argumentText(call, "-Arguments"))).toEqual(["$DlvArguments"]);
    const verify = functionNamed("Test-KmsHost");
    const dlv = commands(verify, "Assert-KmsProduct").map((call) => argumentText(call, "-DlvArguments"));
    expect(dlv).toEqual(["@('/dlv')", "@('/dlv', $entry.ActivationId)"]);
    expect(verify.text).toMatch(/IsKeyManagementServiceMachine/);
    expect(verify.descendantsOfType("if_statement").some((statement) => /\$port -ne \$Config\.Port/.test(ifCondition(statement)) && /\bthrow\b/.test(statement.text))).toBe(
      true,
    );
  });

  test("runs every step in order from a top-level try and exits 1 from its catch", () => {
    const topLevel = root.namedChildren.find((child) => child.type === "statement_list") as Node;
    const main = topLevel.namedChildren.filter((child) => child.type === "try_statement");
    expect(main).toHaveLength(1);
    const order = commands(main[0] as Node).map(commandName);
    const steps = [
      "Initialize-Log",
      "ConvertTo-BootstrapConfig",
      "Assert-Prerequisites",
      "Install-VolumeActivationRole",
      "Get-KmsHostKeys",
      "Install-WindowsKmsHostKey",
      "Install-OfficeKmsHosts",
      "Set-KmsListeningPort",
      "Set-KmsFirewall",
      "Set-KmsDnsPublishing",
      "Restart-SoftwareProtectionService",
      "Test-KmsHost",
    ];
    const positions = steps.map((step) => order.indexOf(step));
    expect(positions).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const catchClause = (main[0] as Node).descendantsOfType("catch_clause");
    expect(catchClause).toHaveLength(1);
    expect((catchClause[0] as Node).descendantsOfType("flow_control_statement").map((statement) => statement.text)).toContain("exit 1");
  });

  describe("never reveals a KMS host key", () => {
    test("the leak detector flags a key in a log call and accepts the masked form", () => {
      const bad = parsePowerShell(
        [
          'Write-Log -Message "installing $HostKey"',
          "Write-Output $hostKeys['x']",
          'throw "token was $Token"',
          "Invoke-Slmgr -Arguments @('/ato') -Display \"/ato $HostKey\"",
          "[Console]::Out.WriteLine($script:HostKey)",
          "Write-Host $secretResponse.value",
        ].join("\n"),
      );
      expect(secretLeaks(bad, SECRET_VARIABLES)).toHaveLength(6);
      const good = parsePowerShell(
        [
          'Write-Log -Message "key $(Get-MaskedKey -Key $HostKey)"',
          "Invoke-CimMethod -InputObject $service -MethodName InstallProductKey -Arguments @{ ProductKey = $HostKey }",
          'throw "got $($Key.Length) characters"',
        ].join("\n"),
      );
      expect(secretLeaks(good, SECRET_VARIABLES)).toEqual([]);
    });

    test("no Write-Output/Write-Host/log call, slmgr display text or error message prints a key or token variable", () => {
      const used = new Set(root.descendantsOfType("variable").map(variableName));
      // Every name checked is really used by the script, so the check cannot pass vacuously.
      for (const name of SECRET_VARIABLES) expect(used).toContain(name.toLowerCase());
      expect(outputSinks(root).length).toBeGreaterThan(50);
      expect(secretLeaks(root, SECRET_VARIABLES)).toEqual([]);
    });

    test("Invoke-Slmgr never logs its Arguments (defence in depth: they must not carry a key either)", () => {
      const fn = functionNamed("Invoke-Slmgr");
      expect(fn.descendantsOfType("variable").some((variable) => variableName(variable) === "arguments")).toBe(true);
      expect(secretLeaks(fn, ["Arguments"])).toEqual([]);
    });

    test("the command-line detector flags a key given to slmgr or any process and accepts the CIM ProductKey argument", () => {
      const scriptFunctions = definedFunctions(root);
      const bad = [
        "Invoke-Slmgr -Arguments @('/ipk', $HostKey) -Display 'ipk'",
        "Invoke-Slmgr -Arguments @('/ato', $Key) -Display '/ato'",
        "& $cscript //nologo $slmgr /ipk $HostKey",
        "cscript.exe //nologo C:\\Windows\\System32\\slmgr.vbs /ipk $HostKeys['x']",
        "Start-Process -FilePath cscript.exe -ArgumentList @('slmgr.vbs', '/ipk', $HostKey)",
        "[Diagnostics.Process]::Start('cscript.exe', \"slmgr.vbs /ipk $HostKey\")",
        "Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = \"cscript slmgr.vbs /ipk $HostKey\" }",
        "Invoke-CimMethod -InputObject $service -MethodName InstallProductKey -Arguments @{ ProductKey = $HostKey; Note = $Key }",
      ];
      for (const line of bad) expect({ line, found: commandLineExposures(parsePowerShell(line), SECRET_VARIABLES, scriptFunctions).length }).toEqual({ line, found: 1 });
      expect(ipkTokens(parsePowerShell("& $cscript //nologo $slmgr /ipk $x\nInvoke-Slmgr -Arguments @('/ipk', $x) -Display 'x'\n"))).toEqual(["/ipk", "/ipk"]);
      const good = parsePowerShell(
        [
          "Invoke-CimMethod -InputObject $service -MethodName InstallProductKey -Arguments @{ ProductKey = $HostKey }",
          "Install-ProductKey -HostKey $HostKey -Label 'Windows' -SecretName $SecretName",
          "Invoke-Slmgr -Arguments @('/ato', $Entry.ActivationId) -Display '/ato'",
          "$last5 = $HostKey.Substring($HostKey.Length - 5)",
          "# slmgr /ipk would put the key on the command line",
        ].join("\n"),
      );
      expect(commandLineExposures(good, SECRET_VARIABLES, scriptFunctions)).toEqual([]);
      expect(ipkTokens(good)).toEqual([]);
    });

    test("no slmgr call passes /ipk or a key variable, and no key reaches any process command line", () => {
      // slmgr runs only in Invoke-Slmgr, so checking its calls covers every slmgr command line.
      expect(commands(root).filter((call) => commandName(call) === "").map((call) => ancestors(call).find((a) => a.type === "function_statement")?.text.split(/\s+/)[1])).toEqual([
        "Invoke-Slmgr",
      ]);
      expect(strings(root).filter((value) => /slmgr\.vbs|cscript\.exe/i.test(value))).toEqual(["System32\\cscript.exe", "System32\\slmgr.vbs"]);
      const calls = slmgrCalls(root);
      expect(calls.length).toBeGreaterThanOrEqual(6);
      expect(calls.map((call) => call.option)).not.toContain("/ipk");
      expect(ipkTokens(root)).toEqual([]);
      // Arguments built elsewhere (/dlv) are traced to where they are built.
      const dlv = commands(root, "Assert-KmsProduct").map((call) => argumentOf(call, "-DlvArguments") as Node);
      expect(dlv.length).toBeGreaterThan(0);
      for (const value of [...calls.map((call) => argumentOf(call.call, "-Arguments") as Node), ...dlv]) {
        const names = value.descendantsOfType("variable").map(variableName);
        for (const name of SECRET_VARIABLES) expect(names).not.toContain(name.toLowerCase());
      }
      // Every secret is used somewhere, so the whole-script check below is not vacuous.
      expect(root.descendantsOfType("variable").filter((variable) => variableName(variable) === "hostkey").length).toBeGreaterThan(10);
      expect(commandLineExposures(root, SECRET_VARIABLES, definedFunctions(root))).toEqual([]);
    });

    test("every log line passes through the product-key mask", () => {
      const writeLog = functionNamed("Write-Log");
      const mask = commands(writeLog, "Protect-ProductKey");
      expect(mask).toHaveLength(1);
      expect(argumentText(mask[0] as Node, "-Text")).toBe("$Message");
      expect(commands(functionNamed("Invoke-Slmgr"), "Protect-ProductKey")).toHaveLength(1);
      // The script's pattern, applied the same way, masks all but the last five characters.
      const pattern = assignedString("$script:ProductKeyPattern");
      expect(pattern.startsWith("(?i)")).toBe(true);
      const replacement = strings(functionNamed("Protect-ProductKey")).find((value) => value.includes("$1"));
      expect(replacement).toBe("*****-*****-*****-*****-$1");
      const sample = ["AB1CD", "2EF3G", "H4IJ5", "KL6MN", "7PQR8"].join("-");
      const masked = `slmgr said ${sample.toLowerCase()} and ${sample}`.replace(new RegExp(pattern.slice(4), "gi"), (replacement as string).replace("$1", "$$1"));
      expect(masked).toBe("slmgr said *****-*****-*****-*****-7pqr8 and *****-*****-*****-*****-7PQR8");
    });

    test("never uses Start-Transcript", () => {
      expect(commands(root).map((command) => commandName(command).toLowerCase())).not.toContain("start-transcript");
      const code = root.descendantsOfType("comment").reduceRight((text, comment) => text.slice(0, comment.startIndex) + text.slice(comment.endIndex), source);
      expect(code).not.toMatch(/start-transcript/i);
    });

    test("contains no literal 5x5 product key", () => {
      const productKey = /[A-Z0-9]{5}(-[A-Z0-9]{5}){4}/i;
      expect(productKey.test(["AB1CD", "2EF3G", "H4IJ5", "KL6MN", "7PQR8"].join("-"))).toBe(true);
      expect(source).not.toMatch(productKey);
    });
  });

  test("mentions no unofficial activator or KMS emulator", () => {
    const forbidden = [/vlmcsd/i, /kmspico/i, /py-?kms/i, /\bMAS\b/, /massgrave/i, /activation[-_ ]scripts/i, /kms[-_ ]?vl[-_ ]?all/i, /kmsauto/i, /emulator/i, /activator/i, /crack/i];
    for (const pattern of forbidden) expect(source).not.toMatch(pattern);
  });

  test("stays within Windows PowerShell 5.1 syntax", () => {
    // The grammar rejects ?? and the ternary operator (so the zero-syntax-error test covers them);
    // pipeline chains (&&, ||) and ForEach-Object -Parallel parse, so they are checked here.
    expect(powerShellSyntaxErrors("$a = $b ?? 1\n").length).toBeGreaterThan(0);
    expect(powerShellSyntaxErrors("$a = $b ? 1 : 2\n").length).toBeGreaterThan(0);
    expect(root.descendantsOfType("pipeline_chain_tail")).toEqual([]);
    expect(root.descendantsOfType("command_parameter").map((parameter) => parameter.text.toLowerCase())).not.toContain("-parallel");
  });
});
