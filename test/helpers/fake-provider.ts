/**
 * A local fake LLM provider for tests: one Bun.serve on port 0 that answers the OpenAI chat-completions
 * (`POST /v1/chat/completions`) and Anthropic Messages (`POST /v1/messages`) APIs with their real SSE
 * wire formats. Replies are scripted per request (queue) and every request is recorded.
 */

/** One scripted answer. */
export type FakeReply =
  /** Streams text in these chunks (a string is split into words). `delayMs` between chunks. */
  | { text: string | string[]; delayMs?: number; usage?: FakeUsage }
  /** Asks for tool calls (optionally after some text). */
  | { toolCalls: { id?: string; name: string; args: Record<string, unknown> }[]; text?: string; usage?: FakeUsage }
  /** An HTTP error with the provider's error body. */
  | { status: number; message?: string; headers?: Record<string, string> }
  /** Streams these chunks, then drops the connection without finishing. */
  | { cut: string[] }
  /** Streams these chunks, then sends the provider's in-stream error event. */
  | { streamError: string; before?: string[] }
  /** Streams one chunk, then keeps the stream open (pings) until the client goes away. */
  | { hang: true; first?: string };

/** Token counts reported in a reply. */
export interface FakeUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** A request as the fake received it. */
export interface FakeRequest {
  api: "openai" | "anthropic";
  path: string;
  headers: Record<string, string>;
  body: any;
}

/** A running fake provider. */
export interface FakeProvider {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Base URL for `openai-completions` providers (`<url>/v1`). */
  openaiBaseUrl: string;
  /** Base URL for `anthropic-messages` providers (`<url>`; the client appends `/v1/messages`). */
  anthropicBaseUrl: string;
  requests: FakeRequest[];
  /** Scripts the next answers, in order. When the queue is empty, `fallback` answers. */
  push(...replies: FakeReply[]): void;
  fallback: FakeReply;
  /**
   * Picks the answer from the request itself, ahead of the queue (undefined = use the queue): for runs
   * that happen concurrently (sub-agents, cron jobs), where a queue's order would be a race.
   */
  route?: (req: FakeRequest) => FakeReply | undefined;
  /** Streams still open (hanging or slow). */
  openStreams(): number;
  /** SSE data frames written so far, over all streams (to wait until a slow reply is partway). */
  framesSent(): number;
  stop(): void;
}

const DEFAULT_USAGE: FakeUsage = { input: 12, output: 5 };
const enc = new TextEncoder();

/** Starts a fake provider on 127.0.0.1:0. */
export function startFakeProvider(opts: { fallback?: FakeReply; requireKey?: string } = {}): FakeProvider {
  const queue: FakeReply[] = [];
  const requests: FakeRequest[] = [];
  let open = 0;
  let sent = 0;
  const fake: FakeProvider = {
    url: "",
    openaiBaseUrl: "",
    anthropicBaseUrl: "",
    requests,
    push: (...r) => queue.push(...r),
    fallback: opts.fallback ?? { text: "Hello from the fake provider." },
    openStreams: () => open,
    framesSent: () => sent,
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    // The "cut" reply errors its stream on purpose; keep Bun from printing it.
    error: () => new Response(null, { status: 500 }),
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const api = path.endsWith("/chat/completions") ? "openai" : path.endsWith("/messages") ? "anthropic" : undefined;
      if (!api || req.method !== "POST") return new Response("not found", { status: 404 });
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const body = await req.json();
      requests.push({ api, path, headers, body });
      const key = api === "openai" ? headers.authorization?.replace(/^Bearer /, "") : headers["x-api-key"];
      if (opts.requireKey && key !== opts.requireKey) return errorResponse(api, { status: 401, message: "invalid api key" });
      const reply = fake.route?.({ api, path, headers, body }) ?? queue.shift() ?? fake.fallback;
      if ("status" in reply) return errorResponse(api, reply);
      const frames = api === "openai" ? openaiFrames(reply, body.model) : anthropicFrames(reply, body.model);
      return sse(frames, reply, req.signal, (d) => (open += d), () => (sent += 1));
    },
  });
  fake.url = `http://127.0.0.1:${server.port}`;
  fake.openaiBaseUrl = `${fake.url}/v1`;
  fake.anthropicBaseUrl = fake.url;
  return fake;
}

// --- internal ---

type Frame = { data: string; event?: string } | { pause: number } | { cut: true } | { hang: true };

function sse(frames: Frame[], reply: FakeReply, signal: AbortSignal, count: (d: number) => void, onSent: () => void): Response {
  const delay = "delayMs" in reply ? (reply.delayMs ?? 0) : 0;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      count(1);
      signal.addEventListener("abort", () => {
        closed = true;
      });
      try {
        for (const f of frames) {
          if (closed) return;
          if ("pause" in f) {
            await Bun.sleep(f.pause || delay);
            continue;
          }
          if ("cut" in f) {
            controller.error(new Error("connection cut by fake provider"));
            closed = true;
            return;
          }
          if ("hang" in f) {
            while (!closed && !signal.aborted) {
              await Bun.sleep(50);
              try {
                controller.enqueue(enc.encode(": ping\n\n"));
              } catch {
                closed = true;
              }
            }
            return;
          }
          controller.enqueue(enc.encode(`${f.event ? `event: ${f.event}\n` : ""}data: ${f.data}\n\n`));
          onSent();
        }
        controller.close();
      } catch {
        // client went away
      } finally {
        count(-1);
      }
    },
    cancel() {
      closed = true;
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}

function errorResponse(api: "openai" | "anthropic", r: { status: number; message?: string; headers?: Record<string, string> }): Response {
  const message = r.message ?? `fake error ${r.status}`;
  const body =
    api === "openai"
      ? { error: { message, type: r.status === 429 ? "rate_limit_exceeded" : r.status === 401 ? "invalid_request_error" : "server_error", param: null, code: r.status === 401 ? "invalid_api_key" : null } }
      : { type: "error", error: { type: r.status === 429 ? "rate_limit_error" : r.status === 401 ? "authentication_error" : "api_error", message } };
  return Response.json(body, { status: r.status, headers: r.headers });
}

function chunksOf(text: string | string[]): string[] {
  if (Array.isArray(text)) return text;
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function openaiFrames(reply: Exclude<FakeReply, { status: number }>, model: string): Frame[] {
  const id = `chatcmpl-${crypto.randomUUID().slice(0, 8)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choice: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
    data: JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_fake", choices: choice ? [{ index: 0, logprobs: null, ...choice }] : [], ...extra }),
  });
  const frames: Frame[] = [chunk({ delta: { role: "assistant", content: "" }, finish_reason: null })];
  const texts = "text" in reply && reply.text !== undefined ? chunksOf(reply.text) : "cut" in reply ? reply.cut : "streamError" in reply ? (reply.before ?? []) : "hang" in reply ? [reply.first ?? "…"] : [];
  for (const t of texts) frames.push({ pause: 0 }, chunk({ delta: { content: t }, finish_reason: null }));
  if ("cut" in reply) return [...frames, { pause: 50 }, { cut: true }];
  if ("hang" in reply) return [...frames, { hang: true }];
  if ("streamError" in reply) return [...frames, { data: JSON.stringify({ error: { message: reply.streamError, type: "server_error", code: null } }) }];
  let finish = "stop";
  if ("toolCalls" in reply) {
    finish = "tool_calls";
    reply.toolCalls.forEach((c, index) => {
      const callId = c.id ?? `call_${crypto.randomUUID().slice(0, 8)}`;
      const args = JSON.stringify(c.args);
      const half = Math.ceil(args.length / 2);
      frames.push(chunk({ delta: { tool_calls: [{ index, id: callId, type: "function", function: { name: c.name, arguments: "" } }] }, finish_reason: null }));
      frames.push(chunk({ delta: { tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] }, finish_reason: null }));
      frames.push(chunk({ delta: { tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, finish_reason: null }));
    });
  }
  const u = reply.usage ?? DEFAULT_USAGE;
  frames.push(chunk({ delta: {}, finish_reason: finish }));
  frames.push(
    chunk(null, {
      usage: {
        prompt_tokens: u.input + (u.cacheRead ?? 0),
        completion_tokens: u.output,
        total_tokens: u.input + (u.cacheRead ?? 0) + u.output,
        prompt_tokens_details: { cached_tokens: u.cacheRead ?? 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    }),
  );
  frames.push({ data: "[DONE]" });
  return frames;
}

function anthropicFrames(reply: Exclude<FakeReply, { status: number }>, model: string): Frame[] {
  const u = ("usage" in reply ? reply.usage : undefined) ?? DEFAULT_USAGE;
  const ev = (event: string, data: Record<string, unknown>): Frame => ({ event, data: JSON.stringify({ type: event, ...data }) });
  const frames: Frame[] = [
    ev("message_start", {
      message: {
        id: `msg_${crypto.randomUUID().slice(0, 8)}`,
        type: "message",
        role: "assistant",
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: u.input, output_tokens: 1, cache_creation_input_tokens: u.cacheWrite ?? 0, cache_read_input_tokens: u.cacheRead ?? 0 },
      },
    }),
    ev("ping", {}),
  ];
  const texts = "text" in reply && reply.text !== undefined ? chunksOf(reply.text) : "cut" in reply ? reply.cut : "streamError" in reply ? (reply.before ?? []) : "hang" in reply ? [reply.first ?? "…"] : [];
  let index = 0;
  if (texts.length > 0) {
    frames.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const t of texts) frames.push({ pause: 0 }, ev("content_block_delta", { index, delta: { type: "text_delta", text: t } }));
    if ("cut" in reply) return [...frames, { pause: 50 }, { cut: true }];
    if ("hang" in reply) return [...frames, { hang: true }];
    if ("streamError" in reply) return [...frames, ev("error", { error: { type: "overloaded_error", message: reply.streamError } })];
    frames.push(ev("content_block_stop", { index }));
    index += 1;
  } else if ("cut" in reply) return [...frames, { cut: true }];
  else if ("streamError" in reply) return [...frames, ev("error", { error: { type: "overloaded_error", message: reply.streamError } })];
  let stop = "end_turn";
  if ("toolCalls" in reply) {
    stop = "tool_use";
    for (const c of reply.toolCalls) {
      const args = JSON.stringify(c.args);
      const half = Math.ceil(args.length / 2);
      frames.push(ev("content_block_start", { index, content_block: { type: "tool_use", id: c.id ?? `toolu_${crypto.randomUUID().slice(0, 8)}`, name: c.name, input: {} } }));
      frames.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: args.slice(0, half) } }));
      frames.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: args.slice(half) } }));
      frames.push(ev("content_block_stop", { index }));
      index += 1;
    }
  }
  frames.push(ev("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.output } }));
  frames.push(ev("message_stop", {}));
  return frames;
}
