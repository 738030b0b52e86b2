// What `npm test` may not change: the working tree as git sees it. scripts/test.mjs takes this
// before and after the run and counts a difference as a failure ("npm test leaves the tree as it
// found it"). Git-ignored paths (cdktf.out/, dist/, .tools/, reports/) are outputs and caches and
// may change. An empty folder is listed too (git status does not show one): an App's outdir made
// by a test was exactly that.
import { spawnSync } from "node:child_process";

function git(root, args) {
  const r = spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : undefined;
}

/**
 * The tree's state as lines: the status of tracked files, a digest of their changes against HEAD
 * (a file already modified that a test changed again), and every untracked, not ignored path,
 * empty folders included. Undefined outside a git work tree (an unpacked tarball): nothing to compare.
 */
export function treeState(root) {
  const status = git(root, ["status", "--porcelain=v1", "--untracked-files=no"]);
  const untracked = git(root, ["ls-files", "--others", "--exclude-standard", "--directory"]);
  const diff = git(root, ["diff", "HEAD", "--no-ext-diff", "--binary"]);
  if (status === undefined || untracked === undefined || diff === undefined) return undefined;
  const lines = [...status.split("\n").filter(Boolean), ...untracked.split("\n").filter(Boolean).map((p) => `?? ${p}`)];
  // The diff's length and a cheap hash: enough to see that a tracked file's content changed.
  let hash = 0;
  for (let i = 0; i < diff.length; i += 1) hash = (hash * 31 + diff.charCodeAt(i)) | 0;
  lines.push(`diff against HEAD: ${diff.length} characters, hash ${hash}`);
  return lines;
}

/** The lines of `after` not in `before` and those gone from it, as "+ line" / "- line"; empty when unchanged. */
export function treeChanges(before, after) {
  const was = new Set(before);
  const now = new Set(after);
  return [...after.filter((l) => !was.has(l)).map((l) => `+ ${l}`), ...before.filter((l) => !now.has(l)).map((l) => `- ${l}`)];
}
