/**
 * The {@link ChannelHost} the adapters talk to: access control → session routing → per-session queue →
 * agent turn → reply on the same chat. The agent is reached only through the injected `runAgentTurn`,
 * so this file knows nothing of models, and the adapters know nothing of agents.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { CursorStore } from "../store/channel-cursors.ts";
import type { InboundRow, InboundStore } from "../store/channel-inbound.ts";
import type { PairingStore } from "../store/channel-pairing.ts";
import { toErrorMessage } from "../errors.ts";
import { type AccessDecision, decideAccess, normalizePeer, type SenderStanding, senderStanding } from "./_access.ts";
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
  /**
   * The identity of the inbound message(s) of this turn (their row ids in the inbound queue). A turn
   * interrupted by a stop runs again with the same key, so the agent recognises a message it already has.
   */
  inboundKey: string;
  /** Where it came from, for the session's `lastChannel` / `deliveryContext` and the system prompt. */
  channel: {
    channel: ChannelId;
    accountId: string;
    chatId: string;
    chatType: "direct" | "group";
    senderId: string;
    senderName?: string;
    /** The sender is an owner (see `senderStanding`): the linked account, `commands.ownerAllowFrom` or a concrete `allowFrom` entry. */
    senderIsOwner: boolean;
    /** The sender is named by a concrete allowlist entry of this chat or approved by pairing. */
    senderAllowlisted: boolean;
    threadId?: string;
    messageId: string;
    groupName?: string;
    mediaPaths?: string[];
  };
}

/**
 * The agent's answer: reply text (Markdown) and optional media URLs, or an error message, or "aborted"
 * (nothing is sent then: a cut-off reply is never passed off as the answer). `interrupted` marks an abort
 * by a gateway stop, after which the turn runs again.
 */
export type AgentTurnResult = { text: string; mediaUrls?: string[] } | { error: string } | { aborted: true; interrupted?: boolean };

/** Runs one agent turn to completion. Must not throw (errors come back as `{error}`), but throws are handled. */
export type RunAgentTurn = (req: AgentTurnRequest) => Promise<AgentTurnResult>;

/**
 * A chat command the gateway answers without a model turn: `/approve <args>` from a sender the channel lets
 * command the agent (owner or allowlisted).
 */
export interface ChatCommandRequest {
  name: "approve";
  args: string;
  channel: AgentTurnRequest["channel"];
}

/** Answers a {@link ChatCommandRequest}; resolves with the reply for the chat. */
export type HandleChatCommand = (req: ChatCommandRequest) => Promise<string> | string;

/** A `/stop` from a sender the channel lets command the agent: the session the chat routes to, and who asked. */
export interface StopRunsRequest {
  agentId: string;
  sessionKey: string;
  channel: AgentTurnRequest["channel"];
}

/** Stops the runs of a session and the sub-agent runs they spawned. @returns how many of each were stopped. */
export type StopSessionRuns = (req: StopRunsRequest) => { runs: number; subagents: number } | Promise<{ runs: number; subagents: number }>;

/** What the router needs. */
export interface ChannelRouterOptions {
  getConfig(): OpenClawConfig;
  pairing(): PairingStore;
  cursors(): CursorStore;
  /** The durable inbound queue (state DB). */
  inbound(): InboundStore;
  runAgentTurn: RunAgentTurn;
  /** Answers `/approve`; without it the text goes to the agent like any other message. */
  chatCommand?: HandleChatCommand;
  /** Carries out `/stop`; without it the text goes to the agent like any other message. */
  stopRuns?: StopSessionRuns;
  /** The running account a reply goes out on. */
  getChannel(channel: ChannelId, accountId: string): Channel | undefined;
  logger: Logger;
  /** How often "typing…" is refreshed while a turn runs (Telegram shows it ~5 s). */
  typingIntervalMs?: number;
  now?: () => number;
}

const PAIRING_RESEND_MS = 60_000;
/** A message still waiting after this long when the gateway starts again is dropped as too old. */
export const INBOUND_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** A message whose turn was interrupted this many times is given up (it may be what stops the gateway). */
export const INBOUND_MAX_ATTEMPTS = 3;
/** How long a finished turn waits for its account to be (re)connected before sending anyway. */
const CHANNEL_WAIT_MS = 15_000;
/** How long a stop waits for replies already being sent. */
const DELIVERY_DRAIN_MS = 10_000;

/**
 * One queued message: the recorded row it belongs to and the agent that answers it. A message whose turn
 * a stop interrupted is `resumed`; `with` holds the messages that shared that turn: they run together
 * again, as the same turn.
 */
type Item = { msg: InboundMessage; agentId: string; rowId: number; with?: Item[]; resumed?: boolean };

/** Routes inbound channel messages to agent turns and sends the replies back. */
export class ChannelRouter implements ChannelHost {
  private readonly opts: ChannelRouterOptions;
  private readonly log: Logger;
  private readonly queue: SessionQueue<Item>;
  private readonly pairingSentAt = new Map<string, number>();
  /** Rows queued or running in this process (recovery skips them). */
  private readonly live = new Set<number>();
  /** Replies being sent; a stop lets them finish so a sent reply is also marked done. */
  private readonly deliveries = new Set<Promise<void>>();
  private stopped = false;

  constructor(opts: ChannelRouterOptions) {
    this.opts = opts;
    this.log = opts.logger.child("channels/router");
    this.queue = new SessionQueue((key, items) => this.runTurn(key, items), {
      onDrop: (_key, item) => this.finishDropped(item, "queue full (messages.queue.cap); the oldest waiting message was dropped"),
      // An interrupted turn runs again as it was (same messages, same inbound key), never merged into another.
      alone: (item) => item.resumed === true,
    });
  }

  async dispatchInbound(msg: InboundMessage): Promise<InboundOutcome> {
    const config = this.opts.getConfig();
    const account = resolveAccountConfig(config, msg.channel, msg.accountId);
    const peer = normalizePeer(msg.channel, msg.senderId);
    const decision = decideAccess(msg, account, (p) => this.opts.pairing().isApproved(msg.channel, p));
    const command = this.opts.chatCommand ? parseChatCommand(msg.text) : undefined;
    if (command) return this.runChatCommand(msg, command, decision);
    if (this.opts.stopRuns && isStopFor(msg)) return this.runStop(msg, decision);
    if (decision.kind === "pair") return this.answerPairing(msg, peer);
    if (decision.kind === "drop") return this.drop(msg, decision.reason);
    const route = resolveRoute(config, msg);
    if (decision.requireMention && !msg.wasMentioned && !mentionPatterns(config, route.agentId).some((re) => re.test(msg.text))) {
      return this.drop(msg, "no mention");
    }
    const inbound = this.opts.inbound();
    const dedupeKey = dedupeKeyOf(msg);
    // Checked before the media download: a redelivered message costs no second download.
    if (inbound.has(msg.channel, msg.accountId, dedupeKey)) {
      this.logDrop(msg, "duplicate (already received)");
      return { kind: "duplicate" };
    }
    if (msg.fetchMedia) {
      try {
        msg.media = await msg.fetchMedia();
      } catch (err) {
        this.log.warn(`inbound media download failed: ${toErrorMessage(err)}`, { channel: msg.channel });
      }
    }
    // Recorded before this resolves, i.e. before the adapter acknowledges it (offset, read receipt).
    const rowId = inbound.add({ channel: msg.channel, accountId: msg.accountId, dedupeKey, sessionKey: route.sessionKey, agentId: route.agentId, body: toStoredMessage(msg) });
    if (rowId === undefined) {
      this.logDrop(msg, "duplicate (already received)");
      return { kind: "duplicate" };
    }
    if (this.stopped) {
      // Stopping: the row waits in the state DB and runs after the next start.
      this.log.info("inbound message kept for the next start (gateway stopping)", this.fieldsOf(msg));
      return { kind: "queued", sessionKey: route.sessionKey, agentId: route.agentId };
    }
    const state = this.enqueue(route.sessionKey, { msg, agentId: route.agentId, rowId });
    if (state === "dropped") return { kind: "dropped", reason: "queue full" };
    this.log.debug(`inbound ${state}`, { channel: msg.channel, session: route.sessionKey });
    return { kind: "queued", sessionKey: route.sessionKey, agentId: route.agentId };
  }

  /**
   * Queues again what the state DB still holds for an account (messages a stop or crash left waiting or
   * running), in arrival order. Called when the account has started. Rows older than
   * {@link INBOUND_MAX_AGE_MS} or interrupted {@link INBOUND_MAX_ATTEMPTS} times are dropped with a log line.
   * @returns how many were queued.
   */
  recover(channel: ChannelId, accountId: string): number {
    if (this.stopped) return 0;
    const inbound = this.opts.inbound();
    const now = (this.opts.now ?? Date.now)();
    const items: { sessionKey: string; item: Item }[] = [];
    /** The interrupted turn of each session: rows left `running` ran as one turn (one turn per session at a time). */
    const interrupted = new Map<string, Item>();
    for (const row of inbound.listOpen(channel, accountId)) {
      if (this.live.has(row.id)) continue;
      const msg = fromStoredMessage(row);
      if (!msg) {
        inbound.markDone([row.id]);
        this.log.warn("dropped inbound message: its stored copy is unreadable", { channel, account: accountId, row: row.id });
        continue;
      }
      if (now - row.receivedAt > INBOUND_MAX_AGE_MS) {
        this.finishDropped({ msg, agentId: row.agentId, rowId: row.id }, `too old (received ${Math.round((now - row.receivedAt) / 3_600_000)} h ago)`);
        continue;
      }
      if (row.attempts >= INBOUND_MAX_ATTEMPTS) {
        this.finishDropped({ msg, agentId: row.agentId, rowId: row.id }, `its turn was interrupted ${row.attempts} times`);
        continue;
      }
      const item: Item = { msg, agentId: row.agentId, rowId: row.id, ...(row.status === "running" && { resumed: true }) };
      const turn = row.status === "running" ? interrupted.get(row.sessionKey) : undefined;
      if (turn) (turn.with ??= []).push(item);
      else items.push({ sessionKey: row.sessionKey, item });
      if (row.status === "running" && !turn) interrupted.set(row.sessionKey, item);
    }
    let queued = 0;
    for (const { sessionKey, item } of items) if (this.enqueue(sessionKey, item) !== "dropped") queued += rowsOf([item]).length;
    if (queued > 0) this.log.info(`re-queued ${queued} inbound message(s) left waiting or interrupted by the last stop`, { channel, account: accountId });
    return queued;
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

  /**
   * Stops taking turns: waiting messages stay in the state DB for the next start, turns still running
   * deliver nothing (they run again after the restart), replies already being sent finish (bounded).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    if (this.deliveries.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled([...this.deliveries]), new Promise<void>((r) => (timer = setTimeout(r, DELIVERY_DRAIN_MS)))]);
    clearTimeout(timer);
  }

  // --- internal ---

  private async answerPairing(msg: InboundMessage, peer: string): Promise<InboundOutcome> {
    const meta: Record<string, string> = {};
    if (msg.senderName) meta.name = msg.senderName;
    if (msg.senderUsername) meta.username = msg.senderUsername;
    const res = this.opts.pairing().request(msg.channel, peer, msg.accountId, meta);
    if (res.kind === "full") return this.drop(msg, "pairing: too many pending requests");
    const { request, created } = res;
    const key = `${msg.channel}:${peer}`;
    const now = (this.opts.now ?? Date.now)();
    if (created || now - (this.pairingSentAt.get(key) ?? 0) >= PAIRING_RESEND_MS) {
      this.pairingSentAt.set(key, now);
      if (created) this.log.info(`pairing requested on ${msg.channel} (code ${request.code}); approve with: openclaw pairing approve ${msg.channel} ${request.code}`, this.fieldsOf(msg));
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
    // The sender is not let in: the message itself goes nowhere. One line says so (the request above, or this).
    if (!created) this.logDrop(msg, "sender awaits pairing approval");
    return { kind: "pairing", code: request.code, created };
  }

  /**
   * `/approve`: never a model turn. From a sender who may command the agent (an owner, or allowlisted and let
   * in by the channel's policy) it goes to the gateway and the answer is sent back; anyone else's is dropped
   * with one log line (no body). Not recorded in the inbound queue: it answers a question that waits now.
   */
  private async runChatCommand(msg: InboundMessage, command: { name: "approve"; args: string }, decision: AccessDecision): Promise<InboundOutcome> {
    const standing = this.standingOf(msg);
    if (!standing.owner && !(decision.kind === "allow" && standing.allowlisted)) return this.drop(msg, `/${command.name} from a sender not allowed to command the agent`);
    let reply: string;
    try {
      reply = await (this.opts.chatCommand as HandleChatCommand)({ ...command, channel: turnChannelOf(msg, standing) });
    } catch (err) {
      reply = `/${command.name} failed: ${toErrorMessage(err)}`;
    }
    const target = replyTargetOf(msg);
    try {
      await this.opts.getChannel(msg.channel, msg.accountId)?.send(target, { text: reply });
    } catch (err) {
      this.log.warn(`could not send the /${command.name} answer: ${toErrorMessage(err)}`, { channel: msg.channel });
    }
    return { kind: "dropped", reason: `/${command.name} handled by the gateway` };
  }

  /**
   * `/stop`: never a model turn and never queued behind the turn it stops. From a sender who may command the
   * agent (as for `/approve`) it stops the runs of the session the chat routes to and the sub-agents they
   * spawned, drops the messages waiting for that session (marked done, one log line each), and answers with
   * what it stopped; anyone else's is dropped with one log line (no body).
   */
  private async runStop(msg: InboundMessage, decision: AccessDecision): Promise<InboundOutcome> {
    const standing = this.standingOf(msg);
    if (!standing.owner && !(decision.kind === "allow" && standing.allowlisted)) return this.drop(msg, "/stop from a sender not allowed to command the agent");
    const route = resolveRoute(this.opts.getConfig(), msg);
    const waiting = this.queue.clear(route.sessionKey);
    for (const item of waiting) this.finishDropped(item, "/stop dropped it before its turn");
    let reply: string;
    try {
      const stopped = await (this.opts.stopRuns as StopSessionRuns)({ agentId: route.agentId, sessionKey: route.sessionKey, channel: turnChannelOf(msg, standing) });
      reply = describeStop(stopped, rowsOf(waiting).length);
      this.log.info(`/stop: ${stopped.runs} run(s), ${stopped.subagents} sub-agent run(s), ${rowsOf(waiting).length} waiting message(s)`, { channel: msg.channel, session: route.sessionKey });
    } catch (err) {
      reply = `/stop failed: ${toErrorMessage(err)}`;
    }
    try {
      await this.opts.getChannel(msg.channel, msg.accountId)?.send(replyTargetOf(msg), { text: reply });
    } catch (err) {
      this.log.warn(`could not send the /stop answer: ${toErrorMessage(err)}`, { channel: msg.channel });
    }
    return { kind: "dropped", reason: "/stop handled by the gateway" };
  }

  private async runTurn(sessionKey: string, queued: Item[]): Promise<void> {
    const items = rowsOf(queued);
    const ids = items.map((i) => i.rowId);
    try {
      await this.turn(sessionKey, items, ids);
    } finally {
      for (const id of ids) this.live.delete(id);
    }
  }

  private async turn(sessionKey: string, items: Item[], ids: number[]): Promise<void> {
    const last = items[items.length - 1];
    const { msg, agentId } = last;
    try {
      this.opts.inbound().markRunning(ids);
    } catch (err) {
      // The turn still runs; the rows stay "received" and would only run again after a restart.
      this.log.warn(`could not mark inbound messages running: ${toErrorMessage(err)}`, { channel: msg.channel });
    }
    const target = replyTargetOf(msg);
    const typing = this.startTyping(this.opts.getChannel(msg.channel, msg.accountId), target);
    const standing = this.standingOf(msg);
    let result: AgentTurnResult;
    try {
      result = await this.opts.runAgentTurn({
        agentId,
        sessionKey,
        text: coalesce(items.map((i) => i.msg)),
        inboundKey: `inbound:${[...ids].sort((a, b) => a - b).join(",")}`,
        channel: {
          ...turnChannelOf(msg, standing),
          mediaPaths: items.flatMap((i) => (i.msg.media ?? []).flatMap((m) => (m.path ? [m.path] : []))),
        },
      });
    } catch (err) {
      result = { error: toErrorMessage(err) };
    } finally {
      typing();
    }
    if (this.stopped || ("aborted" in result && result.interrupted)) {
      // Whatever the run produced is not the answer: the rows stay "running" and run again after the start.
      this.log.info(`turn interrupted by a gateway stop; its ${ids.length} message(s) run again after the restart`, { channel: msg.channel, session: sessionKey });
      return;
    }
    if ("aborted" in result) {
      this.markDone(ids, msg.channel);
      this.log.info("turn aborted; no reply sent", { channel: msg.channel, session: sessionKey });
      return;
    }
    const delivery = this.deliver(sessionKey, msg, target, result, ids);
    this.deliveries.add(delivery);
    try {
      await delivery;
    } finally {
      this.deliveries.delete(delivery);
    }
  }

  /** The sender's standing under the live config (owner, allowlisted). */
  private standingOf(msg: InboundMessage): SenderStanding {
    const config = this.opts.getConfig();
    const account = resolveAccountConfig(config, msg.channel, msg.accountId);
    const owners = (config.commands as { ownerAllowFrom?: (string | number)[] } | undefined)?.ownerAllowFrom;
    return senderStanding(msg, account, owners, (p) => this.opts.pairing().isApproved(msg.channel, p));
  }

  /** Sends the reply (or the failure notice) and marks the rows done. Never throws. */
  private async deliver(sessionKey: string, msg: InboundMessage, target: OutboundTarget, result: { text: string; mediaUrls?: string[] } | { error: string }, ids: number[]): Promise<void> {
    const channel = await this.waitForChannel(msg.channel, msg.accountId);
    if (!channel) {
      // Kept: the rows stay open and run again when the account starts.
      this.log.warn("reply held: the channel account is not running; the message runs again when it starts", { channel: msg.channel, account: msg.accountId });
      return;
    }
    try {
      if ("error" in result) {
        this.log.warn(`agent turn failed: ${result.error}`, { session: sessionKey });
        await channel.send(target, { text: `⚠️ Agent failed before reply: ${result.error}` });
      } else {
        const config = this.opts.getConfig();
        const maxMb = (config.agents?.defaults as { mediaMaxMb?: number } | undefined)?.mediaMaxMb ?? DEFAULT_OUTBOUND_MEDIA_MAX_MB;
        const media = await Promise.all((result.mediaUrls ?? []).map((u) => loadOutboundMedia(msg.channel, u, maxMb * 1024 * 1024)));
        if (result.text.trim() || media.length > 0) await channel.send(target, { text: result.text, media });
      }
    } catch (err) {
      this.log.warn(`reply failed: ${toErrorMessage(err)}`, { channel: msg.channel, session: sessionKey });
    }
    this.markDone(ids, msg.channel);
  }

  /** Marks rows done; a failed write is logged (the rows would run again after a restart), never thrown. */
  private markDone(ids: number[], channel: ChannelId): void {
    try {
      this.opts.inbound().markDone(ids);
    } catch (err) {
      this.log.warn(`could not mark inbound messages done: ${toErrorMessage(err)}`, { channel });
    }
  }

  /** The running account, once it is connected (bounded by {@link CHANNEL_WAIT_MS}); undefined when it is not running. */
  private async waitForChannel(channel: ChannelId, accountId: string): Promise<Channel | undefined> {
    const ready = () => {
      const c = this.opts.getChannel(channel, accountId);
      return c && c.snapshot().connected !== false ? c : undefined;
    };
    const deadline = Date.now() + CHANNEL_WAIT_MS;
    while (!ready() && !this.stopped && Date.now() < deadline) await Bun.sleep(100);
    return ready() ?? this.opts.getChannel(channel, accountId);
  }

  private enqueue(sessionKey: string, item: Item): "started" | "queued" | "dropped" {
    for (const i of rowsOf([item])) this.live.add(i.rowId);
    const state = this.queue.enqueue(sessionKey, item, resolveQueueSettings(this.opts.getConfig(), item.msg.channel));
    if (state === "dropped") this.finishDropped(item, "queue full (messages.queue.cap, drop: new)");
    return state;
  }

  /** A recorded message that will not run: done, with one log line. */
  private finishDropped(item: Item, reason: string): void {
    for (const i of rowsOf([item])) {
      this.live.delete(i.rowId);
      this.markDone([i.rowId], i.msg.channel);
      this.logDrop(i.msg, reason);
    }
  }

  private drop(msg: InboundMessage, reason: string): InboundOutcome {
    this.logDrop(msg, reason);
    return { kind: "dropped", reason };
  }

  /** The one line a message dropped on purpose leaves. Sender and text only with --verbose. */
  private logDrop(msg: InboundMessage, reason: string): void {
    this.log.info(`dropped inbound message: ${reason}`, this.fieldsOf(msg));
  }

  private fieldsOf(msg: InboundMessage): Record<string, unknown> {
    return {
      channel: msg.channel,
      account: msg.accountId,
      chatType: msg.chatType,
      messageId: msg.messageId,
      ...(this.log.verbose && { chatId: msg.chatId, sender: msg.senderId, text: msg.text }),
    };
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

/**
 * A chat command the gateway handles itself: `/approve` (also `/approve@botname` in Telegram groups).
 * @returns undefined for any other text.
 */
export function parseChatCommand(text: string): { name: "approve"; args: string } | undefined {
  const m = /^\/approve(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  return m ? { name: "approve", args: (m[1] ?? "").trim() } : undefined;
}

/**
 * True for a message that is only `/stop` (any case; `/stop@bot` in Telegram): in a group, a `/stop@name`
 * that does not address this bot is someone else's command.
 */
export function isStopFor(msg: Pick<InboundMessage, "text" | "chatType" | "wasMentioned">): boolean {
  const m = /^\/stop(@[A-Za-z0-9_]+)?$/i.exec(msg.text.trim());
  if (!m) return false;
  return !(m[1] && msg.chatType === "group" && msg.wasMentioned === false);
}

/** The answer to `/stop`: what it stopped, or that nothing was running. */
function describeStop(stopped: { runs: number; subagents: number }, dropped: number): string {
  const parts: string[] = [];
  if (stopped.runs > 0) parts.push(stopped.runs === 1 ? "the running turn" : `${stopped.runs} runs`);
  if (stopped.subagents > 0) parts.push(stopped.subagents === 1 ? "1 sub-agent" : `${stopped.subagents} sub-agents`);
  const head = parts.length > 0 ? `⏹️ Stopped ${parts.join(" and ")}.` : "⏹️ Nothing was running.";
  return dropped > 0 ? `${head} ${dropped === 1 ? "1 waiting message was" : `${dropped} waiting messages were`} dropped.` : head;
}

/** Queued items with the messages each carries from an interrupted turn, in order. */
function rowsOf(items: Item[]): Item[] {
  return items.flatMap((i) => [i, ...(i.with ?? [])]);
}

/** What identifies a message to its channel: Telegram message ids are per chat, so the chat is part of it. */
function dedupeKeyOf(msg: InboundMessage): string {
  return msg.messageId ? `${msg.chatId}:${msg.messageId}` : `${msg.chatId}:no-id:${crypto.randomUUID()}`;
}

/** The message as stored: everything but the download callback. */
function toStoredMessage(msg: InboundMessage): Record<string, unknown> {
  const { fetchMedia: _fetch, ...rest } = msg;
  return rest as unknown as Record<string, unknown>;
}

/** A stored message back, or undefined when the row does not hold one. */
function fromStoredMessage(row: InboundRow): InboundMessage | undefined {
  const b = row.body;
  if (!b || b.channel !== row.channel || b.accountId !== row.accountId) return undefined;
  for (const k of ["chatId", "senderId", "messageId", "text", "chatType"]) if (typeof b[k] !== "string") return undefined;
  return b as unknown as InboundMessage;
}

/** Where a turn came from, as the agent (and a chat command) sees it: the chat, the sender and its standing. */
function turnChannelOf(msg: InboundMessage, standing: SenderStanding): AgentTurnRequest["channel"] {
  return {
    channel: msg.channel,
    accountId: msg.accountId,
    chatId: msg.chatId,
    chatType: msg.chatType,
    senderId: normalizePeer(msg.channel, msg.senderId),
    senderName: msg.senderName,
    senderIsOwner: standing.owner,
    senderAllowlisted: standing.allowlisted,
    threadId: msg.threadId,
    messageId: msg.messageId,
    groupName: msg.groupName,
  };
}

/** Where the answer to `msg` goes. In a group it is a reply, so it is clear whom the agent talks to. */
function replyTargetOf(msg: InboundMessage): OutboundTarget {
  return { chatId: msg.chatId, threadId: msg.threadId, replyToMessageId: msg.chatType === "group" ? msg.messageId : undefined };
}
