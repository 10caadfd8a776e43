/**
 * A channel turn run again after a stop (same inbound key, new run id) against the fake provider: the
 * transcript holds the user's message once, the model gets it once and never the cut-off text of the
 * interrupted attempt, whatever the stop was (SIGTERM-like shutdown, a crash while running or queued, a
 * stop after the answer was stored). Also: text left by chat.abort stays in the transcript but is not
 * replayed to the model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime, type RunRequest } from "../../src/agent/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { Logger } from "../../src/logging/logger.ts";
import { openSqliteStore, type Store, type TranscriptMessage } from "../../src/store/index.ts";
import { type FakeProvider, type FakeRequest, startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";

let fake: FakeProvider;
let dir: string;
beforeAll(() => {
  fake = startFakeProvider();
  dir = mkdtempSync(join(tmpdir(), "openclaw-resume-"));
});
afterAll(() => {
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SESSION = "agent:main:main";
const CUT = "a half-written answer that was cut";

function config(): OpenClawConfig {
  return {
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { workspace: dir, model: { primary: "local/m1" } } },
  };
}

let stores = 0;
/** A fresh state.db; `runtime()` starts a gateway's runtime on it (a second call = the next start). */
function gateway() {
  const path = join(dir, `state-${++stores}.db`);
  let store: Store | undefined;
  const events: { event: string; payload: any }[] = [];
  return {
    path,
    events,
    get store() {
      return store as Store;
    },
    runtime(): AgentRuntime {
      store?.close();
      store = openSqliteStore(path);
      return new AgentRuntime({ store, config, emit: (event, payload) => events.push({ event, payload }), logger: new Logger("test", { write: () => {} }), env: {}, chatThrottleMs: 0 });
    },
    transcript(): TranscriptMessage[] {
      return (store as Store).readMessages((store as Store).getSession(SESSION)?.sessionId as string);
    },
  };
}

let n = 0;
function req(over: Partial<RunRequest> = {}): RunRequest {
  return { runId: `resume-${++n}`, kind: "agent", sessionKey: SESSION, agentId: "main", message: "message A", inboundKey: "inbound:1", timeoutMs: 30_000, channel: "telegram", ...over };
}

async function finish(r: ReturnType<AgentRuntime["submit"]>) {
  if (r.status !== "accepted") throw new Error(`not accepted: ${r.status}`);
  return r.done;
}

const textOf = (m: { content: unknown }) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));
/** The messages one model request carried, by role, as text. */
const sent = (r: FakeRequest | undefined, role: string): string[] => (r?.body.messages ?? []).filter((m: { role: string }) => m.role === role).map(textOf);
const users = (t: TranscriptMessage[]) => t.filter((m) => m.role === "user");
const count = (list: string[], needle: string) => list.filter((t) => t.includes(needle)).length;

describe("a channel turn run again after a stop", () => {
  test("shutdown mid-answer: the re-run sends the message once and not the cut-off text; the transcript has it once", async () => {
    const gw = gateway();
    const first = gw.runtime();
    fake.push({ hang: true, first: CUT });
    const attempt = first.submit(req({ runId: "stop-1" }));
    await waitFor(() => gw.events.some((e) => e.payload.runId === "stop-1" && e.payload.stream === "assistant"), "the answer streaming", 10_000);
    await first.shutdown();
    expect((await finish(attempt)).payload).toMatchObject({ summary: "aborted" });
    // The stop leaves the message and the cut-off text, marked aborted (as chat.abort does).
    expect(gw.transcript().map((m) => (m.role === "assistant" ? `assistant:${m.stopReason}` : m.role))).toEqual(["user", "assistant:aborted"]);

    const second = gw.runtime();
    const before = fake.requests.length;
    fake.push({ text: "the whole answer" });
    const final = await finish(second.submit(req({ runId: "stop-2" })));
    expect(final.payload).toMatchObject({ summary: "completed", result: { payloads: [{ text: "the whole answer" }] } });
    expect(fake.requests.length).toBe(before + 1);
    const request = fake.requests.at(-1);
    expect(count(sent(request, "user"), "message A")).toBe(1);
    expect(sent(request, "user").at(-1)).toBe("message A");
    expect(sent(request, "assistant").some((t) => t.includes("half-written"))).toBe(false);
    const transcript = gw.transcript();
    expect(users(transcript)).toHaveLength(1);
    expect(users(transcript)[0]).toMatchObject({ content: [{ type: "text", text: "message A" }], inboundKey: "inbound:1" });
    expect(transcript.at(-1)).toMatchObject({ role: "assistant", stopReason: "stop", content: [{ type: "text", text: "the whole answer" }] });
    gw.store.close();
  });

  test("kill -9 mid-answer (message committed, no cut-off text stored): the re-run does not add the message again", async () => {
    const gw = gateway();
    gw.runtime();
    // What a kill -9 leaves once the run started: the committed message and the run record still running.
    gw.store.setSession(SESSION, { sessionId: "s-kill", updatedAt: Date.now() });
    gw.store.appendMessages("s-kill", [{ role: "user", content: [{ type: "text", text: "message A" }], timestamp: Date.now(), inboundKey: "inbound:1" }]);
    gw.store.putRun({ runId: "kill-1", sessionKey: SESSION, kind: "agent", status: "running", message: "message A", inboundKey: "inbound:1", createdAt: Date.now() });
    const next = gw.runtime();
    expect(gw.store.getRun("kill-1")).toMatchObject({ status: "error" });
    fake.push({ text: "answer after the crash" });
    await finish(next.submit(req({ runId: "kill-2" })));
    expect(count(sent(fake.requests.at(-1), "user"), "message A")).toBe(1);
    expect(users(gw.transcript())).toHaveLength(1);
    gw.store.close();
  });

  test("kill -9 while the run waited for its lane: the message kept at the start is not added a second time", async () => {
    const gw = gateway();
    gw.runtime();
    gw.store.putRun({ runId: "queued-1", sessionKey: SESSION, kind: "agent", status: "queued", message: "message A", inboundKey: "inbound:1", createdAt: Date.now() });
    const next = gw.runtime();
    // The start keeps the acknowledged message (with its key), as it keeps any queued run's message.
    expect(users(gw.transcript())).toMatchObject([{ content: [{ type: "text", text: "message A" }], inboundKey: "inbound:1" }]);
    fake.push({ text: "answered" });
    await finish(next.submit(req({ runId: "queued-2" })));
    expect(count(sent(fake.requests.at(-1), "user"), "message A")).toBe(1);
    expect(users(gw.transcript())).toHaveLength(1);
    gw.store.close();
  });

  test("a shutdown while the run waited for its lane keeps the message once; the re-run answers it", async () => {
    const gw = gateway();
    const first = gw.runtime();
    fake.push({ hang: true, first: "busy" });
    const other = first.submit(req({ runId: "lane-busy", message: "a WebChat message", inboundKey: undefined }));
    const queued = first.submit(req({ runId: "lane-1" }));
    await waitFor(() => gw.events.some((e) => e.payload.runId === "lane-busy" && e.payload.stream === "assistant"), "the other run streaming", 10_000);
    await first.shutdown();
    await Promise.all([finish(other), finish(queued)]);
    expect(count(users(gw.transcript()).map(textOf), "message A")).toBe(1);

    const second = gw.runtime();
    fake.push({ text: "answer to A" });
    await finish(second.submit(req({ runId: "lane-2" })));
    const request = fake.requests.at(-1);
    expect(count(sent(request, "user"), "message A")).toBe(1);
    expect(sent(request, "user").at(-1)).toBe("message A");
    expect(sent(request, "assistant").some((t) => t.includes("busy"))).toBe(false);
    expect(count(users(gw.transcript()).map(textOf), "message A")).toBe(1);
    gw.store.close();
  });

  test("a stop after the answer was stored but before it was sent: the re-run returns that answer without a model call", async () => {
    const gw = gateway();
    const first = gw.runtime();
    fake.push({ text: ["the stored ", "answer"] });
    await finish(first.submit(req({ runId: "stored-1" })));
    const before = fake.requests.length;
    const final = await finish(gw.runtime().submit(req({ runId: "stored-2" })));
    expect(final.payload).toMatchObject({ summary: "completed", result: { payloads: [{ text: "the stored answer" }] } });
    expect(fake.requests.length).toBe(before);
    expect(gw.transcript().map((m) => m.role)).toEqual(["user", "assistant"]);
    gw.store.close();
  });

  test("another message came in between: the re-run's message is asked last, the transcript is unchanged", async () => {
    const gw = gateway();
    const first = gw.runtime();
    fake.push({ hang: true, first: CUT });
    const attempt = first.submit(req({ runId: "between-1" }));
    await waitFor(() => gw.events.some((e) => e.payload.runId === "between-1" && e.payload.stream === "assistant"), "the answer streaming", 10_000);
    await first.shutdown();
    await finish(attempt);
    const second = gw.runtime();
    fake.push({ text: "hello WebChat" }, { text: "answer to A" });
    await finish(second.submit(req({ runId: "webchat-1", message: "a WebChat message", inboundKey: undefined, channel: "webchat" })));
    await finish(second.submit(req({ runId: "between-2" })));
    const request = fake.requests.at(-1);
    expect(sent(request, "user")).toEqual(["a WebChat message", "message A"]);
    expect(sent(request, "assistant")).toEqual(["hello WebChat"]);
    expect(users(gw.transcript()).map(textOf)).toEqual([JSON.stringify([{ type: "text", text: "message A" }]), JSON.stringify([{ type: "text", text: "a WebChat message" }])]);
    gw.store.close();
  });

  test("the same text in a new message (another inbound key) is a new message", async () => {
    const gw = gateway();
    const rt = gw.runtime();
    await finish(rt.submit(req({ runId: "same-1", inboundKey: "inbound:7" })));
    await finish(rt.submit(req({ runId: "same-2", inboundKey: "inbound:8" })));
    expect(users(gw.transcript())).toHaveLength(2);
    expect(count(sent(fake.requests.at(-1), "user"), "message A")).toBe(2);
    gw.store.close();
  });
});

describe("chat.abort", () => {
  test("the cut-off text stays in the transcript but is not replayed to the model", async () => {
    const gw = gateway();
    const rt = gw.runtime();
    fake.push({ hang: true, first: CUT });
    const run = rt.submit(req({ runId: "rpc-1", message: "tell me a story", inboundKey: undefined, channel: "webchat" }));
    await waitFor(() => gw.events.some((e) => e.payload.runId === "rpc-1" && e.payload.stream === "assistant"), "the answer streaming", 10_000);
    expect(rt.abort(SESSION)).toEqual(["rpc-1"]);
    await finish(run);
    expect(gw.transcript().at(-1)).toMatchObject({ role: "assistant", stopReason: "aborted", content: [{ type: "text", text: CUT }] });
    fake.push({ text: "a short one" });
    await finish(rt.submit(req({ runId: "rpc-2", message: "shorter please", inboundKey: undefined, channel: "webchat" })));
    const request = fake.requests.at(-1);
    expect(sent(request, "user")).toEqual(["tell me a story", "shorter please"]);
    expect(sent(request, "assistant")).toEqual([]);
    gw.store.close();
  });
});
