/**
 * Running one agent turn for an HTTP caller (`/v1/chat/completions`, `/v1/responses`, hooks): which agent
 * and session a request targets (http.md §3), the prompt built from an OpenAI-style conversation, and the
 * run itself through the agent runtime with its text deltas tapped as they stream.
 */
import { randomUUID } from "node:crypto";
import type { HttpHost } from "./_host.ts";
import { agentIds, agentOf, canonicalSessionKey } from "../../agent/index.ts";
import { toErrorMessage } from "../../errors.ts";

/** One entry of a client-sent conversation. */
export interface ConversationEntry {
  role: "user" | "assistant" | "tool";
  /** `User`, `Assistant`, `Tool:<name>`. */
  sender: string;
  body: string;
}

/** Where a request runs. */
export interface HttpRunTarget {
  agentId: string;
  sessionKey: string;
}

/** Header names that pick the agent and session (http.md §3). */
export const AGENT_HEADERS = ["x-openclaw-agent-id", "x-openclaw-agent"] as const;
export const SESSION_HEADER = "x-openclaw-session-key";

/**
 * Resolves agent and session: agent header > model `openclaw:<id>` / `openclaw/<id>` / `agent:<id>` > the
 * default agent; session header > `agent:<id>:<prefix>-user:<user>` > a fresh `agent:<id>:<prefix>:<uuid>`.
 * @returns the target, or an error message for an agent id that is not configured.
 */
export function resolveHttpRunTarget(gw: HttpHost, req: Request, opts: { model?: string; user?: string; prefix: string }): HttpRunTarget | { error: string } {
  const config = gw.config;
  const { defaultId, ids } = agentIds(config);
  const fromHeader = AGENT_HEADERS.map((h) => req.headers.get(h)?.trim()).find(Boolean);
  const fromModel = opts.model ? /^(?:openclaw[:/]|agent:)(.+)$/i.exec(opts.model.trim())?.[1]?.trim() : undefined;
  let agentId = fromHeader || fromModel || defaultId;
  if (!ids.includes(agentId)) return { error: `unknown agent id "${agentId}" (configured: ${ids.join(", ")})` };

  const headerKey = req.headers.get(SESSION_HEADER)?.trim();
  if (headerKey) {
    const sessionKey = canonicalSessionKey(config, headerKey);
    agentId = agentOf(sessionKey) ?? agentId;
    return { agentId, sessionKey };
  }
  const user = opts.user?.trim();
  if (user) return { agentId, sessionKey: `agent:${agentId}:${opts.prefix}-user:${user}` };
  return { agentId, sessionKey: `agent:${agentId}:${opts.prefix}:${randomUUID()}` };
}

/**
 * Turns a conversation into the run's message: the last user/tool entry is the current message; earlier
 * entries become a history block (`User: …`, `Assistant: …`, `Tool:<name>: …`).
 * @returns "" when there is nothing to answer.
 */
export function buildAgentMessage(entries: ConversationEntry[]): string {
  if (entries.length === 0) return "";
  let current = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].role === "user" || entries[i].role === "tool") {
      current = i;
      break;
    }
  }
  if (current < 0) return "";
  const history = entries.slice(0, current);
  const now = entries[current];
  if (history.length === 0) return now.body;
  const line = (e: ConversationEntry) => `${e.sender}: ${e.body}`;
  return [HISTORY_MARKER, ...history.map(line), "", CURRENT_MARKER, line(now)].join("\n");
}

/** The sender label of a role (`Tool:<name>` when a tool message names its tool). */
export function senderOf(role: ConversationEntry["role"], name?: string): string {
  if (role === "user") return "User";
  if (role === "assistant") return "Assistant";
  return name ? `Tool:${name}` : "Tool";
}

/** What {@link runAgentTurn} ended with. */
export type HttpRunResult =
  | { ok: true; text: string; usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number } }
  | { ok: false; message: string };

/** What {@link runAgentTurn} needs. */
export interface HttpRunOptions extends HttpRunTarget {
  runId: string;
  message: string;
  extraSystemPrompt?: string;
  /** Where the run came from (`webchat` for the OpenAI APIs, `hook` for hooks). */
  channel: string;
  thinking?: string;
  timeoutMs?: number;
  label?: string;
  /** Called with each assistant text delta while the run streams. */
  onDelta?: (delta: string) => void;
}

/**
 * Runs one agent turn and waits for its end. Never throws: a runtime that refuses the run (shut down) or a
 * failed run both come back as `{ok:false, message}`.
 */
export async function runAgentTurn(gw: HttpHost, opts: HttpRunOptions): Promise<HttpRunResult> {
  const onDelta = opts.onDelta;
  const unsubscribe = onDelta
    ? gw.runListeners.on(opts.runId, (event) => {
        const data = event.data as { delta?: unknown } | undefined;
        if (event.stream === "assistant" && typeof data?.delta === "string" && data.delta) onDelta(data.delta);
      })
    : undefined;
  try {
    const sub = gw.agents.submit({
      runId: opts.runId,
      kind: "agent",
      sessionKey: opts.sessionKey,
      agentId: opts.agentId,
      message: opts.message,
      thinking: opts.thinking,
      timeoutMs: opts.timeoutMs ?? gw.agents.defaultTimeoutMs(),
      channel: opts.channel,
      extraSystemPrompt: opts.extraSystemPrompt,
      label: opts.label,
    });
    const final = sub.status === "accepted" ? await sub.done : sub.status === "done" ? sub.final : undefined;
    if (!final) return { ok: false, message: `run ${opts.runId} is already in flight` };
    if (!final.ok) return { ok: false, message: final.error?.message ?? "agent run failed" };
    const result = final.payload.result;
    const text = (result?.payloads ?? []).map((p) => p.text ?? "").filter((t) => t.trim()).join("\n\n");
    const u = result?.meta?.agentMeta?.usage;
    return { ok: true, text, ...(u && { usage: { input: u.input ?? 0, output: u.output ?? 0, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite } }) };
  } catch (err) {
    return { ok: false, message: toErrorMessage(err) };
  } finally {
    unsubscribe?.();
  }
}

/** Prompt tokens as OpenAI counts them: fresh input plus cache reads and writes. */
export function promptTokensOf(usage: { input: number; cacheRead?: number; cacheWrite?: number } | undefined): number {
  return usage ? usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0) : 0;
}

// --- internal ---

const HISTORY_MARKER = "[Chat messages since your last reply - for context]";
const CURRENT_MARKER = "[Current message - respond to this]";
