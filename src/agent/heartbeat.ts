/**
 * The agent side of the heartbeat: which agents run one and with what settings, the message a heartbeat
 * turn sends, the `HEARTBEAT_OK` reply contract, and when a `HEARTBEAT.md` has nothing to act on. Pure
 * functions of config and text; the scheduling and delivery live in the gateway.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_HEARTBEAT_ACK_MAX_CHARS,
  DEFAULT_HEARTBEAT_EVERY,
  DEFAULT_HEARTBEAT_TARGET,
  type HeartbeatConfig,
} from "../config/heartbeat-schema.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { parseDuration } from "../util/duration.ts";
import { isTimeZone } from "../util/time-zone.ts";
import { agentIds, canonicalSessionKey, mainSessionKey } from "./session-keys.ts";

/** The reply that means "nothing needs attention". */
export const HEARTBEAT_TOKEN = "HEARTBEAT_OK";

/** What a heartbeat turn asks when `heartbeat.prompt` is not set. */
export const DEFAULT_HEARTBEAT_PROMPT =
  `Heartbeat check. If HEARTBEAT.md exists in your workspace, read it and act on what it says is due now. ` +
  `Do not bring back tasks from earlier conversations unless that file asks for them. ` +
  `If nothing needs attention, reply with exactly ${HEARTBEAT_TOKEN}.`;

/** An agent's heartbeat settings: the defaults with its own block merged over them. */
export interface HeartbeatSettings {
  agentId: string;
  /** Runs on a schedule: `every` > 0 and the agent is one of {@link heartbeatAgentIds}. */
  enabled: boolean;
  every: string;
  /** 0 when off. */
  everyMs: number;
  prompt: string;
  /** `last`, `none` or a channel id. */
  target: string;
  to?: string;
  accountId?: string;
  ackMaxChars: number;
  model?: string;
  /** `main` or a session key, as configured; see {@link heartbeatSessionKey}. */
  session?: string;
  /** The daily window scheduled heartbeats run in (minutes of the day in `timeZone`); absent = always. */
  activeHours?: { startMin: number; endMin: number; timeZone: string };
}

/**
 * The agents that run heartbeats: those of `agents.list` with their own `heartbeat` block, or the default
 * agent when none has one.
 */
export function heartbeatAgentIds(config: OpenClawConfig): string[] {
  const own = (config.agents?.list ?? []).filter((a) => a.heartbeat !== undefined).map((a) => a.id);
  return own.length > 0 ? own : [agentIds(config).defaultId];
}

/** The heartbeat settings of `agentId` (default: the default agent). Never throws. */
export function resolveHeartbeat(config: OpenClawConfig, agentId = agentIds(config).defaultId): HeartbeatSettings {
  const defaults = config.agents?.defaults?.heartbeat as HeartbeatConfig | undefined;
  const own = config.agents?.list?.find((a) => a.id === agentId)?.heartbeat as HeartbeatConfig | undefined;
  const hb: HeartbeatConfig = { ...defaults, ...own };
  const every = hb.every?.trim() || DEFAULT_HEARTBEAT_EVERY;
  const everyMs = parseDuration(every) ?? 0;
  const window = activeHours(config, hb);
  return {
    agentId,
    enabled: everyMs > 0 && heartbeatAgentIds(config).includes(agentId),
    every,
    everyMs,
    prompt: hb.prompt?.trim() || DEFAULT_HEARTBEAT_PROMPT,
    target: hb.target?.trim().toLowerCase() || DEFAULT_HEARTBEAT_TARGET,
    ...(hb.to?.trim() && { to: hb.to.trim() }),
    ...(hb.accountId?.trim() && { accountId: hb.accountId.trim() }),
    ackMaxChars: hb.ackMaxChars ?? DEFAULT_HEARTBEAT_ACK_MAX_CHARS,
    ...(hb.model?.trim() && { model: hb.model.trim() }),
    ...(hb.session?.trim() && { session: hb.session.trim() }),
    ...(window && { activeHours: window }),
  };
}

/**
 * True when `nowMs` falls inside the heartbeat's active hours (always, without a window). A window whose
 * end is before its start spans midnight: 22:00–06:00 covers the night.
 */
export function isWithinActiveHours(hb: HeartbeatSettings, nowMs: number): boolean {
  const w = hb.activeHours;
  if (!w) return true;
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: w.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(nowMs));
  const minute = Number(parts.find((p) => p.type === "hour")?.value) * 60 + Number(parts.find((p) => p.type === "minute")?.value);
  if (!Number.isFinite(minute)) return true;
  return w.endMin > w.startMin ? minute >= w.startMin && minute < w.endMin : minute >= w.startMin || minute < w.endMin;
}

// Both ends are needed and must differ; the zone falls back to the host's when unknown.
function activeHours(config: OpenClawConfig, hb: HeartbeatConfig): HeartbeatSettings["activeHours"] {
  const start = toMinutes(hb.activeHours?.start);
  const end = toMinutes(hb.activeHours?.end);
  if (start === undefined || end === undefined || start === end) return undefined;
  const hostZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const asked = hb.activeHours?.timezone?.trim();
  const userZone = (config.agents?.defaults as { userTimezone?: string } | undefined)?.userTimezone?.trim();
  const zone = !asked || asked === "user" ? userZone : asked === "local" ? hostZone : asked;
  return { startMin: start, endMin: end, timeZone: zone && isTimeZone(zone) ? zone : hostZone };
}

function toMinutes(hhmm: string | undefined): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm ?? "");
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** The session a heartbeat runs on: the agent's main session unless `session` names another. */
export function heartbeatSessionKey(config: OpenClawConfig, hb: HeartbeatSettings): string {
  if (!hb.session || hb.session === "main") return mainSessionKey(config, hb.agentId);
  return canonicalSessionKey(config, hb.session);
}

/**
 * The user message of a heartbeat turn: queued system events (oldest first, one `System:` line each), a
 * blank line, then the prompt.
 */
export function buildHeartbeatMessage(prompt: string, events: readonly string[]): string {
  if (events.length === 0) return prompt;
  return [...events.map((e) => `System: ${e}`), "", prompt].join("\n");
}

/** How a heartbeat reply is handled. */
export type HeartbeatReply =
  /** No text at all. */
  | { kind: "empty" }
  /** `HEARTBEAT_OK`, with at most `ackMaxChars` of other text: nothing to deliver. */
  | { kind: "ack" }
  /** Something to tell the user: the reply without the token. */
  | { kind: "message"; text: string };

// The token counts at the start or the end of the reply, even wrapped in Markdown/HTML emphasis or
// followed by punctuation; in the middle of a sentence it is just text.
const WRAP = "[\\s*_`~>\"'()\\[\\]]*";
const TRAIL = "[\\s*_`~\"'()\\[\\].,!:;-]*";
const TOKEN_AT_START = new RegExp(`^${WRAP}(?:<[a-z]+>)?${HEARTBEAT_TOKEN}(?![A-Za-z0-9_])(?:</[a-z]+>)?${TRAIL}`);
const TOKEN_AT_END = new RegExp(`${WRAP}(?:<[a-z]+>)?(?<![A-Za-z0-9_])${HEARTBEAT_TOKEN}(?:</[a-z]+>)?${TRAIL}$`);

/**
 * Applies the reply contract: `HEARTBEAT_OK` at the start or end of the reply (several times is fine)
 * with at most `ackMaxChars` characters of anything else is an acknowledgement; otherwise the reply is a
 * message (with the token removed).
 * @example classifyHeartbeatReply("**HEARTBEAT_OK**", 300) // {kind: "ack"}
 * @example classifyHeartbeatReply("Rent is due today.", 300) // {kind: "message", text: "Rent is due today."}
 */
export function classifyHeartbeatReply(text: string, ackMaxChars: number): HeartbeatReply {
  let rest = text.trim();
  if (!rest) return { kind: "empty" };
  let found = false;
  while (rest.includes(HEARTBEAT_TOKEN)) {
    const start = TOKEN_AT_START.exec(rest);
    const cut = start ? rest.length : endMatchIndex(rest);
    if (!start && cut === undefined) break;
    found = true;
    rest = (start ? rest.slice(start[0].length) : rest.slice(0, cut)).trim();
  }
  if (!found) return { kind: "message", text: rest };
  return rest.length <= ackMaxChars ? { kind: "ack" } : { kind: "message", text: rest };
}

/** Longest run of wrapping characters looked at before a trailing token. */
const MAX_WRAP_CHARS = 64;

// Where a trailing token (with its wrapping) starts. The end pattern is unanchored at its start, which is
// quadratic on long runs of wrap characters: it only ever sees the tail around the last token.
function endMatchIndex(text: string): number | undefined {
  const from = Math.max(0, text.lastIndexOf(HEARTBEAT_TOKEN) - MAX_WRAP_CHARS);
  const m = TOKEN_AT_END.exec(text.slice(from));
  return m ? from + m.index : undefined;
}

/**
 * True when `HEARTBEAT.md` has nothing to act on: only blank lines, Markdown headings and empty list items.
 * A missing file is not "empty" (the agent decides what to do then).
 */
export function isHeartbeatFileEmpty(content: string): boolean {
  return content.split(/\r?\n/).every((line) => {
    const l = line.trim();
    return l === "" || /^#{1,6}(\s|$)/.test(l) || /^[-*+](\s+\[[ xX]?\])?$/.test(l);
  });
}

/**
 * Reads `HEARTBEAT.md` of a workspace.
 * @returns its text, or undefined when it is missing or unreadable. Never throws.
 */
export function readHeartbeatFile(workspace: string): string | undefined {
  try {
    return readFileSync(join(workspace, "HEARTBEAT.md"), "utf8");
  } catch {
    return undefined;
  }
}
