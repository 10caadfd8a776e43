/**
 * sessions.compact over a real socket: the transcript keeps its newest `maxLines` messages (default 400),
 * the session stays usable, and the cases with nothing to trim answer `compacted: false`.
 */
import { describe, expect, test } from "bun:test";
import { checkResult } from "../../../src/protocol/index.ts";
import type { TranscriptMessage } from "../../../src/store/index.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { useCleanup } from "../../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const env = useCleanup();

async function setup() {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, browser: { enabled: false } } });
  const { sock } = await connectClient(gw.url, gw.token);
  env.defer(() => sock.close());
  return { gw, sock, store: gw.handle.ctx.store };
}

function messages(n: number): TranscriptMessage[] {
  return Array.from({ length: n }, (_, i): TranscriptMessage => (i % 2 === 0 ? { role: "user", content: [{ type: "text", text: `q${i}` }], timestamp: 1000 + i } : { role: "assistant", content: [{ type: "text", text: `a${i}` }], timestamp: 1000 + i, stopReason: "stop" }));
}

async function call(sock: TestSocket, method: string, params: Record<string, unknown>): Promise<any> {
  const res = await sock.request(method, params);
  expect(res.error).toBeUndefined();
  expect(checkResult(method, res.payload)).toEqual({ ok: true });
  return res.payload;
}

describe("sessions.compact", () => {
  test("keeps the newest maxLines messages in order; token counters cleared, the rest of the entry kept", async () => {
    const { sock, store } = await setup();
    store.setSession("agent:main:main", { sessionId: "s1", updatedAt: 1, label: "daily", inputTokens: 10, outputTokens: 5, totalTokens: 15, model: "m1" });
    store.appendMessages("s1", messages(10));
    const res = await call(sock, "sessions.compact", { key: "main", maxLines: 4 });
    expect(res).toEqual({ ok: true, key: "agent:main:main", compacted: true, kept: 4, removed: 6 });
    const history = await call(sock, "chat.history", { sessionKey: "main" });
    expect(history.messages.map((m: any) => m.content[0].text)).toEqual(["q6", "a7", "q8", "a9"]);
    const entry = store.getSession("agent:main:main");
    expect(entry).toMatchObject({ sessionId: "s1", label: "daily", model: "m1" });
    expect(entry?.totalTokens).toBeUndefined();
    expect(entry?.updatedAt).toBeGreaterThan(1);
    // Still usable: new messages append after the kept ones.
    store.appendMessages("s1", messages(1));
    expect(store.countMessages("s1")).toBe(5);
  });

  test("default keeps 400; nothing to trim answers compacted:false", async () => {
    const { sock, store } = await setup();
    store.setSession("agent:main:long", { sessionId: "s2", updatedAt: 1 });
    store.appendMessages("s2", messages(401));
    expect(await call(sock, "sessions.compact", { key: "long" })).toEqual({ ok: true, key: "agent:main:long", compacted: true, kept: 400, removed: 1 });
    expect(await call(sock, "sessions.compact", { key: "long" })).toEqual({ ok: true, key: "agent:main:long", compacted: false, kept: 400 });

    store.setSession("agent:main:empty", { sessionId: "s3", updatedAt: 1 });
    expect(await call(sock, "sessions.compact", { key: "empty" })).toEqual({ ok: true, key: "agent:main:empty", compacted: false, reason: "no transcript" });
    expect(await call(sock, "sessions.compact", { key: "agent:main:nope" })).toEqual({ ok: true, key: "agent:main:nope", compacted: false, reason: "no sessionId" });
  });

  test("admin only; maxLines must be a positive integer", async () => {
    const { gw, sock } = await setup();
    expect((await sock.request("sessions.compact", { key: "main", maxLines: 0 })).error.code).toBe("INVALID_REQUEST");
    const { sock: writer } = await connectClient(gw.url, gw.token, { scopes: ["operator.write"] });
    env.defer(() => writer.close());
    expect((await writer.request("sessions.compact", { key: "main" })).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
  });
});
