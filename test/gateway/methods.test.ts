/**
 * Conformance: result shapes of the implemented read/admin methods over a real socket (protocol.md §5.3,
 * §6), checked against the protocol's result schemas plus the values the spec pins down.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { checkResult } from "../../src/protocol/index.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { waitFor } from "../helpers/wait.ts";

const env = useCleanup();

async function admin(config?: OpenClawConfig) {
  const gw = await env.gateway(config ? { config } : {});
  const { sock } = await connectClient(gw.url, gw.token);
  return { gw, sock };
}

/** Calls `method` and returns its payload after checking ok and the result schema. */
async function call(sock: TestSocket, method: string, params: Record<string, unknown> = {}): Promise<any> {
  const res = await sock.request(method, params);
  expect(res.error).toBeUndefined();
  expect(res.ok).toBe(true);
  expect(checkResult(method, res.payload)).toEqual({ ok: true });
  return res.payload;
}

describe("health and status", () => {
  test("health: the §5.3 snapshot, and a health event with the same snapshot", async () => {
    const { gw, sock } = await admin();
    const h = await call(sock, "health");
    // Compare before any toMatchObject: Bun's asymmetric matchers write themselves into the received object.
    const ev = await sock.nextMatching((f) => f.event === "health" && f.payload.ts === h.ts);
    expect(ev.payload).toEqual(h);
    expect(h).toMatchObject({ ok: true, ts: expect.any(Number), durationMs: expect.any(Number), channels: {}, channelOrder: [], channelLabels: {}, defaultAgentId: "main" });
    expect(h.heartbeatSeconds).toBe(1800);
    expect(h.agents).toEqual([
      {
        agentId: "main",
        isDefault: true,
        heartbeat: expect.objectContaining({ enabled: true, every: "30m", everyMs: 1_800_000, target: "last", ackMaxChars: 300 }),
        sessions: { path: expect.any(String), count: 0, recent: [] },
      },
    ]);
    expect(h.sessions).toEqual({ path: join(gw.stateDir, "state.db"), count: 0, recent: [] });
  });

  test("status: heartbeat, channel summary, queued system events, sessions", async () => {
    const { sock } = await admin();
    await call(sock, "system-event", { text: "queued for main" });
    const s = await call(sock, "status");
    expect(s.heartbeat).toEqual({ defaultAgentId: "main", agents: [{ agentId: "main", enabled: true, every: "30m", everyMs: 1_800_000 }] });
    expect(s.channelSummary).toEqual([]);
    expect(s.queuedSystemEvents).toContain("queued for main");
    expect(s.sessions).toMatchObject({ count: 0, recent: [], defaults: { model: expect.any(String), contextTokens: expect.any(Number) } });
    expect(s.sessions.byAgent).toEqual([{ agentId: "main", path: s.sessions.paths[0], count: 0, recent: [] }]);
  });

  test("system-presence: a bare array, self first; last-heartbeat: null", async () => {
    const { sock } = await admin();
    const list = await call(sock, "system-presence");
    expect(Array.isArray(list)).toBe(true);
    expect(list[0]).toMatchObject({ mode: "gateway", reason: "self" });
    expect(await call(sock, "last-heartbeat")).toBeNull();
  });
});

describe("logs.tail", () => {
  test("without cursor: the tail of the gateway log; with a cursor: only what was appended since", async () => {
    const { gw, sock } = await admin();
    const file = join(gw.stateDir, "gateway.log");
    await waitFor(() => gw.logs.some((l) => l.includes("client connected")), "a log line", 5000);
    const first = await call(sock, "logs.tail");
    expect(first.file).toBe(file);
    expect(first.size).toBeGreaterThan(0);
    expect(first.cursor).toBe(first.size);
    expect(first.lines.some((l: string) => l.includes("client connected"))).toBe(true);

    appendFileSync(file, "appended one\nappended two\n");
    const next = await call(sock, "logs.tail", { cursor: first.cursor });
    expect(next.lines).toEqual(["appended one", "appended two"]);
    expect(next.cursor).toBe(next.size);
    expect(next.reset).toBe(false);

    const idle = await call(sock, "logs.tail", { cursor: next.cursor });
    expect(idle.lines).toEqual([]);
    expect(idle.cursor).toBe(next.cursor);

    // A partial last line waits for its newline.
    appendFileSync(file, "half");
    const partial = await call(sock, "logs.tail", { cursor: idle.cursor });
    expect(partial.lines).toEqual([]);
    appendFileSync(file, " done\n");
    expect((await call(sock, "logs.tail", { cursor: partial.cursor })).lines).toEqual(["half done"]);
  });

  test("a cursor past the end (rotated/truncated file) answers reset:true from the tail", async () => {
    const { gw, sock } = await admin();
    const file = join(gw.stateDir, "gateway.log");
    writeFileSync(file, "fresh one\nfresh two\n");
    const res = await call(sock, "logs.tail", { cursor: 10_000_000 });
    expect(res.reset).toBe(true);
    expect(res.lines.slice(-2)).toEqual(["fresh one", "fresh two"]);
    expect(res.cursor).toBe(res.size);
  });

  // The spec gives `truncated?` no exact meaning, so only the caps themselves are checked here.
  test("limit and maxBytes cap the answer", async () => {
    const { gw, sock } = await admin();
    const file = join(gw.stateDir, "gateway.log");
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => `line ${String(i).padStart(2, "0")}`).join("\n") + "\n");
    const limited = await call(sock, "logs.tail", { limit: 3 });
    expect(limited.lines).toEqual(["line 47", "line 48", "line 49"]);

    const small = await call(sock, "logs.tail", { maxBytes: 40 });
    expect(small.lines.join("\n").length).toBeLessThanOrEqual(40);
    expect(small.lines.length).toBeGreaterThan(0);
    expect(small.lines.at(-1)).toBe("line 49");
    expect(small.lines.every((l: string) => /^line \d\d$/.test(l))).toBe(true);
    expect(small.cursor).toBe(small.size);

    const fromStart = await call(sock, "logs.tail", { cursor: 0, maxBytes: 16 });
    expect(fromStart.lines.join("\n").length).toBeLessThanOrEqual(16);
    expect(fromStart.lines.every((l: string) => /^line \d\d$/.test(l))).toBe(true);
  });
});

describe("config", () => {
  test("config.get: no file yet, then the file on disk with raw text, hash and parsed config", async () => {
    const { gw, sock } = await admin();
    const path = join(gw.stateDir, "openclaw.json");
    const none = await call(sock, "config.get");
    expect(none).toMatchObject({ path, exists: false, valid: true, issues: [] });

    const raw = '{ gateway: { mode: "local", port: 19001 } }\n';
    writeFileSync(path, raw);
    const present = await call(sock, "config.get");
    expect(present).toMatchObject({ path, exists: true, raw, valid: true, issues: [], config: { gateway: { mode: "local", port: 19001 } } });
    expect(present.hash).toEqual(expect.any(String));
    expect(present.hash).not.toBe(none.hash);
  });

  // Known bug, outside this suite's files: for an invalid file src/gateway/config-writes/config-get.ts answers
  // `hash: null` (and `raw: null`), which the config.get result schema rejects (hash is a string; upstream
  // returns the file's raw text and its hash). Flip to `test` once fixed.
  test("config.get on an invalid file reports issues and still matches the result schema", async () => {
    const { gw, sock } = await admin();
    writeFileSync(join(gw.stateDir, "openclaw.json"), '{ gateway: { port: "nope" } }');
    const bad = await call(sock, "config.get");
    expect(bad.valid).toBe(false);
    expect(bad.issues).toContainEqual(expect.objectContaining({ path: "gateway.port" }));
  });

  test("config.schema: {schema, uiHints, version, generatedAt}", async () => {
    const { sock } = await admin();
    const s = await call(sock, "config.schema");
    expect(s.schema).toMatchObject({ type: "object", properties: expect.objectContaining({ gateway: expect.any(Object), models: expect.any(Object) }) });
    // issue 24: hints for the Control UI's form (labels, order, secrets), no longer empty
    expect(s.uiHints.gateway).toMatchObject({ label: "Gateway", order: 30 });
    expect(s.version).toBe("test");
    expect(new Date(s.generatedAt).toISOString()).toBe(s.generatedAt);
  });
});

describe("models, agents, sessions, channels", () => {
  test("models.list: every configured provider's models; none without config", async () => {
    expect(await call((await admin()).sock, "models.list")).toEqual({ models: [] });
    const { sock } = await admin({
      gateway: { mode: "local" },
      models: {
        providers: {
          openai: { models: [{ id: "gpt-x", name: "GPT X", contextWindow: 128000, reasoning: true, input: ["text", "image"] }] },
          local: { baseUrl: "http://127.0.0.1:11434", models: [{ id: "llama" }] },
        },
      },
    });
    expect(await call(sock, "models.list")).toEqual({
      models: [
        { id: "gpt-x", name: "GPT X", provider: "openai", contextWindow: 128000, reasoning: true, input: ["text", "image"] },
        { id: "llama", name: "llama", provider: "local" },
      ],
    });
  });

  test("agents.list: the implicit main agent, or the configured list with its default", async () => {
    expect(await call((await admin()).sock, "agents.list")).toEqual({ defaultId: "main", mainKey: "main", scope: "per-sender", agents: [{ id: "main" }] });
    const { sock } = await admin({
      gateway: { mode: "local" },
      session: { scope: "global", mainKey: "home" },
      agents: { list: [{ id: "ops", name: "Ops", identity: { name: "Opsy", emoji: "🛠" } }, { id: "work", default: true }] },
    });
    expect(await call(sock, "agents.list")).toEqual({
      defaultId: "work",
      mainKey: "home",
      scope: "global",
      agents: [{ id: "ops", name: "Ops", identity: { name: "Opsy", emoji: "🛠" } }, { id: "work" }],
    });
  });

  test("sessions.list: store path, defaults from the model config, no sessions yet", async () => {
    const { gw, sock } = await admin({ gateway: { mode: "local" }, agents: { defaults: { model: "openai/gpt-5.1" } } });
    const s = await call(sock, "sessions.list");
    expect(s).toEqual({
      ts: expect.any(Number),
      path: join(gw.stateDir, "state.db"),
      count: 0,
      defaults: { modelProvider: "openai", model: "gpt-5.1", contextTokens: expect.any(Number) },
      sessions: [],
    });
  });

  test("channels.status: the account maps, empty without channels", async () => {
    const { sock } = await admin();
    const s = await call(sock, "channels.status");
    expect(s).toEqual({ ts: expect.any(Number), channelOrder: [], channelLabels: {}, channels: {}, channelAccounts: {}, channelDefaultAccountId: {} });
  });
});
