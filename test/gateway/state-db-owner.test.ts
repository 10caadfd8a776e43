/**
 * The gateway opens state.db once: every store (sessions, cron, node, device and channel pairing, channel
 * cursors and inbound queue) runs on that one connection, and stopping the gateway closes it. Counted as the
 * process's open file descriptors on `<stateDir>/state.db` (Linux /proc). A state dir of the earlier layout
 * (device pairing in JSON files) starts with its devices moved into the DB.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/logging/logger.ts";
import { startGateway } from "../../src/gateway/server.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Open descriptors of this process on exactly `path` (not its -wal/-shm). */
function openDescriptors(path: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe.skipIf(process.platform !== "linux")("state DB owner", () => {
  test("one connection to state.db while running (all stores used), none after stop; legacy devices imported", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "state-owner-"));
    dirs.push(stateDir);
    cpSync(join(import.meta.dir, "../fixtures/state-db-legacy"), stateDir, { recursive: true });
    const logs: string[] = [];
    const token = "owner-test-token-0123456789abcdef";
    const handle = await startGateway({
      version: "test",
      stateDir,
      loaded: { path: join(stateDir, "openclaw.json"), exists: false, raw: "", hash: "", config: { gateway: { mode: "local", auth: { token } }, browser: { enabled: false }, canvasHost: { enabled: false } } },
      settings: { port: 0, bind: "loopback", hosts: ["127.0.0.1"], auth: { mode: "token", token } },
      logger: new Logger("gateway", { file: join(stateDir, "gateway.log"), write: (l) => logs.push(l) }),
    });
    const dbPath = join(stateDir, "state.db");
    try {
      const { ctx } = handle;
      // Touch every store, including the channel ones the manager opens lazily.
      expect(ctx.store.getSession("agent:main:main")?.sessionId).toBe("sess-1");
      expect(ctx.channels.pairing().isApproved("telegram", "12345")).toBe(true);
      expect(ctx.channels.cursors().get("telegram", "default", "updateOffset")).toBe(424242);
      expect(ctx.channels.inbound().has("telegram", "default", "9:1")).toBe(true);
      expect(ctx.nodePairing.getNode("node-1")?.displayName).toBe("old node");
      expect(ctx.devices.getPaired("dev-old")?.displayName).toBe("old laptop");
      expect(existsSync(join(stateDir, "devices"))).toBe(false);
      expect(logs.some((l) => l.includes("imported device pairing (1 paired, 1 pending)"))).toBe(true);
      expect(openDescriptors(dbPath)).toBe(1);
    } finally {
      await handle.stop();
    }
    expect(openDescriptors(dbPath)).toBe(0);
  }, 30_000);
});
