/**
 * v4 session subscriptions (spec protocol-v4.md §3.1, §3.3): `sessions.subscribe` callers get
 * `sessions.changed` whenever a session is patched, reset, deleted, compacted or a run on it starts or ends;
 * `sessions.messages.subscribe` callers get `session.message` for the user turns runs commit on one session. Subscriptions live as long as the socket (a closed one is dropped at the next event).
 */
import { agentOf, canonicalSessionKey } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import { toListRow } from "./sessions-list.ts";

/** Who listens, per gateway. */
interface Subscribers {
  /** connIds subscribed to `sessions.changed`. */
  sessions: Set<string>;
  /** connId → canonical session key → the key as that client spelled it. */
  messages: Map<string, Map<string, string>>;
  /** runId → the connection whose `chat.send` started it (it shows its own message already). */
  origins: Map<string, string>;
}

type SubscriptionHost = Pick<SessionsHost, "connections" | "store" | "config">;

const BY_GATEWAY = new WeakMap<object, Subscribers>();

/** The subscribers of the gateway behind `host` (created on first use). */
export function subscribersOf(host: Pick<SessionsHost, "connections">): Subscribers {
  let subs = BY_GATEWAY.get(host.connections);
  if (!subs) BY_GATEWAY.set(host.connections, (subs = { sessions: new Set(), messages: new Map(), origins: new Map() }));
  return subs;
}

/** Why a session changed, as `sessions.changed.reason` says. */
export type SessionChangeReason = "patch" | "reset" | "delete" | "compact" | "run.started" | "run.finished";

/**
 * Tells `sessions.subscribe` callers that session `key` changed: `{sessionKey, agentId, reason, ts, session}`
 * with the session's `sessions.list` row (no `session` after a delete).
 */
export function notifySessionChanged(host: SubscriptionHost, key: string, reason: SessionChangeReason): void {
  const subs = subscribersOf(host);
  const connIds = liveOnly(host, subs.sessions);
  if (connIds.size === 0) return;
  const entry = reason === "delete" ? undefined : host.store.getSession(key);
  const agentId = agentOf(key);
  const payload: Record<string, unknown> = {
    sessionKey: key,
    ...(agentId && { agentId }),
    reason,
    ts: Date.now(),
    ...(entry && { session: toListRow(host.store, host.config, { key, entry }, { lastMessage: true, derivedTitle: true, sidebar: true }) }),
  };
  host.connections.broadcast("sessions.changed", payload, { connIds, role: "operator", dropIfSlow: true });
}

/**
 * Records that connection `connId` started run `runId` with `chat.send`: it draws that user message itself,
 * so the run's `session.message` skips it (a second copy would show twice).
 */
export function noteRunOrigin(host: Pick<SessionsHost, "connections">, runId: string, connId: string): void {
  subscribersOf(host).origins.set(runId, connId);
}

/**
 * Sends the newest transcript message of session `key` to its `sessions.messages.subscribe` callers (except
 * `skipConnId`) when it has role `role` (the user turn a run just committed), as
 * `{sessionKey, agentId, sessionId, message, updatedAt}`.
 */
export function publishSessionMessage(host: SubscriptionHost, key: string, role: "user" | "assistant", skipConnId?: string): void {
  const subs = subscribersOf(host);
  // Subscribers grouped by how they spelled the key, so each gets the key as it asked.
  const bySpelling = new Map<string, Set<string>>();
  for (const [connId, keys] of subs.messages) {
    if (!host.connections.byId(connId)) {
      subs.messages.delete(connId);
      continue;
    }
    const spelled = keys.get(key);
    if (spelled === undefined || connId === skipConnId) continue;
    let set = bySpelling.get(spelled);
    if (!set) bySpelling.set(spelled, (set = new Set()));
    set.add(connId);
  }
  if (bySpelling.size === 0) return;
  const entry = host.store.getSession(key);
  if (!entry) return;
  const message = host.store.readMessages(entry.sessionId, 1)[0];
  if (!message || message.role !== role) return;
  const agentId = agentOf(key);
  for (const [spelled, connIds] of bySpelling) {
    const payload = { sessionKey: spelled, ...(agentId && { agentId }), sessionId: entry.sessionId, message, updatedAt: entry.updatedAt };
    host.connections.broadcast("session.message", payload, { connIds, role: "operator" });
  }
}

/** Records that `connId` wants the messages of `key` (as spelled); returns the canonical key. */
export function subscribeMessages(host: Pick<SessionsHost, "connections" | "config">, connId: string, key: string): string {
  const canonical = canonicalSessionKey(host.config, key);
  const subs = subscribersOf(host);
  let keys = subs.messages.get(connId);
  if (!keys) subs.messages.set(connId, (keys = new Map()));
  keys.set(canonical, key);
  return canonical;
}

/** Drops `connId`'s subscription to `key`. */
export function unsubscribeMessages(host: Pick<SessionsHost, "connections" | "config">, connId: string, key: string): void {
  const subs = subscribersOf(host);
  const keys = subs.messages.get(connId);
  keys?.delete(canonicalSessionKey(host.config, key));
  if (keys?.size === 0) subs.messages.delete(connId);
}

/**
 * Turns run lifecycle events into subscription events: a start means a new user turn (sent as
 * `session.message` to the subscribers that did not send it) and an active run, an end (or error) an idle
 * session. Replies are not sent again as `session.message`: every operator already gets them as `chat` events
 * (without the upstream's transcript ids, a second copy would be drawn twice).
 */
export function onRunEvent(host: SubscriptionHost, event: "agent" | "chat", payload: Record<string, unknown>): void {
  if (event !== "agent" || payload.stream !== "lifecycle" || typeof payload.sessionKey !== "string") return;
  const phase = (payload.data as { phase?: unknown } | undefined)?.phase;
  const key = payload.sessionKey;
  const runId = String(payload.runId);
  if (phase === "start") {
    // A run commits its session entry and user message right after announcing its start (same tick).
    queueMicrotask(() => {
      publishSessionMessage(host, key, "user", subscribersOf(host).origins.get(runId));
      notifySessionChanged(host, key, "run.started");
    });
  } else if (phase === "end" || phase === "error") {
    subscribersOf(host).origins.delete(runId);
    notifySessionChanged(host, key, "run.finished");
  }
}

function liveOnly(host: Pick<SessionsHost, "connections">, connIds: Set<string>): Set<string> {
  for (const id of [...connIds]) if (!host.connections.byId(id)) connIds.delete(id);
  return connIds;
}
