/**
 * Image attachments on `agent` and `chat.send` over real sockets and the fake provider: what the OpenAI and
 * Anthropic requests carry, the transcript and chat.history (also after a restart), later turns, the exact
 * errors for bad attachments, idempotent retries, and the replay policy.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { submitAgentRun } from "../../../src/gateway/chat/agent.ts";
import { chatSend } from "../../../src/gateway/chat/chat-send.ts";
import { checkResult } from "../../../src/protocol/index.ts";
import { type AgentGateway, collectUntil, connectOperator, connectWebchat, startAgentFixture } from "../../helpers/agent-gateway.ts";
import type { FakeProvider, FakeRequest } from "../../helpers/fake-provider.ts";
import type { TestSocket } from "../../helpers/ws.ts";

/** A real 1×1 PNG. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
/** PNG signature + distinct filler: a different "image" per `n`. */
const png = (n: number) => Buffer.concat([Buffer.from(PNG, "base64").subarray(0, 8), Buffer.alloc(12, n)]).toString("base64");
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(12, 9)]).toString("base64");

let fake: FakeProvider;
let gw: AgentGateway;
let op: TestSocket;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, gw, sock: op, stop } = await startAgentFixture());
});
afterAll(() => stop());

let reqN = 0;
/** Sends `agent` and waits for its final response. */
async function runAgent(sock: TestSocket, params: Record<string, unknown>): Promise<any> {
  const id = `att-${++reqN}`;
  sock.send({ type: "req", id, method: "agent", params });
  const first = await sock.nextMatching((f) => f.type === "res" && f.id === id, 10_000);
  if (!first.ok || first.payload?.status !== "accepted") return first;
  return sock.nextMatching((f) => f.type === "res" && f.id === id, 10_000);
}

/** The user turns of the last provider request, in order. */
function userTurns(r: FakeRequest | undefined): any[] {
  return (r?.body.messages ?? []).filter((m: any) => m.role === "user");
}

/** Data URLs of the OpenAI `image_url` parts in a request. */
function openaiImages(r: FakeRequest | undefined): string[] {
  return userTurns(r).flatMap((m) => (Array.isArray(m.content) ? m.content : [])).flatMap((p: any) => (p.type === "image_url" ? [p.image_url.url] : []));
}

const isChat = (runId: string) => (f: any) => f.event === "chat" && f.payload.runId === runId && ["final", "error", "aborted"].includes(f.payload.state);

describe("agent with an image", () => {
  test("OpenAI request carries it; transcript and history keep it (also after a restart); the next turn sends it again", async () => {
    const before = fake.requests.length;
    fake.push({ text: "A red pixel." });
    const final = await runAgent(op, { message: "What is this?", sessionKey: "img-openai", idempotencyKey: "img-1", attachments: [{ type: "image", mimeType: "image/png", fileName: "dot.png", content: PNG }] });
    expect(final.payload).toMatchObject({ status: "ok", summary: "completed" });
    expect(fake.requests.length).toBe(before + 1);
    const req = fake.requests.at(-1);
    expect(userTurns(req).at(-1).content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
    ]);

    const history = (await op.request("chat.history", { sessionKey: "img-openai" })).payload;
    expect(checkResult("chat.history", history)).toEqual({ ok: true });
    expect(history.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image", data: PNG, mimeType: "image/png" },
      ],
      timestamp: expect.any(Number),
    });

    fake.push({ text: "Still red." });
    await runAgent(op, { message: "And now?", sessionKey: "img-openai", idempotencyKey: "img-2" });
    expect(openaiImages(fake.requests.at(-1))).toEqual([`data:image/png;base64,${PNG}`]);
    // (a text-only user turn goes out as a plain string, as before)
    expect(userTurns(fake.requests.at(-1)).at(-1).content).toBe("And now?");

    const beforeRestart = (await op.request("chat.history", { sessionKey: "img-openai" })).payload;
    await gw.restart();
    op.close();
    op = await connectOperator(gw.url);
    const after = (await op.request("chat.history", { sessionKey: "img-openai" })).payload;
    expect(after).toEqual(beforeRestart);
    expect(after.messages[0].content[1]).toEqual({ type: "image", data: PNG, mimeType: "image/png" });
    expect(after.messages.map((m: any) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    // text-only messages look as they always did
    expect(after.messages[2]).toEqual({ role: "user", content: [{ type: "text", text: "And now?" }], timestamp: expect.any(Number) });
  });

  test("Anthropic request carries an image block with a base64 source", async () => {
    const patched = await op.request("sessions.patch", { key: "img-claude", model: "claude/c1" });
    expect(patched.ok).toBe(true);
    fake.push({ text: "I see a pixel." });
    const final = await runAgent(op, { message: "Describe", sessionKey: "img-claude", idempotencyKey: "img-claude-1", attachments: [{ mimeType: "image/png", content: PNG }] });
    expect(final.payload).toMatchObject({ status: "ok" });
    const req = fake.requests.at(-1);
    expect(req?.api).toBe("anthropic");
    const blocks = userTurns(req).at(-1).content;
    expect(blocks.find((b: any) => b.type === "text")).toMatchObject({ text: "Describe" });
    expect(blocks.find((b: any) => b.type === "image")).toMatchObject({ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } });
  });

  test("bad attachments answer INVALID_REQUEST with the upstream texts; nothing is stored", async () => {
    const cases: [unknown, string][] = [
      [{ fileName: "n.png", content: 5 }, "attachment n.png: content must be base64 string"],
      [{ type: "image", content: "abc" }, "attachment image: invalid base64 content"],
      [{ content: "****" }, "attachment attachment-1: invalid base64 content"],
      [{ fileName: "empty.png", content: "" }, "attachment empty.png: exceeds size limit (0 > 5000000 bytes)"],
    ];
    for (const [attachment, message] of cases) {
      const res = await runAgent(op, { message: "x", sessionKey: "img-bad", idempotencyKey: `bad-${message}`, attachments: [attachment] });
      expect(res.ok).toBe(false);
      expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message });
    }
    const many = await runAgent(op, { message: "x", sessionKey: "img-bad", idempotencyKey: "too-many", attachments: Array.from({ length: 11 }, () => ({ content: PNG })) });
    expect(many.error).toMatchObject({ code: "INVALID_REQUEST", message: "too many attachments (11 > 10)" });
    expect((await op.request("chat.history", { sessionKey: "img-bad" })).payload.messages).toEqual([]);
    // none of them became a run
    expect((await op.request("agent.wait", { runId: "too-many", timeoutMs: 50 })).payload.status).toBe("timeout");
  });

  test("over 5,000,000 bytes is refused (checked in the handler: such a frame is above the socket's 512 KiB limit)", () => {
    const big = Buffer.alloc(5_000_001);
    Buffer.from(PNG, "base64").copy(big);
    const content = big.toString("base64");
    expect(() => submitAgentRun(gw.handle.ctx, { message: "big", idempotencyKey: "big-agent", sessionKey: "img-big", attachments: [{ fileName: "big.png", content }] }, "test")).toThrow("attachment big.png: exceeds size limit (5000001 > 5000000 bytes)");
    const ctx = { host: gw.handle.ctx, client: { id: "webchat", mode: "webchat" }, connId: "c", requestId: "r", respondLater() {} } as unknown as Parameters<typeof chatSend>[0];
    expect(() => chatSend(ctx, { sessionKey: "img-big", message: "", idempotencyKey: "big-chat", attachments: [{ content }] })).toThrow("attachment attachment-1: exceeds size limit (5000001 > 5000000 bytes)");
    expect(gw.handle.ctx.store.getRun("big-agent")).toBeUndefined();
    expect(gw.handle.ctx.store.getRun("big-chat")).toBeUndefined();
  });
});

describe("chat.send with attachments", () => {
  test("an empty message with an image runs; the request has only the image", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ text: "Nice image." });
    const res = await web.request("chat.send", { sessionKey: "img-chat", message: "", idempotencyKey: "chat-img-1", attachments: [{ type: "image", mimeType: "image/png", content: PNG }] });
    expect(res.payload).toEqual({ runId: "chat-img-1", status: "started" });
    const final = (await collectUntil(web, isChat("chat-img-1"))).at(-1);
    expect(final.payload.state).toBe("final");
    expect(userTurns(fake.requests.at(-1)).at(-1).content).toEqual([{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }]);
    const history = (await web.request("chat.history", { sessionKey: "img-chat" })).payload.messages;
    expect(history[0]).toEqual({ role: "user", content: [{ type: "image", data: PNG, mimeType: "image/png" }], timestamp: expect.any(Number) });
    web.close();
  });

  test("a data: URL is accepted; a declared type that differs from the bytes loses to the sniffed one", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ text: "ok" });
    await web.request("chat.send", {
      sessionKey: "img-chat-2",
      message: "two pictures",
      idempotencyKey: "chat-img-2",
      attachments: [
        { content: `data:image/png;base64,${PNG}` },
        { fileName: "photo.png", mimeType: "image/png", content: JPEG },
      ],
    });
    expect((await collectUntil(web, isChat("chat-img-2"))).at(-1).payload.state).toBe("final");
    expect(openaiImages(fake.requests.at(-1))).toEqual([`data:image/png;base64,${PNG}`, `data:image/jpeg;base64,${JPEG}`]);
    const user = (await web.request("chat.history", { sessionKey: "img-chat-2" })).payload.messages[0];
    expect(user.content.map((b: any) => b.mimeType ?? b.type)).toEqual(["text", "image/png", "image/jpeg"]);
    expect(gw.logs.some((l) => l.includes("attachment type differs from its content") && l.includes("photo.png"))).toBe(true);
    web.close();
  });

  test("only non-images with an empty message → message is required (dropped with a warning); with text the run goes on without them", async () => {
    const web = await connectWebchat(gw.url);
    const text = Buffer.from("just some notes\n").toString("base64");
    const res = await web.request("chat.send", { sessionKey: "img-chat-3", message: "", idempotencyKey: "chat-txt-1", attachments: [{ fileName: "notes.txt", mimeType: "text/plain", content: text }] });
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message: "message is required" });
    expect(gw.logs.some((l) => l.includes("attachment dropped: not an image") && l.includes("notes.txt"))).toBe(true);
    expect((await web.request("chat.history", { sessionKey: "img-chat-3" })).payload.messages).toEqual([]);

    fake.push({ text: "ok" });
    await web.request("chat.send", { sessionKey: "img-chat-3", message: "see notes", idempotencyKey: "chat-txt-2", attachments: [{ fileName: "notes.txt", mimeType: "text/plain", content: text }] });
    expect((await collectUntil(web, isChat("chat-txt-2"))).at(-1).payload.state).toBe("final");
    expect(userTurns(fake.requests.at(-1)).at(-1).content).toBe("see notes");
    const history = (await web.request("chat.history", { sessionKey: "img-chat-3" })).payload.messages;
    expect(history[0]).toEqual({ role: "user", content: [{ type: "text", text: "see notes" }], timestamp: expect.any(Number) });
    web.close();
  });

  test("the exact errors: content not a string, bad base64", async () => {
    const web = await connectWebchat(gw.url);
    const notString = await web.request("chat.send", { sessionKey: "img-chat-4", message: "", idempotencyKey: "e1", attachments: [{ fileName: "a.png", content: { bytes: [1] } }] });
    expect(notString.error).toMatchObject({ code: "INVALID_REQUEST", message: "attachment a.png: content must be base64 string" });
    const badB64 = await web.request("chat.send", { sessionKey: "img-chat-4", message: "hi", idempotencyKey: "e2", attachments: [{ content: PNG }, { type: "image", content: `${PNG.slice(0, -4)}!!!!` }] });
    expect(badB64.error).toMatchObject({ code: "INVALID_REQUEST", message: "attachment image: invalid base64 content" });
    expect((await web.request("chat.history", { sessionKey: "img-chat-4" })).payload.messages).toEqual([]);
    web.close();
  });

  test("a repeated idempotencyKey with attachments does not store or run again", async () => {
    const web = await connectWebchat(gw.url);
    fake.push({ text: ["slow ", "reply"], delayMs: 150 });
    const params = { sessionKey: "img-chat-5", message: "once", idempotencyKey: "chat-idem", attachments: [{ mimeType: "image/png", content: PNG }] };
    const before = fake.requests.length;
    expect((await web.request("chat.send", params)).payload.status).toBe("started");
    expect((await web.request("chat.send", params)).payload).toEqual({ runId: "chat-idem", status: "in_flight" });
    await collectUntil(web, isChat("chat-idem"));
    expect((await web.request("chat.send", params)).payload).toEqual({ runId: "chat-idem", status: "ok" });
    expect(fake.requests.length).toBe(before + 1);
    const history = (await web.request("chat.history", { sessionKey: "img-chat-5" })).payload.messages;
    expect(history.filter((m: any) => m.role === "user")).toHaveLength(1);
    web.close();
  });

  test("replay policy: later turns resend the images of the newest 4 image messages; older ones become a note", async () => {
    const web = await connectWebchat(gw.url);
    for (let i = 1; i <= 5; i++) {
      fake.push({ text: `seen ${i}` });
      await web.request("chat.send", { sessionKey: "img-replay", message: `picture ${i}`, idempotencyKey: `replay-${i}`, attachments: [{ mimeType: "image/png", content: png(i) }] });
      expect((await collectUntil(web, isChat(`replay-${i}`))).at(-1).payload.state).toBe("final");
    }
    const last = fake.requests.at(-1);
    expect(openaiImages(last)).toEqual([2, 3, 4, 5].map((i) => `data:image/png;base64,${png(i)}`));
    expect(userTurns(last)[0].content).toBe("picture 1\n[earlier image not resent: image/png]");
    // history still has every image
    const history = (await web.request("chat.history", { sessionKey: "img-replay" })).payload.messages;
    expect(history.filter((m: any) => m.role === "user").map((m: any) => m.content[1].data)).toEqual([1, 2, 3, 4, 5].map(png));
    web.close();
  });
});
