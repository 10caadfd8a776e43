/**
 * Shared by the workspace file tools: path resolution through the one symlink-safe resolver, whole-file
 * reads through it, and atomic writes that keep an existing file's mode.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { writeFileAtomic } from "../../util/atomic-write.ts";
import { readInWorkspace, recheckWorkspacePath, type ResolvedWorkspacePath, resolveWorkspacePath } from "../../util/workspace-path.ts";
import type { ToolWorkspace } from "./types.ts";

/** Largest file the text tools read or rewrite whole. */
export const MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Resolves a tool's `path` argument in the workspace.
 * @throws Error naming the path and the rule (leaves the workspace, absolute, symlink out).
 */
export function resolveIn(ws: ToolWorkspace, path: string): ResolvedWorkspacePath {
  // A configured workspace that was never created is created on first use, as the bootstrap does.
  if (!existsSync(ws.dir)) mkdirSync(ws.dir, { recursive: true, mode: 0o755 });
  return resolveWorkspacePath(ws.dir, path, { allowOutside: ws.allowOutside });
}

/**
 * Reads a whole text file.
 * @throws Error when it is missing, a directory, larger than {@link MAX_TEXT_FILE_BYTES} or moved out of the workspace.
 */
export function readWholeText(ws: ToolWorkspace, file: ResolvedWorkspacePath): string {
  if (!file.exists) throw new Error(`${file.display}: no such file`);
  const { data, truncated, size } = readInWorkspace(ws.dir, file, MAX_TEXT_FILE_BYTES, { allowOutside: ws.allowOutside });
  if (truncated) throw new Error(`${file.display}: too large to edit (${size} bytes, limit ${MAX_TEXT_FILE_BYTES})`);
  return data.toString("utf8");
}

/**
 * Writes `content` atomically at a resolved path, creating folders; an existing file keeps its mode
 * (new files 0644). The path is resolved once more right before the write, so a folder swapped for a
 * symlink since the check is refused.
 */
export function writeInWorkspace(ws: ToolWorkspace, file: ResolvedWorkspacePath, content: string): void {
  let mode = 0o644;
  if (file.exists) {
    const st = statSync(file.path);
    if (st.isDirectory()) throw new Error(`${file.display}: is a directory`);
    mode = st.mode & 0o7777;
  }
  recheckWorkspacePath(ws.dir, file.path, { allowOutside: ws.allowOutside });
  writeFileAtomic(file.path, content, { mode, dirMode: 0o755 });
}
