/**
 * The event stream of one run (spec protocol.md §7–§8, agent.md §4): `agent` events with a per-run `seq`
 * from 1 (streams lifecycle / assistant / tool) and the `chat` mirror for WebChat: deltas throttled to one
 * per ~150 ms carrying the accumulated text, then exactly one of final / error / aborted.
 *
 * Every `agent` assistant event carries the whole text so far, so one per model token made the bytes sent
 * grow with the square of the reply (a 32 000-character reply was ~100 MiB per operator). They are coalesced
 * to one per {@link ASSISTANT_COALESCE_MS}: `delta` then holds every token since the previous event (the
 * deltas still add up to `text`), and what is pending goes out before any tool, lifecycle or chat event.
 */

/**
 * Where events go (the gateway broadcasts them). `v4Extra` holds fields only protocol v4 clients get (a chat
 * delta's `deltaText`: the text added since the previous chat delta of the run).
 */
export type EmitFn = (event: "agent" | "chat", payload: Record<string, unknown>, v4Extra?: Record<string, unknown>) => void;

/** Default spacing of `chat` delta events. */
export const CHAT_DELTA_THROTTLE_MS = 150;

/** Least spacing of `agent` assistant events of one run. */
export const ASSISTANT_COALESCE_MS = 80;

/** Emits the events of one run. Not safe to share between runs. */
export class RunEvents {
  private seq = 0;
  private text = "";
  private lastChatAt = 0;
  /** Length of the text the previous chat delta showed (the next `deltaText` starts there). */
  private chattedLength = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Assistant text not yet sent in an `agent` event, when its last one went out, and the flush timer. */
  private pendingDelta = "";
  private lastAssistantAt = 0;
  private assistantTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly emit: EmitFn,
    readonly runId: string,
    readonly sessionKey: string,
    private readonly throttleMs = CHAT_DELTA_THROTTLE_MS,
    /** The key `chat` events carry (the client's spelling); defaults to `sessionKey`. */
    private readonly chatSessionKey = sessionKey,
  ) {}

  /** The assistant text so far. */
  get accumulated(): string {
    return this.text;
  }

  /** lifecycle start (always seq 1). */
  start(startedAt: number): void {
    this.agent("lifecycle", { phase: "start", startedAt });
  }

  /** An assistant text delta: `agent` assistant and `chat` delta events when their spacing allows. */
  assistant(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.pendingDelta += delta;
    const now = Date.now();
    const assistantWait = this.lastAssistantAt + ASSISTANT_COALESCE_MS - now;
    if (assistantWait <= 0) this.flushAssistant();
    else this.assistantTimer ??= setTimeout(() => this.flushAssistant(), assistantWait);
    const wait = this.lastChatAt + this.throttleMs - now;
    if (wait <= 0) this.chatDelta();
    else this.timer ??= setTimeout(() => this.chatDelta(), wait);
  }

  /** A tool stream event (`{phase, name, toolCallId, …}`); assistant text before it goes out first. */
  tool(data: Record<string, unknown>): void {
    this.flushAssistant();
    this.agent("tool", data);
  }

  /** lifecycle end, then `chat` final with the whole message. */
  end(startedAt: number, endedAt: number, message: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
    this.stopDeltas();
    this.agent("lifecycle", { phase: "end", startedAt, endedAt, ...extra });
    this.chat({ state: "final", message });
  }

  /** lifecycle error, then `chat` error with `errorMessage`. */
  error(startedAt: number, endedAt: number, error: string): void {
    this.stopDeltas();
    this.agent("lifecycle", { phase: "error", startedAt, endedAt, error });
    this.chat({ state: "error", errorMessage: error });
  }

  /**
   * The run was stopped: lifecycle end (`aborted: true`) or error (timeout), then `chat` aborted with
   * `stopReason` (`rpc`, `timeout`, `shutdown`) and the partial message when there is one.
   */
  aborted(startedAt: number, endedAt: number, stopReason: string, opts: { message?: Record<string, unknown>; errorMessage?: string } = {}): void {
    this.stopDeltas();
    if (opts.errorMessage) this.agent("lifecycle", { phase: "error", startedAt, endedAt, error: opts.errorMessage, aborted: true });
    else this.agent("lifecycle", { phase: "end", startedAt, endedAt, aborted: true });
    this.chat({ state: "aborted", stopReason, ...(opts.message && { message: opts.message }), ...(opts.errorMessage && { errorMessage: opts.errorMessage }) });
  }

  /** Stops pending timers; later calls emit nothing. */
  close(): void {
    this.stopDeltas();
    this.closed = true;
  }

  // --- internal ---

  private agent(stream: string, data: Record<string, unknown>): void {
    if (this.closed) return;
    this.seq += 1;
    this.emit("agent", { runId: this.runId, seq: this.seq, stream, ts: Date.now(), data, sessionKey: this.sessionKey });
  }

  private chat(fields: Record<string, unknown>, v4Extra?: Record<string, unknown>): void {
    if (this.closed) return;
    this.emit("chat", { runId: this.runId, sessionKey: this.chatSessionKey, seq: this.seq, ...fields }, v4Extra);
  }

  /** Sends the pending assistant text, if any, as one `agent` assistant event. */
  private flushAssistant(): void {
    clearTimeout(this.assistantTimer);
    this.assistantTimer = undefined;
    if (!this.pendingDelta) return;
    const delta = this.pendingDelta;
    this.pendingDelta = "";
    this.lastAssistantAt = Date.now();
    this.agent("assistant", { text: this.text, delta });
  }

  private chatDelta(): void {
    // The chat mirror carries the agent seq of the text it shows, so that text's agent event goes first.
    this.flushAssistant();
    this.timer = undefined;
    this.lastChatAt = Date.now();
    // The text only grows, so what the previous delta showed is a prefix of it.
    const deltaText = this.text.slice(this.chattedLength);
    this.chattedLength = this.text.length;
    this.chat({ state: "delta", message: { role: "assistant", content: [{ type: "text", text: this.text }], timestamp: this.lastChatAt } }, { deltaText });
  }

  /** Ends the delta timers before a terminal event: pending assistant text is sent now, chat deltas dropped. */
  private stopDeltas(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushAssistant();
  }
}
