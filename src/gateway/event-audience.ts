/**
 * Who may receive each broadcast event. An event carries the same content as some method's answer, so it
 * needs the scope that method needs (protocol.md §4): reply text in `agent`/`chat` is what `chat.history`
 * returns (read), presence is `system-presence` (read), approvals and pairing requests are what
 * `exec.approval.*` / `*.pair.list` return. Clients holding only `operator.pairing` or `operator.approvals`
 * therefore see their own events and the content-free ones (`tick`, `shutdown`), nothing else.
 */
import type { EventName } from "../protocol/index.ts";
import type { ConnectedClient } from "./connections.ts";
import { missingScope } from "./scope-check.ts";

/** What an operator needs: `read` = operator.read or operator.write; admin always passes. */
type OperatorNeed = "none" | "read" | "approvals" | "pairing" | "admin";

/** The audience of one event: the operator scope it needs, and whether nodes receive it. */
export interface EventAudience {
  operators: OperatorNeed;
  /** The method whose answer holds the same content (documentation; `-` when none). */
  sameAs: string;
  nodes: boolean;
}

/**
 * The table. Nodes receive only what they act on (voice wake triggers, talk mode) and the content-free
 * events; `node.invoke.request` and `connect.challenge` are sent to one socket, never broadcast.
 */
export const EVENT_AUDIENCE: Readonly<Record<EventName, EventAudience>> = {
  "connect.challenge": { operators: "none", sameAs: "-", nodes: true },
  tick: { operators: "none", sameAs: "-", nodes: true },
  shutdown: { operators: "none", sameAs: "-", nodes: true },
  agent: { operators: "read", sameAs: "chat.history", nodes: false },
  chat: { operators: "read", sameAs: "chat.history", nodes: false },
  presence: { operators: "read", sameAs: "system-presence", nodes: false },
  health: { operators: "read", sameAs: "health", nodes: false },
  heartbeat: { operators: "read", sameAs: "last-heartbeat", nodes: false },
  cron: { operators: "read", sameAs: "cron.runs", nodes: false },
  "talk.mode": { operators: "read", sameAs: "talk.mode", nodes: true },
  "voicewake.changed": { operators: "read", sameAs: "voicewake.get", nodes: true },
  "exec.approval.requested": { operators: "approvals", sameAs: "exec.approval.request", nodes: false },
  "exec.approval.resolved": { operators: "approvals", sameAs: "exec.approval.resolve", nodes: false },
  "device.pair.requested": { operators: "pairing", sameAs: "device.pair.list", nodes: false },
  "device.pair.resolved": { operators: "pairing", sameAs: "device.pair.list", nodes: false },
  "node.pair.requested": { operators: "pairing", sameAs: "node.pair.list", nodes: false },
  "node.pair.resolved": { operators: "pairing", sameAs: "node.pair.list", nodes: false },
  "node.invoke.request": { operators: "admin", sameAs: "-", nodes: true },
};

/**
 * Audiences of events only v4 connections get (protocol-v4.md §1.7): `sessions.changed` carries a
 * `sessions.list` row, `session.message` a `chat.history` message; both go only to subscribers.
 */
export const V4_EVENT_AUDIENCE: Readonly<Record<string, EventAudience>> = {
  "sessions.changed": { operators: "read", sameAs: "sessions.list", nodes: false },
  "session.message": { operators: "read", sameAs: "chat.history", nodes: false },
};

/**
 * True when `client` may receive broadcast `event`. An event missing from {@link EVENT_AUDIENCE} (a
 * feature's own) goes to admins only until it is listed.
 */
export function mayReceive(client: Pick<ConnectedClient, "role" | "scopes">, event: string): boolean {
  const audience = (EVENT_AUDIENCE as Record<string, EventAudience | undefined>)[event] ?? V4_EVENT_AUDIENCE[event];
  if (client.role === "node") return audience?.nodes === true;
  return missingScope(client.scopes, audience?.operators ?? "admin") === undefined;
}
