// Regenerates rehearsal/provider-contract-rows.ts (the provider-schema half of the providers'
// contract, issue 21) from the providers' own source at the tags we pin: for every attribute path
// listed in spec.mjs it finds the attribute's schema in the Go source at the tag and records the
// line, ForceNew / RequiresReplace, Required, ValidateFunc / Validators, ConflictsWith,
// ExactlyOneOf and AtLeastOneOf. Hand-checked rules (custom validators our code re-implements)
// live in rehearsal/provider-contract.ts.
//
//   node scripts/provider-contract/extract.mjs [--check] <dir of azurerm git> <dir of dns git> <dir of random git>
//
// --check writes nothing and exits 1 when the committed file differs from what the source gives.
//
// Each directory is a git repository (a bare snapshot is enough: the script reads with
// `git show <tag>:<file>`). Without arguments it uses /work/.mirror/hashicorp+terraform-provider-<p>/repo.
// The output is committed; the tests read it, never the provider source (not in the repository).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PROVIDERS, SPEC } from "./spec.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const check = process.argv.includes("--check");
const positional = process.argv.slice(2).filter((a) => a !== "--check");
const dirs = Object.fromEntries(Object.keys(PROVIDERS).map((p, i) => [p, positional[i] ?? `/work/.mirror/hashicorp+terraform-provider-${p}/repo`]));
const cache = new Map();
function show(provider, file) {
  const key = `${provider}:${file}`;
  if (!cache.has(key)) {
    const { tag } = PROVIDERS[provider];
    cache.set(key, execFileSync("git", ["-C", dirs[provider], "show", `${tag}:${file}`], { encoding: "utf8", maxBuffer: 64 << 20 }).split("\n"));
  }
  return cache.get(key);
}
function grepFunc(provider, dir, name) {
  const { tag } = PROVIDERS[provider];
  const out = execFileSync("git", ["-C", dirs[provider], "grep", "-n", `^func ${name}(`, tag, "--", dir], { encoding: "utf8" }).trim().split("\n")[0];
  const [, file, line] = /^[^:]+:([^:]+):(\d+):/.exec(out);
  return { file, line: Number(line) };
}

/** Text without string literals (so braces in regexes do not count). */
const code = (line) => line.replace(/`[^`]*`|"(?:[^"\\]|\\.)*"/g, '""');

/** The line range [start, end] of the block opened on line `start` (0-based). */
function blockEnd(lines, start) {
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    for (const ch of code(lines[i])) {
      if (ch === "{") depth++;
      else if (ch === "}") {
        depth--;
        if (depth === 0) return i;
      }
    }
  }
  return lines.length - 1;
}

/** The direct children block text of a block: lines at nesting depth 1 only. */
function findAttribute(lines, from, to, name) {
  let depth = 0;
  const minDepth = [];
  for (let i = from; i <= to; i++) {
    const before = depth;
    if (new RegExp(`^\\s*"${name}":`).test(lines[i])) minDepth.push([i, before]);
    for (const ch of code(lines[i])) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
  }
  if (minDepth.length === 0) return undefined;
  minDepth.sort((a, b) => a[1] - b[1]);
  return minDepth[0][0];
}

const HELPER_FORCE_NEW = { "commonschema.ResourceGroupName()": true, "commonschema.Location()": true, "commonschema.ZoneSingleOptionalForceNew()": true, "commonschema.ResourceGroupNameForDataSource()": false, "commonschema.Tags()": false, "tags.Schema()": false, "commonschema.LocationComputed()": false, "azure.SchemaResourceGroupNameDiffSuppress()": true };

/** The value of an SDK constant `pkg.Name`: read from the package the schema's file imports (vendor/<import path>/constants.go at the tag). */
function constantValue(provider, expr, imports) {
  const m = /^string\((\w+)\.(\w+)\)$/.exec(expr);
  if (!m || provider !== "azurerm") return undefined;
  const importPath = imports.find((i) => i.alias === m[1])?.path;
  if (!importPath) return undefined;
  let text;
  try {
    text = show(provider, `vendor/${importPath}/constants.go`).join("\n");
  } catch {
    return undefined;
  }
  return new RegExp(`^\\s*${m[2]}\\s+\\w+\\s*=\\s*"([^"]*)"`, "m").exec(text)?.[1];
}

/** `pkg.PossibleValuesForX()` of an SDK package: the constants' values its `return []string{...}` lists (vendor/<import path>/constants.go at the tag). */
function possibleValues(provider, pkg, fn, imports) {
  const importPath = imports.find((i) => i.alias === pkg)?.path;
  if (!importPath || provider !== "azurerm") return undefined;
  let text;
  try {
    text = show(provider, `vendor/${importPath}/constants.go`).join("\n");
  } catch {
    return undefined;
  }
  const body = new RegExp(`^func ${fn}\\(\\) \\[\\]string \\{\\s*return \\[\\]string\\{([^}]*)\\}`, "m").exec(text)?.[1];
  if (!body) return undefined;
  const values = body.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const name = /^string\((\w+)\)$/.exec(s)?.[1];
    return name ? new RegExp(`^\\s*${name}\\s+\\w+\\s*=\\s*"([^"]*)"`, "m").exec(text)?.[1] : undefined;
  });
  return values.every((v) => v !== undefined) ? values : undefined;
}

/**
 * A named validator of the provider's own packages that only returns `validation.StringInSlice(<list>, <ignoreCase>)`
 * over a literal `<list> := []string{...}` (validate.MaintenanceTimeZone()): that enum.
 */
function namedStringList(provider, name, imports) {
  const [alias, fn] = name.split(".");
  const importPath = imports.find((i) => i.alias === alias)?.path;
  const prefix = `github.com/${PROVIDERS[provider].repo}/`;
  if (!fn || !importPath?.startsWith(prefix)) return undefined;
  let at;
  try {
    at = grepFunc(provider, importPath.slice(prefix.length), fn);
  } catch {
    return undefined;
  }
  const lines = show(provider, at.file);
  const body = lines.slice(at.line - 1, blockEnd(lines, at.line - 1) + 1).join("\n");
  const ret = /return validation\.StringInSlice\((\w+),\s*(true|false)\)\s*\}\s*$/.exec(body);
  const items = ret && new RegExp(`${ret[1]} := \\[\\]string\\{([^}]*)\\}`).exec(body)?.[1].replace(/\/\/[^\n]*/g, "").split(",").map((s) => s.trim()).filter(Boolean);
  if (!items || !items.every((s) => /^"[^"\\]*"$/.test(s))) return undefined;
  return { kind: "enum", values: items.map((s) => s.slice(1, -1)), caseSensitive: ret[2] !== "true" };
}

/** The text of the call whose name starts at `index` (balanced parentheses; string literals skipped). */
function callText(text, index) {
  let depth = 0;
  for (let i = text.indexOf("(", index); i >= 0 && i < text.length; i++) {
    const literal = /^(?:`[^`]*`|"(?:[^"\\]|\\.)*")/.exec(text.slice(i));
    if (literal) {
      i += literal[0].length - 1;
      continue;
    }
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return text.slice(index, i + 1);
  }
  return text.slice(index);
}
/** The arguments of a call's text, split at its top-level commas (Go comments dropped). */
function topLevelArguments(call) {
  const inner = call.slice(call.indexOf("(") + 1, call.lastIndexOf(")")).replace(/\/\/[^\n]*/g, "");
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const literal = /^(?:`[^`]*`|"(?:[^"\\]|\\.)*")/.exec(inner.slice(i));
    if (literal) {
      i += literal[0].length - 1;
      continue;
    }
    if ("({[".includes(inner[i])) depth++;
    else if (")}]".includes(inner[i])) depth--;
    else if (inner[i] === "," && depth === 0) {
      out.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  out.push(inner.slice(start));
  return out.map((a) => a.trim()).filter(Boolean);
}
/** A call's text on one line, without Go comments. */
const oneLine = (call) => call.replace(/\/\/[^\n]*/g, "").replace(/\s+/g, " ").replace(/\( /g, "(").replace(/,? \)/g, ")");

/** The imports of a Go file as { alias, path } (alias: the explicit one, else the path's last segment). */
function importsOf(lines) {
  return lines
    .map((l) => /^\s*(?:(\w+)\s+)?"([^"]+)"\s*$/.exec(l))
    .filter(Boolean)
    .map((m) => ({ alias: m[1] ?? m[2].split("/").pop(), path: m[2] }));
}

function validationsOf(text, provider, imports = []) {
  // validation.Any (one of) and validation.All combine validators: recorded whole, by its text, never read as separate rules.
  // validation.All: every member applies, each read as its own ValidateFunc.
  const combined = /ValidateFunc:\s*(validation\.(?:Any|All))\(/.exec(text);
  if (combined) {
    const call = callText(text, combined.index + combined[0].length - combined[1].length - 1);
    if (combined[1] === "validation.Any") return [{ kind: "custom", id: combined[1], description: oneLine(call) }];
    return topLevelArguments(call).flatMap((member) => validationsOf(`ValidateFunc: ${member}`, provider, imports));
  }
  const v = [];
  const range = /validation\.IntBetween\((-?[\w.]+),\s*(-?[\w.]+)\)|int64validator\.Between\((-?\w+),\s*(-?\w+)\)/.exec(text);
  const num = (s) => (s === "math.MaxInt32" ? 2147483647 : Number(s));
  if (range) v.push({ kind: "range", min: num(range[1] ?? range[3]), max: num(range[2] ?? range[4]) });
  const atLeast = /validation\.IntAtLeast\((\d+)\)|int64validator\.AtLeast\((\d+)\)/.exec(text);
  if (atLeast) v.push({ kind: "range", min: Number(atLeast[1] ?? atLeast[2]) });
  const len = /validation\.StringLenBetween\((\d+),\s*(\d+)\)|stringvalidator\.LengthBetween\((\d+),\s*(\d+)\)/.exec(text);
  if (len) v.push({ kind: "length", min: Number(len[1] ?? len[3]), max: Number(len[2] ?? len[4]) });
  if (/validation\.StringIsNotEmpty|validation\.StringIsNotWhiteSpace|stringvalidator\.LengthAtLeast\(1\)/.test(text)) v.push({ kind: "length", min: 1 });
  const possible = /validation\.StringInSlice\(\s*(\w+)\.(PossibleValuesFor\w+)\(\),\s*(true|false)\s*\)/.exec(text);
  if (possible) {
    const values = possibleValues(provider, possible[1], possible[2], imports);
    if (values) v.push({ kind: "enum", values, caseSensitive: possible[3] !== "true" });
    else v.push({ kind: "custom", id: "validation.StringInSlice", description: `one of ${possible[1]}.${possible[2]}()` });
  }
  // validation.StringMatch(regexp.MustCompile("..."), "message"): RE2 patterns without flags or Perl classes read the same in JavaScript.
  const match = /validation\.StringMatch\(\s*regexp\.MustCompile\(\s*(`[^`]*`|"(?:[^"\\]|\\.)*")\s*\)\s*,\s*(`[^`]*`|"(?:[^"\\]|\\.)*")?/.exec(text);
  if (match) {
    const literal = (s) => (s.startsWith("`") ? s.slice(1, -1) : JSON.parse(s));
    const pattern = literal(match[1]);
    if (!/\(\?|\\[pPQEz]/.test(pattern)) v.push({ kind: "regex", pattern, ...(match[2] && literal(match[2]) ? { message: literal(match[2]) } : {}) });
  }
  // validation.StringDoesNotContainAny("/\\?%"): strings.ContainsAny, so none of those characters.
  const notAny = /validation\.StringDoesNotContainAny\(\s*("(?:[^"\\]|\\.)*")\s*\)/.exec(text);
  if (notAny) {
    const chars = JSON.parse(notAny[1]);
    v.push({ kind: "regex", pattern: `^[^${chars.replace(/[\]\\^-]/g, "\\$&")}]*$`, message: `must not contain any of ${[...chars].join(" ")}` });
  }
  const inSlice = /validation\.StringInSlice\(\s*\[\]string\{([^}]*)\},\s*(true|false)\s*\)|stringvalidator\.OneOf\(([^)]*)\)/s.exec(text);
  if (inSlice) {
    const items = (inSlice[1] ?? inSlice[3]).replace(/\/\/[^\n]*/g, "").split(",").map((s) => s.trim()).filter(Boolean).map((s) => (/^"[^"]*"$/.test(s) ? s : constantValue(provider, s, imports) !== undefined ? JSON.stringify(constantValue(provider, s, imports)) : s));
    if (items.every((s) => /^"[^"]*"$/.test(s))) v.push({ kind: "enum", values: items.map((s) => s.slice(1, -1)), caseSensitive: inSlice[2] !== "true" });
    else v.push({ kind: "custom", id: "StringInSlice", description: `one of ${items.join(", ")}` });
  }
  // Plugin framework: `Validators: []validator.String{ dnsvalidator.IsZoneNameValid(), ... }`.
  const framework = /Validators:\s*\[\]validator\.\w+\{\s*([\w.]+)\(/.exec(text);
  if (framework && v.length === 0) v.push({ kind: "custom", id: framework[1], description: `${framework[1]}()` });
  const other = /ValidateFunc:\s*([\w.]+)/.exec(text);
  if (other && v.length === 0) {
    const call = text[other.index + other[0].length] === "(" ? oneLine(callText(text, other.index + other[0].length - other[1].length)) : other[1];
    const list = call.endsWith("()") ? namedStringList(provider, call.slice(0, -2), imports) : undefined;
    v.push(list ?? { kind: "custom", id: other[1], description: call });
  }
  return v;
}
const listOf = (text, key) => {
  const m = new RegExp(`${key}:\\s*\\[\\]string\\{([^}]*)\\}`, "s").exec(text);
  return m ? m[1].split(",").map((s) => s.trim().replace(/^"|"$/g, "")).filter(Boolean) : undefined;
};

const rows = [];
for (const entry of SPEC) {
  const { provider, kind, type, file } = entry;
  const lines = show(provider, file);
  const schemaLine = entry.schemaLine ?? lines.findIndex((l) => new RegExp(entry.schemaAnchor ?? "Schema:\\s*map\\[string\\]|Arguments\\(\\) map\\[string\\]|Attributes:\\s*map\\[string\\]schema\\.Attribute").test(l));
  const attributes = [];
  for (const attrPath of entry.attributes) {
    let scope = { file, lines, from: schemaLine, to: lines.length - 1 };
    let found;
    for (const part of attrPath.split(".")) {
      // Below a schema of another package (commonschema.*Identity*()): the helper's line is the source.
      if (found?.helper) break;
      const at = findAttribute(scope.lines, scope.from, scope.to, part);
      if (at === undefined) throw new Error(`${type}: ${attrPath}: "${part}" not found in ${scope.file} at ${PROVIDERS[provider].tag}`);
      const after = scope.lines[at].replace(/^\s*"[^"]+":\s*/, "").trim();
      const helper = /^([\w.]+)\([^)]*\),?$/.exec(after);
      if (helper && !helper[1].includes(".")) {
        // A schema built by a function of the same package: follow it.
        const fn = grepFunc(provider, path.posix.dirname(scope.file), helper[1].replace(/^.*\./, ""));
        const fnLines = show(provider, fn.file);
        found = { file: scope.file, line: at, text: scope.lines[at], helperFile: fn.file };
        scope = { file: fn.file, lines: fnLines, from: fn.line - 1, to: blockEnd(fnLines, fn.line - 1) };
        found.block = fnLines.slice(fn.line - 1, scope.to + 1).join("\n");
        found.forceNewHelper = undefined;
      } else {
        const end = after.endsWith("{") ? blockEnd(scope.lines, at) : at;
        found = { file: scope.file, line: at, text: scope.lines.slice(at, end + 1).join("\n"), helper: helper?.[1] };
        scope = { ...scope, from: at, to: end };
      }
    }
    // Only the attribute's own lines (not its children's) decide its flags.
    const own = found.block ? found.block.split("\n").slice(0, 12).join("\n") : ownText(found.text);
    // A helper of another package (commonschema.*): ForceNew when its name says so (ResourceGroupName and Location are).
    const forceNew = found.helper ? (HELPER_FORCE_NEW[found.helper + "()"] ?? /ForceNew/.test(found.helper)) : /ForceNew:\s*true|RequiresReplace(If)?\(/.test(own);
    const row = { path: attrPath };
    if (forceNew) row.forceNew = true;
    // azure.SchemaResourceGroupNameDiffSuppress() (helpers/azure/deprecated_soon.go:16): Required, ForceNew, resourcegroups.ValidateName, as commonschema.ResourceGroupName().
    const resourceGroupHelper = found.helper === "commonschema.ResourceGroupName" || found.helper === "azure.SchemaResourceGroupNameDiffSuppress";
    if (/Required:\s*true/.test(own) || resourceGroupHelper || found.helper === "commonschema.Location") row.required = true;
    // A list or set of strings validates each element in its Elem schema (`Elem: &pluginsdk.Schema{ ValidateFunc: ... }`).
    const imports = importsOf(show(provider, found.file));
    const elem = found.block || found.helper ? "" : elemText(found.text);
    const validations = found.helper ? (resourceGroupHelper ? [{ kind: "custom", id: "commonschema.ResourceGroupName", description: `${found.helper}()` }] : /ForceNew|Required/.test(found.helper) ? [{ kind: "custom", id: found.helper, description: `${found.helper}()` }] : []) : [...validationsOf(own, provider, imports), ...(elem ? validationsOf(elem, provider, imports) : [])];
    if (validations.length) row.validations = validations;
    // SDKv2 lists absolute paths ("source.0.script"); written here without the list indices.
    for (const key of ["ConflictsWith", "ExactlyOneOf", "AtLeastOneOf"]) {
      const list = listOf(own, key);
      if (list) row[key[0].toLowerCase() + key.slice(1)] = list.map((p) => p.replace(/\.\d+(?=\.|$)/g, ""));
    }
    // Plugin framework: `stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("gssapi"))`, relative to the parent.
    const frameworkConflicts = /\w+validator\.ConflictsWith\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/.exec(own);
    if (frameworkConflicts) {
      const parent = attrPath.split(".").slice(0, -1);
      row.conflictsWith = [...new Set([...frameworkConflicts[1].matchAll(/AtName\("([^"]+)"\)/g)].map((m) => [...parent, m[1]].join(".")))];
      if (row.validations?.[0]?.id?.endsWith("validator.ConflictsWith")) row.validations.shift();
      if (row.validations?.length === 0) delete row.validations;
    }
    row.source = { repo: PROVIDERS[provider].repo, tag: PROVIDERS[provider].tag, file: found.file, line: found.line + 1 };
    attributes.push(row);
  }
  rows.push({ provider, kind, type, attributes, source: { repo: PROVIDERS[provider].repo, tag: PROVIDERS[provider].tag, file, line: schemaLine + 1 } });
}

/** The Elem schema of a list, set or map of primitives (empty for a nested block's `Elem: &pluginsdk.Resource{`). */
function elemText(text) {
  const lines = text.split("\n");
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    if (depth === 1 && /^\s*Elem:\s*&(?:pluginsdk|schema)\.Schema\{/.test(lines[i])) return lines.slice(i, blockEnd(lines, i) + 1).join("\n");
    for (const ch of code(lines[i])) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
  }
  return "";
}

/** The attribute's own text: its block minus nested Elem/NestedObject/Blocks bodies. */
function ownText(text) {
  const lines = text.split("\n");
  const out = [];
  let depth = 0;
  let skipFrom = -1;
  for (const line of lines) {
    const start = depth;
    if (skipFrom < 0 && start === 1 && /^\s*(Elem|NestedObject|Blocks|Attributes):/.test(line)) skipFrom = start;
    if (skipFrom < 0) out.push(line);
    for (const ch of code(line)) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    if (skipFrom >= 0 && depth <= skipFrom) skipFrom = -1;
  }
  return out.join("\n");
}

const target = path.join(ROOT, "rehearsal", "provider-contract-rows.ts");
const text = `// GENERATED by scripts/provider-contract/extract.mjs from the providers' source at the tags named
// in each row (do not edit: change scripts/provider-contract/spec.mjs and run the script again).
// Hand-checked rules are in provider-contract.ts.
import type { ResourceContract } from "./provider-contract";

export const GENERATED_ROWS: readonly ResourceContract[] = ${JSON.stringify(rows, null, 2)};
`;
const summary = `${rows.length} types, ${rows.reduce((n, r) => n + r.attributes.length, 0)} attributes`;
if (check) {
  const same = fs.existsSync(target) && fs.readFileSync(target, "utf8") === text;
  console.log(same ? `${target} matches the providers' source (${summary})` : `${target} differs from what the providers' source gives: run the script without --check`);
  process.exit(same ? 0 : 1);
}
fs.writeFileSync(target, text);
console.log(`${target}: ${summary}`);
