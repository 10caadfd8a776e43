/** Shapes shared by the agent runtime and its callers (the gateway's `agent` / `chat.*` methods). */

/** A request to run one agent turn. */
export interface RunRequest {
  /** = the client's idempotencyKey. */
  runId: string;
  /** `agent` (two-phase WS response) or `chat` (WebChat). */
  kind: "agent" | "chat";
  /** Canonical session key. */
  sessionKey: string;
  /** The key as the client sent it (`main`): `chat` events carry it so WebChat can match them. */
  chatSessionKey?: string;
  agentId: string;
  /** A session id the caller asked for (used when the session is created). */
  requestedSessionId?: string;
  message: string;
  thinking?: string;
  timeoutMs: number;
  /** Where the message came from, for the prompt and the session entry (`webchat`, `cli`, …). */
  channel: string;
  extraSystemPrompt?: string;
  label?: string;
}

/** A protocol error shape. */
export interface RunErrorShape {
  code: "UNAVAILABLE" | "AGENT_TIMEOUT";
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** The final answer of a run: what the second `agent` response carries. */
export interface RunFinal {
  ok: boolean;
  payload: Record<string, unknown>;
  error?: RunErrorShape;
  startedAt?: number;
  endedAt?: number;
}

/** What `submit` did. */
export type SubmitResult =
  | { status: "accepted"; runId: string; acceptedAt: number; done: Promise<RunFinal> }
  | { status: "in_flight"; runId: string }
  | { status: "done"; runId: string; final: RunFinal };

/** `agent.wait` result. */
export interface WaitResult {
  runId: string;
  status: "ok" | "error" | "timeout";
  startedAt?: number;
  endedAt?: number;
  error?: string;
}
