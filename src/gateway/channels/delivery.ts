/**
 * Reply delivery: sends an agent's reply text to a chat through the same outbound path as the `send`
 * method (chunking, NOT_LINKED, idempotency). Used by `agent`/`node agent.request` with `deliver:true`,
 * agent hooks, and the heartbeat. Where a reply goes: an explicit channel and `to`, or for `"last"` (or no
 * channel) the route the session recorded from its last channel message.
 *
 * Delivery never fails a run: callers get a {@link DeliveryOutcome} to report. Logs carry channel and
 * error, never the text or the recipient unless the logger is verbose.
 */
import { type DeliveryContext } from "../../agent/index.ts";
import { type ChannelId, isChannelId } from "../../channels/index.ts";
import { GatewayError, isGatewayError, toErrorMessage } from "../../errors.ts";
import type { ChannelManager } from "../../channels/index.ts";
import type { Logger } from "../../logging/logger.ts";
import type { SessionEntry, Store } from "../../store/index.ts";
import { toChannelGatewayError } from "../error-map.ts";

/** Where a reply should go, as a caller asked for it. */
export interface DeliveryRequest {
  /** A channel id, `"last"`, or undefined (= `"last"`). */
  channel?: string;
  /** Recipient on that channel; default: the session's last one (when it is on the same channel). */
  to?: string;
  accountId?: string;
  /** The session whose last route answers `"last"`. */
  sessionKey: string;
}

/** A resolved destination. */
export interface DeliveryTarget {
  /** Undefined: the `send` default (the only loaded channel). */
  channel?: ChannelId;
  to: string;
  accountId?: string;
}

/** What happened to a reply. `reason` tells "nowhere to send" apart from "sending failed". */
export type DeliveryOutcome =
  | { ok: true; channel: ChannelId; to: string; accountId?: string; messageId?: string }
  | { ok: false; reason: "no-target" | "unsupported-channel" | "send-failed"; error: string; code?: string; channel?: string; to?: string };

/** What reply delivery needs from the gateway: the channels, the session store (last routes) and a logger. */
export interface DeliveryHost {
  readonly channels: Pick<ChannelManager, "loadedChannels" | "send">;
  readonly store: Pick<Store, "getSession">;
  readonly logger: Logger;
}

/**
 * Checks at accept time what can be checked before the run: an explicit delivery channel must be one that
 * is configured here. `"last"` and no channel pass (the route is looked up when the reply exists).
 * @throws GatewayError INVALID_REQUEST "unsupported channel: <ch>" for a name we do not support;
 *   NOT_LINKED "<ch> is not configured" for a supported channel without config.
 */
export function checkDeliveryChannel(gw: DeliveryHost, channel: string | undefined): void {
  const want = channel?.trim().toLowerCase();
  if (!want || want === "last") return;
  if (!isChannelId(want)) throw new GatewayError("INVALID_REQUEST", `unsupported channel: ${channel}`);
  if (!gw.channels.loadedChannels().includes(want)) throw new GatewayError("NOT_LINKED", `${want} is not configured`, { details: { channel: want } });
}

/** The route a session recorded from its last channel message, or undefined when it has none. */
export function lastRouteOf(entry: SessionEntry | undefined): (DeliveryContext & { channel: ChannelId }) | undefined {
  if (!entry) return undefined;
  const dc = entry.deliveryContext;
  if (dc?.channel && dc.to && isChannelId(dc.channel)) return { channel: dc.channel, to: dc.to, ...(dc.accountId && { accountId: dc.accountId }) };
  const accountId = typeof entry.lastAccountId === "string" ? entry.lastAccountId : undefined;
  if (entry.lastChannel && entry.lastTo && isChannelId(entry.lastChannel)) return { channel: entry.lastChannel, to: entry.lastTo, ...(accountId && { accountId }) };
  return undefined;
}

/**
 * Resolves where a reply goes. An explicit channel must be configured here; `to` comes from the request,
 * else from the session's last route on that channel. `"last"` takes the session's last route (with the
 * request's `to`/`accountId` on top); with no route but a `to`, the `send` default channel is used.
 * @returns the target, or why there is none. Never throws.
 */
export function resolveDeliveryTarget(gw: DeliveryHost, req: DeliveryRequest): { ok: true; target: DeliveryTarget } | Extract<DeliveryOutcome, { ok: false }> {
  const want = req.channel?.trim().toLowerCase();
  const route = lastRouteOf(gw.store.getSession(req.sessionKey));
  const to = req.to?.trim();
  let channel: ChannelId | undefined;
  if (!want || want === "last") {
    channel = route?.channel;
    if (!channel && !to) return { ok: false, reason: "no-target", error: `no delivery target: session ${req.sessionKey} has no last channel route; pass channel and to` };
  } else {
    if (!isChannelId(want)) return { ok: false, reason: "unsupported-channel", error: `unsupported channel: ${req.channel}`, channel: want };
    if (!gw.channels.loadedChannels().includes(want)) return { ok: false, reason: "unsupported-channel", code: "NOT_LINKED", error: `${want} is not configured`, channel: want };
    channel = want;
  }
  const sameRoute = route && route.channel === channel ? route : undefined;
  const dest = to || sameRoute?.to;
  if (!dest) return { ok: false, reason: "no-target", error: `no delivery target: no recipient for ${channel}; pass to`, channel };
  const accountId = req.accountId?.trim() || sameRoute?.accountId;
  return { ok: true, target: { ...(channel && { channel }), to: dest, ...(accountId && { accountId }) } };
}

/**
 * Sends `text` to `target` through the channel manager. `idempotencyKey` makes a retry of the same delivery
 * a no-op (5 minutes).
 * @returns the outcome; never throws.
 */
export async function sendReply(gw: DeliveryHost, target: DeliveryTarget, text: string, idempotencyKey: string): Promise<DeliveryOutcome> {
  try {
    const res = await gw.channels.send({ channel: target.channel, accountId: target.accountId, to: target.to, message: text, idempotencyKey });
    return { ok: true, channel: res.channel, to: target.to, ...(target.accountId && { accountId: target.accountId }), messageId: res.messageId };
  } catch (err) {
    const mapped = toChannelGatewayError(err);
    return {
      ok: false,
      reason: "send-failed",
      error: toErrorMessage(mapped),
      ...(isGatewayError(mapped) && { code: mapped.code }),
      ...(target.channel && { channel: target.channel }),
      to: target.to,
    };
  }
}

/**
 * Resolves the target and sends `text` there; logs a failure (or, at debug, a success).
 * @param what names the sender in logs, e.g. `{runId}`.
 * @returns the outcome; never throws.
 */
export async function deliverReply(gw: DeliveryHost, req: DeliveryRequest, text: string, idempotencyKey: string, what: Record<string, unknown> = {}): Promise<DeliveryOutcome> {
  const log = gw.logger.child("delivery");
  const resolved = resolveDeliveryTarget(gw, req);
  const outcome = resolved.ok ? await sendReply(gw, resolved.target, text, idempotencyKey) : resolved;
  const detail = (o: DeliveryOutcome) => ({ ...what, channel: o.channel, ...(log.verbose && { to: o.to, text }) });
  if (outcome.ok) log.debug("reply delivered", { ...detail(outcome), chars: text.length });
  else log.warn(`reply not delivered: ${outcome.error}`, detail(outcome));
  return outcome;
}

/** The outcome as reported to clients (`delivery` of a final `agent` response): without internal fields. */
export function toDeliveryReport(outcome: DeliveryOutcome): Record<string, unknown> {
  if (outcome.ok) return { ok: true, channel: outcome.channel, to: outcome.to, ...(outcome.accountId && { accountId: outcome.accountId }), ...(outcome.messageId && { messageId: outcome.messageId }) };
  return { ok: false, error: outcome.error, ...(outcome.code && { code: outcome.code }), ...(outcome.channel && { channel: outcome.channel }), ...(outcome.to && { to: outcome.to }) };
}
