/**
 * `POST /v1/chat/completions` (http.md §3): the OpenAI Chat Completions API in front of the agent runtime.
 * Off unless `gateway.http.endpoints.chatCompletions.enabled`; bearer auth; body ≤ 1 MiB. One request = one
 * agent run (channel `webchat`, never delivered); `stream: true` answers with SSE chunks and `data: [DONE]`.
 */
import { randomUUID } from "node:crypto";
import { CHAT_COMPLETIONS_MAX_BODY_BYTES } from "../../config/http-schema.ts";
import { type ConversationEntry, buildAgentMessage, promptTokensOf, resolveHttpRunTarget, runAgentTurn, senderOf } from "./_agent-run.ts";
import { authorizeGatewayBearer, type HttpCall } from "./_auth.ts";
import { isJsonObject, readJsonBody } from "./_body.ts";
import { methodNotAllowed, openAiError, payloadTooLarge } from "./_respond.ts";
import { createSse } from "./_sse.ts";

/** The endpoint's path. */
export const CHAT_COMPLETIONS_PATH = "/v1/chat/completions";
/** The answer when the agent produced no text. */
export const NO_RESPONSE_TEXT = "No response from OpenClaw.";

/**
 * Serves the endpoint.
 * @returns the response, or undefined when the path is another one or the endpoint is disabled (the request
 * then falls through to the next route, as upstream).
 */
export async function handleChatCompletions(call: HttpCall): Promise<Response | undefined> {
  const { gw, req } = call;
  if (call.url.pathname !== CHAT_COMPLETIONS_PATH || gw.config.gateway?.http?.endpoints?.chatCompletions?.enabled !== true) return undefined;
  if (req.method !== "POST") return methodNotAllowed();
  const denied = authorizeGatewayBearer(call);
  if (denied) return denied;
  const body = await readJsonBody(req, CHAT_COMPLETIONS_MAX_BODY_BYTES);
  if (!body.ok) return body.reason === "too_large" ? payloadTooLarge() : openAiError(400, body.message, "invalid_request_error");
  const payload = isJsonObject(body.value) ? body.value : {};

  const model = typeof payload.model === "string" && payload.model.trim() ? payload.model : "openclaw";
  const stream = payload.stream === true;
  const target = resolveHttpRunTarget(gw, req, { model, user: typeof payload.user === "string" ? payload.user : undefined, prefix: "openai" });
  if ("error" in target) return openAiError(400, target.error, "invalid_request_error");
  const prompt = toPrompt(payload.messages);
  if ("error" in prompt) return openAiError(400, prompt.error, "invalid_request_error");
  if (!prompt.message) return openAiError(400, "Missing user message in `messages`.", "invalid_request_error");

  // Agent turns outlast Bun's 10 s idle timeout; the caller is authenticated, so wait as long as the run does.
  call.server.timeout(req, 0);
  const runId = `chatcmpl_${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const log = gw.logger.child("openai-http");
  const run = { ...target, runId, message: prompt.message, extraSystemPrompt: prompt.system, channel: "webchat" };

  if (!stream) {
    const result = await runAgentTurn(gw, run);
    if (!result.ok) {
      log.warn("chat completion failed", { runId, error: result.message });
      return openAiError(500, result.message, "api_error");
    }
    const promptTokens = promptTokensOf(result.usage);
    const completionTokens = result.usage?.output ?? 0;
    return Response.json({
      id: runId,
      object: "chat.completion",
      created,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: result.text || NO_RESPONSE_TEXT }, finish_reason: "stop" }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }

  const { response, writer } = createSse();
  const chunk = (delta: Record<string, unknown>, finish?: string | null) => ({
    id: runId,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, ...(finish !== undefined && { finish_reason: finish }) }],
  });
  writer.send(chunk({ role: "assistant" }));
  let sawDelta = false;
  // The run goes on if the client disconnects (its reply still lands in the session); writes then stop.
  void runAgentTurn(gw, {
    ...run,
    onDelta: (content) => {
      sawDelta = true;
      writer.send(chunk({ content }, null));
    },
  }).then((result) => {
    if (!result.ok) {
      log.warn("streaming chat completion failed", { runId, error: result.message });
      writer.send(chunk({ content: `Error: ${result.message}` }, "stop"));
    } else if (!sawDelta) {
      writer.send(chunk({ content: result.text || NO_RESPONSE_TEXT }, null));
    }
    writer.done();
  });
  return response;
}

// --- internal ---

/**
 * Maps `messages[]` to the run's prompt: system/developer texts → extra system prompt; user, assistant and
 * tool/function messages → the conversation. Image parts are refused (the runtime takes text only).
 */
function toPrompt(messages: unknown): { message: string; system?: string } | { error: string } {
  const list = Array.isArray(messages) ? messages : [];
  const system: string[] = [];
  const entries: ConversationEntry[] = [];
  for (const m of list) {
    if (!isJsonObject(m)) continue;
    const role = typeof m.role === "string" ? m.role.trim() : "";
    const content = textOf(m.content);
    if (content === undefined) return { error: "image and file content parts are not supported by this gateway yet; send text" };
    if (!role || !content.trim()) continue;
    if (role === "system" || role === "developer") {
      system.push(content.trim());
      continue;
    }
    const normalized = role === "function" ? "tool" : role;
    if (normalized !== "user" && normalized !== "assistant" && normalized !== "tool") continue;
    const name = typeof m.name === "string" ? m.name.trim() : undefined;
    entries.push({ role: normalized, sender: senderOf(normalized, name), body: content.trim() });
  }
  return { message: buildAgentMessage(entries), ...(system.length > 0 && { system: system.join("\n\n") }) };
}

/** The text of a message's content (string or parts). @returns undefined when it holds media parts. */
function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (!isJsonObject(part)) continue;
    if ((part.type === "text" || part.type === "input_text") && typeof part.text === "string") texts.push(part.text);
    else if (part.type === "image_url" || part.type === "input_image" || part.type === "input_file" || part.type === "file" || part.type === "input_audio") return undefined;
  }
  return texts.join("\n");
}
