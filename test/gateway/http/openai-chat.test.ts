/**
 * `POST /v1/chat/completions` through the official `openai` client: non-streaming and streaming against the
 * fake provider, agent/session selection, prompt mapping, and agent failures (500 / in-stream error chunk).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { type ApiGateway, endpointsOn, postJson, startApiGateway } from "../../helpers/http-api.ts";

let api: ApiGateway;
let client: OpenAI;

beforeAll(async () => {
  api = await startApiGateway(() => ({
    ...endpointsOn(),
    agents: { defaults: { model: "local/m1" }, list: [{ id: "main", default: true }, { id: "ops" }] },
  }));
  client = new OpenAI({ apiKey: api.token, baseURL: `${api.base}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await api.stop();
});

/** The last request the fake provider got: system prompt and the user text the agent sent. */
function lastModelCall() {
  const body = api.fake.requests.at(-1)?.body;
  const messages = body.messages as { role: string; content: unknown }[];
  const text = (c: unknown) => (typeof c === "string" ? c : (c as { text?: string }[]).map((p) => p.text ?? "").join(""));
  return { system: text(messages.find((m) => m.role === "system")?.content ?? ""), user: text(messages.filter((m) => m.role === "user").at(-1)?.content ?? "") };
}

describe("non-streaming", () => {
  test("answers with the agent's reply in the OpenAI shape", async () => {
    api.fake.push({ text: "Hello there, human.", usage: { input: 20, output: 4 } });
    const res = await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "hi" }] });
    expect(res.id).toMatch(/^chatcmpl_[0-9a-f-]{36}$/);
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe("openclaw");
    expect(res.choices).toEqual([{ index: 0, message: { role: "assistant", content: "Hello there, human." }, finish_reason: "stop" } as never]);
    expect(res.usage).toEqual({ prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 });
    expect(lastModelCall().user).toBe("hi");
  });

  test("system messages become extra system prompt; earlier turns become history context", async () => {
    api.fake.push({ text: "ok" });
    await client.chat.completions.create({
      model: "openclaw",
      messages: [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: [{ type: "text", text: "second question" }] },
      ],
    });
    const call = lastModelCall();
    expect(call.system).toContain("Answer in French.");
    expect(call.user).toContain("User: first question\nAssistant: first answer");
    expect(call.user).toContain("[Current message - respond to this]\nUser: second question");
  });

  test("`user` maps to a stable session; model openclaw:<agent> and the header pick the agent", async () => {
    api.fake.push({ text: "one" }, { text: "two" }, { text: "three" });
    await client.chat.completions.create({ model: "openclaw", user: "alice", messages: [{ role: "user", content: "a" }] });
    await client.chat.completions.create({ model: "openclaw", user: "alice", messages: [{ role: "user", content: "b" }] });
    const keys = api.gw.handle.ctx.store.listSessions("agent:main:openai-user:").map((r) => r.key);
    expect(keys).toEqual(["agent:main:openai-user:alice"]);
    const entry = api.gw.handle.ctx.store.getSession("agent:main:openai-user:alice");
    expect(api.gw.handle.ctx.store.countMessages(entry?.sessionId as string)).toBe(4);

    await client.chat.completions.create({ model: "openclaw:ops", user: "bob", messages: [{ role: "user", content: "c" }] });
    expect(api.gw.handle.ctx.store.getSession("agent:ops:openai-user:bob")).toBeDefined();
    api.fake.push({ text: "four" });
    await client.chat.completions.create({ model: "gpt-4o", user: "carol", messages: [{ role: "user", content: "d" }] }, { headers: { "x-openclaw-agent-id": "ops" } });
    expect(api.gw.handle.ctx.store.getSession("agent:ops:openai-user:carol")).toBeDefined();
  });

  test("without `user` every request gets a fresh session", async () => {
    api.fake.push({ text: "x" }, { text: "y" });
    const before = api.gw.handle.ctx.store.listSessions("agent:main:openai:").length;
    await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "a" }] });
    await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "b" }] });
    expect(api.gw.handle.ctx.store.listSessions("agent:main:openai:").length).toBe(before + 2);
  });

  test("unknown agent and missing user message are 400 invalid_request_error", async () => {
    const unknown = await postJson(`${api.base}/v1/chat/completions`, { model: "openclaw:nope", messages: [{ role: "user", content: "x" }] });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.type).toBe("invalid_request_error");
    const missing = await postJson(`${api.base}/v1/chat/completions`, { model: "openclaw", messages: [{ role: "system", content: "x" }] });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: { message: "Missing user message in `messages`.", type: "invalid_request_error" } });
  });

  test("an agent failure is 500 api_error", async () => {
    api.fake.push({ status: 400, message: "model exploded" });
    const err = await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "boom" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(500);
    expect(err.type).toBe("api_error");
    expect(err.message).toContain("model exploded");
  });
});

describe("streaming", () => {
  test("role chunk, content deltas, then [DONE]", async () => {
    // Spaced beyond the assistant-event coalescing window (80 ms), so each chunk is its own delta.
    api.fake.push({ text: ["Once", " upon", " a time."], delayMs: 100 });
    const stream = await client.chat.completions.create({ model: "openclaw", stream: true, messages: [{ role: "user", content: "story" }] });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant" });
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id && c.model === "openclaw")).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("Once upon a time.");
    expect(chunks.length).toBeGreaterThanOrEqual(4);
  });

  test("the raw stream has SSE headers and ends with data: [DONE]", async () => {
    api.fake.push({ text: "short" });
    const res = await postJson(`${api.base}/v1/chat/completions`, { model: "openclaw", stream: true, messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const body = await res.text();
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(body.split("\n\n").filter(Boolean).every((f) => f.startsWith("data: "))).toBe(true);
  });

  test("an agent failure streams an Error chunk with finish_reason stop, then [DONE]", async () => {
    api.fake.push({ status: 400, message: "bad things" });
    const stream = await client.chat.completions.create({ model: "openclaw", stream: true, messages: [{ role: "user", content: "x" }] });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices[0].finish_reason).toBe("stop");
    expect(last?.choices[0].delta.content).toStartWith("Error: ");
    expect(last?.choices[0].delta.content).toContain("bad things");
  });

  test("a stream silent for longer than Bun's idle timeout (10 s) stays open", async () => {
    api.fake.push({ text: ["slow reply"], delayMs: 13_000 });
    const stream = await client.chat.completions.create({ model: "openclaw", stream: true, messages: [{ role: "user", content: "take your time" }] });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("slow reply");
  }, 30_000);
});
