/**
 * Per-run taps on the agent event stream, for HTTP callers that stream one run's reply (`/v1/*`). The
 * runtime's `emit` feeds every event here as well as to the WebSocket broadcast.
 */

/** Receives the `agent` event payloads of one run (`{runId, seq, stream, ts, data, sessionKey}`). */
export type RunListener = (payload: Record<string, unknown>) => void;

/** Receives every `agent` and `chat` event payload of every run. */
export type EveryRunListener = (event: "agent" | "chat", payload: Record<string, unknown>) => void;

/** Listeners keyed by runId, plus listeners of every run. Safe to use from any handler; a throwing listener is ignored. */
export class RunListeners {
  private readonly byRun = new Map<string, Set<RunListener>>();
  private readonly every = new Set<EveryRunListener>();

  /**
   * Listens to the `agent` and `chat` events of every run (the sessions feature turns run starts and ends
   * into `sessions.changed` / `session.message`). @returns the unsubscribe function.
   */
  onEvery(listener: EveryRunListener): () => void {
    this.every.add(listener);
    return () => this.every.delete(listener);
  }

  /**
   * Listens to the `agent` events of `runId`; subscribe before submitting so no event is missed.
   * @returns the unsubscribe function (safe to call twice).
   */
  on(runId: string, listener: RunListener): () => void {
    let set = this.byRun.get(runId);
    if (!set) {
      set = new Set();
      this.byRun.set(runId, set);
    }
    set.add(listener);
    return () => {
      const current = this.byRun.get(runId);
      current?.delete(listener);
      if (current?.size === 0) this.byRun.delete(runId);
    };
  }

  /** Hands an emitted event to the listeners of its run (`chat` mirror events are not forwarded). */
  dispatch(event: "agent" | "chat", payload: Record<string, unknown>): void {
    for (const listener of [...this.every]) {
      try {
        listener(event, payload);
      } catch {
        // Same rule as below: a listener never breaks the run.
      }
    }
    if (event !== "agent") return;
    const set = this.byRun.get(payload.runId as string);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch {
        // A listener's failure (a closed HTTP stream) must not break the run or other listeners.
      }
    }
  }
}
