/** Shapes shared by the agent runtime and its callers (the gateway's `agent` / `chat.*` methods). */
import type { AgentRunFinal, AgentWaitResult } from "../protocol/generated/types.ts";
import type { ImageContent } from "../store/index.ts";

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
  /**
   * The identity of the channel message(s) this run answers, stored with the user message. A run whose
   * key is already on a user message in the transcript (the same turn, interrupted by a stop and run
   * again) does not add the message a second time: it resumes after it.
   */
  inboundKey?: string;
  /** Images sent with the message (checked and sniffed: see `attachments.ts`); stored with it. */
  images?: ImageContent[];
  thinking?: string;
  timeoutMs: number;
  /** Where the message came from, for the prompt and the session entry (`webchat`, `cli`, …). */
  channel: string;
  extraSystemPrompt?: string;
  label?: string;
  /**
   * The chat a channel message came from: recorded on the session as its last route (`lastChannel`,
   * `lastTo`, `lastAccountId`, `deliveryContext`) so later replies can be sent there (`channel:"last"`).
   * `to` is in the form the channel's `send` accepts.
   */
  deliveryContext?: DeliveryContext;
  /** A turn nobody typed (the heartbeat): the session's `lastChannel` is left as it was. */
  internal?: boolean;
  /** Who sent the message, as the channel established it: passed to the run's tools as part of their origin. */
  sender?: { sender?: string; senderIsOwner?: boolean; senderAllowlisted?: boolean };
  /** A model ref (`provider/model`) for this run only, ahead of the session's and the agent's. */
  model?: string;
  /**
   * Set on a sub-agent run: the session (and run) that spawned it. Aborting that run, or every run of that
   * session, aborts this one too (stop reason `parent`), and its own sub-agents after it.
   */
  parent?: { sessionKey: string; runId?: string };
  /**
   * Called once a run ended ok (completed or aborted), while its session lane is still held, so what it
   * does (deliver the reply) happens before the session's next run. The fields it returns are added to the
   * final payload. A throw is logged and ignored.
   */
  afterRun?: (final: RunFinal) => Promise<Record<string, unknown> | undefined>;
}

/** Where replies to a session go: a channel, a recipient on it, and the account to send from. */
export interface DeliveryContext {
  channel: string;
  to: string;
  accountId?: string;
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
  payload: AgentRunFinal;
  error?: RunErrorShape;
  startedAt?: number;
  endedAt?: number;
  /** Why the run was stopped, when it was (`rpc`, `timeout`, `shutdown`, `parent`); not sent on the wire. */
  stopReason?: string;
}

/** What `submit` did. */
export type SubmitResult =
  | { status: "accepted"; runId: string; acceptedAt: number; done: Promise<RunFinal> }
  | { status: "in_flight"; runId: string }
  | { status: "done"; runId: string; final: RunFinal };

/** `agent.wait` result. */
export type WaitResult = AgentWaitResult;
