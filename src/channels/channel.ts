/**
 * The seam between messaging SDKs and the rest of the gateway. Every adapter (telegram/, whatsapp/)
 * implements {@link Channel}; inbound messages go to a {@link ChannelHost} as plain objects, and replies
 * come back through `Channel.send`. Nothing here imports an SDK.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";

/** Channels this gateway ships. */
export const CHANNEL_IDS = ["telegram", "whatsapp"] as const;
/** One of {@link CHANNEL_IDS}. */
export type ChannelId = (typeof CHANNEL_IDS)[number];
/** Human names for status output. */
export const CHANNEL_LABELS: Readonly<Record<ChannelId, string>> = { telegram: "Telegram", whatsapp: "WhatsApp" };
/** The account used when none is named. */
export const DEFAULT_ACCOUNT_ID = "default";
/** The channel `send` uses when none is named and more than one is running (as upstream). */
export const DEFAULT_SEND_CHANNEL: ChannelId = "whatsapp";

/** True for a channel id this gateway knows. */
export function isChannelId(value: string): value is ChannelId {
  return (CHANNEL_IDS as readonly string[]).includes(value);
}

/** Media that arrived with a message; `path` is set when the file was downloaded (within the size cap). */
export interface InboundMedia {
  kind: "image" | "video" | "audio" | "document" | "sticker";
  mimeType?: string;
  fileName?: string;
  sizeBytes?: number;
  /** Local copy under `<stateDir>/media/inbound/`, when downloaded. */
  path?: string;
}

/** A message as an adapter hands it over: SDK-free, already normalized. */
export interface InboundMessage {
  channel: ChannelId;
  accountId: string;
  chatType: "direct" | "group";
  /** Where a reply goes: Telegram chat id, WhatsApp JID. */
  chatId: string;
  /** Stable sender id used by allowlists and session keys: Telegram user id, WhatsApp E.164. */
  senderId: string;
  senderName?: string;
  /** Telegram `@username` without the `@`. */
  senderUsername?: string;
  /** Telegram forum topic. */
  threadId?: string;
  messageId: string;
  /** The text, or a `<media:kind>` placeholder when only media came. */
  text: string;
  media?: InboundMedia[];
  /**
   * Downloads the media (within the account's size cap) and returns it with local paths. Called by the
   * host only after the sender passed access control, so strangers cannot fill the disk.
   */
  fetchMedia?: () => Promise<InboundMedia[]>;
  /** The adapter saw an @mention of the bot (or a reply to one of its messages). */
  wasMentioned?: boolean;
  /** Sent by the linked account itself (WhatsApp self-chat). */
  fromSelf?: boolean;
  /** Group title, when known. */
  groupName?: string;
  timestamp: number;
}

/** Where an outbound message goes. */
export interface OutboundTarget {
  chatId: string;
  threadId?: string;
  replyToMessageId?: string;
}

/** Media to send: a loaded file. */
export interface OutboundMedia {
  data: Uint8Array;
  mimeType: string;
  fileName: string;
  kind: "image" | "video" | "audio" | "document";
}

/** What to send. Text is Markdown; adapters convert it to what their service renders. */
export interface OutboundMessage {
  text?: string;
  media?: OutboundMedia[];
  gifPlayback?: boolean;
}

/** The outcome of a send: the id of the last message delivered. */
export interface SendResult {
  messageId: string;
  chatId: string;
  toJid?: string;
}

/** Per-account status (channels.md §4). Fields an adapter does not track are left out. */
export interface AccountSnapshot {
  accountId: string;
  name?: string;
  enabled: boolean;
  configured: boolean;
  linked?: boolean;
  running: boolean;
  connected?: boolean;
  reconnectAttempts?: number;
  lastConnectedAt?: number | null;
  lastError?: string | null;
  lastStartAt?: number | null;
  lastStopAt?: number | null;
  lastInboundAt?: number | null;
  lastOutboundAt?: number | null;
  lastProbeAt?: number | null;
  mode?: string;
  dmPolicy?: string;
  allowFrom?: string[];
  tokenSource?: string;
  probe?: unknown;
  [extra: string]: unknown;
}

/** Answer of a login step (`web.login.start` / `web.login.wait`). */
export interface LoginStatus {
  connected: boolean;
  /** Raw QR payload to render (changes every ~20 s while waiting). */
  qr?: string;
  message: string;
}

/**
 * One running account of one channel. Created by the manager from the account's config, started once,
 * stopped once. Methods other than start/stop are safe to call concurrently.
 */
export interface Channel {
  readonly id: ChannelId;
  readonly accountId: string;
  /**
   * Connects and begins receiving. Resolves once running (or idle, e.g. WhatsApp not linked yet).
   * @throws ChannelApiError / ChannelTransportError when the service cannot be reached or refuses; the
   * manager marks the account unhealthy and retries with backoff.
   */
  start(): Promise<void>;
  /** Stops receiving and releases sockets and locks. Never throws; safe to call twice. */
  stop(): Promise<void>;
  /** Current status; cheap, no I/O. */
  snapshot(): AccountSnapshot;
  /** Parses a user-given target (`--target`) into a chat. @throws ChannelInputError when it is not one. */
  resolveTarget(to: string): OutboundTarget;
  /**
   * Sends text and/or media (text is chunked by the adapter at its limit).
   * @throws NotLinkedError when the account has no session; ChannelApiError / ChannelTransportError.
   */
  send(target: OutboundTarget, message: OutboundMessage): Promise<SendResult>;
  /** Shows "typing…" in the chat, best effort (never throws). */
  sendTyping?(target: OutboundTarget): Promise<void>;
  /** Checks the credentials against the service (`channels.status probe:true`). */
  probe?(timeoutMs: number): Promise<unknown>;
  /** Removes the linked session. @returns whether anything was cleared. */
  logout?(): Promise<{ cleared: boolean }>;
  /** Starts linking (WhatsApp QR). */
  loginStart?(opts: { force?: boolean; timeoutMs?: number }): Promise<LoginStatus>;
  /** Waits for the link to complete or the QR to change. */
  loginWait?(opts: { timeoutMs?: number }): Promise<LoginStatus>;
}

/** Builds an adapter instance; tests inject fakes, production loads the adapter folder lazily. */
export type ChannelFactory = (opts: ChannelOptions<any>) => Channel | Promise<Channel>;

/** An account the config asks to run, with a fingerprint of the settings whose change needs a restart. */
export interface WantedAccount {
  accountId: string;
  fingerprint: string;
}

/**
 * What the manager knows of a channel without loading its SDK: whether it is on, which accounts to run, how
 * its sessions work, and how to load the adapter. Each adapter folder exports one from an SDK-free file;
 * ./registry.ts lists them. The manager branches on these fields, never on a channel id.
 */
export interface ChannelDescriptor {
  readonly id: ChannelId;
  /** False when the channel as a whole is switched off in `config` (accounts then do not run). */
  isEnabled(config: OpenClawConfig): boolean;
  /** The error text when a login is asked of a channel that is switched off. */
  readonly disabledMessage: string;
  /** The accounts `config` asks to run (disabled ones left out), in a stable order. */
  wantedAccounts(config: OpenClawConfig, where: { stateDir: string; env: Record<string, string | undefined> }): WantedAccount[];
  /**
   * Accounts hold a linked session (a QR login, `web.login.*`) that `channels.logout` clears; an account a
   * login created on demand is kept until it is linked or the config says otherwise.
   */
  readonly linksSession: boolean;
  /** Imports the adapter folder (and with it the SDK). */
  loadFactory(): Promise<ChannelFactory>;
}

/** What happened to one inbound message (returned for logs and tests). */
export type InboundOutcome =
  | { kind: "dropped"; reason: string }
  /** Seen before (a redelivery): already recorded, so it may be acknowledged again, but it is not run twice. */
  | { kind: "duplicate" }
  | { kind: "pairing"; code: string; created: boolean }
  | { kind: "queued"; sessionKey: string; agentId: string };

/**
 * The gateway side an adapter talks to: inbound messages go in, state the adapter persists goes through
 * here so adapters never open the state DB themselves.
 */
export interface ChannelHost {
  /**
   * Access-checks, routes and queues one message. Resolves once the message is recorded in the state DB
   * and queued (not after the agent answered): only then may the adapter acknowledge it to the service.
   * @throws when it could not be recorded; the adapter must not acknowledge it then (it comes again).
   */
  dispatchInbound(message: InboundMessage): Promise<InboundOutcome>;
  /** Persisted per-account cursor (Telegram update offset); undefined when none saved. */
  loadCursor(channel: ChannelId, accountId: string, key: string): number | undefined;
  saveCursor(channel: ChannelId, accountId: string, key: string, value: number): void;
}

/** Everything an adapter factory gets. */
export interface ChannelOptions<C> {
  accountId: string;
  /** The resolved account config (top-level merged with `accounts.<id>`) at creation. */
  account: C;
  /** The same, re-resolved from the live config (settings read per message). */
  getAccount(): C;
  /** The whole config, for cross-cutting settings (`web.*`). Read at start. */
  config: OpenClawConfig;
  host: ChannelHost;
  stateDir: string;
  logger: Logger;
  env?: Record<string, string | undefined>;
}

// --- errors ---

/** The remote service answered with an error (keeps the method and the service's code). */
export class ChannelApiError extends Error {
  readonly channel: ChannelId;
  readonly method: string;
  readonly code: number;
  readonly retryAfterMs?: number;
  constructor(channel: ChannelId, method: string, code: number, description: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(`${channel} ${method} failed: ${code} ${description}`, { cause: opts.cause });
    this.name = "ChannelApiError";
    this.channel = channel;
    this.method = method;
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The service could not be reached (network, socket closed). Keeps the inner error as `cause`. */
export class ChannelTransportError extends Error {
  readonly channel: ChannelId;
  constructor(channel: ChannelId, message: string, opts: { cause?: unknown } = {}) {
    super(`${channel}: ${message}`, { cause: opts.cause });
    this.name = "ChannelTransportError";
    this.channel = channel;
  }
}

/** The account has no linked session (WhatsApp before `channels login`, or after a remote logout). */
export class NotLinkedError extends Error {
  readonly channel: ChannelId;
  readonly accountId: string;
  constructor(channel: ChannelId, accountId: string, message?: string) {
    super(message ?? `${channel} account "${accountId}" is not linked`);
    this.name = "NotLinkedError";
    this.channel = channel;
    this.accountId = accountId;
  }
}

/** Bad input from the caller (unparseable target, media too large). */
export class ChannelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChannelInputError";
  }
}
