/**
 * Telegram through grammY's Bot API client: long polling (one poller per token, offsets persisted) or a
 * webhook, inbound messages to the host, Markdown replies as Telegram HTML with a plain-text fallback.
 * The only folder that imports grammY.
 */
import { Api, GrammyError, HttpError, InputFile } from "grammy";
import type { Message, Update, UserFromGetMe } from "grammy/types";
import type { TelegramAccountConfig } from "../../config/channels-schema.ts";
import { toErrorMessage } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import { type BackoffPolicy, computeBackoff, sleepUnlessAborted } from "../../util/backoff.ts";
import { chunkText, DEFAULT_TEXT_CHUNK_LIMIT } from "../_chunk.ts";
import { extensionFor, readCapped, saveInboundMedia } from "../_media.ts";
import {
  type AccountSnapshot,
  type Channel,
  ChannelApiError,
  ChannelInputError,
  type ChannelOptions,
  ChannelTransportError,
  type InboundMedia,
  type OutboundMessage,
  type OutboundTarget,
  type SendResult,
} from "../channel.ts";
import { toTelegramHtml } from "./_format.ts";
import { toInboundMessage, type TelegramFileRef } from "./_inbound.ts";
import { acquirePollLock } from "./_poll-lock.ts";
import { botIdOf, resolveTelegramToken, type TelegramToken } from "./_token.ts";
import { startWebhookListener, type WebhookListener } from "./_webhook.ts";

export { toTelegramHtml } from "./_format.ts";
export { isPollLocked } from "./_poll-lock.ts";

/** Telegram's hard limit per message. */
export const TELEGRAM_TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** getFile only serves files up to 20 MB. */
const DEFAULT_INBOUND_MAX_MB = 20;
const DEFAULT_API_ROOT = "https://api.telegram.org";
const ALLOWED_UPDATES = ["message"] as const;
/** Tries to record one update before it is given up (so one poison update cannot stall the bot). */
const MAX_UPDATE_TRIES = 5;
const DEFAULT_POLL_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2, maxAttempts: 0 };

/** Factory options: the common ones plus test seams. */
export interface TelegramChannelOptions extends ChannelOptions<TelegramAccountConfig> {
  /** Retry policy of the poll loop after errors (409, network). */
  pollBackoff?: BackoffPolicy;
}

/** Creates the Telegram adapter for one account. */
export function createTelegramChannel(opts: TelegramChannelOptions): Channel {
  return new TelegramChannel(opts);
}

type State = {
  running: boolean;
  connected: boolean;
  lastError: string | null;
  lastStartAt: number | null;
  lastStopAt: number | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  lastProbeAt: number | null;
  probe?: { ok: boolean; bot?: { id: number; username: string }; error?: string };
  conflicts: number;
};

class TelegramChannel implements Channel {
  readonly id = "telegram" as const;
  readonly accountId: string;
  private readonly opts: TelegramChannelOptions;
  private readonly log: Logger;
  private readonly token: TelegramToken;
  private readonly apiRoot: string;
  private api?: Api;
  private me?: UserFromGetMe;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private releaseLock?: () => void;
  private webhook?: WebhookListener;
  private mode: "polling" | "webhook" = "polling";
  private readonly state: State = {
    running: false,
    connected: false,
    lastError: null,
    lastStartAt: null,
    lastStopAt: null,
    lastInboundAt: null,
    lastOutboundAt: null,
    lastProbeAt: null,
    conflicts: 0,
  };

  constructor(opts: TelegramChannelOptions) {
    this.opts = opts;
    this.accountId = opts.accountId;
    this.log = opts.logger;
    this.token = resolveTelegramToken(opts.account, opts.accountId, opts.env ?? process.env);
    this.apiRoot = (opts.account.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, "");
    if (this.token.error) this.state.lastError = this.token.error;
  }

  async start(): Promise<void> {
    const token = this.token.token;
    if (!token) {
      this.log.warn(`no bot token for account ${this.accountId} (set channels.telegram.botToken, tokenFile or TELEGRAM_BOT_TOKEN)`);
      return;
    }
    const account = this.opts.account;
    this.api = new Api(token, { apiRoot: this.apiRoot, timeoutSeconds: account.timeoutSeconds ?? 60 });
    try {
      this.me = await this.api.getMe();
    } catch (err) {
      throw this.toChannelError(err, "getMe");
    }
    this.state.probe = { ok: true, bot: { id: this.me.id, username: this.me.username } };
    this.state.lastProbeAt = Date.now();
    this.state.lastError = null;

    if (account.webhookUrl) {
      if (!account.webhookSecret) {
        this.state.lastError = "webhookUrl is set without webhookSecret; refusing to accept unauthenticated webhooks";
        this.log.error(this.state.lastError);
        return;
      }
      this.mode = "webhook";
      this.webhook = startWebhookListener({
        host: account.webhookHost ?? "0.0.0.0",
        port: account.webhookPort ?? 8787,
        path: account.webhookPath ?? "/telegram-webhook",
        secret: account.webhookSecret,
        onUpdate: (u) => this.handleWebhookUpdate(u),
      });
      await this.call("setWebhook", (api) => api.setWebhook(account.webhookUrl as string, { secret_token: account.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] }));
      this.state.connected = true;
      this.log.info(`webhook mode: listening on port ${this.webhook.port}, bot @${this.me.username}`);
    } else {
      this.mode = "polling";
      // getUpdates fails while a webhook is set.
      await this.call("deleteWebhook", (api) => api.deleteWebhook({ drop_pending_updates: false }));
      const abort = new AbortController();
      let loopDone!: () => void;
      const done = new Promise<void>((r) => (loopDone = r));
      this.abort = abort;
      let takenOver = false;
      this.releaseLock = await acquirePollLock(
        token,
        () => {
          takenOver = true;
          abort.abort();
        },
        done,
      );
      this.loop = this.pollLoop(abort.signal).finally(() => {
        if (takenOver) {
          // Another account or instance in this process polls the same token now.
          this.state.running = false;
          this.state.connected = false;
          this.state.lastError = "stopped polling: another poller in this gateway took over this bot token";
          this.log.warn(this.state.lastError);
        }
        loopDone();
      });
      // getMe and deleteWebhook just worked: connected until a poll fails.
      this.state.connected = true;
      this.log.info(`polling as @${this.me.username}`);
    }
    this.state.running = true;
    this.state.lastStartAt = Date.now();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop?.catch(() => {});
    this.releaseLock?.();
    this.releaseLock = undefined;
    this.webhook?.stop();
    this.webhook = undefined;
    if (this.state.running) this.state.lastStopAt = Date.now();
    this.state.running = false;
    this.state.connected = false;
  }

  snapshot(): AccountSnapshot {
    const account = this.opts.getAccount();
    return {
      accountId: this.accountId,
      name: account.name,
      enabled: account.enabled !== false,
      configured: this.token.token !== undefined,
      running: this.state.running,
      connected: this.state.connected,
      mode: this.mode,
      tokenSource: this.token.source,
      lastError: this.state.lastError,
      lastStartAt: this.state.lastStartAt,
      lastStopAt: this.state.lastStopAt,
      lastInboundAt: this.state.lastInboundAt,
      lastOutboundAt: this.state.lastOutboundAt,
      lastProbeAt: this.state.lastProbeAt,
      dmPolicy: account.dmPolicy ?? "pairing",
      allowFrom: (account.allowFrom ?? []).map(String),
      ...(this.webhook && { port: this.webhook.port }),
      ...(this.state.probe && { probe: this.state.probe }),
      ...(this.state.conflicts > 0 && { pollConflicts: this.state.conflicts }),
    };
  }

  async probe(): Promise<unknown> {
    if (!this.api) return (this.state.probe = { ok: false, error: this.token.token ? "not started" : "no bot token" });
    try {
      const me = await this.api.getMe();
      this.state.probe = { ok: true, bot: { id: me.id, username: me.username } };
    } catch (err) {
      this.state.probe = { ok: false, error: this.toChannelError(err, "getMe").message };
    }
    this.state.lastProbeAt = Date.now();
    return this.state.probe;
  }

  resolveTarget(to: string): OutboundTarget {
    const t = to.trim().replace(/^(telegram|tg):/i, "");
    const m = /^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,})(?::topic:(\d+))?$/.exec(t);
    if (!m) throw new ChannelInputError(`invalid telegram target "${to}" (use a numeric chat id or @channel, optionally :topic:<id>)`);
    return { chatId: m[1], threadId: m[2] };
  }

  async sendTyping(target: OutboundTarget): Promise<void> {
    if (!this.api) return;
    try {
      await this.api.sendChatAction(target.chatId, "typing", { message_thread_id: toInt(target.threadId) });
    } catch {
      // Cosmetic only.
    }
  }

  async send(target: OutboundTarget, message: OutboundMessage): Promise<SendResult> {
    if (!this.api) throw new ChannelTransportError("telegram", `account ${this.accountId} is not running`);
    const account = this.opts.getAccount();
    const limit = Math.min(account.textChunkLimit ?? DEFAULT_TEXT_CHUNK_LIMIT, TELEGRAM_TEXT_LIMIT);
    let text = message.text?.trim() ?? "";
    let last: Message | undefined;
    let replyTo = toInt(target.replyToMessageId);
    const common = () => ({
      message_thread_id: toInt(target.threadId),
      ...(replyTo !== undefined && { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }),
    });
    for (const [i, media] of (message.media ?? []).entries()) {
      // The first file carries the text as its caption when it fits.
      const caption = i === 0 && text && text.length <= CAPTION_LIMIT ? text : undefined;
      if (caption) text = "";
      last = await this.sendMedia(target, media, caption, message.gifPlayback, common());
      replyTo = undefined;
    }
    for (const chunk of chunkText(text, limit)) {
      last = await this.sendText(target.chatId, chunk, common());
      replyTo = undefined;
    }
    if (!last) throw new ChannelInputError("nothing to send");
    this.state.lastOutboundAt = Date.now();
    return { messageId: String(last.message_id), chatId: String(last.chat.id) };
  }

  // --- internal ---

  private async pollLoop(signal: AbortSignal): Promise<void> {
    const api = this.api as Api;
    const cursorKey = `offset:${botIdOf(this.token.token as string)}`;
    let offset = this.opts.host.loadCursor("telegram", this.accountId, cursorKey);
    const timeout = this.opts.account.pollTimeoutSeconds ?? 30;
    let failures = 0;
    let stuck: { updateId: number; tries: number } | undefined;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        // grammY types its signal parameter with a polyfill; the runtime takes any standard AbortSignal.
        updates = await api.getUpdates({ offset, timeout, allowed_updates: [...ALLOWED_UPDATES] }, signal as never);
      } catch (err) {
        if (signal.aborted) break;
        failures += 1;
        const e = this.toChannelError(err, "getUpdates");
        let delay = computeBackoff(this.opts.pollBackoff ?? DEFAULT_POLL_BACKOFF, failures);
        if (e instanceof ChannelApiError && e.code === 409) {
          this.state.conflicts += 1;
          this.state.lastError = "getUpdates conflict (409): another poller or a webhook uses this bot token";
        } else {
          this.state.lastError = e.message;
          if (e instanceof ChannelApiError && e.retryAfterMs !== undefined) delay = e.retryAfterMs;
        }
        this.state.connected = false;
        this.log.warn(`${this.state.lastError}; retrying in ${delay} ms`);
        await sleepUnlessAborted(delay, signal);
        continue;
      }
      if (failures > 0) this.log.info("polling recovered");
      failures = 0;
      this.state.connected = true;
      this.state.lastError = null;
      for (const update of updates) {
        if (offset !== undefined && update.update_id < offset) continue;
        try {
          await this.handleUpdate(update);
          stuck = undefined;
        } catch (err) {
          // Not recorded, so not confirmed: the same update comes again with the next getUpdates.
          stuck = stuck?.updateId === update.update_id ? { updateId: update.update_id, tries: stuck.tries + 1 } : { updateId: update.update_id, tries: 1 };
          if (stuck.tries < MAX_UPDATE_TRIES) {
            const delay = computeBackoff(this.opts.pollBackoff ?? DEFAULT_POLL_BACKOFF, stuck.tries);
            this.log.error(`inbound update could not be recorded (try ${stuck.tries}/${MAX_UPDATE_TRIES}); retrying in ${delay} ms: ${toErrorMessage(err)}`);
            await sleepUnlessAborted(delay, signal);
            break;
          }
          this.log.error(`dropped inbound update ${update.update_id}: it could not be recorded after ${MAX_UPDATE_TRIES} tries: ${toErrorMessage(err)}`);
          stuck = undefined;
        }
        offset = update.update_id + 1;
        // Saved after the update is recorded in the state DB: a restart resumes right after it.
        this.opts.host.saveCursor("telegram", this.accountId, cursorKey, offset);
      }
    }
  }

  /** Telegram redelivers until it gets a 2xx: an update at or below the saved cursor was handled already. */
  private async handleWebhookUpdate(update: Update): Promise<void> {
    const cursorKey = `offset:${botIdOf(this.token.token as string)}`;
    const next = this.opts.host.loadCursor("telegram", this.accountId, cursorKey);
    if (next !== undefined && update.update_id < next) return;
    await this.handleUpdate(update);
    this.opts.host.saveCursor("telegram", this.accountId, cursorKey, update.update_id + 1);
  }

  private async handleUpdate(update: Update): Promise<void> {
    const msg = update.message;
    if (!msg || !this.me) return;
    const parsed = toInboundMessage(msg, this.me, this.accountId);
    if (!parsed) return;
    this.state.lastInboundAt = Date.now();
    const { inbound, files } = parsed;
    if (files.length > 0) inbound.fetchMedia = () => this.downloadFiles(files, inbound.messageId);
    // Throws when the message could not be recorded: the caller then does not confirm the update.
    const outcome = await this.opts.host.dispatchInbound(inbound);
    this.log.debug(`inbound ${outcome.kind}`, { chatType: inbound.chatType });
  }

  private async downloadFiles(files: TelegramFileRef[], messageId: string): Promise<InboundMedia[]> {
    const maxBytes = (this.opts.getAccount().mediaMaxMb ?? DEFAULT_INBOUND_MAX_MB) * 1024 * 1024;
    const out: InboundMedia[] = [];
    for (const [i, f] of files.entries()) {
      if ((f.media.sizeBytes ?? 0) > maxBytes || f.media.kind === "sticker") {
        out.push(f.media);
        continue;
      }
      try {
        const file = await this.call("getFile", (api) => api.getFile(f.fileId));
        if (!file.file_path) {
          out.push(f.media);
          continue;
        }
        const res = await fetch(`${this.apiRoot}/file/bot${this.token.token}/${file.file_path}`);
        if (!res.ok) throw new ChannelTransportError("telegram", `file download failed: HTTP ${res.status}`);
        const data = await readCapped(res, maxBytes);
        const ext = extensionFor(f.media.mimeType) || (file.file_path.match(/\.[A-Za-z0-9]+$/)?.[0] ?? "");
        out.push({ ...f.media, sizeBytes: data.byteLength, path: saveInboundMedia(this.opts.stateDir, "telegram", `${messageId}-${i}`, data, ext) });
      } catch (err) {
        this.log.warn(`inbound ${f.media.kind} not downloaded: ${toErrorMessage(err)}`);
        out.push(f.media);
      }
    }
    return out;
  }

  private async sendText(chatId: string, markdown: string, other: Record<string, unknown>): Promise<Message> {
    try {
      return await this.call("sendMessage", (api) => api.sendMessage(chatId, toTelegramHtml(markdown), { parse_mode: "HTML", ...other }));
    } catch (err) {
      // Our HTML is escaped, but Telegram is the judge: on an entity error send the text as typed.
      if (err instanceof ChannelApiError && err.code === 400 && /can't parse entities|unsupported start tag|can't find end tag/i.test(err.message)) {
        this.log.debug("telegram rejected HTML entities; sending plain text");
        return this.call("sendMessage", (api) => api.sendMessage(chatId, markdown, other));
      }
      throw err;
    }
  }

  private async sendMedia(target: OutboundTarget, media: NonNullable<OutboundMessage["media"]>[number], caption: string | undefined, gif: boolean | undefined, other: Record<string, unknown>): Promise<Message> {
    const file = new InputFile(media.data, media.fileName);
    const opts = { ...other, ...(caption && { caption: toTelegramHtml(caption), parse_mode: "HTML" as const }) };
    const chatId = target.chatId;
    if (media.kind === "image" && media.data.byteLength <= PHOTO_MAX_BYTES) return this.call("sendPhoto", (api) => api.sendPhoto(chatId, file, opts));
    if (media.kind === "video") return gif ? this.call("sendAnimation", (api) => api.sendAnimation(chatId, file, opts)) : this.call("sendVideo", (api) => api.sendVideo(chatId, file, opts));
    if (media.kind === "audio") return this.call("sendAudio", (api) => api.sendAudio(chatId, file, opts));
    return this.call("sendDocument", (api) => api.sendDocument(chatId, file, opts));
  }

  /** One API call with up to 3 waits on 429 `retry_after`; errors mapped to channel errors. */
  private async call<T>(method: string, fn: (api: Api) => Promise<T>): Promise<T> {
    const api = this.api;
    if (!api) throw new ChannelTransportError("telegram", `account ${this.accountId} is not running`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(api);
      } catch (err) {
        const e = this.toChannelError(err, method);
        if (e instanceof ChannelApiError && e.code === 429 && attempt < 3) {
          const wait = e.retryAfterMs ?? 1000;
          this.log.warn(`telegram ${method} rate limited; retrying in ${wait} ms`);
          await Bun.sleep(wait);
          continue;
        }
        throw e;
      }
    }
  }

  private toChannelError(err: unknown, method: string): Error {
    if (err instanceof GrammyError) {
      const retryAfter = err.parameters?.retry_after;
      return new ChannelApiError("telegram", err.method || method, err.error_code, err.description, {
        retryAfterMs: retryAfter !== undefined ? retryAfter * 1000 : undefined,
        cause: err,
      });
    }
    if (err instanceof HttpError) return new ChannelTransportError("telegram", `${method}: ${redactToken(toErrorMessage(err.error), this.token.token)}`, { cause: err.error });
    if (err instanceof ChannelApiError || err instanceof ChannelTransportError || err instanceof ChannelInputError) return err;
    return new ChannelTransportError("telegram", `${method}: ${redactToken(toErrorMessage(err), this.token.token)}`, { cause: err });
  }
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** Bot API URLs embed the token; keep it out of messages. */
function redactToken(text: string, token: string | undefined): string {
  return token ? text.split(token).join("<token>") : text;
}
