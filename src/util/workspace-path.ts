/**
 * One symlink-safe resolver for paths a caller names relative to a root folder (an agent's workspace):
 * `..`, absolute paths and symlinks that lead out of the root are refused; extra roots may be allowed.
 * Meant for every place that turns a user- or model-supplied path into a file: the agent's file tools,
 * `agents.files.*` and the canvas host.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Options of {@link resolveWorkspacePath}. */
export interface WorkspacePathOptions {
  /** Further folders (absolute, `~` not expanded) that paths may lead into; their real paths count. */
  allowOutside?: readonly string[];
  /**
   * Refuse a symlink anywhere below the root, even one that stays inside it (the canvas host: what it serves
   * must be the file at that path, now and after a later change of the link). Default: followed when it stays in.
   */
  noSymlinks?: boolean;
}

/** A checked path. */
export interface ResolvedWorkspacePath {
  /** The real absolute path: every existing component resolved (symlinks followed), the missing tail appended. */
  path: string;
  /** `path` relative to the root ("" for the root itself), or the absolute path when it lies in an allowOutside folder. */
  display: string;
  /** True when the path (after resolution) exists. */
  exists: boolean;
}

/** Why a path was refused; `message` names the path and the rule. */
export class WorkspacePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkspacePathError";
  }
}

/**
 * Resolves `input` against `root`. Relative paths are taken from the root; absolute paths are accepted only
 * inside an `allowOutside` folder. Every existing component is resolved with realpath, so a symlink (at any
 * depth, or the last component) counts by where it points. Missing components are fine (for a file about to
 * be written) but never contain `..`.
 *
 * This check and the later open are two steps; use {@link openInWorkspace} to open with the last component
 * not followed and the opened file re-checked, which closes the race for the file itself. A directory
 * component swapped for a symlink between check and use is re-checked by that open as well.
 * @throws WorkspacePathError when the path is empty, has a NUL byte, or leaves the allowed folders.
 */
export function resolveWorkspacePath(root: string, input: string, opts: WorkspacePathOptions = {}): ResolvedWorkspacePath {
  if (typeof input !== "string" || input.trim() === "") throw new WorkspacePathError("path is empty");
  if (input.includes("\0")) throw new WorkspacePathError("path contains a NUL byte");
  const rootReal = realpathSync(root);
  const roots = [rootReal, ...(opts.allowOutside ?? []).flatMap((d) => realOrNothing(d))];
  const expanded = input === "~" || input.startsWith("~/") ? undefined : input;
  if (expanded === undefined) throw new WorkspacePathError(`${input}: "~" paths are not supported; use a path relative to the workspace`);
  const candidate = isAbsolute(input) ? resolve(input) : resolve(rootReal, input);
  // Lexical check first: `../x` or `/etc/passwd` fail here without touching the disk.
  if (!roots.some((r) => isInside(r, candidate)) && !(isAbsolute(input) && roots.some((r) => isInside(r, realParentOr(candidate))))) {
    throw new WorkspacePathError(isAbsolute(input) ? `${input}: absolute paths outside the workspace are refused` : `${input}: leaves the workspace`);
  }
  if (opts.noSymlinks) refuseSymlinks(rootReal, candidate, input);
  const { real, exists } = realpathOfExisting(candidate);
  if (!roots.some((r) => isInside(r, real))) throw new WorkspacePathError(`${input}: resolves outside the workspace (through a symlink)`);
  return { path: real, display: isInside(rootReal, real) ? relative(rootReal, real) : real, exists };
}

/**
 * Checks that `path` (from {@link resolveWorkspacePath}) is still inside the allowed folders, resolving it again.
 * @throws WorkspacePathError when it now leads outside (a component was swapped for a symlink).
 */
export function recheckWorkspacePath(root: string, path: string, opts: WorkspacePathOptions = {}): void {
  const roots = [realpathSync(root), ...(opts.allowOutside ?? []).flatMap((d) => realOrNothing(d))];
  const { real } = realpathOfExisting(path);
  if (real !== path || !roots.some((r) => isInside(r, real))) throw new WorkspacePathError(`${path}: changed while in use (a component is now a symlink)`);
}

/**
 * Opens a resolved path for reading without following a symlink at its last component (O_NOFOLLOW), then
 * checks the opened file is the one the path names (same device and inode), so a file swapped for a symlink
 * after the check is refused instead of read.
 * @returns an open file descriptor; the caller closes it.
 * @throws WorkspacePathError when the file changed under us; Error from the file system otherwise.
 */
export function openInWorkspace(root: string, resolved: ResolvedWorkspacePath, opts: WorkspacePathOptions = {}): number {
  let fd: number;
  try {
    fd = openSync(resolved.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP") throw new WorkspacePathError(`${resolved.display}: became a symlink after it was checked`);
    throw err;
  }
  try {
    recheckWorkspacePath(root, resolved.path, opts);
    const opened = fstatSync(fd);
    const named = lstatSync(resolved.path);
    if (opened.dev !== named.dev || opened.ino !== named.ino) throw new WorkspacePathError(`${resolved.display}: changed while it was opened`);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Reads at most `maxBytes` of a resolved file through {@link openInWorkspace}.
 * @returns the bytes and whether the file was longer.
 */
export function readInWorkspace(root: string, resolved: ResolvedWorkspacePath, maxBytes: number, opts: WorkspacePathOptions = {}): { data: Buffer; truncated: boolean; size: number } {
  const fd = openInWorkspace(root, resolved, opts);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new WorkspacePathError(`${resolved.display || "."}: is a directory`);
    const want = Math.min(st.size, maxBytes);
    const data = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, data, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    return { data: data.subarray(0, got), truncated: st.size > got, size: st.size };
  } finally {
    closeSync(fd);
  }
}

/** True when `path` is `dir` or inside it (both absolute and normalized). */
export function isInside(dir: string, path: string): boolean {
  if (path === dir) return true;
  const base = dir.endsWith(sep) ? dir : dir + sep;
  return path.startsWith(base);
}

// --- internal ---

/** realpath of the longest existing prefix, plus the missing rest (which must not contain `..`). */
function realpathOfExisting(abs: string): { real: string; exists: boolean } {
  const parts = abs.split(sep).filter(Boolean);
  for (let i = parts.length; i >= 0; i--) {
    const prefix = sep + parts.slice(0, i).join(sep);
    let real: string;
    try {
      real = realpathSync(prefix);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A dangling symlink is not "missing": it points somewhere; refuse to guess where.
      if (code === "ENOENT" && isSymlink(prefix)) throw new WorkspacePathError(`${prefix}: is a symlink to a missing target`);
      if (code === "ENOENT" || code === "ENOTDIR") continue;
      throw err;
    }
    const rest = parts.slice(i);
    if (rest.includes("..")) throw new WorkspacePathError(`${abs}: leaves the workspace`);
    return { real: rest.length ? join(real, ...rest) : real, exists: i === parts.length };
  }
  return { real: abs, exists: false };
}

/** Throws when an existing component of `abs` below `root` is a symlink. */
function refuseSymlinks(root: string, abs: string, input: string): void {
  if (!isInside(root, abs)) return;
  let current = root;
  for (const part of relative(root, abs).split(sep).filter(Boolean)) {
    current = join(current, part);
    let link: boolean;
    try {
      link = lstatSync(current).isSymbolicLink();
    } catch {
      return; // the rest does not exist yet
    }
    if (link) throw new WorkspacePathError(`${input}: is or passes through a symlink (refused here)`);
  }
}

function realParentOr(abs: string): string {
  try {
    return realpathOfExisting(abs).real;
  } catch {
    return abs;
  }
}

function realOrNothing(dir: string): string[] {
  try {
    return statSync(dir).isDirectory() ? [realpathSync(dir)] : [];
  } catch {
    return [];
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
