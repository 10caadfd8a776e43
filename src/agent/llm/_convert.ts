/**
 * Conversions between our transcript shapes (upstream's) and the AI SDK's: transcript → ModelMessage[] for
 * the next call, SDK usage → transcript usage, finish reason → stopReason, and errors → a short message.
 */
import type { LanguageModelUsage, ModelMessage } from "ai";
import type { ContentBlock, TranscriptMessage, Usage } from "../../store/index.ts";

/**
 * Transcript messages as model input. Error-only assistant messages are skipped, and so is the text an
 * aborted run had streamed (stopReason `aborted`: `chat.abort`, a timeout, a gateway stop): it stays in
 * the transcript and `chat.history` as the cut-off answer it is, but the model is not shown it as an answer
 * it gave (upstream replays neither). Tool calls without a recorded result (a run cut mid-tool) are dropped
 * so providers never see a dangling tool call. Images in tool results go inline (`toolImagesInline`), or,
 * for APIs whose tool messages carry only text (chat completions), in a user message after the results.
 */
export function toModelMessages(history: TranscriptMessage[], opts: { toolImagesInline?: boolean } = {}): ModelMessage[] {
  const inline = opts.toolImagesInline !== false;
  let held: ImageOut[] = [];
  const flushHeld = (out: ModelMessage[]) => {
    if (held.length > 0) out.push(toolImagesMessage(held));
    held = [];
  };
  const answered = new Set(history.flatMap((m) => (m.role === "toolResult" ? [m.toolCallId] : [])));
  const called = new Set<string>();
  const out: ModelMessage[] = [];
  for (const m of history) {
    if (m.role !== "toolResult") flushHeld(out);
    if (m.role === "user") {
      out.push({ role: "user", content: toUserParts(m.content) });
    } else if (m.role === "assistant") {
      if (m.stopReason === "aborted") continue;
      const parts: Exclude<Extract<ModelMessage, { role: "assistant" }>["content"], string> = [];
      for (const b of m.content) {
        if (b.type === "text" && b.text) parts.push({ type: "text", text: b.text });
        else if (b.type === "toolCall" && answered.has(b.id)) {
          called.add(b.id);
          parts.push({ type: "tool-call", toolCallId: b.id, toolName: b.name, input: b.arguments ?? {} });
        }
      }
      if (parts.length > 0) out.push({ role: "assistant", content: parts });
    } else if (called.has(m.toolCallId)) {
      const value = m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
      const images = m.content.flatMap((b) => (b.type === "image" && b.data ? [{ data: b.data, mimeType: b.mimeType ?? "image" }] : []));
      if (!inline && !m.isError) held.push(...images);
      const output = m.isError ? { type: "error-text" as const, value } : inline ? toolOutputParts({ text: value, images }) : toolOutputParts({ text: value + imagesNote(images.length) });
      out.push({ role: "tool", content: [{ type: "tool-result", toolCallId: m.toolCallId, toolName: m.toolName, output }] });
    }
  }
  flushHeld(out);
  return out;
}

/** A tool's text (and images) as the SDK's tool output: plain text, or content parts when there are images. */
export function toolOutputParts(out: { text: string; images?: { data: string; mimeType: string }[] }): ToolResultOutput {
  if (!out.images?.length) return { type: "text", value: out.text };
  return {
    type: "content",
    value: [{ type: "text", text: out.text }, ...out.images.map((img) => ({ type: "file" as const, mediaType: img.mimeType, data: { type: "data" as const, data: img.data } }))],
  };
}

type ImageOut = { data: string; mimeType: string };

/** The note a text-only tool result gets when its images follow in a user message. */
export function imagesNote(count: number): string {
  return count > 0 ? `\n[${count} image${count > 1 ? "s" : ""} attached in the next message]` : "";
}

/** A user message carrying tool-result images, for APIs whose tool messages take only text. */
export function toolImagesMessage(images: ImageOut[]): ModelMessage {
  return { role: "user", content: [{ type: "text", text: "Images returned by the tool calls above:" }, ...images.map((img) => ({ type: "file" as const, data: img.data, mediaType: img.mimeType }))] };
}

type ToolResultOutput = Extract<Extract<ModelMessage, { role: "tool" }>["content"][number], { type: "tool-result" }>["output"];

type UserPart = Exclude<Extract<ModelMessage, { role: "user" }>["content"], string>[number];

/**
 * A user message's blocks as SDK parts: its text, then its images as file parts. An image without data
 * (left out by the replay policy) becomes a short note, so the model knows one was there.
 */
function toUserParts(content: ContentBlock[]): UserPart[] {
  const text = content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
  const images = content.filter((b) => b.type === "image");
  if (images.length === 0) return [{ type: "text", text }];
  const parts: UserPart[] = [];
  const notes = images.filter((b) => !b.data).map((b) => `[earlier image not resent: ${b.mimeType ?? "unknown type"}]`);
  const joined = [text, ...notes].filter(Boolean).join("\n");
  if (joined) parts.push({ type: "text", text: joined });
  for (const b of images) if (b.data) parts.push({ type: "file", data: b.data, mediaType: b.mimeType ?? "image" });
  return parts;
}

/** SDK usage → transcript usage (`input` excludes cache reads, as upstream counts it). */
export function toUsage(u: LanguageModelUsage | undefined): Usage {
  const cacheRead = u?.inputTokenDetails?.cacheReadTokens ?? 0;
  const cacheWrite = u?.inputTokenDetails?.cacheWriteTokens ?? 0;
  const input = u?.inputTokenDetails?.noCacheTokens ?? Math.max(0, (u?.inputTokens ?? 0) - cacheRead);
  const output = u?.outputTokens ?? 0;
  return { input, output, cacheRead, cacheWrite, totalTokens: u?.totalTokens ?? input + cacheRead + cacheWrite + output, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
}

/** Adds two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    totalTokens: a.totalTokens + b.totalTokens,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
  };
}

/** An empty usage. */
export function zeroUsage(): Usage {
  return toUsage(undefined);
}

/** SDK finish reason → transcript stopReason. */
export function toStopReason(reason: string | undefined): "stop" | "length" | "toolUse" | "error" {
  switch (reason) {
    case "length":
      return "length";
    case "tool-calls":
      return "toolUse";
    case "error":
      return "error";
    default:
      return "stop";
  }
}

/** What a failed model call tells us. */
export interface ModelErrorInfo {
  message: string;
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Describes an SDK error for users and logs, without request bodies or keys. */
export function describeModelError(err: unknown, provider: string): ModelErrorInfo {
  const e = err as { name?: string; message?: string; statusCode?: number; isRetryable?: boolean; responseHeaders?: Record<string, string>; cause?: unknown; lastError?: unknown; errors?: unknown[] };
  if (e?.name === "AI_RetryError" && e.lastError) return describeModelError(e.lastError, provider);
  const status = typeof e?.statusCode === "number" ? e.statusCode : undefined;
  const retryAfter = parseRetryAfter(e?.responseHeaders);
  let message = String(e?.message ?? err);
  if (/Failed to process successful response|terminated|ECONNRESET|socket connection was closed/i.test(message)) {
    message = `connection to ${provider} dropped mid-stream`;
  } else if (/Cannot connect to API|ECONNREFUSED|Unable to connect|fetch failed/i.test(message) && status === undefined) {
    message = `cannot reach ${provider}: ${message.replace(/^Cannot connect to API:\s*/, "")}`;
  }
  const label = status === 401 || status === 403 ? "authentication failed" : status === 429 ? "rate limited" : undefined;
  const text = status !== undefined ? `${provider} returned HTTP ${status}${label ? ` (${label})` : ""}: ${message}` : message;
  return { message: text, status, retryable: e?.isRetryable ?? (status === undefined || status === 429 || status >= 500), ...(retryAfter !== undefined && { retryAfterMs: retryAfter }) };
}

function parseRetryAfter(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = headers["retry-after-ms"];
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Math.round(Number(ms)));
  const s = headers["retry-after"];
  if (!s) return undefined;
  if (Number.isFinite(Number(s))) return Math.max(0, Math.round(Number(s) * 1000));
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
