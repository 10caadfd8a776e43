/**
 * v4 subscriptions and lookups over the session store: `sessions.subscribe` / `sessions.unsubscribe`,
 * `sessions.messages.subscribe` / `.unsubscribe` and `sessions.describe` (spec protocol-v4.md §4 step 8).
 */
import { canonicalSessionKey } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { sessionsList, toListRow } from "./sessions-list.ts";
import { subscribeMessages, subscribersOf, unsubscribeMessages } from "./_subscriptions.ts";

/**
 * `sessions.subscribe`: from now on this connection gets `sessions.changed` events. `{}` answers
 * `{subscribed:true}`; with any sessions.list params the first page comes along as `list`.
 */
export const sessionsSubscribe: MethodHandler<"sessions.subscribe", SessionsHost> = (ctx, params) => {
  subscribersOf(ctx.host).sessions.add(ctx.connId);
  if (Object.keys(params).length === 0) return { subscribed: true };
  return { subscribed: true, list: sessionsList(ctx, params) as Record<string, unknown> };
};

/** `sessions.unsubscribe` (ours; upstream ends subscriptions with the socket): stops `sessions.changed`. */
export const sessionsUnsubscribe: MethodHandler<"sessions.unsubscribe", SessionsHost> = (ctx) => {
  subscribersOf(ctx.host).sessions.delete(ctx.connId);
  return { subscribed: false };
};

/**
 * `sessions.describe {key}`: the session's `sessions.list` row (with last message and derived title when
 * asked), or `{session: null}` when there is no such session.
 */
export const sessionsDescribe: MethodHandler<"sessions.describe", SessionsHost> = (ctx, params) => {
  const { store, config } = ctx.host;
  const key = canonicalSessionKey(config, params.key);
  const entry = store.getSession(key);
  if (!entry) return { session: null };
  return { session: toListRow(store, config, { key, entry }, { lastMessage: params.includeLastMessage === true, derivedTitle: params.includeDerivedTitles === true, sidebar: true }) };
};

/** `sessions.messages.subscribe {key}`: `session.message` events for that session's new transcript messages. */
export const sessionsMessagesSubscribe: MethodHandler<"sessions.messages.subscribe", SessionsHost> = (ctx, params) => {
  subscribeMessages(ctx.host, ctx.connId, params.key);
  return { subscribed: true, key: params.key, ...(params.agentId && { agentId: params.agentId }) };
};

/** `sessions.messages.unsubscribe {key}`: stops them (answers the same shape, `subscribed:false`). */
export const sessionsMessagesUnsubscribe: MethodHandler<"sessions.messages.unsubscribe", SessionsHost> = (ctx, params) => {
  unsubscribeMessages(ctx.host, ctx.connId, params.key);
  return { subscribed: false, key: params.key, ...(params.agentId && { agentId: params.agentId }) };
};
