/**
 * `POST /v1/responses` through the official `openai` client: non-streaming, streaming with
 * `responses.create({stream:true})` and the client's `responses.stream()` accumulator, input mapping,
 * validation and failures.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { type ApiGateway, endpointsOn, postJson, startApiGateway } from "../../helpers/http-api.ts";

let api: ApiGateway;
let client: OpenAI;

beforeAll(async () => {
  api = await startApiGateway(() => endpointsOn());
  client = new OpenAI({ apiKey: api.token, baseURL: `${api.base}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await api.stop();
});

function lastUserText(): string {
  const messages = api.fake.requests.at(-1)?.body.messages as { role: string; content: unknown }[];
  const c = messages.filter((m) => m.role === "user").at(-1)?.content;
  return typeof c === "string" ? c : (c as { text?: string }[]).map((p) => p.text ?? "").join("");
}

function systemText(): string {
  const messages = api.fake.requests.at(-1)?.body.messages as { role: string; content: unknown }[];
  const c = messages.find((m) => m.role === "system")?.content;
  return typeof c === "string" ? c : JSON.stringify(c);
}

describe("non-streaming", () => {
  test("a completed response with one output_text message and usage", async () => {
    api.fake.push({ text: "The answer is 42.", usage: { input: 30, output: 6 } });
    const res = await client.responses.create({ model: "openclaw", input: "What is the answer?" });
    expect(res.id).toMatch(/^resp_/);
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.model).toBe("openclaw");
    expect(res.output_text).toBe("The answer is 42.");
    expect(res.output).toHaveLength(1);
    expect(res.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "The answer is 42." }] });
    expect(res.usage).toMatchObject({ input_tokens: 30, output_tokens: 6, total_tokens: 36 });
    expect(lastUserText()).toBe("What is the answer?");
  });

  test("instructions and message items map to system prompt and history", async () => {
    api.fake.push({ text: "ok" });
    await client.responses.create({
      model: "openclaw",
      instructions: "Be terse.",
      input: [
        { role: "developer", content: "Use metric units." },
        { role: "user", content: "hello" },
        { role: "assistant", content: "hi" },
        { role: "user", content: [{ type: "input_text", text: "how far is the moon?" }] },
      ],
    });
    expect(systemText()).toContain("Be terse.");
    expect(systemText()).toContain("Use metric units.");
    expect(lastUserText()).toContain("User: hello\nAssistant: hi");
    expect(lastUserText()).toContain("User: how far is the moon?");
  });

  test("`user` keeps one session per user under the openresponses prefix", async () => {
    api.fake.push({ text: "a" }, { text: "b" });
    await client.responses.create({ model: "openclaw", input: "one", user: "dana" });
    await client.responses.create({ model: "openclaw", input: "two", user: "dana" });
    expect(api.gw.handle.ctx.store.listSessions("agent:main:openresponses-user:").map((r) => r.key)).toEqual(["agent:main:openresponses-user:dana"]);
  });

  test("invalid fields are 400 invalid_request_error naming the field", async () => {
    const bad = await postJson(`${api.base}/v1/responses`, { model: "openclaw", input: 42 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: "input: Invalid input", type: "invalid_request_error" } });
    const image = await postJson(`${api.base}/v1/responses`, { input: [{ role: "user", content: [{ type: "input_image", image_url: "https://x/y.png" }] }] });
    expect(image.status).toBe(400);
    expect((await image.json()).error.message).toContain("input_image");
    const tools = await postJson(`${api.base}/v1/responses`, { input: "x", tools: [{ type: "function", name: "f", parameters: {} }] });
    expect(tools.status).toBe(400);
  });

  test("an agent failure is 500 with status failed", async () => {
    api.fake.push({ status: 400, message: "kaput" });
    const res = await postJson(`${api.base}/v1/responses`, { model: "openclaw", input: "x" });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({ object: "response", status: "failed", output: [], error: { code: "api_error" } });
    expect(body.error.message).toContain("kaput");
  });
});

describe("streaming", () => {
  test("create({stream:true}) yields the documented event sequence", async () => {
    api.fake.push({ text: ["Red", " and", " blue."] });
    const stream = await client.responses.create({ model: "openclaw", input: "colors?", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const ev of stream) events.push(ev);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
    const deltas = events.filter((e) => e.type === "response.output_text.delta");
    expect(deltas.map((d) => (d as { delta: string }).delta).join("")).toBe("Red and blue.");
    expect(deltas[0]).toMatchObject({ output_index: 0, content_index: 0 });
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1) as { response: { status: string; output: { content: { text: string }[] }[] } };
    expect(completed.response.status).toBe("completed");
    expect(completed.response.output[0].content[0].text).toBe("Red and blue.");
  });

  test("the client's responses.stream() accumulator agrees", async () => {
    api.fake.push({ text: "Streamed through the helper." });
    const stream = client.responses.stream({ model: "openclaw", input: "go" });
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(final.output_text).toBe("Streamed through the helper.");
  });

  test("wire format: event: lines, then data: [DONE]", async () => {
    api.fake.push({ text: "x" });
    const res = await postJson(`${api.base}/v1/responses`, { input: "x", stream: true });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const body = await res.text();
    expect(body.startsWith("event: response.created\ndata: {")).toBe(true);
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  test("a failure ends with response.failed", async () => {
    api.fake.push({ status: 400, message: "nope" });
    const stream = await client.responses.create({ model: "openclaw", input: "x", stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const ev of stream) events.push(ev);
    const last = events.at(-1) as { type: string; response: { status: string; error: { message: string } } };
    expect(last.type).toBe("response.failed");
    expect(last.response.status).toBe("failed");
    expect(last.response.error.message).toContain("nope");
  });
});
