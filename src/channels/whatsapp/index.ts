/**
 * WhatsApp through Baileys (WhatsApp Web multi-device): QR linking, crash-safe credentials, reconnect with
 * jittered exponential backoff (`web.reconnect`), inbound messages to the host, text and media out.
 * The only folder that imports Baileys.
 */
import { DisconnectReason, downloadMediaMessage, type WAMessage, type BaileysEventMap } from "@whiskeysockets/baileys";
import type { WhatsAppAccountConfig } from "../../config/channels-schema.ts";
import { toErrorMessage } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import { type BackoffPolicy, computeBackoff } from "../../util/backoff.ts";
import { chunkText, DEFAULT_TEXT_CHUNK_LIMIT } from "../_chunk.ts";
import { extensionFor, saveInboundMedia } from "../_media.ts";
import {
  type AccountSnapshot,
  type Channel,
  ChannelApiError,
  ChannelInputError,
  type ChannelOptions,
  ChannelTransportError,
  type InboundMedia,
  type LoginStatus,
  NotLinkedError,
  type OutboundMedia,
  type OutboundMessage,
  type OutboundTarget,
  type SendResult,
} from "../channel.ts";
import { type AuthStore, type BeforeRenameHook, openAuthState } from "./_auth-state.ts";
import { toWhatsAppText } from "./_format.ts";
import { toInboundMessage, toJid, userOf, type SelfIdentity } from "./_inbound.ts";
import { hasSavedCreds, resolveAuthDir } from "./_paths.ts";
import { createBaileysSocket, type WhatsAppSocket, type WhatsAppSocketFactory } from "./_socket.ts";

export { openAuthState, readCreds } from "./_auth-state.ts";
export { toInboundMessage, toJid } from "./_inbound.ts";
export type { WhatsAppSocket, WhatsAppSocketFactory, WhatsAppSocketOptions } from "./_socket.ts";
export { createBaileysSocket } from "./_socket.ts";

/** `web.reconnect` defaults (channels.md §2). */
export const DEFAULT_RECONNECT: BackoffPolicy = { initialMs: 2000, maxMs: 30_000, factor: 1.8, jitter: 0.25, maxAttempts: 12 };
const DEFAULT_INBOUND_MAX_MB = 50;
const LOGIN_START_TIMEOUT_MS = 30_000;
const LOGIN_WAIT_TIMEOUT_MS = 120_000;
const SENT_IDS_KEPT = 500;

/** Factory options: the common ones plus the socket seam. */
export interface WhatsAppChannelOptions extends ChannelOptions<WhatsAppAccountConfig> {
  /** Makes Baileys sockets (default: the real one). */
  socketFactory?: WhatsAppSocketFactory;
  /** Test seam for the credential writer. */
  beforeRename?: BeforeRenameHook;
  /** Random source for backoff jitter. */
  random?: () => number;
}

/** Creates the WhatsApp adapter for one account. */
export function createWhatsAppChannel(opts: WhatsAppChannelOptions): Channel {
  return new WhatsAppChannel(opts);
}

type State = {
  linked: boolean;
  running: boolean;
  connected: boolean;
  loggingIn: boolean;
  reconnectAttempts: number;
  lastConnectedAt: number | null;
  lastDisconnect: { code?: number; at: number } | null;
  lastError: string | null;
  lastStartAt: number | null;
  lastStopAt: number | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  self: { e164?: string; jid?: string } | null;
  qr?: string;
};

/** The part of Baileys' Boom errors we read. */
type Boom = Error & { output?: { statusCode?: number } };

class WhatsAppChannel implements Channel {
  readonly id = "whatsapp" as const;
  readonly accountId: string;
  private readonly opts: WhatsAppChannelOptions;
  private readonly log: Logger;
  private readonly authDir: string;
  private readonly factory: WhatsAppSocketFactory;
  private readonly policy: BackoffPolicy;
  private auth?: AuthStore;
  private sock?: WhatsAppSocket;
  private selfId: SelfIdentity = {};
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private heartbeat?: ReturnType<typeof setInterval>;
  private stopped = false;
  /** The QR payload last returned by a login call. */
  private shownQr?: string;
  private readonly sentIds = new Set<string>();
  private readonly watchers = new Set<() => void>();
  private readonly state: State;

  constructor(opts: WhatsAppChannelOptions) {
    this.opts = opts;
    this.accountId = opts.accountId;
    this.log = opts.logger;
    this.authDir = resolveAuthDir(opts.stateDir, opts.accountId, opts.account.authDir, opts.env ?? process.env);
    this.factory = opts.socketFactory ?? createBaileysSocket;
    this.policy = { ...DEFAULT_RECONNECT, ...(opts.config.web?.reconnect ?? {}) };
    this.state = {
      linked: hasSavedCreds(this.authDir),
      running: false,
      connected: false,
      loggingIn: false,
      reconnectAttempts: 0,
      lastConnectedAt: null,
      lastDisconnect: null,
      lastError: null,
      lastStartAt: null,
      lastStopAt: null,
      lastInboundAt: null,
      lastOutboundAt: null,
      self: null,
    };
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.state.linked = hasSavedCreds(this.authDir);
    if (!this.state.linked) {
      this.log.info(`account ${this.accountId} is not linked; run \`openclaw channels login${this.accountId === "default" ? "" : ` --account ${this.accountId}`}\``);
      return;
    }
    this.begin();
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.closeSocket();
    await this.auth?.flush().catch(() => {});
    if (this.state.running) this.state.lastStopAt = Date.now();
    this.state.running = false;
    this.state.connected = false;
    this.state.loggingIn = false;
    this.notify();
  }

  snapshot(): AccountSnapshot {
    const account = this.opts.getAccount();
    return {
      accountId: this.accountId,
      name: account.name,
      enabled: account.enabled !== false,
      configured: true,
      linked: this.state.linked,
      running: this.state.running,
      connected: this.state.connected,
      reconnectAttempts: this.state.reconnectAttempts,
      lastConnectedAt: this.state.lastConnectedAt,
      lastDisconnect: this.state.lastDisconnect,
      lastError: this.state.lastError,
      lastStartAt: this.state.lastStartAt,
      lastStopAt: this.state.lastStopAt,
      lastInboundAt: this.state.lastInboundAt,
      lastOutboundAt: this.state.lastOutboundAt,
      dmPolicy: account.dmPolicy ?? "pairing",
      allowFrom: (account.allowFrom ?? []).map(String),
      self: this.state.self,
      authDir: this.authDir,
    };
  }

  resolveTarget(to: string): OutboundTarget {
    const jid = toJid(to);
    if (!jid) throw new ChannelInputError(`invalid whatsapp target "${to}" (use an E.164 number like +15551234567 or a group JID)`);
    return { chatId: jid };
  }

  async sendTyping(target: OutboundTarget): Promise<void> {
    if (!this.sock || !this.state.connected) return;
    await this.sock.sendPresenceUpdate("composing", target.chatId).catch(() => {});
  }

  async send(target: OutboundTarget, message: OutboundMessage): Promise<SendResult> {
    if (!this.state.linked) throw new NotLinkedError("whatsapp", this.accountId, "WhatsApp is not linked. Run `openclaw channels login` to link it.");
    const sock = this.sock;
    if (!sock || !this.state.connected) throw new ChannelTransportError("whatsapp", `not connected (reconnect attempt ${this.state.reconnectAttempts})`);
    const jid = target.chatId;
    const limit = this.opts.getAccount().textChunkLimit ?? DEFAULT_TEXT_CHUNK_LIMIT;
    let text = message.text?.trim() ?? "";
    let lastId: string | undefined;
    for (const [i, media] of (message.media ?? []).entries()) {
      const caption = i === 0 && text && text.length <= limit && media.kind !== "audio" ? toWhatsAppText(text) : undefined;
      if (caption) text = "";
      lastId = await this.sendOne(sock, jid, toMediaContent(media, caption, message.gifPlayback));
    }
    for (const chunk of chunkText(toWhatsAppText(text), limit)) lastId = await this.sendOne(sock, jid, { text: chunk });
    if (lastId === undefined) throw new ChannelInputError("nothing to send");
    this.state.lastOutboundAt = Date.now();
    return { messageId: lastId, chatId: jid, toJid: jid };
  }

  async logout(): Promise<{ cleared: boolean }> {
    const existed = hasSavedCreds(this.authDir);
    // The 401 close that follows our own logout is not "logged out by the phone": no reconnect logic.
    this.stopped = true;
    const sock = this.sock;
    if (sock && this.state.connected) {
      // Tell WhatsApp so the phone drops the linked device; the local wipe below happens regardless.
      await Promise.race([sock.logout().catch(() => {}), Bun.sleep(5000)]);
    }
    await this.stop();
    const auth = this.auth ?? openAuthState(this.authDir);
    const cleared = (await auth.clear()) || existed;
    this.auth = undefined;
    this.state.linked = false;
    this.state.self = null;
    this.state.reconnectAttempts = 0;
    return { cleared };
  }

  async loginStart(opts: { force?: boolean; timeoutMs?: number }): Promise<LoginStatus> {
    if (this.state.linked && this.state.connected && !opts.force) return { connected: true, message: `already linked as ${this.state.self?.e164 ?? "this account"}` };
    if (opts.force && this.state.linked) await this.logout();
    if (!this.state.loggingIn || opts.force) {
      await this.stop();
      this.stopped = false;
      this.state.loggingIn = true;
      this.state.qr = undefined;
      this.state.lastError = null;
      this.state.reconnectAttempts = 0;
      this.begin();
      this.connect();
    }
    await this.waitFor(() => this.state.qr !== undefined || this.state.connected || !this.state.loggingIn, opts.timeoutMs ?? LOGIN_START_TIMEOUT_MS);
    return this.loginStatus();
  }

  async loginWait(opts: { timeoutMs?: number }): Promise<LoginStatus> {
    // Compared with the QR last handed out, not the current one: a rotation between two calls is not lost.
    await this.waitFor(() => this.state.connected || !this.state.loggingIn || this.state.qr !== this.shownQr, opts.timeoutMs ?? LOGIN_WAIT_TIMEOUT_MS);
    return this.loginStatus();
  }

  // --- internal ---

  private begin(): void {
    this.state.running = true;
    this.state.lastStartAt = Date.now();
    const seconds = this.opts.config.web?.heartbeatSeconds ?? 60;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      this.log.debug(`web-heartbeat: connected=${this.state.connected} reconnectAttempts=${this.state.reconnectAttempts}`);
    }, seconds * 1000);
    this.heartbeat.unref?.();
  }

  private loginStatus(): LoginStatus {
    if (this.state.connected) return { connected: true, message: `linked as ${this.state.self?.e164 ?? "this account"}` };
    if (!this.state.loggingIn) return { connected: false, message: this.state.lastError ?? "login stopped" };
    if (this.state.qr) {
      this.shownQr = this.state.qr;
      return { connected: false, qr: this.state.qr, message: "Scan this QR code in WhatsApp → Settings → Linked Devices" };
    }
    return { connected: false, message: "waiting for a QR code from WhatsApp" };
  }

  private connect(): void {
    if (this.stopped) return;
    try {
      this.auth ??= openAuthState(this.authDir, { beforeRename: this.opts.beforeRename });
      const wsUrl = (this.opts.env ?? process.env).OPENCLAW_WHATSAPP_WS_URL;
      const sock = this.factory({ auth: this.auth.state, logger: this.log, wsUrl });
      this.sock = sock;
      this.attach(sock);
    } catch (err) {
      this.onClosed(undefined, toErrorMessage(err));
    }
  }

  private attach(sock: WhatsAppSocket): void {
    sock.ev.on("creds.update", () => {
      this.auth?.saveCreds().catch((err) => this.log.error(`saving WhatsApp credentials failed: ${toErrorMessage(err)}`));
    });
    sock.ev.on("connection.update", (u) => {
      if (sock !== this.sock) return;
      this.onConnectionUpdate(sock, u);
    });
    sock.ev.on("messages.upsert", (up) => {
      if (sock !== this.sock) return;
      void this.onMessages(sock, up);
    });
  }

  private onConnectionUpdate(sock: WhatsAppSocket, u: BaileysEventMap["connection.update"]): void {
    if (u.qr) {
      this.state.qr = u.qr;
      this.notify();
    }
    if (u.connection === "open") {
      const me = sock.user;
      this.selfId = { user: userOf(me?.id), lid: userOf((me as { lid?: string } | undefined)?.lid) };
      this.state.self = me?.id ? { jid: me.id, e164: this.selfId.user ? `+${this.selfId.user}` : undefined } : null;
      this.state.connected = true;
      this.state.linked = true;
      this.state.loggingIn = false;
      this.state.qr = undefined;
      this.state.reconnectAttempts = 0;
      this.state.lastConnectedAt = Date.now();
      this.state.lastError = null;
      this.log.info(`connected${this.state.self?.e164 ? ` as ${this.state.self.e164}` : ""}`);
      this.notify();
    }
    if (u.connection === "close") {
      const err = u.lastDisconnect?.error as Boom | Error | undefined;
      const code = (err as Boom | undefined)?.output?.statusCode;
      this.sock = undefined;
      this.onClosed(code, err ? err.message : "connection closed");
    }
  }

  private onClosed(code: number | undefined, reason: string): void {
    this.state.connected = false;
    this.state.lastDisconnect = { code, at: Date.now() };
    if (this.stopped) return;
    if (code === DisconnectReason.loggedOut) {
      // The phone removed this device: the saved session is dead. Stop and require a new link.
      this.log.error("logged out by WhatsApp (401); run `openclaw channels login` to link again");
      this.state.lastError = "logged out (401): link again with `openclaw channels login`";
      this.finish(false);
      void this.wipeCreds();
      return;
    }
    if (code === DisconnectReason.restartRequired) {
      // Normal right after a QR scan (515): reconnect at once with the creds just saved.
      this.log.info("restart required by WhatsApp (515); reconnecting with saved credentials");
      this.scheduleReconnect(0);
      return;
    }
    if (code === DisconnectReason.connectionReplaced) {
      // Another client opened this session (a second gateway?): reconnecting would just fight over it.
      this.state.lastError = "connection replaced (440): another client is using this WhatsApp session";
      this.log.error(this.state.lastError);
      this.finish(true);
      return;
    }
    if (this.state.loggingIn && !this.state.linked && code === DisconnectReason.timedOut) {
      this.state.lastError = "QR code expired before it was scanned; run the login again";
      this.log.warn(this.state.lastError);
      this.finish(false);
      void this.wipeCreds();
      return;
    }
    this.state.reconnectAttempts += 1;
    this.state.lastError = `${reason}${code !== undefined ? ` (${code})` : ""}`;
    const max = this.policy.maxAttempts;
    if (max > 0 && this.state.reconnectAttempts > max) {
      this.log.error(`giving up after ${max} reconnect attempts: ${this.state.lastError}`);
      this.state.lastError = `gave up after ${max} reconnect attempts: ${this.state.lastError}`;
      this.finish(this.state.linked);
      return;
    }
    const delay = computeBackoff(this.policy, this.state.reconnectAttempts, this.opts.random);
    this.log.warn(`web-reconnect: connection closed (${this.state.lastError}); attempt ${this.state.reconnectAttempts}/${max || "∞"} in ${delay} ms`);
    this.scheduleReconnect(delay);
  }

  /** Stops trying: not running any more (linked status as given). */
  private finish(linked: boolean): void {
    this.state.linked = linked;
    this.state.loggingIn = false;
    this.state.running = false;
    this.state.lastStopAt = Date.now();
    clearInterval(this.heartbeat);
    this.notify();
  }

  private scheduleReconnect(delay: number): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.notify();
  }

  private async wipeCreds(): Promise<void> {
    const auth = this.auth;
    this.auth = undefined;
    try {
      await (auth ?? openAuthState(this.authDir)).clear();
    } catch (err) {
      this.log.warn(`could not remove credentials: ${toErrorMessage(err)}`);
    }
    this.state.linked = false;
  }

  private closeSocket(): void {
    const sock = this.sock;
    this.sock = undefined;
    try {
      sock?.end(undefined);
    } catch {
      // already closed
    }
  }

  private async onMessages(sock: WhatsAppSocket, up: BaileysEventMap["messages.upsert"]): Promise<void> {
    // "append" is history catch-up; only new messages ("notify") reach the agent.
    if (up.type !== "notify") return;
    for (const m of up.messages) {
      if (m.key.id && this.sentIds.has(m.key.id)) continue;
      const parsed = toInboundMessage(m, this.selfId, this.accountId);
      if (!parsed) continue;
      const { inbound } = parsed;
      this.state.lastInboundAt = Date.now();
      if (parsed.mediaKind) inbound.fetchMedia = () => this.downloadMedia(m, inbound.media ?? []);
      try {
        // Resolves once the message is recorded in the state DB; only then is it marked read. A
        // redelivered one ("duplicate") is marked read again, since the first receipt may have been lost.
        const outcome = await this.opts.host.dispatchInbound(inbound);
        if ((outcome.kind === "queued" || outcome.kind === "duplicate") && this.opts.getAccount().sendReadReceipts !== false && !inbound.fromSelf) {
          await sock.readMessages([m.key]).catch(() => {});
        }
      } catch (err) {
        // Not recorded: no read receipt, so the phone still shows it unread.
        this.log.error(`inbound message not recorded (no read receipt sent): ${toErrorMessage(err)}`);
      }
    }
  }

  private async downloadMedia(m: WAMessage, media: InboundMedia[]): Promise<InboundMedia[]> {
    const item = media[0];
    if (!item) return media;
    const maxBytes = (this.opts.getAccount().mediaMaxMb ?? DEFAULT_INBOUND_MAX_MB) * 1024 * 1024;
    if ((item.sizeBytes ?? 0) > maxBytes) return media;
    const data = await downloadMediaMessage(m, "buffer", {});
    if (data.byteLength > maxBytes) return media;
    const path = saveInboundMedia(this.opts.stateDir, "whatsapp", m.key.id ?? String(Date.now()), data, extensionFor(item.mimeType));
    return [{ ...item, sizeBytes: data.byteLength, path }];
  }

  private async sendOne(sock: WhatsAppSocket, jid: string, content: Parameters<WhatsAppSocket["sendMessage"]>[1]): Promise<string> {
    let sent: WAMessage | undefined;
    try {
      sent = await sock.sendMessage(jid, content);
    } catch (err) {
      const code = (err as Boom)?.output?.statusCode;
      if (code !== undefined && code < 500 && code !== 408 && code !== 428) throw new ChannelApiError("whatsapp", "sendMessage", code, toErrorMessage(err), { cause: err });
      throw new ChannelTransportError("whatsapp", `sendMessage: ${toErrorMessage(err)}`, { cause: err });
    }
    const id = sent?.key?.id ?? "";
    if (id) {
      // Remember our own ids: in self-chat they come back as inbound messages.
      this.sentIds.add(id);
      if (this.sentIds.size > SENT_IDS_KEPT) this.sentIds.delete(this.sentIds.values().next().value as string);
    }
    return id;
  }

  private notify(): void {
    for (const w of [...this.watchers]) w();
  }

  /** Resolves when `done()` holds (checked on every state change) or after `timeoutMs`. */
  private waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.watchers.delete(check);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.watchers.add(check);
    });
  }
}

/** Baileys message content for one file. Thumbnails are passed empty so Baileys never loads sharp. */
function toMediaContent(media: OutboundMedia, caption: string | undefined, gif: boolean | undefined): Parameters<WhatsAppSocket["sendMessage"]>[1] {
  const data = Buffer.from(media.data.buffer, media.data.byteOffset, media.data.byteLength);
  // GIF bytes are not MP4: WhatsApp would need a transcode for gifPlayback, so send the still image.
  if (media.mimeType === "image/gif") return { image: data, mimetype: media.mimeType, caption, jpegThumbnail: "" };
  switch (media.kind) {
    case "image":
      return { image: data, mimetype: media.mimeType, caption, jpegThumbnail: "" };
    case "video":
      return { video: data, mimetype: media.mimeType, caption, gifPlayback: gif === true, jpegThumbnail: "" };
    case "audio":
      return { audio: data, mimetype: media.mimeType };
    default:
      return { document: data, mimetype: media.mimeType, fileName: media.fileName, caption };
  }
}
