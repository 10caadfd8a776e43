/**
 * Channel turns through the whole gateway (fake Telegram Bot API + fake provider): an inbound photo reaches
 * the model as an image and stays in the session's history; a non-image document is only named by path;
 * a turn aborted with chat.abort sends nothing (its partial text is not a reply).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentGateway, collectUntil, connectOperator, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { FakeProvider } from "../helpers/fake-provider.ts";
import type { FakeTelegram } from "../helpers/fake-telegram.ts";
import { waitFor } from "../helpers/wait.ts";

const ANN = { id: 5151, first_name: "Ann", is_bot: false };
/** A real 1×1 PNG. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

let fake: FakeProvider;
let telegram: FakeTelegram;
let gw: AgentGateway;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, telegram, gw, stop } = await startAgentFixture({ telegram: true, heartbeats: false }));
});
afterAll(() => stop());

const message = (extra: Record<string, unknown>, id: number) => ({
  message: { message_id: id, from: ANN, chat: { id: ANN.id, type: "private", first_name: ANN.first_name }, date: Math.floor(Date.now() / 1000), ...extra },
});

describe("inbound channel media", () => {
  test("a Telegram photo goes to the model as an image and is kept in the transcript", async () => {
    telegram.files.set("photo-big", new Uint8Array(Buffer.from(PNG, "base64")));
    const before = fake.requests.length;
    fake.push({ text: "A tiny picture." });
    const since = telegram.calls.length;
    telegram.pushUpdate(message({ photo: [{ file_id: "photo-big", file_unique_id: "p", width: 1, height: 1, file_size: 70 }], caption: "what is it?" }, 31));
    const reply = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(ANN.id), { since, timeoutMs: 10_000 });
    expect(reply.params.text).toContain("A tiny picture.");
    expect(fake.requests.length).toBe(before + 1);
    const users = fake.requests.at(-1)?.body.messages.filter((m: any) => m.role === "user");
    expect(users.at(-1).content).toEqual([
      { type: "text", text: "what is it?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
    ]);
    // the prompt still names the saved file
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages[0])).toContain("Attached files saved at");

    const op = await connectOperator(gw.url);
    const history = (await op.request("chat.history", { sessionKey: "main" })).payload.messages;
    expect(history.find((m: any) => m.role === "user" && m.content.some((b: any) => b.type === "image"))?.content).toEqual([
      { type: "text", text: "what is it?" },
      { type: "image", data: PNG, mimeType: "image/png" },
    ]);
    op.close();
  });

  test("a document that is not an image is not sent as one", async () => {
    telegram.files.set("doc-1", new Uint8Array(Buffer.from("%PDF-1.4\n1 0 obj\n")));
    fake.push({ text: "Got the document." });
    const since = telegram.calls.length;
    telegram.pushUpdate(message({ document: { file_id: "doc-1", file_unique_id: "d", file_name: "report.pdf", mime_type: "application/pdf", file_size: 17 }, caption: "read this" }, 32));
    await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(ANN.id), { since, timeoutMs: 10_000 });
    const last = fake.requests.at(-1)?.body.messages.filter((m: any) => m.role === "user").at(-1);
    expect(last.content).toBe("read this");
  });
});

describe("aborted channel turns", () => {
  test("chat.abort during a channel turn sends nothing: the text so far is not passed off as the reply", async () => {
    const op = await connectOperator(gw.url);
    try {
      fake.push({ hang: true, first: "The first half of an answer that never ends" });
      const since = telegram.calls.length;
      const streams = fake.requests.length;
      telegram.pushUpdate(message({ text: "tell me everything" }, 41));
      await waitFor(() => fake.requests.length > streams && fake.openStreams() > 0, "the turn streaming", 10_000);
      // The streamed text reached the run (operators see it): it has something partial to hand back.
      await collectUntil(op, (f) => f.type === "event" && f.event === "agent" && JSON.stringify(f.payload).includes("first half"));
      const res = await op.request("chat.abort", { sessionKey: "main" });
      expect(res.ok).toBe(true);
      const sent = () => telegram.calls.slice(since).filter((c) => c.method === "sendMessage");
      await waitFor(() => sent().length > 0 || gw.logs.some((l) => l.includes("turn aborted; no reply sent")), "the turn's end", 10_000);
      expect(sent().map((c) => c.params.text)).toEqual([]);
      expect(gw.logs.filter((l) => l.includes("turn aborted; no reply sent"))).toHaveLength(1);
    } finally {
      op.close();
    }
  });
});
