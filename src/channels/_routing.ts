/**
 * Which agent answers an inbound message and under which session key (channels.md §1, agent.md §1):
 * `bindings[]` pick the agent (most specific match wins), `session.dmScope` shapes DM keys, groups get
 * their own session, Telegram forum topics one per topic.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { normalizePeer } from "./_access.ts";
import type { InboundMessage } from "./channel.ts";

/** The agent and session an inbound message belongs to. */
export interface Route {
  agentId: string;
  sessionKey: string;
}

type Binding = { agentId?: string; match?: { channel?: string; accountId?: string; peer?: { kind?: string; id?: string } } };

/** Resolves agent and session key for `msg` against the current config. */
export function resolveRoute(config: OpenClawConfig, msg: InboundMessage): Route {
  const agentId = resolveAgentId(config, msg);
  return { agentId, sessionKey: buildSessionKey(config, agentId, msg) };
}

/**
 * The session key:
 * - DM, `dmScope` main (default): `agent:<agentId>:<mainKey>`
 * - per-peer: `agent:<agentId>:dm:<peer>`; per-channel-peer: `agent:<agentId>:<ch>:dm:<peer>`;
 *   per-account-channel-peer: `agent:<agentId>:<ch>:<accountId>:dm:<peer>`
 * - group: `agent:<agentId>:<ch>:group:<chatId>`, plus `:topic:<threadId>` for a Telegram forum topic
 */
export function buildSessionKey(config: OpenClawConfig, agentId: string, msg: InboundMessage): string {
  if (msg.chatType === "group") {
    const base = `agent:${agentId}:${msg.channel}:group:${msg.chatId.toLowerCase()}`;
    return msg.threadId !== undefined ? `${base}:topic:${msg.threadId}` : base;
  }
  const peer = normalizePeer(msg.channel, msg.senderId);
  switch (config.session?.dmScope ?? "main") {
    case "per-peer":
      return `agent:${agentId}:dm:${peer}`;
    case "per-channel-peer":
      return `agent:${agentId}:${msg.channel}:dm:${peer}`;
    case "per-account-channel-peer":
      return `agent:${agentId}:${msg.channel}:${msg.accountId}:dm:${peer}`;
    default:
      return `agent:${agentId}:${config.session?.mainKey ?? "main"}`;
  }
}

/** The bound agent (peer match > account match > channel match), else the default agent. */
export function resolveAgentId(config: OpenClawConfig, msg: InboundMessage): string {
  const bindings = (config.bindings ?? []) as Binding[];
  const peerKind = msg.chatType === "direct" ? "dm" : "group";
  const peerId = msg.chatType === "direct" ? normalizePeer(msg.channel, msg.senderId) : msg.chatId.toLowerCase();
  let best: { agentId: string; score: number } | undefined;
  for (const b of bindings) {
    const m = b.match;
    if (!b.agentId || !m || (m.channel && m.channel.toLowerCase() !== msg.channel)) continue;
    if (m.accountId && m.accountId !== msg.accountId) continue;
    if (m.peer) {
      const kindOk = !m.peer.kind || m.peer.kind === peerKind || (peerKind === "dm" && m.peer.kind === "direct");
      const wanted = m.peer.id === undefined ? undefined : peerKind === "dm" ? normalizePeer(msg.channel, m.peer.id) : m.peer.id.toLowerCase();
      if (!kindOk || wanted !== peerId) continue;
    }
    const score = (m.peer ? 4 : 0) + (m.accountId ? 2 : 0) + (m.channel ? 1 : 0);
    if (!best || score > best.score) best = { agentId: b.agentId, score };
  }
  return best?.agentId ?? defaultAgentId(config);
}

/** `agents.list` entry marked default, else the first, else `main`. */
export function defaultAgentId(config: OpenClawConfig): string {
  const list = config.agents?.list ?? [];
  return (list.find((a) => a.default) ?? list[0])?.id ?? "main";
}

/** `agents.list[<agentId>].groupChat.mentionPatterns` as regexes (invalid patterns skipped). */
export function mentionPatterns(config: OpenClawConfig, agentId: string): RegExp[] {
  const agent = (config.agents?.list ?? []).find((a) => a.id === agentId) as { groupChat?: { mentionPatterns?: unknown } } | undefined;
  const raw = agent?.groupChat?.mentionPatterns;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p) => {
    try {
      return typeof p === "string" ? [new RegExp(p, "i")] : [];
    } catch {
      return [];
    }
  });
}
