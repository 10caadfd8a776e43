/**
 * Watches the config file: change events are debounced, the file is loaded only once writes settle, and
 * a file that does not parse or validate (half-written, or simply wrong) is reported once per distinct
 * content, never applied. Unchanged content (same hash) is ignored.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { ConfigError } from "../errors.ts";
import { loadConfig, type LoadedConfig } from "./load.ts";

/** Callbacks and timing of {@link watchConfig}. */
export interface WatchConfigOptions {
  debounceMs: number;
  /** The hash of the config already running; changes to the same content are ignored. */
  currentHash: string;
  onChange: (loaded: LoadedConfig) => void;
  onInvalid: (err: ConfigError) => void;
}

/** A running watcher. */
export interface ConfigWatcher {
  /** Tells the watcher which content is now running (after a reload applied elsewhere). */
  setCurrentHash(hash: string): void;
  close(): void;
}

/**
 * Starts watching `path` (its folder, so editors that replace the file by rename are seen).
 * @throws Error when the folder cannot be watched.
 */
export function watchConfig(path: string, opts: WatchConfigOptions): ConfigWatcher {
  let current = opts.currentHash;
  let lastBad: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const name = basename(path);

  const check = () => {
    timer = undefined;
    let loaded: LoadedConfig;
    try {
      loaded = loadConfig(path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const key = err.message;
      if (key !== lastBad) {
        lastBad = key;
        opts.onInvalid(err);
      }
      return;
    }
    lastBad = undefined;
    // A deleted or emptied file is a write in progress (or a mistake), not a new config: keep the last good one.
    if (!loaded.exists || loaded.raw.trim() === "" || loaded.hash === current) return;
    current = loaded.hash;
    opts.onChange(loaded);
  };

  let watcher: FSWatcher | undefined = watch(dirname(path), (_event, file) => {
    if (file !== null && file !== name) return;
    clearTimeout(timer);
    timer = setTimeout(check, opts.debounceMs);
  });
  watcher.on("error", () => {
    // The folder went away; nothing more to watch until restart.
    watcher?.close();
    watcher = undefined;
  });
  // A write between the caller's load and this watch raised no event: look once (a no-op when unchanged).
  timer = setTimeout(check, opts.debounceMs);

  return {
    setCurrentHash(hash: string) {
      current = hash;
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
