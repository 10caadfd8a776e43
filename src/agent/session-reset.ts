/**
 * When a session starts over with a new sessionId (spec agent.md §1): daily at `session.reset.atHour`
 * (gateway-local, default 4), after `idleMinutes` without activity, or on a `/new` / `/reset` message.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { SessionEntry } from "../store/index.ts";

/** The effective reset policy. */
export interface ResetPolicy {
  mode: "daily" | "idle" | "off";
  atHour: number;
  /** 0 = no idle reset. */
  idleMinutes: number;
}

const DEFAULT_AT_HOUR = 4;

/** Reads `session.reset.{mode, atHour, idleMinutes}` (and legacy `session.idleMinutes`) with defaults. */
export function resetPolicyOf(config: OpenClawConfig): ResetPolicy {
  const reset = (config.session?.reset ?? {}) as { mode?: unknown; atHour?: unknown; idleMinutes?: unknown };
  const mode = reset.mode === "idle" || reset.mode === "off" || reset.mode === "never" ? (reset.mode === "never" ? "off" : reset.mode) : "daily";
  const atHour = typeof reset.atHour === "number" && reset.atHour >= 0 && reset.atHour <= 23 ? Math.floor(reset.atHour) : DEFAULT_AT_HOUR;
  const idle = typeof reset.idleMinutes === "number" ? reset.idleMinutes : (config.session?.idleMinutes ?? 0);
  return { mode, atHour, idleMinutes: idle > 0 ? idle : 0 };
}

/** The latest daily reset boundary at or before `now` (local time). */
export function lastDailyBoundary(now: number, atHour: number): number {
  const d = new Date(now);
  d.setHours(atHour, 0, 0, 0);
  if (d.getTime() > now) d.setDate(d.getDate() - 1);
  return d.getTime();
}

/** True when the session's last activity is before the daily boundary or older than the idle window. */
export function isSessionStale(entry: Pick<SessionEntry, "updatedAt">, now: number, policy: ResetPolicy): boolean {
  if (policy.mode === "off") return false;
  if (policy.idleMinutes > 0 && now - entry.updatedAt > policy.idleMinutes * 60_000) return true;
  return policy.mode === "daily" && entry.updatedAt < lastDailyBoundary(now, policy.atHour);
}

/**
 * Recognizes `/new` and `/reset` at the start of a message.
 * @returns `reset: true` and the text after the command (possibly empty), or `reset: false` and the text.
 */
export function parseResetCommand(text: string): { reset: boolean; rest: string } {
  const m = /^\s*\/(new|reset)(?=$|\s)\s*([\s\S]*)$/i.exec(text);
  return m ? { reset: true, rest: m[2].trim() } : { reset: false, rest: text };
}

/** True for a message that is only `/stop` (any case, surrounding spaces): stop the session's runs. */
export function isStopCommand(text: string): boolean {
  return text.trim().toLowerCase() === "/stop";
}
