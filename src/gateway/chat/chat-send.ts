import { agentOf, canonicalSessionKey, isStopCommand } from "../../agent/index.ts";
import type { ChatHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { noteRunOrigin } from "../sessions/index.ts";
import { channelOf, checkMessage, checkThinking } from "./runs.ts";

/**
 * `chat.send` (WebChat): starts a run on a session and answers at once `{runId, status:"started"}`; the
 * reply streams as `chat` events (delta … then final, error or aborted). The message is committed to the
 * store before the answer. A repeated idempotencyKey answers `in_flight` while running, then `ok`/`error`.
 * `message` may be empty when the attachments carry an image; bad attachments fail the request.
 * A message that is only `/stop` starts nothing: it stops the session's runs and the sub-agents they
 * spawned (stop reason `stop`) and answers `{runId, status:"ok", ok, aborted, runIds}` like chat.abort.
 */
export const chatSend: MethodHandler<"chat.send", ChatHost> = (ctx, params) => {
  const p = params;
  const { host: gw } = ctx;
  const images = checkMessage(p.message, p.attachments, gw.logger);
  const key = canonicalSessionKey(gw.config, p.sessionKey);
  if (isStopCommand(p.message)) {
    const runIds = gw.agents.abort(key, undefined, "stop");
    return { runId: p.idempotencyKey, status: "ok", ok: true, aborted: runIds.length > 0, runIds };
  }
  const result = gw.agents.submit({
    runId: p.idempotencyKey,
    kind: "chat",
    sessionKey: key,
    chatSessionKey: p.sessionKey,
    agentId: agentOf(key) ?? "main",
    message: p.message,
    ...(images.length > 0 && { images }),
    thinking: checkThinking(p.thinking),
    timeoutMs: p.timeoutMs && p.timeoutMs > 0 ? p.timeoutMs : gw.agents.defaultTimeoutMs(),
    channel: channelOf(ctx.client, "webchat"),
  });
  switch (result.status) {
    case "accepted":
      noteRunOrigin(gw, result.runId, ctx.connId);
      return { runId: result.runId, status: "started" };
    case "in_flight":
      return { runId: result.runId, status: "in_flight" };
    case "done":
      return { runId: result.runId, status: result.final.ok ? "ok" : "error" };
  }
};
