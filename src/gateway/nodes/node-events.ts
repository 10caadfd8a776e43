/**
 * Node events that start agent runs. `agent.request` (a node's deep link or shortcut asks the agent
 * something) and `voice.transcript` (speech recognised on the node) become runs exactly like the `agent`
 * method's, on the session the node names or `node-<nodeId>`. A bad payload is logged and dropped: the
 * node already got `{ok:true}` for its `node.event` (protocol.md §6), and nothing here may throw into the
 * registry. With `deliver:true` the reply goes to `channel`/`to` (or the session's last route) as for the
 * `agent` method. Message bodies stay out of the logs unless the logger is verbose.
 */
import { randomUUID } from "node:crypto";
import type { NodesHost } from "./_host.ts";
import { toErrorMessage } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import { type AgentRunInput, submitAgentRun } from "../chat/agent.ts";
import type { NodeEvent } from "./nodes.ts";

/** Longest message a node may start a run with (characters). */
export const MAX_NODE_MESSAGE_CHARS = 20_000;

/** A node's request for an agent run, checked. */
export interface NodeAgentRequest {
  message: string;
  sessionKey?: string;
  thinking?: string;
  deliver?: boolean;
  to?: string;
  channel?: string;
  timeoutSeconds?: number;
  key?: string;
}

/** A check's outcome: the value, or every problem found (field names only, never values). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Subscribes the gateway to node events that start agent runs.
 * @returns the unsubscribe function.
 */
export function subscribeNodeEvents(gw: NodesHost): () => void {
  const log = gw.logger.child("node-events");
  return gw.nodes.onEvent((event) => handleNodeEvent(gw, event, log));
}

/** Handles one node event. Never throws; unknown events are ignored (debug log). */
export function handleNodeEvent(gw: NodesHost, event: NodeEvent, log: Logger): void {
  switch (event.event) {
    case "agent.request": {
      const checked = checkAgentRequest(event.payload);
      if (!checked.ok) return dropped(log, event, checked.problems);
      return startRun(gw, event, checked.value, log);
    }
    case "voice.transcript": {
      const checked = checkVoiceTranscript(event.payload);
      if (!checked.ok) return dropped(log, event, checked.problems);
      return startRun(gw, event, { message: checked.value.text, sessionKey: checked.value.sessionKey }, log);
    }
    default:
      log.debug("node event ignored", { nodeId: event.nodeId, event: event.event });
  }
}

/**
 * Checks an `agent.request` payload: `message` (non-empty string) is required; `sessionKey`, `thinking`,
 * `to`, `channel`, `key` are strings, `deliver` a boolean, `timeoutSeconds` a number ≥ 0. Pure.
 */
export function checkAgentRequest(payload: unknown): Checked<NodeAgentRequest> {
  if (!isObject(payload)) return { ok: false, problems: ["payload is missing, not an object, or not valid JSON"] };
  const problems: string[] = [];
  const message = checkMessage(payload.message, "message", problems);
  for (const field of ["sessionKey", "thinking", "to", "channel", "key"] as const) {
    if (payload[field] !== undefined && typeof payload[field] !== "string") problems.push(`${field} must be a string`);
  }
  if (payload.deliver !== undefined && typeof payload.deliver !== "boolean") problems.push("deliver must be a boolean");
  const t = payload.timeoutSeconds;
  if (t !== undefined && (typeof t !== "number" || !Number.isFinite(t) || t < 0)) problems.push("timeoutSeconds must be a number >= 0");
  if (problems.length > 0) return { ok: false, problems };
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  return {
    ok: true,
    value: dropUndefined({
      message: message as string,
      sessionKey: str(payload.sessionKey),
      thinking: str(payload.thinking),
      deliver: payload.deliver as boolean | undefined,
      to: str(payload.to),
      channel: str(payload.channel),
      timeoutSeconds: t as number | undefined,
      key: str(payload.key),
    }),
  };
}

/** Checks a `voice.transcript` payload: `text` (non-empty string), optional `sessionKey` string. Pure. */
export function checkVoiceTranscript(payload: unknown): Checked<{ text: string; sessionKey?: string }> {
  if (!isObject(payload)) return { ok: false, problems: ["payload is missing, not an object, or not valid JSON"] };
  const problems: string[] = [];
  const text = checkMessage(payload.text, "text", problems);
  if (payload.sessionKey !== undefined && typeof payload.sessionKey !== "string") problems.push("sessionKey must be a string");
  if (problems.length > 0) return { ok: false, problems };
  const key = typeof payload.sessionKey === "string" && payload.sessionKey.trim() ? payload.sessionKey.trim() : undefined;
  return { ok: true, value: dropUndefined({ text: text as string, sessionKey: key }) };
}

// --- internal ---

function startRun(gw: NodesHost, event: NodeEvent, req: NodeAgentRequest, log: Logger): void {
  const nodeId = event.nodeId;
  if (!nodeId) return dropped(log, event, ["the sender has no node id"]);
  const input: AgentRunInput = {
    message: req.message,
    idempotencyKey: req.key ?? randomUUID(),
    sessionKey: req.sessionKey ?? `node-${nodeId}`,
    thinking: req.thinking,
    to: req.to,
    channel: req.channel,
    timeout: req.timeoutSeconds !== undefined ? Math.ceil(req.timeoutSeconds) : undefined,
    extraSystemPrompt: describeOrigin(gw, event),
    deliver: req.deliver,
  };
  try {
    const origin = req.channel?.toLowerCase();
    const result = submitAgentRun(gw, input, origin && origin !== "last" ? origin : "node");
    log.info("agent run from node", { nodeId, event: event.event, runId: result.runId, status: result.status });
    if (result.status !== "accepted") return;
    void result.done.then((final) => {
      if (!final.ok) log.warn("node-started run failed", { nodeId, runId: result.runId, code: final.error?.code });
    });
  } catch (err) {
    log.warn(`dropped node ${event.event}: ${toErrorMessage(err)}`, { nodeId });
  }
}

/** One sentence telling the model which node spoke (ids and names only, no message bodies). */
function describeOrigin(gw: NodesHost, event: NodeEvent): string {
  const name = gw.nodes.describe(event.nodeId)?.displayName;
  const who = name ? `the node "${name}" (${event.nodeId})` : `the node ${event.nodeId}`;
  return event.event === "voice.transcript" ? `This message is a voice transcript from ${who}.` : `This message was sent from ${who}.`;
}

function dropped(log: Logger, event: NodeEvent, problems: string[]): void {
  log.warn(`dropped node ${event.event}: ${problems.join("; ")}`, { nodeId: event.nodeId, ...(log.verbose && { payload: event.payload }) });
}

function checkMessage(value: unknown, field: string, problems: string[]): string | undefined {
  if (typeof value !== "string" || !value.trim()) {
    problems.push(`${field} must be a non-empty string`);
    return undefined;
  }
  if (value.length > MAX_NODE_MESSAGE_CHARS) {
    problems.push(`${field} is longer than ${MAX_NODE_MESSAGE_CHARS} characters`);
    return undefined;
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
