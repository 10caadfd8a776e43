/**
 * Exec approvals in the chat a run came from: the question goes to that chat as a message, and a sender
 * the channel lets command the agent answers `/approve <id> allow|always|deny` there (the full id or the
 * 8-character short id the message shows). Only approvals sent to that same chat can be answered from it.
 * When such a question ends some other way (answered from the control UI or the CLI, expired, cancelled by a
 * stop), the chat gets one short follow-up (id and outcome, never the command), and a late `/approve` for it
 * is told how it ended.
 */
import type { Logger } from "../../logging/logger.ts";
import { toErrorMessage, unreachable } from "../../errors.ts";
import { type ApprovalAnswerer, type ApprovalDecision, type ExecApprovalQueue, MIN_APPROVAL_ID_PREFIX } from "./approvals.ts";

/** A chat, as a channel's `send` takes it. */
export interface ApprovalChat {
  channel: string;
  accountId?: string;
  /** The `send` target (`<chatId>` or `<chatId>:topic:<id>`). */
  to: string;
}

/** What the chat message shows. */
export interface ChatApprovalQuestion {
  command: string;
  cwd: string;
  agentId: string;
  resolvedPath: string | null;
  reason: string;
  timeoutMs: number;
  /** What happens when nobody answers in time; the expiry follow-up says it. Unknown: "refuse" is not claimed. */
  ifUnanswered?: "run" | "refuse";
}

/** How a waiting approval ended, as its requester saw it. */
export type ApprovalEnd =
  | { kind: "answered"; decision: ApprovalDecision; answeredBy?: ApprovalAnswerer }
  | { kind: "expired" }
  /** The wait failed (the gateway is stopping): the command does not run. */
  | { kind: "cancelled" };

/** `/approve` as the channel router hands it over, after it checked the sender may command the agent. */
export interface ApproveCommand {
  chat: ApprovalChat;
  senderId: string;
  /** The text after `/approve`. */
  args: string;
}

/** Options of {@link ChatApprovals}. */
export interface ChatApprovalsOptions {
  queue: ExecApprovalQueue;
  /** The channels' `send` (may throw; a failed send is logged, operators still see the question). */
  channels: {
    send(req: {
      channel: string;
      accountId?: string;
      to: string;
      message: string;
      idempotencyKey: string;
    }): Promise<unknown>;
  };
  logger: Logger;
}

/** Channels whose chats can receive a question (webchat and the CLI have operators of their own). */
const CHAT_CHANNELS = new Set(["telegram", "whatsapp"]);
/** Characters of the id the chat message shows. */
export const SHORT_ID_LENGTH = 8;

const DECISIONS: Record<string, ApprovalDecision> = {
  allow: "allow-once",
  once: "allow-once",
  "allow-once": "allow-once",
  always: "allow-always",
  "allow-always": "allow-always",
  deny: "deny",
  reject: "deny",
};

const USAGE = "Usage: /approve <id> allow|always|deny";

/** Ended approvals remembered per gateway, so a late `/approve` hears how its question ended. */
const MAX_ENDED = 256;
/** …and for how long. */
const ENDED_TTL_MS = 24 * 60 * 60 * 1000;

/** A question sent to a chat, while it waits. */
interface Sent {
  chat: ApprovalChat;
  ifUnanswered?: "run" | "refuse";
  /** Settles with whether the question reached the chat (a follow-up goes only where the question did). */
  delivered: Promise<boolean>;
}

/** How an approval sent to a chat ended: a phrase after "Approval <short id> …". */
interface Ended {
  chat: ApprovalChat;
  outcome: string;
  atMs: number;
}

/** The chats approval questions went to, by approval id, while they wait, and how recent ones ended. */
export class ChatApprovals {
  readonly #opts: ChatApprovalsOptions;
  readonly #log: Logger;
  readonly #sentTo = new Map<string, Sent>();
  readonly #ended = new Map<string, Ended>();

  constructor(opts: ChatApprovalsOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child("approvals/chat");
  }

  /** The chat of a run's origin when it is one a question can be sent to; undefined otherwise. */
  chatOf(origin: { channel: string; chat?: string; accountId?: string } | undefined): ApprovalChat | undefined {
    if (!origin?.chat || !CHAT_CHANNELS.has(origin.channel)) return undefined;
    return { channel: origin.channel, to: origin.chat, ...(origin.accountId && { accountId: origin.accountId }) };
  }

  /**
   * Sends the question for the waiting approval `id` to `chat` and remembers the chat until {@link ended}.
   * Never throws: a failed send is logged (without the command).
   */
  announce(id: string, q: ChatApprovalQuestion, chat: ApprovalChat): void {
    const delivered = this.#send(id, chat, formatQuestion(id, q), `approval:${id}`, "question");
    this.#sentTo.set(id, { chat, delivered, ...(q.ifUnanswered && { ifUnanswered: q.ifUnanswered }) });
  }

  /**
   * The approval `id` stopped waiting: its chat can no longer answer it. When its question reached a chat and
   * was not answered there, that chat gets one follow-up saying how it ended (after the question, never
   * instead of it). A no-op for approvals never sent to a chat. Never throws.
   */
  ended(id: string, end: ApprovalEnd): void {
    const sent = this.#sentTo.get(id);
    if (!sent) return;
    this.#sentTo.delete(id);
    const outcome = describeEnd(end, sent.ifUnanswered);
    this.#remember(id, sent.chat, outcome);
    const text = `Approval ${id.slice(0, SHORT_ID_LENGTH)} ${outcome}`;
    void sent.delivered.then((ok) => (ok ? this.#send(id, sent.chat, text, `approval:${id}:ended`, "follow-up") : undefined));
  }

  /**
   * Answers `/approve <id> <decision>` from `cmd.chat`. The id must name an approval whose question was sent
   * to this chat and still waits.
   * @returns the reply for the chat.
   */
  answer(cmd: ApproveCommand): string {
    const [rawId, rawDecision, ...rest] = cmd.args.trim().split(/\s+/).filter(Boolean);
    const decision = rawDecision ? DECISIONS[rawDecision.toLowerCase()] : undefined;
    if (!rawId || !decision || rest.length > 0) return USAGE;
    const found = this.#opts.queue.find(rawId, (id) => sameChat(this.#sentTo.get(id)?.chat, cmd.chat));
    if ("error" in found) {
      if (found.error === "ambiguous") return `Approval id ${rawId} matches several waiting approvals; send the full id.`;
      return this.#lateAnswer(rawId, cmd.chat);
    }
    const command = this.#opts.queue.list().find((a) => a.id === found.id)?.request.command ?? "";
    const sent = this.#sentTo.get(found.id);
    if (!sent || !this.#opts.queue.resolve(found.id, decision, `${cmd.chat.channel}:${cmd.senderId}`)) return this.#lateAnswer(rawId, cmd.chat);
    // Answered here: the confirmation below is all this chat needs, no follow-up.
    this.#sentTo.delete(found.id);
    this.#remember(found.id, sent.chat, `${DECISION_PHRASES[decision]} in this chat.`);
    this.#log.info(`approval ${decision} from the chat`, { channel: cmd.chat.channel, approval: found.id });
    const verb = decision === "deny" ? "Denied" : decision === "allow-always" ? "Allowed always" : "Allowed once";
    return `${verb}: ${oneLine(command)}`;
  }

  // --- internal ---

  /** The reply to `/approve` for an id nothing waits under in this chat: how it ended, when this chat had it. */
  #lateAnswer(rawId: string, chat: ApprovalChat): string {
    const want = rawId.toLowerCase();
    const now = Date.now();
    const hits = [...this.#ended].filter(
      ([id, e]) => now - e.atMs < ENDED_TTL_MS && sameChat(e.chat, chat) && (id === want || (want.length >= MIN_APPROVAL_ID_PREFIX && id.startsWith(want))),
    );
    const hit = hits.length === 1 ? hits[0] : undefined;
    if (!hit) return `No waiting approval ${rawId} for this chat (it may have been answered or expired).`;
    return `Approval ${hit[0].slice(0, SHORT_ID_LENGTH)} is no longer waiting: it ${hit[1].outcome}`;
  }

  #remember(id: string, chat: ApprovalChat, outcome: string): void {
    const key = id.toLowerCase();
    this.#ended.delete(key);
    this.#ended.set(key, { chat, outcome, atMs: Date.now() });
    // Oldest first (insertion order): drop past the cap.
    for (const key of this.#ended.keys()) {
      if (this.#ended.size <= MAX_ENDED) break;
      this.#ended.delete(key);
    }
  }

  /** Sends `message` to `chat`; resolves with whether it went out. A failure is logged with no text. */
  #send(id: string, chat: ApprovalChat, message: string, idempotencyKey: string, what: string): Promise<boolean> {
    const req = { channel: chat.channel, ...(chat.accountId && { accountId: chat.accountId }), to: chat.to, message, idempotencyKey };
    return Promise.resolve()
      .then(() => this.#opts.channels.send(req))
      .then(
        () => true,
        (err) => {
          this.#log.warn(`could not send the approval ${what} to the chat: ${toErrorMessage(err)}`, { channel: chat.channel, approval: id });
          return false;
        },
      );
  }
}

/** The chat message: what runs where, the id, how to answer. */
export function formatQuestion(id: string, q: ChatApprovalQuestion): string {
  const short = id.slice(0, SHORT_ID_LENGTH);
  return [
    `Approval needed: agent ${q.agentId} wants to run a command on the gateway host.`,
    fence(q.command),
    `Directory: ${q.cwd}`,
    ...(q.resolvedPath ? [`Program: ${q.resolvedPath}`] : []),
    `Why: ${q.reason}`,
    `Expires in ${Math.round(q.timeoutMs / 1000)} s. Answer with one of:`,
    `/approve ${short} allow`,
    `/approve ${short} always`,
    `/approve ${short} deny`,
    `(id ${id})`,
  ].join("\n");
}

// --- internal ---

const DECISION_PHRASES: Record<ApprovalDecision, string> = {
  "allow-once": "was allowed once",
  "allow-always": "was allowed always",
  deny: "was denied",
};

/**
 * Where an answer came from, in words a chat may see: a kind of client, never its display name or a sender
 * id (the question may sit in a group).
 */
function describeAnswerer(by: ApprovalAnswerer | undefined): string {
  switch (by?.clientId) {
    case "openclaw-control-ui":
    case "webchat-ui":
    case "webchat":
      return "from the control UI";
    case "cli":
      return "from the CLI";
    case "openclaw-macos":
    case "openclaw-ios":
    case "openclaw-android":
      return "from the OpenClaw app";
  }
  if (!by?.clientId && /^(telegram|whatsapp):/.test(by?.resolvedBy ?? "")) return "from another chat";
  return "by an operator";
}

/** The outcome phrase after "Approval <short id> ". */
function describeEnd(end: ApprovalEnd, ifUnanswered: "run" | "refuse" | undefined): string {
  switch (end.kind) {
    case "answered":
      return `${DECISION_PHRASES[end.decision]} ${describeAnswerer(end.answeredBy)}${end.decision === "deny" ? "; the command did not run." : "."}`;
    case "expired":
      if (ifUnanswered === "run") return "expired without an answer; the command ran anyway (askFallback).";
      return ifUnanswered === "refuse" ? "expired without an answer; the command did not run." : "expired without an answer.";
    case "cancelled":
      return "was cancelled (the gateway stopped); the command did not run.";
    default:
      return unreachable(end);
  }
}

function sameChat(a: ApprovalChat | undefined, b: ApprovalChat): boolean {
  return (
    a !== undefined &&
    a.channel === b.channel &&
    a.to === b.to &&
    (a.accountId ?? "default") === (b.accountId ?? "default")
  );
}

/** A fenced code block that the command cannot close early. */
function fence(command: string): string {
  return `\`\`\`\n${command.replace(/```/g, "'''")}\n\`\`\``;
}

function oneLine(command: string): string {
  const flat = command.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
