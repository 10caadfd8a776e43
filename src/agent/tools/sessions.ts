/**
 * `sessions_list` and `sessions_history`: read-only views of the agent's own sessions. A run can only see
 * sessions of its own agent (`agent:<agentId>:…`).
 */
import { Type as T } from "@sinclair/typebox";
import type { TranscriptMessage } from "../../store/index.ts";
import { canonicalSessionKey } from "../session-keys.ts";
import { defineTool } from "./define.ts";

const MAX_LIST = 100;
const MAX_HISTORY = 100;
const MAX_TEXT = 2000;

/** `sessions_list`: the agent's sessions, most recent first. */
export const sessionsListTool = defineTool({
  name: "sessions_list",
  description: "List this agent's chat sessions (key, last activity, label, model, message count), most recent first.",
  group: "sessions",
  http: true,
  needs: ["store"],
  parameters: T.Object(
    {
      limit: T.Optional(T.Integer({ description: `At most this many (default 20, max ${MAX_LIST}).` })),
      activeMinutes: T.Optional(T.Integer({ description: "Only sessions active within this many minutes." })),
    },
    { additionalProperties: false },
  ),
  async execute(args, ctx) {
    const { store } = ctx.ports;
    const limit = clamp(args.limit, 20, MAX_LIST);
    const since = typeof args.activeMinutes === "number" && args.activeMinutes > 0 ? Date.now() - args.activeMinutes * 60_000 : 0;
    const rows = store
      .listSessions(`agent:${ctx.agentId}:`)
      .filter((r) => r.entry.updatedAt >= since)
      .slice(0, limit)
      .map((r) => ({
        key: r.key,
        current: r.key === ctx.sessionKey,
        updatedAt: new Date(r.entry.updatedAt).toISOString(),
        ...(r.entry.label && { label: r.entry.label }),
        ...(r.entry.model && { model: `${r.entry.modelProvider}/${r.entry.model}` }),
        messages: store.countMessages(r.entry.sessionId),
      }));
    return JSON.stringify({ count: rows.length, sessions: rows }, null, 2);
  },
});

/** `sessions_history`: the last messages of one of the agent's sessions, as text. */
export const sessionsHistoryTool = defineTool({
  name: "sessions_history",
  description: "Read the most recent messages of one of this agent's sessions.",
  group: "sessions",
  http: true,
  needs: ["store"],
  parameters: T.Object(
    {
      sessionKey: T.String({ description: "Session key from sessions_list." }),
      limit: T.Optional(T.Integer({ description: `Number of messages (default 20, max ${MAX_HISTORY}).` })),
    },
    { additionalProperties: false },
  ),
  async execute(args, ctx) {
    const { store } = ctx.ports;
    const key = canonicalSessionKey(ctx.config, String(args.sessionKey ?? ""));
    if (!key.startsWith(`agent:${ctx.agentId}:`)) throw new Error(`session ${key} belongs to another agent`);
    const entry = store.getSession(key);
    if (!entry) throw new Error(`no session ${key}`);
    // Text only: image bytes would not go into the answer anyway.
    const messages = store.readMessages(entry.sessionId, clamp(args.limit, 20, MAX_HISTORY), { imageMessages: 0 });
    if (messages.length === 0) return `Session ${key} has no messages.`;
    return messages.map(describe).join("\n");
  },
});

function describe(m: TranscriptMessage): string {
  const when = new Date(m.timestamp).toISOString();
  const text = m.content.map((b) => (b.type === "text" ? b.text : b.type === "toolCall" ? `[tool call ${b.name}]` : b.type === "image" ? "[image]" : "")).filter(Boolean).join(" ");
  const label = m.role === "toolResult" ? `tool ${m.toolName}` : m.role;
  return `[${when}] ${label}: ${text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text}`;
}

function clamp(v: unknown, fallback: number, max: number): number {
  return typeof v === "number" && Number.isFinite(v) && v >= 1 ? Math.min(Math.floor(v), max) : fallback;
}
