/**
 * The real Baileys socket (not the fake) against a local WebSocket server that drops every connection:
 * the adapter must see the close, back off, and reconnect. The WhatsApp handshake itself cannot be
 * faked (Baileys verifies WhatsApp's certificate), so this stops at the transport layer.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelHost } from "../../../src/channels/index.ts";
import { createWhatsAppChannel, openAuthState } from "../../../src/channels/whatsapp/index.ts";
import { Logger } from "../../../src/logging/logger.ts";
import { waitFor } from "../../helpers/wait.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

test("real Baileys socket: server closes → backoff → reconnect, status tracks attempts", async () => {
  const connections: number[] = [];
  const frames: number[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      return srv.upgrade(req) ? undefined : new Response("no", { status: 400 });
    },
    websocket: {
      open() {
        connections.push(Date.now());
      },
      message(ws, data) {
        // Baileys opens with the Noise header + client hello; we hang up instead of answering.
        frames.push(typeof data === "string" ? data.length : data.byteLength);
        ws.close(1011, "test server hangs up");
      },
    },
  });
  cleanup.push(() => server.stop(true));

  const stateDir = mkdtempSync(join(tmpdir(), "openclaw-wa-real-"));
  cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const auth = openAuthState(join(stateDir, "credentials", "whatsapp", "default"));
  await auth.saveCreds();

  const host: ChannelHost = { dispatchInbound: async () => ({ kind: "dropped", reason: "test" }), loadCursor: () => undefined, saveCursor: () => {} };
  const logs: string[] = [];
  const channel = createWhatsAppChannel({
    accountId: "default",
    account: {},
    getAccount: () => ({}),
    config: { web: { reconnect: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0, maxAttempts: 5 } } },
    host,
    stateDir,
    logger: new Logger("whatsapp", { noFile: true, write: (l) => logs.push(l) }),
    env: { OPENCLAW_WHATSAPP_WS_URL: `ws://127.0.0.1:${server.port}/ws/chat` },
  });
  cleanup.push(() => channel.stop());
  await channel.start();
  await waitFor(() => connections.length >= 3, "three connections", 10_000);
  expect(frames.length).toBeGreaterThanOrEqual(2);
  // 100 ms then 200 ms between attempts (jitter 0), give or take the handshake.
  expect(connections[1] - connections[0]).toBeGreaterThanOrEqual(90);
  expect(connections[2] - connections[1]).toBeGreaterThanOrEqual(190);
  const snap = channel.snapshot();
  expect(snap).toMatchObject({ linked: true, running: true, connected: false });
  expect(snap.reconnectAttempts).toBeGreaterThanOrEqual(2);
  expect(String(snap.lastError)).toMatch(/\(\d{3}\)$/);
  expect(logs.some((l) => l.includes("web-reconnect"))).toBe(true);
}, 20_000);
