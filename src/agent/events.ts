/**
 * The event stream of one run (spec protocol.md §7–§8, agent.md §4): `agent` events with a per-run `seq`
 * from 1 (streams lifecycle / assistant / tool) and the `chat` mirror for WebChat: deltas throttled to one
 * per ~150 ms carrying the accumulated text, then exactly one of final / error / aborted.
 */

/** Where events go (the gateway broadcasts them). */
export type EmitFn = (event: "agent" | "chat", payload: Record<string, unknown>) => void;

/** Default spacing of `chat` delta events. */
export const CHAT_DELTA_THROTTLE_MS = 150;

/** Emits the events of one run. Not safe to share between runs. */
export class RunEvents {
  private seq = 0;
  private text = "";
  private lastChatAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
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

  /** An assistant text delta: `agent` assistant event now, `chat` delta when the throttle allows. */
  assistant(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.agent("assistant", { text: this.text, delta });
    const wait = this.lastChatAt + this.throttleMs - Date.now();
    if (wait <= 0) this.chatDelta();
    else this.timer ??= setTimeout(() => this.chatDelta(), wait);
  }

  /** A tool stream event (`{phase, name, toolCallId, …}`). */
  tool(data: Record<string, unknown>): void {
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

  private chat(fields: Record<string, unknown>): void {
    if (this.closed) return;
    this.emit("chat", { runId: this.runId, sessionKey: this.chatSessionKey, seq: this.seq, ...fields });
  }

  private chatDelta(): void {
    this.timer = undefined;
    this.lastChatAt = Date.now();
    this.chat({ state: "delta", message: { role: "assistant", content: [{ type: "text", text: this.text }], timestamp: this.lastChatAt } });
  }

  private stopDeltas(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
