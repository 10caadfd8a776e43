/**
 * Watches one workspace for changes to its memory files: the workspace folder itself (not recursive: it may
 * hold large trees) for `MEMORY.md`, `memory.md` and `memory/` coming and going, and `memory/` recursively.
 * Calls `onChange` for every relevant event (the caller debounces); when `memory/` appears or goes, its
 * watcher is attached again. A watcher error closes that watcher and is reported; the caller's next check
 * (which never trusts events alone) covers what was missed.
 */
import { existsSync, type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { MEMORY_DIR, MEMORY_ROOT_FILES } from "./files.ts";

/** A running watch of one workspace. */
export interface MemoryWatch {
  /** True while both watchers that can exist are attached. */
  readonly healthy: boolean;
  /** Attaches what is missing (the workspace or `memory/` may have appeared since). Cheap when nothing is. */
  refresh(): void;
  /** Stops watching. Safe to call twice. */
  close(): void;
}

/** Starts watching `root` (its real path). Never throws: a folder that cannot be watched is retried by `refresh`. */
export function watchMemoryFiles(root: string, onChange: () => void, onError: (err: Error) => void): MemoryWatch {
  let top: FSWatcher | undefined;
  let dir: FSWatcher | undefined;
  let closed = false;
  const attachDir = () => {
    dir?.close();
    dir = undefined;
    if (closed || !existsSync(join(root, MEMORY_DIR))) return;
    try {
      dir = watch(join(root, MEMORY_DIR), { recursive: true, persistent: false }, () => onChange());
      dir.on("error", (err) => {
        dir?.close();
        dir = undefined;
        onError(err);
        onChange();
      });
    } catch (err) {
      onError(err as Error);
    }
  };
  const attachTop = () => {
    if (closed || top || !existsSync(root)) return;
    try {
      top = watch(root, { persistent: false }, (_event, name) => {
        const file = name?.toString();
        if (file === MEMORY_DIR) attachDir();
        if (file === undefined || file === MEMORY_DIR || (MEMORY_ROOT_FILES as readonly string[]).includes(file)) onChange();
      });
      top.on("error", (err) => {
        top?.close();
        top = undefined;
        onError(err);
        onChange();
      });
    } catch (err) {
      onError(err as Error);
    }
  };
  attachTop();
  attachDir();
  return {
    get healthy() {
      return top !== undefined && (dir !== undefined || !existsSync(join(root, MEMORY_DIR)));
    },
    refresh() {
      attachTop();
      if (!dir) attachDir();
    },
    close() {
      closed = true;
      top?.close();
      dir?.close();
      top = undefined;
      dir = undefined;
    },
  };
}
