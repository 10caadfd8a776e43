import { agentOf, canonicalSessionKey } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";
import { channelOf, checkThinking } from "./_runs.ts";

/**
 * `chat.send` (WebChat): starts a run on a session and answers at once `{runId, status:"started"}`; the
 * reply streams as `chat` events (delta … then final, error or aborted). The message is committed to the
 * store before the answer. A repeated idempotencyKey answers `in_flight` while running, then `ok`/`error`.
 */
export const chatSend: MethodHandler = (ctx, params) => {
  const p = params as { sessionKey: string; message: string; idempotencyKey: string; thinking?: string; timeoutMs?: number; attachments?: unknown[] };
  // TODO(agent): images and files; until then say so instead of silently dropping them.
  if (p.attachments?.length) throw new GatewayError("INVALID_REQUEST", "attachments are not supported by this gateway yet");
  if (!p.message.trim()) throw new GatewayError("INVALID_REQUEST", "message is required");
  const { gw } = ctx;
  const key = canonicalSessionKey(gw.config, p.sessionKey);
  const result = gw.agents.submit({
    runId: p.idempotencyKey,
    kind: "chat",
    sessionKey: key,
    chatSessionKey: p.sessionKey,
    agentId: agentOf(key) ?? "main",
    message: p.message,
    thinking: checkThinking(p.thinking),
    timeoutMs: p.timeoutMs && p.timeoutMs > 0 ? p.timeoutMs : gw.agents.defaultTimeoutMs(),
    channel: channelOf(ctx.client, "webchat"),
  });
  switch (result.status) {
    case "accepted":
      return { runId: result.runId, status: "started" };
    case "in_flight":
      return { runId: result.runId, status: "in_flight" };
    case "done":
      return { runId: result.runId, status: result.final.ok ? "ok" : "error" };
  }
};
