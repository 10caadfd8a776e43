/**
 * `session_status` reports the session's context truthfully: the tokens the last finished model call held
 * (prompt with cache reads and writes, plus completion), against the context window of the model that made
 * it (`models.providers.<p>.models[].contextWindow`), never a whole turn's sum of calls. Unit cases over a
 * memory store's transcript, and a real multi-step run through the agent runtime with the fake provider
 * streaming `tool_calls`, where the session's `totalTokens` after the run is the last call's too.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AgentRuntime } from "../../../src/agent/index.ts";
import { bindTool } from "../../../src/agent/tools/index.ts";
import { sessionStatusTool } from "../../../src/agent/tools/session-status.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { Logger } from "../../../src/logging/logger.ts";
import { createMemoryStore, type Store, type TranscriptMessage, type Usage } from "../../../src/store/index.ts";
import { type FakeProvider, startFakeProvider } from "../../helpers/fake-provider.ts";

const signal = new AbortController().signal;
const KEY = "agent:main:main";
const CONFIG: OpenClawConfig = {
  models: {
    providers: {
      local: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "k", api: "openai-completions", models: [{ id: "m1", contextWindow: 8000 }, { id: "m2", contextWindow: 100_000 }, { id: "m3" }] },
    },
  },
  agents: { defaults: { model: "local/m1" } },
};

function usage(input: number, output: number, cacheRead = 0, cacheWrite = 0): Usage {
  return { input, output, cacheRead, cacheWrite, totalTokens: input + output + cacheRead + cacheWrite };
}
const user = (text: string, at = 1): TranscriptMessage => ({ role: "user", content: [{ type: "text", text }], timestamp: at });
const assistant = (u: Usage, model = "m1", at = 2, stopReason: "stop" | "toolUse" | "aborted" = "stop"): TranscriptMessage => ({ role: "assistant", content: [{ type: "text", text: "…" }], api: "openai-completions", provider: "local", model, usage: u, stopReason, timestamp: at });
const toolResult = (id: string): TranscriptMessage => ({ role: "toolResult", toolCallId: id, toolName: "read", content: [{ type: "text", text: "x" }], isError: false, timestamp: 3 });

async function status(store: Store, args: Record<string, unknown> = {}, sessionKey = KEY, config = CONFIG): Promise<any> {
  const tool = bindTool(sessionStatusTool, { config, agentId: "main", sessionKey, runId: "r1" }, { store });
  return JSON.parse((await tool.run(args, { signal, toolCallId: "c1" })).text);
}

/** A session whose entry holds a whole turn's summed counters, and whose transcript holds the calls. */
function sessionWith(messages: TranscriptMessage[], entry: Record<string, unknown> = {}): Store {
  const store = createMemoryStore();
  store.setSession(KEY, { sessionId: "s1", updatedAt: Date.now(), modelProvider: "local", model: "m1", inputTokens: 9000, outputTokens: 500, totalTokens: 9500, contextTokens: 8000, ...entry });
  store.appendMessages("s1", messages);
  return store;
}

describe("session_status: the context of the last model call", () => {
  test("the last call's prompt + completion against the model's window, not the turn's sum; a stopped reply's zero usage is skipped", async () => {
    const store = sessionWith([user("q"), assistant(usage(1000, 100), "m1", 2, "toolUse"), toolResult("t1"), assistant(usage(1700, 300)), user("more"), assistant(usage(0, 0), "m1", 5, "aborted")]);
    const s = await status(store);
    expect(s).toMatchObject({ ok: true, sessionKey: KEY, agentId: "main", current: true, model: "local/m1", tokens: { input: 1700, output: 300, total: 2000 }, contextWindow: 8000, contextUsed: "25%", messages: 6 });
    expect(s.tokens.cacheRead).toBeUndefined();
    expect(s.statusText).toContain("🧠 Model: local/m1");
    expect(s.statusText).toContain("🧮 Tokens (last call): 1.7k in / 300 out");
    expect(s.statusText).toContain("📚 Context: 2.0k/8.0k (25%)");
    expect(s.statusText).toContain(`🧵 Session: ${KEY} • updated just now`);
  });

  test("cache reads and writes are part of the prompt the context holds", async () => {
    const store = sessionWith([user("q"), assistant(usage(200, 100, 3000, 700))]);
    expect(await status(store)).toMatchObject({ tokens: { input: 3900, output: 100, cacheRead: 3000, cacheWrite: 700, total: 4000 }, contextUsed: "50%" });
  });

  test("the window is the one of the model that made the last call; an unconfigured window is unknown, not guessed", async () => {
    const byM2 = sessionWith([user("q"), assistant(usage(4000, 1000), "m2")]);
    expect(await status(byM2)).toMatchObject({ model: "local/m2", tokens: { total: 5000 }, contextWindow: 100_000, contextUsed: "5%" });
    const byM3 = sessionWith([user("q"), assistant(usage(4000, 1000), "m3")]);
    const s = await status(byM3);
    expect(s).toMatchObject({ model: "local/m3", tokens: { total: 5000 }, contextWindow: null, contextUsed: null });
    expect(s.statusText).toContain("📚 Context: 5.0k/? (context window not configured for this model)");
  });

  test("the last call is found behind many tool results; a session with no call yet says so", async () => {
    const results = Array.from({ length: 60 }, (_, i) => toolResult(`t${i}`));
    const store = sessionWith([user("q"), assistant(usage(6000, 400), "m1", 2, "toolUse"), ...results]);
    expect(await status(store)).toMatchObject({ tokens: { total: 6400 }, contextUsed: "80%" });

    const fresh = createMemoryStore();
    const s = await status(fresh, {}, "agent:main:new", { ...CONFIG, agents: { defaults: { model: "local/m2" } } });
    expect(s).toMatchObject({ sessionKey: "agent:main:new", model: "local/m2", tokens: { input: null, output: null, total: null }, contextWindow: 100_000, contextUsed: null, messages: 0 });
    expect(s.statusText).toContain("📚 Context: no model call yet");
  });

  test("another of the agent's sessions by key ('main', 'current'); other agents' sessions are refused", async () => {
    const store = sessionWith([user("q"), assistant(usage(700, 100))]);
    expect(await status(store, { sessionKey: "main" }, "agent:main:telegram:dm:42")).toMatchObject({ sessionKey: KEY, current: false, tokens: { total: 800 } });
    expect(await status(store, { sessionKey: "current" })).toMatchObject({ sessionKey: KEY, current: true });
    const tool = bindTool(sessionStatusTool, { config: CONFIG, agentId: "main", sessionKey: KEY, runId: "r1" }, { store });
    const refused = await tool.run({ sessionKey: "agent:ops:main" }, { signal, toolCallId: "c1" }).then(() => "no error", (e: Error) => e.message);
    expect(refused).toBe("session agent:ops:main belongs to another agent");
  });
});

describe("session_status in a run (agent runtime, fake provider)", () => {
  let fake: FakeProvider;
  beforeAll(() => {
    fake = startFakeProvider();
  });
  afterAll(() => fake.stop());

  test("mid-turn it reports the call that finished before it; after the turn the session's totalTokens is the last call's", async () => {
    const config: OpenClawConfig = {
      models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk", api: "openai-completions", models: [{ id: "m1", contextWindow: 10_000 }] } } },
      agents: { defaults: { model: "local/m1" } },
      tools: { profile: "full" },
    };
    const store = createMemoryStore();
    const runtime = new AgentRuntime({ store, config: () => config, emit: () => {}, logger: new Logger("test", { write: () => {} }), env: {}, chatThrottleMs: 0 });
    const run = async (runId: string) => {
      const r = runtime.submit({ runId, kind: "agent", sessionKey: KEY, agentId: "main", message: "how full is your context?", timeoutMs: 30_000, channel: "test" });
      if (r.status !== "accepted") throw new Error(r.status);
      return r.done;
    };
    // First turn: one call of 900 + 100.
    fake.push({ text: "hello", usage: { input: 900, output: 100 } });
    expect((await run("turn-1")).ok).toBe(true);
    expect(store.getSession(KEY)).toMatchObject({ totalTokens: 1000, contextTokens: 10_000 });

    // Second turn: three calls. The status call is made in the second; the first (1200 + 30) had finished.
    fake.push(
      { toolCalls: [{ id: "s1", name: "session_status", args: {} }], usage: { input: 1200, output: 30 } },
      { toolCalls: [{ id: "s2", name: "session_status", args: {} }], usage: { input: 1500, output: 40 } },
      { text: "About a fifth of it.", usage: { input: 1900, output: 100 } },
    );
    expect((await run("turn-2")).ok).toBe(true);
    const results = Object.fromEntries((fake.requests.at(-1)?.body.messages ?? []).filter((m: any) => m.role === "tool").map((m: any) => [m.tool_call_id, JSON.parse(m.content)]));
    // The first status call saw the last turn's call; the second saw this turn's first call.
    expect(results.s1).toMatchObject({ tokens: { input: 900, output: 100, total: 1000 }, contextWindow: 10_000, contextUsed: "10%" });
    expect(results.s2).toMatchObject({ tokens: { input: 1200, output: 30, total: 1230 }, contextUsed: "12.3%" });
    // The session: the turn's input/output over its three calls; its context is the last call's.
    expect(store.getSession(KEY)).toMatchObject({ inputTokens: 4600, outputTokens: 170, totalTokens: 2000 });
    const after = await status(store, {}, KEY, config);
    expect(after).toMatchObject({ tokens: { total: 2000 }, contextUsed: "20%" });
  });
});
