/**
 * The {@link ChannelHost} the adapters talk to: access control → session routing → per-session queue →
 * agent turn → reply on the same chat. The agent is reached only through the injected `runAgentTurn`,
 * so this file knows nothing of models, and the adapters know nothing of agents.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { CursorStore } from "../store/channel-cursors.ts";
import type { PairingStore } from "../store/channel-pairing.ts";
import { toErrorMessage } from "../errors.ts";
import { decideAccess, normalizePeer } from "./_access.ts";
import { resolveAccountConfig } from "./_config.ts";
import { DEFAULT_OUTBOUND_MEDIA_MAX_MB, loadOutboundMedia } from "./_media.ts";
import { resolveQueueSettings, SessionQueue } from "./_queue.ts";
import { mentionPatterns, resolveRoute } from "./_routing.ts";
import { CHANNEL_LABELS, type Channel, type ChannelHost, type ChannelId, type InboundMessage, type InboundOutcome, type OutboundTarget } from "./channel.ts";

/** One agent turn a channel asks for. */
export interface AgentTurnRequest {
  agentId: string;
  sessionKey: string;
  /** The user's text (several queued messages already coalesced into one). */
  text: string;
  /** Where it came from, for the session's `lastChannel` / `deliveryContext` and the system prompt. */
  channel: {
    channel: ChannelId;
    accountId: string;
    chatId: string;
    chatType: "direct" | "group";
    senderId: string;
    senderName?: string;
    threadId?: string;
    messageId: string;
    groupName?: string;
    mediaPaths?: string[];
  };
}

/** The agent's answer: reply text (Markdown) and optional media URLs, or an error message. */
export type AgentTurnResult = { text: string; mediaUrls?: string[] } | { error: string };

/** Runs one agent turn to completion. Must not throw (errors come back as `{error}`), but throws are handled. */
export type RunAgentTurn = (req: AgentTurnRequest) => Promise<AgentTurnResult>;

/** What the router needs. */
export interface ChannelRouterOptions {
  getConfig(): OpenClawConfig;
  pairing(): PairingStore;
  cursors(): CursorStore;
  runAgentTurn: RunAgentTurn;
  /** The running account a reply goes out on. */
  getChannel(channel: ChannelId, accountId: string): Channel | undefined;
  logger: Logger;
  /** How often "typing…" is refreshed while a turn runs (Telegram shows it ~5 s). */
  typingIntervalMs?: number;
  now?: () => number;
}

const PAIRING_RESEND_MS = 60_000;

/** Routes inbound channel messages to agent turns and sends the replies back. */
export class ChannelRouter implements ChannelHost {
  private readonly opts: ChannelRouterOptions;
  private readonly log: Logger;
  private readonly queue: SessionQueue<{ msg: InboundMessage; agentId: string }>;
  private readonly pairingSentAt = new Map<string, number>();

  constructor(opts: ChannelRouterOptions) {
    this.opts = opts;
    this.log = opts.logger.child("channels/router");
    this.queue = new SessionQueue((key, items) => this.runTurn(key, items));
  }

  async dispatchInbound(msg: InboundMessage): Promise<InboundOutcome> {
    const config = this.opts.getConfig();
    const account = resolveAccountConfig(config, msg.channel, msg.accountId);
    const peer = normalizePeer(msg.channel, msg.senderId);
    const decision = decideAccess(msg, account, (p) => this.opts.pairing().isApproved(msg.channel, p));
    if (decision.kind === "pair") return this.answerPairing(msg, peer);
    if (decision.kind === "drop") {
      this.log.debug(`dropped inbound (${decision.reason})`, { channel: msg.channel, account: msg.accountId, chatType: msg.chatType });
      return { kind: "dropped", reason: decision.reason };
    }
    const route = resolveRoute(config, msg);
    if (decision.requireMention && !msg.wasMentioned && !mentionPatterns(config, route.agentId).some((re) => re.test(msg.text))) {
      return { kind: "dropped", reason: "no mention" };
    }
    if (msg.fetchMedia) {
      try {
        msg.media = await msg.fetchMedia();
      } catch (err) {
        this.log.warn(`inbound media download failed: ${toErrorMessage(err)}`, { channel: msg.channel });
      }
    }
    const state = this.queue.enqueue(route.sessionKey, { msg, agentId: route.agentId }, resolveQueueSettings(config, msg.channel));
    if (state === "dropped") return { kind: "dropped", reason: "queue full" };
    this.log.debug(`inbound ${state}`, { channel: msg.channel, session: route.sessionKey });
    return { kind: "queued", sessionKey: route.sessionKey, agentId: route.agentId };
  }

  loadCursor(channel: ChannelId, accountId: string, key: string): number | undefined {
    return this.opts.cursors().get(channel, accountId, key);
  }

  saveCursor(channel: ChannelId, accountId: string, key: string, value: number): void {
    this.opts.cursors().set(channel, accountId, key, value);
  }

  /** Resolves when no turn is running or waiting (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Drops waiting messages; running turns finish. */
  stop(): void {
    this.queue.stop();
  }

  // --- internal ---

  private async answerPairing(msg: InboundMessage, peer: string): Promise<InboundOutcome> {
    const meta: Record<string, string> = {};
    if (msg.senderName) meta.name = msg.senderName;
    if (msg.senderUsername) meta.username = msg.senderUsername;
    const res = this.opts.pairing().request(msg.channel, peer, msg.accountId, meta);
    if (res.kind === "full") {
      this.log.info("pairing request ignored: too many pending requests", { channel: msg.channel });
      return { kind: "dropped", reason: "pairing queue full" };
    }
    const { request, created } = res;
    const key = `${msg.channel}:${peer}`;
    const now = (this.opts.now ?? Date.now)();
    if (created || now - (this.pairingSentAt.get(key) ?? 0) >= PAIRING_RESEND_MS) {
      this.pairingSentAt.set(key, now);
      if (created) this.log.info(`pairing requested on ${msg.channel} (code ${request.code}); approve with: openclaw pairing approve ${msg.channel} ${request.code}`);
      const channel = this.opts.getChannel(msg.channel, msg.accountId);
      const idLabel = msg.channel === "whatsapp" ? "phone number" : "user id";
      const text = [
        "OpenClaw: access not configured.",
        `Your ${CHANNEL_LABELS[msg.channel]} ${idLabel}: ${peer}`,
        `Pairing code: ${request.code}`,
        `Ask the bot owner to approve with:\nopenclaw pairing approve ${msg.channel} ${request.code}`,
      ].join("\n\n");
      try {
        await channel?.send({ chatId: msg.chatId }, { text });
      } catch (err) {
        this.log.warn(`could not send pairing code: ${toErrorMessage(err)}`, { channel: msg.channel });
      }
    }
    return { kind: "pairing", code: request.code, created };
  }

  private async runTurn(sessionKey: string, items: { msg: InboundMessage; agentId: string }[]): Promise<void> {
    const last = items[items.length - 1];
    const { msg, agentId } = last;
    const channel = this.opts.getChannel(msg.channel, msg.accountId);
    const target: OutboundTarget = {
      chatId: msg.chatId,
      threadId: msg.threadId,
      // In a group, answer as a reply so it is clear whom the agent talks to.
      replyToMessageId: msg.chatType === "group" ? msg.messageId : undefined,
    };
    const typing = this.startTyping(channel, target);
    let result: AgentTurnResult;
    try {
      result = await this.opts.runAgentTurn({
        agentId,
        sessionKey,
        text: coalesce(items.map((i) => i.msg)),
        channel: {
          channel: msg.channel,
          accountId: msg.accountId,
          chatId: msg.chatId,
          chatType: msg.chatType,
          senderId: normalizePeer(msg.channel, msg.senderId),
          senderName: msg.senderName,
          threadId: msg.threadId,
          messageId: msg.messageId,
          groupName: msg.groupName,
          mediaPaths: items.flatMap((i) => (i.msg.media ?? []).flatMap((m) => (m.path ? [m.path] : []))),
        },
      });
    } catch (err) {
      result = { error: toErrorMessage(err) };
    } finally {
      typing();
    }
    if (!channel) {
      this.log.warn("reply dropped: channel account stopped during the turn", { channel: msg.channel, account: msg.accountId });
      return;
    }
    try {
      if ("error" in result) {
        this.log.warn(`agent turn failed: ${result.error}`, { session: sessionKey });
        await channel.send(target, { text: `⚠️ Agent failed before reply: ${result.error}` });
        return;
      }
      const config = this.opts.getConfig();
      const maxMb = (config.agents?.defaults as { mediaMaxMb?: number } | undefined)?.mediaMaxMb ?? DEFAULT_OUTBOUND_MEDIA_MAX_MB;
      const media = await Promise.all((result.mediaUrls ?? []).map((u) => loadOutboundMedia(msg.channel, u, maxMb * 1024 * 1024)));
      if (result.text.trim() || media.length > 0) await channel.send(target, { text: result.text, media });
    } catch (err) {
      this.log.warn(`reply failed: ${toErrorMessage(err)}`, { channel: msg.channel, session: sessionKey });
    }
  }

  private startTyping(channel: Channel | undefined, target: OutboundTarget): () => void {
    if (!channel?.sendTyping) return () => {};
    const tick = () => void channel.sendTyping?.(target).catch(() => {});
    tick();
    const timer = setInterval(tick, this.opts.typingIntervalMs ?? 4000);
    return () => clearInterval(timer);
  }
}

/**
 * The text of one turn: a lone message as is (group messages prefixed with the sender's name); several
 * queued ones as a numbered list so the agent sees what arrived while it was busy.
 */
export function coalesce(msgs: InboundMessage[]): string {
  const body = (m: InboundMessage) => (m.chatType === "group" && m.senderName ? `${m.senderName}: ${m.text}` : m.text);
  if (msgs.length === 1) return body(msgs[0]);
  return ["[Queued messages while agent was busy]", ...msgs.map((m, i) => `---\nQueued #${i + 1}\n${body(m)}`)].join("\n\n");
}
