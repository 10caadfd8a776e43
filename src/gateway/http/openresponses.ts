/**
 * `POST /v1/responses` (http.md §4): the OpenResponses (OpenAI Responses API) surface in front of the agent
 * runtime. Off unless `gateway.http.endpoints.responses.enabled`; bearer auth; body ≤ `maxBodyBytes`
 * (20 MiB). Text input only for now: image/file parts and client function tools are refused with 400.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_RESPONSES_MAX_BODY_BYTES } from "../../config/http-schema.ts";
import { type ConversationEntry, buildAgentMessage, promptTokensOf, resolveHttpRunTarget, runAgentTurn, senderOf } from "./_agent-run.ts";
import { authorizeGatewayBearer, type HttpCall } from "./_auth.ts";
import { isJsonObject, readJsonBody } from "./_body.ts";
import { methodNotAllowed, openAiError, payloadTooLarge } from "./_respond.ts";
import { createSse } from "./_sse.ts";
import { NO_RESPONSE_TEXT } from "./openai-chat.ts";

/** The endpoint's path. */
export const RESPONSES_PATH = "/v1/responses";

/**
 * Serves the endpoint.
 * @returns the response, or undefined when the path is another one or the endpoint is disabled.
 */
export async function handleResponses(call: HttpCall): Promise<Response | undefined> {
  const { gw, req } = call;
  const endpoint = gw.config.gateway?.http?.endpoints?.responses;
  if (call.url.pathname !== RESPONSES_PATH || endpoint?.enabled !== true) return undefined;
  if (req.method !== "POST") return methodNotAllowed();
  const denied = authorizeGatewayBearer(call);
  if (denied) return denied;
  const body = await readJsonBody(req, endpoint.maxBodyBytes ?? DEFAULT_RESPONSES_MAX_BODY_BYTES);
  if (!body.ok) return body.reason === "too_large" ? payloadTooLarge() : openAiError(400, body.message, "invalid_request_error");
  const parsed = parseRequest(body.value);
  if ("error" in parsed) return openAiError(400, parsed.error, "invalid_request_error");
  const { model, stream } = parsed;
  const target = resolveHttpRunTarget(gw, req, { model, user: parsed.user, prefix: "openresponses" });
  if ("error" in target) return openAiError(400, target.error, "invalid_request_error");
  if (!parsed.message) return openAiError(400, "Missing user message in `input`.", "invalid_request_error");

  call.server.timeout(req, 0);
  const id = `resp_${randomUUID()}`;
  const itemId = `msg_${randomUUID()}`;
  const createdAt = Math.floor(Date.now() / 1000);
  const log = gw.logger.child("openresponses");
  const run = { ...target, runId: id, message: parsed.message, extraSystemPrompt: parsed.system, channel: "webchat" };
  const resource = (status: string, output: unknown[], extra: Record<string, unknown> = {}) => ({ id, object: "response", created_at: createdAt, status, model, output, ...extra });
  const part = (text: string) => ({ type: "output_text", text, annotations: [] });
  const item = (status: string, content: unknown[]) => ({ type: "message", id: itemId, role: "assistant", content, status });
  const usageOf = (u: { input: number; output: number; cacheRead?: number; cacheWrite?: number } | undefined) => {
    const input = promptTokensOf(u);
    const output = u?.output ?? 0;
    return { input_tokens: input, output_tokens: output, total_tokens: input + output };
  };

  if (!stream) {
    const result = await runAgentTurn(gw, run);
    if (!result.ok) {
      log.warn("response failed", { runId: id, error: result.message });
      return Response.json(resource("failed", [], { error: { code: "api_error", message: result.message } }), { status: 500 });
    }
    const text = result.text || NO_RESPONSE_TEXT;
    return Response.json(resource("completed", [item("completed", [part(text)])], { usage: usageOf(result.usage) }));
  }

  const { response, writer } = createSse();
  let seq = 0;
  const emit = (type: string, fields: Record<string, unknown>) => writer.send({ type, sequence_number: seq++, ...fields }, type);
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  emit("response.created", { response: resource("in_progress", []) });
  emit("response.in_progress", { response: resource("in_progress", []) });
  emit("response.output_item.added", { output_index: 0, item: item("in_progress", []) });
  emit("response.content_part.added", { ...at, part: part("") });
  let streamed = "";
  void runAgentTurn(gw, {
    ...run,
    onDelta: (delta) => {
      streamed += delta;
      emit("response.output_text.delta", { ...at, delta });
    },
  }).then((result) => {
    if (!result.ok) {
      log.warn("streaming response failed", { runId: id, error: result.message });
      emit("response.failed", { response: resource("failed", [], { error: { code: "api_error", message: result.message } }) });
      writer.done();
      return;
    }
    if (!streamed) {
      streamed = result.text || NO_RESPONSE_TEXT;
      emit("response.output_text.delta", { ...at, delta: streamed });
    }
    const done = item("completed", [part(streamed)]);
    emit("response.output_text.done", { ...at, text: streamed });
    emit("response.content_part.done", { ...at, part: part(streamed) });
    emit("response.output_item.done", { output_index: 0, item: done });
    emit("response.completed", { response: resource("completed", [done], { usage: usageOf(result.usage) }) });
    writer.done();
  });
  return response;
}

// --- internal ---

interface ParsedRequest {
  model: string;
  stream: boolean;
  user?: string;
  message: string;
  system?: string;
}

/**
 * Checks the request fields the gateway uses and builds the prompt. Fields it does not act on
 * (`temperature`, `metadata`, `max_output_tokens`, …) are accepted and ignored.
 * @returns the request, or `{error}` naming the bad field (`input: Invalid input`).
 */
function parseRequest(value: unknown): ParsedRequest | { error: string } {
  if (!isJsonObject(value)) return { error: "body: Invalid input" };
  const v = value;
  const invalid = (field: string) => ({ error: `${field}: Invalid input` });
  if (v.model !== undefined && typeof v.model !== "string") return invalid("model");
  if (v.stream !== undefined && v.stream !== null && typeof v.stream !== "boolean") return invalid("stream");
  if (v.user !== undefined && v.user !== null && typeof v.user !== "string") return invalid("user");
  if (v.instructions !== undefined && v.instructions !== null && typeof v.instructions !== "string") return invalid("instructions");
  if (v.max_output_tokens !== undefined && v.max_output_tokens !== null && !(Number.isInteger(v.max_output_tokens) && (v.max_output_tokens as number) > 0)) return invalid("max_output_tokens");
  if (v.tools !== undefined && v.tools !== null && !Array.isArray(v.tools)) return invalid("tools");
  if (Array.isArray(v.tools) && v.tools.length > 0) return { error: "tools: client-side tools are not supported by this gateway yet" };
  if (v.input === undefined || v.input === null) return { error: "input: Required" };

  const system: string[] = typeof v.instructions === "string" && v.instructions.trim() ? [v.instructions.trim()] : [];
  const entries: ConversationEntry[] = [];
  if (typeof v.input === "string") {
    if (v.input.trim()) entries.push({ role: "user", sender: "User", body: v.input.trim() });
  } else if (Array.isArray(v.input)) {
    for (const it of v.input) {
      const entry = toEntry(it);
      if ("error" in entry) return entry;
      if (!entry.body) continue;
      if (entry.role === "system") system.push(entry.body);
      else entries.push(entry as ConversationEntry);
    }
  } else return invalid("input");
  return {
    model: typeof v.model === "string" && v.model.trim() ? v.model : "openclaw",
    stream: v.stream === true,
    ...(typeof v.user === "string" && { user: v.user }),
    message: buildAgentMessage(entries),
    ...(system.length > 0 && { system: system.join("\n\n") }),
  };
}

type InputEntry = { role: ConversationEntry["role"] | "system"; sender: string; body: string };

/** One `input[]` item → a conversation entry (empty body = skip). */
function toEntry(it: unknown): InputEntry | { error: string } {
  if (!isJsonObject(it)) return { error: "input: Invalid input" };
  const type = it.type ?? "message";
  if (type === "function_call_output") {
    const output = typeof it.output === "string" ? it.output : JSON.stringify(it.output ?? "");
    const callId = typeof it.call_id === "string" ? it.call_id : undefined;
    return { role: "tool", sender: senderOf("tool", callId), body: output.trim() };
  }
  // Earlier model output the client echoes back (reasoning, its own function calls): context the session has.
  if (type === "reasoning" || type === "function_call" || type === "item_reference") return { role: "assistant", sender: "Assistant", body: "" };
  if (type !== "message") return { error: "input: Invalid input" };
  const role = it.role;
  if (role !== "user" && role !== "assistant" && role !== "system" && role !== "developer") return { error: "input: Invalid input" };
  let body: string;
  if (typeof it.content === "string") body = it.content;
  else if (Array.isArray(it.content)) {
    const texts: string[] = [];
    for (const p of it.content) {
      if (!isJsonObject(p)) return { error: "input: Invalid input" };
      if ((p.type === "input_text" || p.type === "output_text" || p.type === "text") && typeof p.text === "string") texts.push(p.text);
      else if (p.type === "input_image" || p.type === "input_file") return { error: `input: ${p.type} parts are not supported by this gateway yet; send text` };
      else if (p.type !== "refusal") return { error: "input: Invalid input" };
    }
    body = texts.join("\n");
  } else return { error: "input: Invalid input" };
  const trimmed = body.trim();
  if (role === "system" || role === "developer") return { role: "system", sender: "System", body: trimmed };
  return { role, sender: senderOf(role), body: trimmed };
}
