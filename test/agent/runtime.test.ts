/**
 * The agent runtime against the fake provider: event sequence, transcript, fallbacks, errors, abort,
 * timeout, lanes, idempotency and crash recovery. Uses the memory store and the SQLite store.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime, type RunRequest } from "../../src/agent/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { Logger } from "../../src/logging/logger.ts";
import { createMemoryStore, openSqliteStore, type Store } from "../../src/store/index.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";

let fake: FakeProvider;
let dir: string;
beforeAll(() => {
  fake = startFakeProvider();
  dir = mkdtempSync(join(tmpdir(), "openclaw-agent-"));
});
afterAll(() => {
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(extra: Partial<OpenClawConfig> = {}, primary = "local/m1", fallbacks: string[] = []): OpenClawConfig {
  return {
    models: {
      providers: {
        local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "m1", contextWindow: 32000 }] },
        claude: { baseUrl: fake.anthropicBaseUrl, apiKey: "sk-ant", api: "anthropic-messages", models: [{ id: "c1", maxTokens: 1000 }] },
      },
    },
    agents: { defaults: { workspace: dir, model: { primary, fallbacks } } },
    ...extra,
  };
}

function setup(cfg: OpenClawConfig, store: Store = createMemoryStore(), env: Record<string, string> = {}) {
  const events: { event: string; payload: any }[] = [];
  const runtime = new AgentRuntime({ store, config: () => cfg, emit: (event, payload) => events.push({ event, payload }), logger: new Logger("test", { write: () => {} }), env, chatThrottleMs: 0 });
  return { runtime, events, store };
}

let n = 0;
function req(over: Partial<RunRequest> = {}): RunRequest {
  return { runId: `run-${++n}`, kind: "agent", sessionKey: "agent:main:main", agentId: "main", message: "hi", timeoutMs: 30_000, channel: "test", ...over };
}

async function finish(r: ReturnType<AgentRuntime["submit"]>) {
  if (r.status !== "accepted") throw new Error(`not accepted: ${r.status}`);
  return r.done;
}

describe("a run", () => {
  for (const [name, primary] of [["openai-completions", "local/m1"], ["anthropic-messages", "claude/c1"]] as const) {
    test(`streams, persists and reports (${name})`, async () => {
      const { runtime, events, store } = setup(config({}, primary));
      fake.push({ text: ["Hel", "lo ", "there"], usage: { input: 10, output: 3 } });
      const final = await finish(runtime.submit(req({ runId: `ok-${name}` })));
      expect(final.ok).toBe(true);
      expect(final.payload).toMatchObject({ runId: `ok-${name}`, status: "ok", summary: "completed", result: { payloads: [{ text: "Hello there" }], meta: { agentMeta: { usage: { input: 10, output: 3 } } } } });
      const agent = events.filter((e) => e.event === "agent").map((e) => e.payload);
      expect(agent.map((p) => p.seq)).toEqual(agent.map((_, i) => i + 1));
      expect(agent.map((p) => `${p.stream}:${p.data.phase ?? p.data.delta}`)).toEqual(["lifecycle:start", "assistant:Hel", "assistant:lo ", "assistant:there", "lifecycle:end"]);
      expect(agent[3].data.text).toBe("Hello there");
      const chat = events.filter((e) => e.event === "chat").map((e) => e.payload);
      expect(chat.at(-1)).toMatchObject({ state: "final", message: { role: "assistant", content: [{ type: "text", text: "Hello there" }] } });
      expect(chat.slice(0, -1).every((c) => c.state === "delta")).toBe(true);
      const entry = store.getSession("agent:main:main");
      expect(entry).toMatchObject({ modelProvider: primary.split("/")[0], model: primary.split("/")[1], outputTokens: 3, systemSent: true });
      const msgs = store.readMessages(entry?.sessionId as string);
      expect(msgs.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(msgs[1]).toMatchObject({ content: [{ type: "text", text: "Hello there" }], stopReason: "stop", usage: { input: 10, output: 3, totalTokens: 13 } });
    });
  }

  test("workspace files go into the system prompt", async () => {
    writeFileSync(join(dir, "AGENTS.md"), "Always answer in haiku.");
    writeFileSync(join(dir, "SOUL.md"), `${"x".repeat(25_000)}TAIL`);
    const { runtime } = setup(config());
    await finish(runtime.submit(req()));
    const system = fake.requests.at(-1)?.body.messages[0];
    expect(system.role).toBe("system");
    expect(system.content).toContain("## AGENTS.md\n\nAlways answer in haiku.");
    expect(system.content).toContain("truncated");
    expect(system.content).toContain("Missing workspace files: TOOLS.md, IDENTITY.md, USER.md");
    expect(system.content).toContain("channel: test");
    expect(fake.requests.at(-1)?.headers.authorization).toBe("Bearer sk-local");
  });

  test("tool calls run between steps and show as tool events", async () => {
    const { runtime, events, store } = setup(config());
    fake.push({ toolCalls: [{ id: "call_1", name: "sessions_list", args: {} }], text: "Checking." }, { text: "You have one session." });
    const final = await finish(runtime.submit(req({ sessionKey: "agent:main:tools" })));
    expect(final.ok).toBe(true);
    const tool = events.filter((e) => e.event === "agent" && e.payload.stream === "tool").map((e) => e.payload.data);
    expect(tool.map((t) => `${t.phase}:${t.name}:${t.toolCallId}`)).toEqual(["start:sessions_list:call_1", "result:sessions_list:call_1"]);
    expect(tool[1].result).toContain("agent:main:tools");
    expect((final.payload as any).result.payloads[0].text).toBe("Checking.\n\nYou have one session.");
    const msgs = store.readMessages(store.getSession("agent:main:tools")?.sessionId as string);
    expect(msgs.map((m) => m.role)).toEqual(["user", "assistant", "toolResult", "assistant"]);
    expect(msgs[1]).toMatchObject({ stopReason: "toolUse", content: [{ type: "text", text: "Checking." }, { type: "toolCall", id: "call_1", name: "sessions_list" }] });
    // the second request carried the tool result back
    const second = fake.requests.at(-1)?.body.messages;
    expect(second.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_1" });
  });
});

describe("failures end the run cleanly", () => {
  test("missing key: clear error, no request, session usable", async () => {
    const cfg: OpenClawConfig = { agents: { defaults: { workspace: dir, model: "anthropic/claude-x" } } };
    const { runtime, events } = setup(cfg);
    const before = fake.requests.length;
    const final = await finish(runtime.submit(req({ sessionKey: "agent:main:nokey" })));
    expect(final.ok).toBe(false);
    expect(final.error?.code).toBe("UNAVAILABLE");
    expect(final.error?.message).toStartWith('No API key found for provider "anthropic"');
    expect(fake.requests.length).toBe(before);
    expect(events.at(-1)?.payload).toMatchObject({ state: "error", errorMessage: final.error?.message });
    expect(events.at(-2)?.payload.data).toMatchObject({ phase: "error", error: final.error?.message });
  });

  test("env key for a built-in provider", async () => {
    const cfg = config({}, "anthropic/claude-x");
    (cfg.models as any).providers.anthropic = { baseUrl: fake.anthropicBaseUrl };
    const { runtime } = setup(cfg, createMemoryStore(), { ANTHROPIC_API_KEY: "sk-env" });
    fake.push({ text: "env ok" });
    expect((await finish(runtime.submit(req()))).ok).toBe(true);
    expect(fake.requests.at(-1)?.headers["x-api-key"]).toBe("sk-env");
  });

  test("bad key (401) falls back to the next model", async () => {
    const { runtime } = setup(config({}, "claude/c1", ["local/m1"]));
    fake.push({ status: 401, message: "invalid x-api-key" }, { text: "from fallback" });
    const final = await finish(runtime.submit(req()));
    expect(final.ok).toBe(true);
    expect((final.payload as any).result.meta.agentMeta).toMatchObject({ provider: "local", model: "m1" });
  });

  for (const [label, replies, expected] of [
    ["401", [{ status: 401, message: "invalid api key" }], /HTTP 401 \(authentication failed\): invalid api key/],
    ["429 twice", [{ status: 429, headers: { "retry-after": "0" } }, { status: 429, headers: { "retry-after": "0" } }], /HTTP 429 \(rate limited\)/],
    ["500 twice", [{ status: 500, headers: { "retry-after": "0" } }, { status: 500, headers: { "retry-after": "0" } }], /HTTP 500/],
    ["stream cut", [{ cut: ["par", "tial"] }], /dropped mid-stream/],
    ["in-stream error", [{ streamError: "Overloaded", before: ["so "] }], /Overloaded/],
  ] as const) {
    test(`${label} → error final, transcript keeps the failure, next run works`, async () => {
      const { runtime, events, store } = setup(config());
      fake.push(...(replies as any));
      const final = await finish(runtime.submit(req({ sessionKey: `agent:main:${label}` })));
      expect(final.ok).toBe(false);
      expect(final.payload).toMatchObject({ status: "error" });
      expect(final.error?.message).toMatch(expected);
      expect(events.at(-1)?.payload).toMatchObject({ state: "error" });
      const sessionId = store.getSession(`agent:main:${label}`)?.sessionId as string;
      expect(store.readMessages(sessionId).at(-1)).toMatchObject({ role: "assistant", stopReason: "error" });
      fake.push({ text: "recovered" });
      expect((await finish(runtime.submit(req({ sessionKey: `agent:main:${label}` })))).ok).toBe(true);
    });
  }

  test("429 once is retried", async () => {
    const { runtime } = setup(config());
    fake.push({ status: 429, headers: { "retry-after": "0" } }, { text: "after retry" });
    expect((await finish(runtime.submit(req()))).ok).toBe(true);
  });

  test("timeout → AGENT_TIMEOUT, chat aborted with stopReason timeout, partial kept", async () => {
    const { runtime, events, store } = setup(config());
    fake.push({ hang: true, first: "thinking… " });
    const final = await finish(runtime.submit(req({ sessionKey: "agent:main:slow", timeoutMs: 300 })));
    expect(final.ok).toBe(false);
    expect(final.error?.code).toBe("AGENT_TIMEOUT");
    expect(events.at(-1)?.payload).toMatchObject({ state: "aborted", stopReason: "timeout" });
    const msgs = store.readMessages(store.getSession("agent:main:slow")?.sessionId as string);
    expect(msgs.at(-1)).toMatchObject({ role: "assistant", stopReason: "aborted", content: [{ type: "text", text: "thinking… " }] });
    expect(await runtime.wait(final.payload.runId as string, 10)).toMatchObject({ status: "timeout" });
  });

  test("a timeout beyond a 32-bit timer (agent timeout ≥ 24.9 days) is a long timeout, not an immediate one", async () => {
    const { runtime } = setup(config());
    fake.push({ text: ["slow", " but", " fine"], delayMs: 30 });
    const final = await finish(runtime.submit(req({ sessionKey: "agent:main:long", timeoutMs: 3_000_000_000 })));
    expect(final.error).toBeUndefined();
    expect(final.ok).toBe(true);
  });

  test("abort: running and queued runs on the session", async () => {
    const { runtime, events } = setup(config());
    fake.push({ hang: true, first: "part" });
    const a = runtime.submit(req({ runId: "abort-a", sessionKey: "agent:main:ab" }));
    const b = runtime.submit(req({ runId: "abort-b", sessionKey: "agent:main:ab" }));
    await waitFor(() => events.some((e) => e.payload.runId === "abort-a" && e.payload.stream === "assistant"), "abort-a streaming");
    expect(runtime.abort("agent:main:ab").sort()).toEqual(["abort-a", "abort-b"]);
    const [fa, fb] = await Promise.all([finish(a), finish(b)]);
    expect(fa.payload).toMatchObject({ status: "ok", summary: "aborted", result: { payloads: [{ text: "part" }], meta: { aborted: true } } });
    expect(fb.payload).toMatchObject({ summary: "aborted" });
    const aborted = events.filter((e) => e.event === "chat" && e.payload.state === "aborted").map((e) => e.payload.runId);
    expect(aborted).toEqual(["abort-a", "abort-b"]);
  });
});

describe("sub-agents stop with their parent", () => {
  test("aborting a session's runs aborts the sub-agents it spawned and theirs (reason parent); others run on", async () => {
    const { runtime, events } = setup(config());
    fake.push({ hang: true, first: "p" }, { hang: true, first: "c" }, { hang: true, first: "g" }, { hang: true, first: "o" });
    const parent = runtime.submit(req({ runId: "tree-parent", sessionKey: "agent:main:tree" }));
    const child = runtime.submit(req({ runId: "tree-child", sessionKey: "agent:main:subagent:c1", parent: { sessionKey: "agent:main:tree", runId: "tree-parent" } }));
    const grandchild = runtime.submit(req({ runId: "tree-grandchild", sessionKey: "agent:main:subagent:g1", parent: { sessionKey: "agent:main:subagent:c1", runId: "tree-child" } }));
    const other = runtime.submit(req({ runId: "tree-other", sessionKey: "agent:main:subagent:o1", parent: { sessionKey: "agent:main:elsewhere" } }));
    const streaming = (id: string) => events.some((e) => e.payload.runId === id && e.payload.stream === "assistant");
    await waitFor(() => ["tree-parent", "tree-child", "tree-grandchild", "tree-other"].every(streaming), "all four streaming");
    expect(runtime.abort("agent:main:tree")).toEqual(["tree-parent"]);
    const [fp, fc, fg] = await Promise.all([finish(parent), finish(child), finish(grandchild)]);
    expect([fp.stopReason, fc.stopReason, fg.stopReason]).toEqual(["rpc", "parent", "parent"]);
    for (const f of [fp, fc, fg]) expect(f.payload.summary).toBe("aborted");
    const stops = events.filter((e) => e.event === "chat" && e.payload.state === "aborted").map((e) => [e.payload.runId, e.payload.stopReason]);
    expect(stops).toEqual(expect.arrayContaining([["tree-child", "parent"], ["tree-grandchild", "parent"]]));
    // The unrelated sub-agent is still running.
    expect(runtime.runsOn("agent:main:subagent:o1")).toEqual(["tree-other"]);
    runtime.abort("agent:main:subagent:o1");
    expect((await finish(other)).stopReason).toBe("rpc");
  });

  test("aborting one run aborts only the sub-agents that run spawned; an ended parent's run id still reaches them", async () => {
    const { runtime, events } = setup(config());
    fake.push({ hang: true, first: "a" }, { hang: true, first: "b" });
    const mine = runtime.submit(req({ runId: "exact-mine", sessionKey: "agent:main:subagent:m1", parent: { sessionKey: "agent:main:exact", runId: "exact-run-1" } }));
    const sibling = runtime.submit(req({ runId: "exact-sibling", sessionKey: "agent:main:subagent:s1", parent: { sessionKey: "agent:main:exact", runId: "exact-run-2" } }));
    await waitFor(() => ["exact-mine", "exact-sibling"].every((id) => events.some((e) => e.payload.runId === id && e.payload.stream === "assistant")), "both streaming");
    // exact-run-1 is no longer running: nothing of its own to abort, its sub-agent still stops.
    expect(runtime.abort("agent:main:exact", "exact-run-1")).toEqual([]);
    expect((await finish(mine)).stopReason).toBe("parent");
    expect(runtime.runsOn("agent:main:subagent:s1")).toEqual(["exact-sibling"]);
    await runtime.shutdown();
    expect((await finish(sibling)).stopReason).toBe("shutdown");
  });
});

describe("scheduling and idempotency", () => {
  test("runs on one session never overlap; the global cap holds", async () => {
    const cfg = config({}, "local/m1");
    (cfg.agents as any).defaults.maxConcurrent = 2;
    const { runtime, events } = setup(cfg);
    fake.fallback = { text: ["a", "b", "c"], delayMs: 20 };
    // streams left open by earlier tests (aborted hangs) close within one ping interval
    await waitFor(() => fake.openStreams() === 0, "streams of earlier tests closed");
    let maxOpen = 0;
    const probe = setInterval(() => (maxOpen = Math.max(maxOpen, fake.openStreams())), 2);
    const same = [1, 2, 3].map((i) => runtime.submit(req({ runId: `lane-${i}`, sessionKey: "agent:main:lane" })));
    const others = [1, 2, 3].map((i) => runtime.submit(req({ runId: `cap-${i}`, sessionKey: `agent:main:cap${i}` })));
    await Promise.all([...same, ...others].map(finish));
    clearInterval(probe);
    fake.fallback = { text: "Hello from the fake provider." };
    expect(maxOpen).toBeLessThanOrEqual(2);
    expect(maxOpen).toBeGreaterThanOrEqual(1);
    const lane = events.filter((e) => e.event === "agent" && e.payload.stream === "lifecycle" && e.payload.runId.startsWith("lane-")).map((e) => `${e.payload.data.phase} ${e.payload.runId}`);
    expect(lane).toEqual(["start lane-1", "end lane-1", "start lane-2", "end lane-2", "start lane-3", "end lane-3"]);
  });

  test("same idempotency key: in_flight while running, cached final after", async () => {
    const { runtime } = setup(config());
    const first = runtime.submit(req({ runId: "idem-1" }));
    expect(runtime.submit(req({ runId: "idem-1" }))).toEqual({ status: "in_flight", runId: "idem-1" });
    const final = await finish(first);
    const again = runtime.submit(req({ runId: "idem-1" }));
    expect(again).toEqual({ status: "done", runId: "idem-1", final });
    expect(await runtime.wait("idem-1", 10)).toMatchObject({ runId: "idem-1", status: "ok" });
    expect(await runtime.wait("never-submitted", 20)).toEqual({ runId: "never-submitted", status: "timeout" });
    // A wait longer than a 32-bit timer still waits (agent.wait timeoutMs is any integer ≥ 0).
    const long = runtime.wait("later", 3_000_000_000);
    // A timer that overflowed would fire at once: a whole other run finishing first settles that question.
    let longSettled = false;
    void long.then(() => (longSettled = true));
    await finish(runtime.submit(req({ runId: "meanwhile" })));
    expect(longSettled).toBe(false);
    await finish(runtime.submit(req({ runId: "later" })));
    expect(await long).toMatchObject({ runId: "later", status: "ok" });
  });

  test("/new starts a new session id; /reset with text runs it", async () => {
    const { runtime, store } = setup(config());
    await finish(runtime.submit(req({ sessionKey: "agent:main:r" })));
    const first = store.getSession("agent:main:r")?.sessionId;
    const bare = await finish(runtime.submit(req({ sessionKey: "agent:main:r", message: "/new" })));
    expect((bare.payload as any).result.payloads[0].text).toBe("New session started.");
    const second = store.getSession("agent:main:r")?.sessionId;
    expect(second).not.toBe(first);
    expect(store.readMessages(second as string)).toEqual([]);
    await finish(runtime.submit(req({ sessionKey: "agent:main:r", message: "/reset hello again" })));
    const third = store.getSession("agent:main:r")?.sessionId as string;
    expect(third).not.toBe(second);
    expect(store.readMessages(third)[0]).toMatchObject({ role: "user", content: [{ type: "text", text: "hello again" }] });
  });

  test("a restart ends interrupted runs as errors and keeps their messages; retries are not re-run", async () => {
    const path = join(dir, "crash.db");
    const store = openSqliteStore(path);
    const { runtime } = setup(config(), store);
    const done = await finish(runtime.submit(req({ runId: "kept", sessionKey: "agent:main:crash" })));
    store.putRun({ runId: "lost-queued", sessionKey: "agent:main:crash", kind: "chat", status: "queued", message: "please remember this", createdAt: Date.now() });
    store.close();
    const reopened = openSqliteStore(path);
    const again = setup(config(), reopened);
    expect(reopened.getRun("lost-queued")).toMatchObject({ status: "error", final: { ok: false } });
    const msgs = reopened.readMessages(reopened.getSession("agent:main:crash")?.sessionId as string);
    expect(msgs.at(-1)).toMatchObject({ role: "user", content: [{ text: "please remember this" }] });
    expect(again.runtime.submit(req({ runId: "kept" }))).toMatchObject({ status: "done", final: { ok: true, payload: done.payload } });
    reopened.close();
  });
});

describe("images", () => {
  const image = { type: "image" as const, data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 5]).toString("base64"), mimeType: "image/png" };

  test("a queued run keeps its images in the run record until it starts; then they are in the transcript only", async () => {
    const store = openSqliteStore(join(dir, "images.db"));
    const { runtime } = setup(config(), store);
    fake.push({ hang: true });
    const blocker = runtime.submit(req({ runId: "img-blocker", sessionKey: "agent:main:img" }));
    const queued = runtime.submit(req({ runId: "img-queued", sessionKey: "agent:main:img", message: "", images: [image] }));
    expect(store.getRun("img-queued")?.images).toEqual([image]);
    await waitFor(() => fake.openStreams() > 0, "the blocker's stream open");
    runtime.abort("agent:main:img", "img-blocker");
    fake.push({ text: "a pixel" });
    await finish(blocker);
    await finish(queued);
    expect(store.getRun("img-queued")).toMatchObject({ status: "ok" });
    expect(store.getRun("img-queued")?.images).toBeUndefined();
    const msgs = store.readMessages(store.getSession("agent:main:img")?.sessionId as string);
    expect(msgs.filter((m) => m.role === "user").at(-1)?.content).toEqual([image]);
    store.close();
  });

  test("a restart keeps the images of a run that never started", () => {
    const path = join(dir, "images-crash.db");
    const store = openSqliteStore(path);
    store.putRun({ runId: "img-lost", sessionKey: "agent:main:imgcrash", kind: "chat", status: "queued", message: "look", images: [image], createdAt: Date.now() });
    store.close();
    const reopened = openSqliteStore(path);
    setup(config(), reopened);
    expect(reopened.getRun("img-lost")).toMatchObject({ status: "error" });
    expect(reopened.getRun("img-lost")?.images).toBeUndefined();
    const msgs = reopened.readMessages(reopened.getSession("agent:main:imgcrash")?.sessionId as string);
    expect(msgs.at(-1)).toEqual({ role: "user", content: [{ type: "text", text: "look" }, image], timestamp: expect.any(Number) });
    reopened.close();
  });

  test("a /new with an image starts a new session and still sends the image", async () => {
    const { runtime, store } = setup(config());
    fake.push({ text: "fresh" });
    const before = fake.requests.length;
    await finish(runtime.submit(req({ sessionKey: "agent:main:imgnew", message: "/new", images: [image] })));
    expect(fake.requests.length).toBe(before + 1);
    const msgs = store.readMessages(store.getSession("agent:main:imgnew")?.sessionId as string);
    expect(msgs[0]).toEqual({ role: "user", content: [image], timestamp: expect.any(Number) });
  });
});
