/**
 * Glue between the channels and the agent runtime: a channel turn becomes an agent run on the routed
 * session, and the run's final payload becomes the reply text (an aborted run's partial text never does).
 * Neither side imports the other.
 */
import { randomUUID } from "node:crypto";
import { type AgentRuntime, loadImageFiles } from "../../agent/index.ts";
import type { AgentTurnRequest, AgentTurnResult, RunAgentTurn, StopSessionRuns } from "../../channels/index.ts";
import { CHANNEL_LABELS } from "../../channels/index.ts";
import type { Logger } from "../../logging/logger.ts";

/**
 * A {@link RunAgentTurn} that submits to `agents` and waits for the final answer. Saved inbound images
 * (within the 5 MB attachment limit, recognised from their bytes) go to the model with the text; every
 * saved file is also named in the prompt by path. `log` gets the images that were skipped.
 */
export function toRunAgentTurn(agents: () => AgentRuntime, log?: Logger): RunAgentTurn {
  return async (req: AgentTurnRequest): Promise<AgentTurnResult> => {
    const runtime = agents();
    const images = await loadImageFiles(req.channel.mediaPaths ?? [], (msg, fields) => log?.warn(msg, { ...fields, channel: req.channel.channel }));
    const sub = runtime.submit({
      runId: randomUUID(),
      kind: "agent",
      sessionKey: req.sessionKey,
      agentId: req.agentId,
      message: req.text,
      inboundKey: req.inboundKey,
      ...(images.length > 0 && { images }),
      timeoutMs: runtime.defaultTimeoutMs(),
      channel: req.channel.channel,
      extraSystemPrompt: describeOrigin(req),
      deliveryContext: { channel: req.channel.channel, to: toTargetString(req), accountId: req.channel.accountId },
      sender: { sender: req.channel.senderId, senderIsOwner: req.channel.senderIsOwner, senderAllowlisted: req.channel.senderAllowlisted },
    });
    const final = sub.status === "accepted" ? await sub.done : sub.status === "done" ? sub.final : undefined;
    if (!final) return { error: "duplicate run" };
    // A stop that aborted the run is not a model error: the channel runs the message again after the restart.
    if (!final.ok && runtime.shuttingDown) return { aborted: true, interrupted: true };
    if (!final.ok) return { error: final.error?.message ?? "agent run failed" };
    const result = final.payload.result;
    // An aborted run's payload holds the text so far: never a reply (the fake Bot API once got half an answer).
    if (final.payload.summary === "aborted" || result?.meta?.aborted === true) return { aborted: true, interrupted: runtime.shuttingDown };
    const payloads = result?.payloads ?? [];
    return {
      text: payloads.map((p) => p.text ?? "").filter((t) => t.trim()).join("\n\n"),
      mediaUrls: payloads.flatMap((p) => (p.mediaUrl ? [p.mediaUrl] : [])),
    };
  };
}

/**
 * A {@link StopSessionRuns} over `agents`: a chat's `/stop` aborts the runs of its session (stop reason
 * `stop`, running or queued) and the sub-agent runs they spawned (stop reason `parent`).
 */
export function toStopSessionRuns(agents: () => AgentRuntime): StopSessionRuns {
  return (req) => {
    const { runIds, subagentRunIds } = agents().stop(req.sessionKey, undefined, "stop");
    return { runs: runIds.length, subagents: subagentRunIds.length };
  };
}

/** The chat as a `send` target: the chat id, plus `:topic:<id>` for a Telegram forum topic. */
export function toTargetString(req: Pick<AgentTurnRequest, "channel">): string {
  const c = req.channel;
  return c.channel === "telegram" && c.threadId ? `${c.chatId}:topic:${c.threadId}` : c.chatId;
}

/** One paragraph telling the model where the message came from (ids only, no message bodies). */
function describeOrigin(req: AgentTurnRequest): string {
  const c = req.channel;
  const where = c.chatType === "group" ? `the ${CHANNEL_LABELS[c.channel]} group ${c.groupName ? `"${c.groupName}" ` : ""}(${c.chatId}${c.threadId ? `, topic ${c.threadId}` : ""})` : `a ${CHANNEL_LABELS[c.channel]} direct chat`;
  const who = c.senderName ? `${c.senderName} (${c.senderId})` : c.senderId;
  const media = c.mediaPaths?.length ? ` Attached files saved at: ${c.mediaPaths.join(", ")}.` : "";
  return `This message arrived in ${where} from ${who}. Your reply is sent back to that chat.${media}`;
}
