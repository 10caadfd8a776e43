/**
 * Session keys (spec agent.md §1, channels.md): canonical `agent:<agentId>:<rest>`; the main DM session is
 * `agent:<agentId>:<mainKey>`. Bare keys such as `main` are aliases resolved against the default agent.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { Store } from "../store/index.ts";

/** What a request may say about its session. */
export interface SessionTarget {
  sessionKey?: string;
  agentId?: string;
  sessionId?: string;
  /** A peer (E.164 number, chat id) for DM routing by `session.dmScope`. */
  to?: string;
  channel?: string;
  accountId?: string;
}

/** A resolved session: canonical key, its agent, and a session id the caller asked for (if any). */
export interface ResolvedSession {
  key: string;
  agentId: string;
  requestedSessionId?: string;
}

/** The default agent id and the ids of every configured agent (`main` when none are). */
export function agentIds(config: OpenClawConfig): { defaultId: string; ids: string[] } {
  const list = config.agents?.list ?? [];
  if (list.length === 0) return { defaultId: "main", ids: ["main"] };
  return { defaultId: (list.find((a) => a.default) ?? list[0]).id, ids: list.map((a) => a.id) };
}

/** `session.mainKey` (default `main`). */
export function mainKeyOf(config: OpenClawConfig): string {
  return config.session?.mainKey ?? "main";
}

/** The main session key of an agent: `agent:<agentId>:<mainKey>`. */
export function mainSessionKey(config: OpenClawConfig, agentId = agentIds(config).defaultId): string {
  return `agent:${agentId}:${mainKeyOf(config)}`;
}

/**
 * Turns a key as a client sent it into the canonical one: `agent:…` and other namespaced keys (`hook:…`,
 * `cron:…`) stay; a bare key (`main`, `work`) becomes `agent:<defaultAgent>:<key>`, with `main` meaning
 * the configured main key.
 */
export function canonicalSessionKey(config: OpenClawConfig, key: string): string {
  const trimmed = key.trim();
  if (trimmed.includes(":") || trimmed === "global") return trimmed;
  const { defaultId } = agentIds(config);
  return trimmed === "main" ? mainSessionKey(config, defaultId) : `agent:${defaultId}:${trimmed}`;
}

/**
 * Resolves the session a run goes to: explicit key > session id (an existing session) > `to` (per
 * `session.dmScope`) > the agent's main session.
 * @throws GatewayError INVALID_REQUEST for an agent id that is not configured.
 */
export function resolveSession(config: OpenClawConfig, target: SessionTarget, store?: Store): ResolvedSession {
  const { defaultId, ids } = agentIds(config);
  if (target.agentId !== undefined && !ids.includes(target.agentId)) {
    throw new GatewayError("INVALID_REQUEST", `unknown agent id "${target.agentId}" (configured: ${ids.join(", ")})`);
  }
  if (target.sessionKey?.trim()) {
    const key = canonicalSessionKey(config, target.sessionKey);
    return { key, agentId: agentOf(key) ?? target.agentId ?? defaultId };
  }
  const agentId = target.agentId ?? defaultId;
  if (target.sessionId?.trim()) {
    const sessionId = target.sessionId.trim();
    const found = store?.listSessions(`agent:${agentId}:`).find((r) => r.entry.sessionId === sessionId);
    if (found) return { key: found.key, agentId };
    return { key: `agent:${agentId}:explicit:${sessionId}`, agentId, requestedSessionId: sessionId };
  }
  if (target.to?.trim()) {
    const peer = target.to.trim().toLowerCase();
    const channel = (target.channel ?? "whatsapp").toLowerCase();
    switch (config.session?.dmScope ?? "main") {
      case "per-peer":
        return { key: `agent:${agentId}:dm:${peer}`, agentId };
      case "per-channel-peer":
        return { key: `agent:${agentId}:${channel}:dm:${peer}`, agentId };
      case "per-account-channel-peer":
        return { key: `agent:${agentId}:${channel}:${target.accountId ?? "default"}:dm:${peer}`, agentId };
      default:
        break;
    }
  }
  return { key: mainSessionKey(config, agentId), agentId };
}

/** The agent id in a canonical key, or undefined for keys outside `agent:…`. */
export function agentOf(key: string): string | undefined {
  const m = /^agent:([^:]+):/.exec(key);
  return m ? m[1] : undefined;
}

/** Session kind for listings: `group` (group/channel chats), `global`, `unknown`, else `direct`. */
export function sessionKind(key: string): "direct" | "group" | "global" | "unknown" {
  if (key === "global") return "global";
  if (key === "unknown") return "unknown";
  if (/:(group|channel):/.test(key)) return "group";
  return "direct";
}
