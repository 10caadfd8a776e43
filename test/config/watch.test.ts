import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type ConfigWatcher, watchConfig } from "../../src/config/watch.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function setup(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-watch-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "openclaw.json");
  writeFileSync(path, JSON.stringify({ gateway: { mode: "local" } }));
  return { dir, path };
}

function watch(path: string, hash: string, seen: string[]): ConfigWatcher {
  const w = watchConfig(path, { debounceMs: 20, currentHash: hash, onInvalid: () => {}, onChange: (next) => void seen.push(next.hash) });
  cleanup.push(() => w.close());
  return w;
}

test("a change written between loading the config and starting the watch is still applied, once", async () => {
  const { path } = setup();
  const loaded = loadConfig(path);
  // Written after the load, before the watch: no file event will ever report it.
  writeFileSync(path, JSON.stringify({ gateway: { mode: "local", port: 19001 } }));
  const seen: string[] = [];
  watch(path, loaded.hash, seen);
  await waitFor(() => seen.length === 1, "the change to be applied", 5000);
  expect(seen[0]).toBe(loadConfig(path).hash);
  await Bun.sleep(100);
  expect(seen).toHaveLength(1);
});

test("an unchanged file is not reported at start; a later write is", async () => {
  const { path } = setup();
  const seen: string[] = [];
  watch(path, loadConfig(path).hash, seen);
  await Bun.sleep(100);
  expect(seen).toEqual([]);
  writeFileSync(path, JSON.stringify({ gateway: { mode: "local", port: 19002 } }));
  await waitFor(() => seen.length === 1, "the write to be applied", 5000);
});
