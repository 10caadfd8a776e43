/**
 * Exec approval requests waiting for an operator. `exec.approval.request` registers one and waits;
 * `exec.approval.resolve` settles it. Operators holding `operator.approvals` see `exec.approval.requested`
 * and `exec.approval.resolved`. A request ends with a decision, with `null` when nobody answered in time, or
 * with nothing to answer when its requester went away.
 */
import { randomUUID } from "node:crypto";
import { GatewayError } from "../../errors.ts";

/** `exec.approval.request` waits this long when the caller gives no timeoutMs (upstream's default). */
export const DEFAULT_APPROVAL_TIMEOUT_MS = 120_000;
/** Longest wait honoured: the largest delay a timer takes (about 24.8 days). */
const MAX_APPROVAL_TIMEOUT_MS = 2 ** 31 - 1;
/** Requests one connection may have waiting at once; bounds what a single client can park here. */
export const MAX_PENDING_APPROVALS_PER_CONNECTION = 100;

/** Shortest id prefix that names an approval (chat and CLI show the first 8 characters of the id). */
export const MIN_APPROVAL_ID_PREFIX = 6;

/** An operator's answer. */
export type ApprovalDecision = "allow-once" | "allow-always" | "deny";

/** What is asked to run, and where (the `request` of the events). Absent fields are null. */
export interface ExecApprovalRequest {
  command: string;
  cwd: string | null;
  host: string | null;
  security: string | null;
  ask: string | null;
  agentId: string | null;
  resolvedPath: string | null;
  sessionKey: string | null;
}

/** The `exec.approval.request` answer: the decision, or null when the request expired. */
export interface ExecApprovalOutcome {
  id: string;
  decision: ApprovalDecision | null;
  createdAtMs: number;
  expiresAtMs: number;
}

/**
 * Who settled a request, for the requester only (never on the wire): the resolver's name as the
 * `exec.approval.resolved` event shows it, and the client id it connected with, when it came over the protocol.
 */
export interface ApprovalAnswerer {
  resolvedBy?: string;
  clientId?: string;
}

/** What {@link ExecApprovalQueue.request} resolves with: the outcome, and who answered when someone did. */
export interface ExecApprovalSettled extends ExecApprovalOutcome {
  answeredBy?: ApprovalAnswerer;
}

/** Options of {@link ExecApprovalQueue}. */
export interface ExecApprovalQueueOptions {
  /** Sends an approval event to the operators allowed to see it. */
  broadcast: (event: "exec.approval.requested" | "exec.approval.resolved", payload: Record<string, unknown>) => void;
}

interface Pending {
  id: string;
  request: ExecApprovalRequest;
  createdAtMs: number;
  expiresAtMs: number;
  connId: string;
  timer: ReturnType<typeof setTimeout>;
  settle: (decision: ApprovalDecision, answeredBy: ApprovalAnswerer) => void;
  fail: (err: GatewayError) => void;
}

/**
 * Pending approvals by id. Safe for concurrent use: every state change is synchronous; only the requester's
 * wait is asynchronous.
 */
export class ExecApprovalQueue {
  readonly #opts: ExecApprovalQueueOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(opts: ExecApprovalQueueOptions) {
    this.#opts = opts;
  }

  /** Number of requests waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request from connection `connId`, broadcasts `exec.approval.requested` and waits.
   * @returns the outcome once resolved (`decision` set, with `answeredBy`) or expired (`decision: null`).
   * @throws GatewayError INVALID_REQUEST "approval id already pending" for an id that is waiting;
   *   UNAVAILABLE when the connection has too many requests waiting, or when the gateway stops first.
   */
  request(input: { id?: string; request: ExecApprovalRequest; timeoutMs?: number; connId: string }): Promise<ExecApprovalSettled> {
    const id = input.id?.trim() || randomUUID();
    if (this.#pending.has(id)) return Promise.reject(new GatewayError("INVALID_REQUEST", "approval id already pending"));
    if (this.#countFor(input.connId) >= MAX_PENDING_APPROVALS_PER_CONNECTION) {
      return Promise.reject(new GatewayError("UNAVAILABLE", `too many pending approvals on this connection (max ${MAX_PENDING_APPROVALS_PER_CONNECTION})`, { retryable: true }));
    }
    const timeoutMs = Math.min(input.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS, MAX_APPROVAL_TIMEOUT_MS);
    const createdAtMs = Date.now();
    const expiresAtMs = createdAtMs + timeoutMs;
    const outcome = new Promise<ExecApprovalSettled>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Expiry is silent, as upstream: clients drop the prompt at expiresAtMs on their own.
        if (this.#pending.get(id)?.timer === timer) this.#pending.delete(id);
        resolve({ id, decision: null, createdAtMs, expiresAtMs });
      }, timeoutMs);
      this.#pending.set(id, {
        id,
        request: input.request,
        createdAtMs,
        expiresAtMs,
        connId: input.connId,
        timer,
        settle: (decision, answeredBy) => resolve({ id, decision, createdAtMs, expiresAtMs, answeredBy }),
        fail: reject,
      });
    });
    this.#opts.broadcast("exec.approval.requested", { id, request: input.request, createdAtMs, expiresAtMs });
    return outcome;
  }

  /** The waiting requests, oldest first (`exec.approval.list`). */
  list(): { id: string; request: ExecApprovalRequest; createdAtMs: number; expiresAtMs: number }[] {
    return [...this.#pending.values()].sort((a, b) => a.createdAtMs - b.createdAtMs).map(({ id, request, createdAtMs, expiresAtMs }) => ({ id, request, createdAtMs, expiresAtMs }));
  }

  /**
   * The id of the waiting request `idOrPrefix` names: its full id, or a prefix of at least
   * {@link MIN_APPROVAL_ID_PREFIX} characters that only one waiting id starts with (case-insensitive).
   * @returns `{id}`, or why not: "unknown" (nothing waiting matches) or "ambiguous" (several do).
   */
  find(idOrPrefix: string, filter: (id: string) => boolean = () => true): { id: string } | { error: "unknown" | "ambiguous" } {
    const want = idOrPrefix.trim().toLowerCase();
    if (!want) return { error: "unknown" };
    for (const id of this.#pending.keys()) if (id.toLowerCase() === want && filter(id)) return { id };
    if (want.length < MIN_APPROVAL_ID_PREFIX) return { error: "unknown" };
    const hits = [...this.#pending.keys()].filter((id) => id.toLowerCase().startsWith(want) && filter(id));
    if (hits.length === 1) return { id: hits[0] as string };
    return { error: hits.length === 0 ? "unknown" : "ambiguous" };
  }

  /**
   * Settles a waiting request with an operator's decision and broadcasts `exec.approval.resolved`
   * (`resolvedBy` goes out with it; `clientId` only reaches the requester).
   * @returns false when no request with this id is waiting (unknown, already resolved, expired or cancelled).
   */
  resolve(id: string, decision: ApprovalDecision, resolvedBy: string | undefined, clientId?: string): boolean {
    const p = this.#take(id);
    if (!p) return false;
    p.settle(decision, dropUndefined({ resolvedBy, clientId }));
    this.#opts.broadcast("exec.approval.resolved", dropUndefined({ id, decision, resolvedBy, ts: Date.now() }));
    return true;
  }

  /**
   * Cancels every request of a connection that closed: nobody is left to receive the answer. Operators get
   * `exec.approval.resolved` with decision `deny` (and no resolvedBy), so their prompts go away at once.
   * @returns how many were cancelled.
   */
  cancelFor(connId: string): number {
    let n = 0;
    for (const p of [...this.#pending.values()]) {
      if (p.connId !== connId) continue;
      this.#take(p.id);
      p.fail(new GatewayError("UNAVAILABLE", "requester disconnected"));
      this.#opts.broadcast("exec.approval.resolved", { id: p.id, decision: "deny", ts: Date.now() });
      n += 1;
    }
    return n;
  }

  /**
   * Ends every waiting request with an UNAVAILABLE error (gateway stopping). An error rather than a null
   * decision: a requester treats null as "expired" and may fall back to running the command.
   */
  close(): void {
    for (const p of [...this.#pending.values()]) {
      this.#take(p.id);
      p.fail(new GatewayError("UNAVAILABLE", "gateway stopping", { retryable: true }));
    }
  }

  // --- internal ---

  #take(id: string): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    return p;
  }

  #countFor(connId: string): number {
    let n = 0;
    for (const p of this.#pending.values()) if (p.connId === connId) n += 1;
    return n;
  }
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
