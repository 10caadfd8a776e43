/**
 * Runs the configured channel accounts inside the gateway: loads each adapter lazily (grammY and Baileys
 * are imported only when a Telegram / WhatsApp account exists), starts, stops and restarts accounts as the
 * config changes without touching the others, retries a failed start with backoff (a failing channel never
 * takes the gateway down), and answers status, send, logout and login for the gateway methods.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { toErrorMessage } from "../errors.ts";
import type { Logger } from "../logging/logger.ts";
import { openStateDb, type StateDb, stateDbPath } from "../store/state-db.ts";
import { CursorStore } from "../store/channel-cursors.ts";
import { InboundStore } from "../store/channel-inbound.ts";
import { PairingStore } from "../store/channel-pairing.ts";
import { type BackoffPolicy, computeBackoff } from "../util/backoff.ts";
import { TtlCache } from "../util/ttl-cache.ts";
import { defaultAccountId, resolveAccountConfig } from "./_config.ts";
import { DEFAULT_OUTBOUND_MEDIA_MAX_MB, loadOutboundMedia } from "./_media.ts";
import {
  type AccountSnapshot,
  CHANNEL_IDS,
  CHANNEL_LABELS,
  type Channel,
  type ChannelDescriptor,
  type ChannelFactory,
  type ChannelId,
  ChannelInputError,
  type ChannelOptions,
  DEFAULT_SEND_CHANNEL,
  isChannelId,
  type LoginStatus,
  type SendResult,
} from "./channel.ts";
import { CHANNEL_DESCRIPTORS } from "./registry.ts";
import { ChannelRouter, type HandleChatCommand, type RunAgentTurn, type StopSessionRuns } from "./router.ts";

export type { ChannelFactory };

/** What the manager needs from the gateway. */
export interface ChannelManagerOptions {
  stateDir: string;
  getConfig(): OpenClawConfig;
  logger: Logger;
  runAgentTurn: RunAgentTurn;
  /** Answers `/approve` from a chat (see `ChannelRouterOptions.chatCommand`). */
  chatCommand?: HandleChatCommand;
  /** Carries out `/stop` from a chat (see `ChannelRouterOptions.stopRuns`). */
  stopRuns?: StopSessionRuns;
  env?: Record<string, string | undefined>;
  /** Replaces the lazily imported adapter of a channel (tests). */
  factories?: Partial<Record<ChannelId, ChannelFactory>>;
  /** The gateway's state DB. Without it the manager opens `dbPath` itself and closes it on stop (tests). */
  stateDb?: StateDb;
  /** State DB path when there is no `stateDb` (default `<stateDir>/state.db`; tests use ":memory:"). */
  dbPath?: string;
  /** Retry policy for accounts whose start failed. */
  restartBackoff?: BackoffPolicy;
}

/** `send` as the gateway method passes it. */
export interface SendRequest {
  channel?: string;
  accountId?: string;
  to: string;
  message: string;
  mediaUrls?: string[];
  /** Media must be public http(s) URLs, checked at every redirect (callers that may not read local files). */
  publicMediaOnly?: boolean;
  gifPlayback?: boolean;
  idempotencyKey: string;
}

/** Unknown or not-loaded channel (the method answers INVALID_REQUEST "unsupported channel: <ch>"). */
export class UnsupportedChannelError extends Error {
  readonly channel: string;
  constructor(channel: string) {
    super(`unsupported channel: ${channel}`);
    this.name = "UnsupportedChannelError";
    this.channel = channel;
  }
}

const DEFAULT_RESTART_BACKOFF: BackoffPolicy = { initialMs: 2000, maxMs: 300_000, factor: 2, jitter: 0.2, maxAttempts: 0 };
const IDEMPOTENCY_TTL_MS = 5 * 60_000;
const IDEMPOTENCY_MAX = 1000;

type Runtime = {
  channel: ChannelId;
  accountId: string;
  fingerprint: string;
  instance?: Channel;
  starting?: Promise<void>;
  failures: number;
  retryTimer?: ReturnType<typeof setTimeout>;
  lastError?: string;
  stopped: boolean;
};

/** Owns every channel account of one gateway run. */
export class ChannelManager {
  readonly router: ChannelRouter;
  private readonly opts: ChannelManagerOptions;
  private readonly log: Logger;
  private readonly runtimes = new Map<string, Runtime>();
  /** Accounts being stopped for a restart; they start again when the stop is done. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly sends = new TtlCache<string, Promise<SendResult & { channel: ChannelId }>>({ ttlMs: IDEMPOTENCY_TTL_MS, maxEntries: IDEMPOTENCY_MAX });
  /** The state DB this manager opened itself (no `stateDb` given); closed on stop. */
  private ownDb?: StateDb;
  private pairingStore?: PairingStore;
  private cursorStore?: CursorStore;
  private inboundStore?: InboundStore;
  private stopped = false;

  constructor(opts: ChannelManagerOptions) {
    this.opts = opts;
    this.log = opts.logger.child("channels");
    this.router = new ChannelRouter({
      getConfig: opts.getConfig,
      pairing: () => this.pairing(),
      cursors: () => this.cursors(),
      inbound: () => this.inbound(),
      runAgentTurn: opts.runAgentTurn,
      ...(opts.chatCommand && { chatCommand: opts.chatCommand }),
      ...(opts.stopRuns && { stopRuns: opts.stopRuns }),
      getChannel: (ch, id) => this.runtimes.get(key(ch, id))?.instance,
      logger: opts.logger,
    });
  }

  /** The pairing store (opens the state DB on first use). */
  pairing(): PairingStore {
    this.pairingStore ??= new PairingStore(this.openDb());
    return this.pairingStore;
  }

  /** The cursor store (opens the state DB on first use). */
  cursors(): CursorStore {
    this.cursorStore ??= new CursorStore(this.openDb());
    return this.cursorStore;
  }

  /** The durable inbound queue (opens the state DB on first use). */
  inbound(): InboundStore {
    this.inboundStore ??= new InboundStore(this.openDb());
    return this.inboundStore;
  }

  /**
   * Starts every configured account. Returns at once; accounts connect in the background, and each one
   * that starts gets back the messages the last stop left in the state DB.
   */
  start(): void {
    this.reconcile();
  }

  /**
   * Re-reads the config: starts new accounts, stops removed ones, restarts those whose transport settings
   * changed. Access settings (allowFrom, groups, …) are read live per message and restart nothing.
   * @returns "<channel>:<account>" of every account started, stopped or restarted.
   */
  applyConfig(): string[] {
    return this.reconcile();
  }

  /**
   * Resolves once the start attempt under way for every account has ended (started, or failed and left to
   * its retry timer). A settle point for tests and anything that must not race an account's start.
   */
  async started(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((rt) => rt.starting?.catch(() => {})));
  }

  /**
   * Stops every account and closes the state DB it opened itself. Waiting and running messages stay recorded and run after
   * the next start; replies being sent finish first. Safe to call twice.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.router.stop();
    await Promise.all([...this.runtimes.values()].map((rt) => this.stopRuntime(rt)));
    await Promise.all(this.stopping.values());
    this.runtimes.clear();
    this.ownDb?.close();
    this.ownDb = undefined;
    this.pairingStore = undefined;
    this.cursorStore = undefined;
    this.inboundStore = undefined;
  }

  /** Channels with at least one account, in {@link CHANNEL_IDS} order. */
  loadedChannels(): ChannelId[] {
    return CHANNEL_IDS.filter((ch) => [...this.runtimes.values()].some((rt) => rt.channel === ch));
  }

  /** The running instance of an account, or undefined. */
  getChannel(channel: ChannelId, accountId: string): Channel | undefined {
    return this.runtimes.get(key(channel, accountId))?.instance;
  }

  /** Account snapshots of one channel, default account first. */
  accountSnapshots(channel: ChannelId): AccountSnapshot[] {
    const def = defaultAccountId(this.opts.getConfig(), channel);
    return [...this.runtimes.values()]
      .filter((rt) => rt.channel === channel)
      .sort((a, b) => (a.accountId === def ? -1 : b.accountId === def ? 1 : a.accountId.localeCompare(b.accountId)))
      .map((rt) => this.snapshotOf(rt));
  }

  /**
   * The `channels.status` payload (protocol.md §6). With `probe`, adapters that can check their
   * credentials (Telegram getMe) do so first, bounded by `timeoutMs`.
   */
  async status(opts: { probe?: boolean; timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
    if (opts.probe) {
      const timeoutMs = opts.timeoutMs ?? 10_000;
      await Promise.all(
        [...this.runtimes.values()].map((rt) =>
          rt.instance?.probe
            ? Promise.race([rt.instance.probe(timeoutMs).catch(() => undefined), Bun.sleep(timeoutMs)])
            : undefined,
        ),
      );
    }
    const order = this.loadedChannels();
    const config = this.opts.getConfig();
    return {
      ts: Date.now(),
      channelOrder: order,
      channelLabels: Object.fromEntries(order.map((ch) => [ch, CHANNEL_LABELS[ch]])),
      channels: Object.fromEntries(order.map((ch) => [ch, this.summary(ch)])),
      channelAccounts: Object.fromEntries(order.map((ch) => [ch, this.accountSnapshots(ch)])),
      channelDefaultAccountId: Object.fromEntries(order.map((ch) => [ch, defaultAccountId(config, ch)])),
    };
  }

  /** Per-channel fields of the `health` snapshot. */
  healthFields(): { channels: Record<string, unknown>; channelOrder: string[]; channelLabels: Record<string, string> } {
    const order = this.loadedChannels();
    return {
      channels: Object.fromEntries(order.map((ch) => [ch, this.summary(ch)])),
      channelOrder: order,
      channelLabels: Object.fromEntries(order.map((ch) => [ch, CHANNEL_LABELS[ch]])),
    };
  }

  /** One line per account for `status.channelSummary`, e.g. "Telegram default: connected (polling)". */
  summaryLines(): string[] {
    return this.loadedChannels().flatMap((ch) =>
      this.accountSnapshots(ch).map((s) => {
        const state = s.configured === false ? "not configured" : s.linked === false ? "not linked" : s.connected ? "connected" : s.running ? "connecting" : "stopped";
        const detail = (s.self as { e164?: string } | null | undefined)?.e164 ?? s.mode;
        return `${CHANNEL_LABELS[ch]} ${s.accountId}: ${state}${detail ? ` (${detail})` : ""}${s.lastError && !s.connected ? ` — ${s.lastError}` : ""}`;
      }),
    );
  }

  /**
   * Sends a message (the `send` method). Repeating an idempotencyKey within 5 minutes returns the first
   * result (or waits for it while in flight); a failed send is forgotten so it can be retried.
   * @throws UnsupportedChannelError, ChannelInputError, NotLinkedError, ChannelApiError, ChannelTransportError.
   */
  send(req: SendRequest): Promise<SendResult & { channel: ChannelId }> {
    const cached = this.sends.get(req.idempotencyKey);
    if (cached) return cached;
    return this.sends.set(req.idempotencyKey, this.sendNow(req));
  }

  /**
   * `channels.logout`: removes the account's linked session (WhatsApp credentials).
   * @throws UnsupportedChannelError; ChannelInputError when the channel has nothing to log out of.
   */
  async logout(channel: string, accountId?: string): Promise<{ channel: ChannelId; accountId: string; cleared: boolean }> {
    const ch = this.requireKnown(channel);
    const id = accountId ?? defaultAccountId(this.opts.getConfig(), ch);
    if (!CHANNEL_DESCRIPTORS[ch].linksSession) throw new ChannelInputError(`${ch} has no linked session to log out of; remove its token from the config instead`);
    let rt = this.runtimes.get(key(ch, id));
    if (!rt) {
      // Not running (e.g. disabled): still clear what is on disk.
      rt = this.ensureRuntime(ch, id);
      await rt.starting;
    }
    const cleared = (await rt.instance?.logout?.())?.cleared ?? false;
    this.log.info(`logged out ${ch} account ${id}${cleared ? "" : " (nothing to clear)"}`);
    return { channel: ch, accountId: id, cleared };
  }

  /** `web.login.start`: begins linking an account of the session-linking channel (created on demand). */
  async loginStart(opts: { accountId?: string; force?: boolean; timeoutMs?: number }): Promise<LoginStatus & { accountId: string }> {
    const login = loginChannel();
    const id = opts.accountId ?? defaultAccountId(this.opts.getConfig(), login.id);
    if (!login.isEnabled(this.opts.getConfig())) throw new ChannelInputError(login.disabledMessage);
    const rt = this.ensureRuntime(login.id, id);
    await rt.starting;
    if (!rt.instance?.loginStart) throw new ChannelInputError(`${login.id} account ${id} failed to load: ${rt.lastError ?? "unknown error"}`);
    return { ...(await rt.instance.loginStart({ force: opts.force, timeoutMs: opts.timeoutMs })), accountId: id };
  }

  /** `web.login.wait`: waits for the QR to be scanned (or to change). */
  async loginWait(opts: { accountId?: string; timeoutMs?: number }): Promise<LoginStatus & { accountId: string }> {
    const login = loginChannel();
    const id = opts.accountId ?? defaultAccountId(this.opts.getConfig(), login.id);
    const inst = this.runtimes.get(key(login.id, id))?.instance;
    if (!inst?.loginWait) throw new ChannelInputError(`no ${CHANNEL_LABELS[login.id]} login in progress for account ${id}; call web.login.start first`);
    return { ...(await inst.loginWait({ timeoutMs: opts.timeoutMs })), accountId: id };
  }

  // --- internal ---

  private async sendNow(req: SendRequest): Promise<SendResult & { channel: ChannelId }> {
    const ch = this.resolveSendChannel(req.channel);
    const accountId = req.accountId ?? defaultAccountId(this.opts.getConfig(), ch);
    const rt = this.runtimes.get(key(ch, accountId));
    if (!rt) throw new ChannelInputError(`unknown ${ch} account: ${accountId}`);
    if (!rt.instance) throw new ChannelInputError(`${ch} account ${accountId} is not running${rt.lastError ? `: ${rt.lastError}` : ""}`);
    const target = rt.instance.resolveTarget(req.to);
    const config = this.opts.getConfig();
    const maxMb = (config.agents?.defaults as { mediaMaxMb?: number } | undefined)?.mediaMaxMb ?? DEFAULT_OUTBOUND_MEDIA_MAX_MB;
    const media = await Promise.all((req.mediaUrls ?? []).map((u) => loadOutboundMedia(ch, u, maxMb * 1024 * 1024, { publicOnly: req.publicMediaOnly })));
    if (!req.message.trim() && media.length === 0) throw new ChannelInputError("nothing to send: message is empty and no media given");
    const result = await rt.instance.send(target, { text: req.message, media, gifPlayback: req.gifPlayback });
    return { ...result, channel: ch };
  }

  private resolveSendChannel(requested: string | undefined): ChannelId {
    const loaded = this.loadedChannels();
    const name = (requested ?? (loaded.length === 1 ? loaded[0] : DEFAULT_SEND_CHANNEL)).trim().toLowerCase();
    if (!isChannelId(name) || !loaded.includes(name)) throw new UnsupportedChannelError(requested ?? name);
    return name;
  }

  private requireKnown(channel: string): ChannelId {
    const name = channel.trim().toLowerCase();
    if (!isChannelId(name)) throw new UnsupportedChannelError(channel);
    return name;
  }

  private openDb(): StateDb {
    if (this.opts.stateDb) return this.opts.stateDb;
    this.ownDb ??= openStateDb(this.opts.dbPath ?? stateDbPath(this.opts.stateDir));
    return this.ownDb;
  }

  /** Wanted accounts → fingerprint of the settings whose change needs a restart. */
  private wantedAccounts(): Map<string, { channel: ChannelId; accountId: string; fingerprint: string }> {
    const config = this.opts.getConfig();
    const where = { stateDir: this.opts.stateDir, env: this.opts.env ?? process.env };
    const wanted = new Map<string, { channel: ChannelId; accountId: string; fingerprint: string }>();
    for (const channel of CHANNEL_IDS) {
      for (const { accountId, fingerprint } of CHANNEL_DESCRIPTORS[channel].wantedAccounts(config, where)) {
        wanted.set(key(channel, accountId), { channel, accountId, fingerprint });
      }
    }
    return wanted;
  }

  private reconcile(): string[] {
    if (this.stopped) return [];
    const wanted = this.wantedAccounts();
    const touched: string[] = [];
    for (const [k, rt] of this.runtimes) {
      const want = wanted.get(k);
      if (want && want.fingerprint === rt.fingerprint) continue;
      // Keep an account that a login created on demand until the config says otherwise.
      const descriptor = CHANNEL_DESCRIPTORS[rt.channel];
      if (!want && descriptor.linksSession && descriptor.isEnabled(this.opts.getConfig()) && rt.instance?.snapshot().linked === false) continue;
      this.runtimes.delete(k);
      touched.push(k);
      // The old instance lets go of its socket / poll lock before the new one starts, with the config
      // as it is then (another reload may have come in meanwhile).
      const stopped = this.stopRuntime(rt).then(() => {
        this.stopping.delete(k);
        const now = this.stopped ? undefined : this.wantedAccounts().get(k);
        if (now && !this.runtimes.has(k)) this.ensureRuntime(now.channel, now.accountId, now.fingerprint);
      });
      this.stopping.set(k, stopped);
    }
    for (const [k, want] of wanted) {
      if (this.runtimes.has(k) || this.stopping.has(k) || touched.includes(k)) continue;
      this.ensureRuntime(want.channel, want.accountId, want.fingerprint);
      touched.push(k);
    }
    return touched;
  }

  private ensureRuntime(channel: ChannelId, accountId: string, fingerprint?: string): Runtime {
    const k = key(channel, accountId);
    const existing = this.runtimes.get(k);
    if (existing) return existing;
    const rt: Runtime = { channel, accountId, fingerprint: fingerprint ?? this.wantedAccounts().get(k)?.fingerprint ?? "", failures: 0, stopped: false };
    this.runtimes.set(k, rt);
    rt.starting = this.startRuntime(rt);
    return rt;
  }

  private async startRuntime(rt: Runtime): Promise<void> {
    try {
      if (!rt.instance) {
        const factory = this.opts.factories?.[rt.channel] ?? (await CHANNEL_DESCRIPTORS[rt.channel].loadFactory());
        if (rt.stopped) return;
        rt.instance = await factory({
          accountId: rt.accountId,
          account: resolveAccountConfig(this.opts.getConfig(), rt.channel, rt.accountId),
          getAccount: () => resolveAccountConfig(this.opts.getConfig(), rt.channel, rt.accountId),
          config: this.opts.getConfig(),
          host: this.router,
          stateDir: this.opts.stateDir,
          logger: this.opts.logger.child(`${rt.channel}${rt.accountId === "default" ? "" : `:${rt.accountId}`}`),
          env: this.opts.env,
        } as ChannelOptions<unknown>);
      }
      if (rt.stopped) return;
      await rt.instance.start();
      rt.failures = 0;
      rt.lastError = undefined;
      if (!rt.stopped && !this.stopped) this.recoverInbound(rt);
    } catch (err) {
      if (rt.stopped) return;
      rt.failures += 1;
      rt.lastError = toErrorMessage(err);
      const delay = computeBackoff(this.opts.restartBackoff ?? DEFAULT_RESTART_BACKOFF, rt.failures);
      this.log.error(`${rt.channel} account ${rt.accountId} failed to start (attempt ${rt.failures}); retrying in ${delay} ms: ${rt.lastError}`);
      // A half-started adapter must release its sockets before the retry.
      await rt.instance?.stop().catch(() => {});
      rt.retryTimer = setTimeout(() => {
        rt.retryTimer = undefined;
        if (!rt.stopped) rt.starting = this.startRuntime(rt);
      }, delay);
    }
  }

  /** Hands the account the messages the state DB still holds for it. A failure is logged, never thrown. */
  private recoverInbound(rt: Runtime): void {
    try {
      this.router.recover(rt.channel, rt.accountId);
    } catch (err) {
      this.log.error(`could not re-queue inbound messages of ${rt.channel}:${rt.accountId}: ${toErrorMessage(err)}`);
    }
  }

  private async stopRuntime(rt: Runtime): Promise<void> {
    rt.stopped = true;
    clearTimeout(rt.retryTimer);
    await rt.starting?.catch(() => {});
    await rt.instance?.stop().catch((err) => this.log.warn(`stopping ${rt.channel}:${rt.accountId}: ${toErrorMessage(err)}`));
  }

  private snapshotOf(rt: Runtime): AccountSnapshot {
    const base = rt.instance?.snapshot() ?? { accountId: rt.accountId, enabled: true, configured: true, running: false };
    // A start failure is the most useful error to show while the retry waits.
    return rt.lastError && !base.running ? { ...base, lastError: rt.lastError, restartAttempts: rt.failures } : base;
  }

  private summary(channel: ChannelId): Record<string, unknown> {
    const snaps = this.accountSnapshots(channel);
    const primary = snaps[0];
    return { ...primary, accounts: Object.fromEntries(snaps.map((s) => [s.accountId, s])) };
  }
}

function key(channel: string, accountId: string): string {
  return `${channel}:${accountId}`;
}

/** The channel whose accounts link by login (`web.login.*`). */
function loginChannel(): ChannelDescriptor {
  const found = CHANNEL_IDS.map((id) => CHANNEL_DESCRIPTORS[id]).find((d) => d.linksSession);
  if (!found) throw new ChannelInputError("no channel supports a login");
  return found;
}
