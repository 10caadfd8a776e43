/**
 * Channel descriptors: what the manager knows of a channel without its SDK. The manager reads these fields
 * instead of branching on channel ids.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHANNEL_IDS } from "../../src/channels/channel.ts";
import { CHANNEL_DESCRIPTORS } from "../../src/channels/registry.ts";

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "channel-registry-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

test("every channel id has a descriptor under its own id", () => {
  expect(Object.keys(CHANNEL_DESCRIPTORS).sort()).toEqual([...CHANNEL_IDS].sort());
  for (const id of CHANNEL_IDS) expect(CHANNEL_DESCRIPTORS[id].id).toBe(id);
});

test("telegram: configured enabled accounts, or default from TELEGRAM_BOT_TOKEN alone", () => {
  const tg = CHANNEL_DESCRIPTORS.telegram;
  expect(tg.wantedAccounts({}, { stateDir, env: {} })).toEqual([]);
  expect(tg.wantedAccounts({}, { stateDir, env: { TELEGRAM_BOT_TOKEN: "t" } }).map((a) => a.accountId)).toEqual(["default"]);
  const config = { channels: { telegram: { accounts: { a: { botToken: "x" }, b: { botToken: "y", enabled: false } } } } };
  expect(tg.wantedAccounts(config as never, { stateDir, env: {} }).map((a) => a.accountId)).toEqual(["a"]);
  expect(tg.linksSession).toBe(false);
});

test("whatsapp: linked accounts on disk run; web.enabled=false turns the channel off", () => {
  const wa = CHANNEL_DESCRIPTORS.whatsapp;
  const env = { OPENCLAW_STATE_DIR: stateDir };
  const dir = join(stateDir, "credentials", "whatsapp", "work");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "creds.json"), "{}");
  expect(wa.wantedAccounts({}, { stateDir, env }).map((a) => a.accountId)).toEqual(["work"]);
  expect(wa.isEnabled({ web: { enabled: false } } as never)).toBe(false);
  expect(wa.wantedAccounts({ web: { enabled: false } } as never, { stateDir, env })).toEqual([]);
  expect(wa.linksSession).toBe(true);
});

test("the manager names no channel: it reads descriptors", () => {
  const source = readFileSync(join(import.meta.dir, "../../src/channels/manager.ts"), "utf8");
  expect(source.match(/["'](telegram|whatsapp)["']|\.\/(telegram|whatsapp)\//g)).toBeNull();
});
