/**
 * Which files of a workspace are memory: `MEMORY.md`, `memory.md` and every `*.md` below `memory/`. Listing
 * them (with the stat the index compares) and reading one for `memory_get` are both symlink-safe: a file or
 * folder that resolves outside the workspace is left out (listing) or refused (reading).
 */
import { closeSync, constants, type Dirent, fstatSync, openSync, readdirSync, readSync, realpathSync, type Stats, statSync } from "node:fs";
import { join, sep } from "node:path";
import { readInWorkspace, resolveWorkspacePath, WorkspacePathError } from "../util/workspace-path.ts";
import { splitLines } from "./chunk.ts";

/** Memory files directly in the workspace. */
export const MEMORY_ROOT_FILES = ["MEMORY.md", "memory.md"] as const;
/** The memory folder (searched recursively). */
export const MEMORY_DIR = "memory";
/** Files larger than this are not indexed (listed as skipped). */
export const MAX_MEMORY_FILE_BYTES = 2 * 1024 * 1024;
/** Folders below `memory/` deeper than this are not entered. */
const MAX_DEPTH = 16;

/** One memory file found on disk. */
export interface MemoryFileStat {
  /** Workspace-relative, `/`-separated. */
  path: string;
  /** Its real absolute path. */
  real: string;
  /** mtime in ms with its sub-millisecond fraction (a double resolves ~0.25 µs today). */
  mtimeMs: number;
  size: number;
}

/** Whether a workspace-relative path (`/`-separated, normalized) names a memory file. */
export function isMemoryPath(path: string): boolean {
  if ((MEMORY_ROOT_FILES as readonly string[]).includes(path)) return true;
  return path.startsWith(`${MEMORY_DIR}/`) && /\.md$/i.test(path) && !path.split("/").some((p) => p === ".." || p === "." || p === "");
}

/**
 * Lists the memory files of `root` (its real path) with their stat. Symlinks count by where they point and
 * only when that is inside the workspace; the same file reached twice (through a link, or `MEMORY.md` and
 * `memory.md` on a case-insensitive disk) is listed once. Hidden entries (`.name`) are skipped.
 * @param root the workspace's real path (realpath).
 * @returns an empty list when the workspace does not exist. Never throws for a file that vanishes meanwhile.
 */
export function listMemoryFiles(root: string): MemoryFileStat[] {
  const out: MemoryFileStat[] = [];
  const seen = new Set<string>();
  const consider = (path: string, st: Inside | undefined) => {
    if (!st || !st.stat.isFile() || seen.has(st.real)) return;
    seen.add(st.real);
    out.push({ path, real: st.real, mtimeMs: st.stat.mtimeMs, size: st.stat.size });
  };
  const rootFiles = MEMORY_ROOT_FILES.map((name) => statInside(root, join(root, name)));
  // `MEMORY.md` and `memory.md` are one file on a case-insensitive disk (same inode, different names).
  if (rootFiles[0] && rootFiles[1] && rootFiles[0].stat.ino === rootFiles[1].stat.ino && rootFiles[0].stat.dev === rootFiles[1].stat.dev) rootFiles[1] = undefined;
  MEMORY_ROOT_FILES.forEach((name, i) => consider(name, rootFiles[i]));
  const visited = new Set<string>();
  const walk = (rel: string, dir: Inside | undefined, depth: number) => {
    if (!dir || !dir.stat.isDirectory() || visited.has(dir.real) || depth > MAX_DEPTH) return;
    visited.add(dir.real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir.real, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const childRel = `${rel}/${e.name}`;
      const childReal = join(dir.real, e.name);
      // A plain entry of a folder whose real path is known has that real path: no realpath call needed.
      if (e.isDirectory()) walk(childRel, statInside(root, childReal, childReal), depth + 1);
      else if (e.isFile() && /\.md$/i.test(e.name)) consider(childRel, statInside(root, childReal, childReal));
      else if (e.isSymbolicLink()) {
        const target = statInside(root, childReal);
        if (target?.stat.isDirectory()) walk(childRel, target, depth + 1);
        else if (/\.md$/i.test(e.name)) consider(childRel, target);
      }
    }
  };
  walk(MEMORY_DIR, statInside(root, join(root, MEMORY_DIR)), 0);
  return out;
}

/**
 * Reads a memory file for `memory_get`: `lines` lines from line `from` (1-based; default the whole file).
 * @returns the workspace-relative path, the text and the line range actually returned (`to` < `from` when
 *   the file is empty).
 * @throws WorkspacePathError when `path` is not a memory file of the workspace (after resolving symlinks) or
 *   does not exist; Error when `from` is past the end.
 */
export function readMemoryFile(root: string, path: string, from = 1, lines?: number): { path: string; from: number; to: number; totalLines: number; text: string } {
  const resolved = resolveWorkspacePath(root, path.replaceAll("\\", "/"));
  const display = resolved.display.split(sep).join("/");
  if (!isMemoryPath(display)) throw new WorkspacePathError(`${path}: not a memory file (only MEMORY.md, memory.md and memory/**/*.md)`);
  if (!resolved.exists) throw new WorkspacePathError(`${display}: no such file`);
  const { data, size } = readInWorkspace(root, resolved, MAX_MEMORY_FILE_BYTES);
  if (size > MAX_MEMORY_FILE_BYTES) throw new Error(`${display}: too large (${size} bytes, at most ${MAX_MEMORY_FILE_BYTES})`);
  const all = splitLines(data.toString("utf8"));
  const total = data.length === 0 ? 0 : all.length;
  if (from > Math.max(total, 1)) throw new Error(`${display}: from=${from} is past the end (${total} lines)`);
  const slice = all.slice(from - 1, lines === undefined ? undefined : from - 1 + lines);
  return { path: display, from, to: from - 1 + (total === 0 ? 0 : slice.length), totalLines: total, text: total === 0 ? "" : slice.join("\n") };
}

/**
 * Reads a listed file by its real path without following a symlink at its last component.
 * @throws Error when it cannot be opened (gone, swapped for a link).
 */
export function readListedFile(file: MemoryFileStat, maxBytes: number): Buffer {
  const fd = openSync(file.real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const want = Math.min(fstatSync(fd).size, maxBytes);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

// --- internal ---

interface Inside {
  stat: Stats;
  real: string;
}

/**
 * stat of `abs` (following links) when its real path is inside `root`; undefined otherwise or when missing.
 * `knownReal` skips the realpath call for an entry known not to be a link.
 */
function statInside(root: string, abs: string, knownReal?: string): Inside | undefined {
  try {
    const stat = statSync(abs);
    const real = knownReal ?? realpathSync(abs);
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return undefined;
    return { stat, real };
  } catch {
    return undefined;
  }
}
