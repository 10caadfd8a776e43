/**
 * Exec approvals in the chat a run came from: the question goes to that chat as a message, and a sender
 * the channel lets command the agent answers `/approve <id> allow|always|deny` there (the full id or the
 * 8-character short id the message shows). Only approvals sent to that same chat can be answered from it.
 */
import type { Logger } from "../../logging/logger.ts";
import { toErrorMessage } from "../../errors.ts";
import type { ApprovalDecision, ExecApprovalQueue } from "./approvals.ts";

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
}

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

/** The chats approval questions went to, by approval id, while they wait. */
export class ChatApprovals {
  readonly #opts: ChatApprovalsOptions;
  readonly #log: Logger;
  readonly #sentTo = new Map<string, ApprovalChat>();

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
   * Sends the question for the waiting approval `id` to `chat` and remembers the chat until {@link forget}.
   * Never throws: a failed send is logged (without the command).
   */
  announce(id: string, q: ChatApprovalQuestion, chat: ApprovalChat): void {
    this.#sentTo.set(id, chat);
    const req = {
      channel: chat.channel,
      ...(chat.accountId && { accountId: chat.accountId }),
      to: chat.to,
      message: formatQuestion(id, q),
      idempotencyKey: `approval:${id}`,
    };
    void Promise.resolve()
      .then(() => this.#opts.channels.send(req))
      .catch((err) =>
        this.#log.warn(`could not send the approval question to the chat: ${toErrorMessage(err)}`, {
          channel: chat.channel,
          approval: id,
        }),
      );
  }

  /** The approval ended: its chat can no longer answer it. */
  forget(id: string): void {
    this.#sentTo.delete(id);
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
    const found = this.#opts.queue.find(rawId, (id) => sameChat(this.#sentTo.get(id), cmd.chat));
    if ("error" in found) {
      return found.error === "ambiguous"
        ? `Approval id ${rawId} matches several waiting approvals; send the full id.`
        : `No waiting approval ${rawId} for this chat (it may have been answered or expired).`;
    }
    const command = this.#opts.queue.list().find((a) => a.id === found.id)?.request.command ?? "";
    if (!this.#opts.queue.resolve(found.id, decision, `${cmd.chat.channel}:${cmd.senderId}`))
      return `No waiting approval ${rawId} for this chat (it may have been answered or expired).`;
    this.forget(found.id);
    this.#log.info(`approval ${decision} from the chat`, { channel: cmd.chat.channel, approval: found.id });
    const verb = decision === "deny" ? "Denied" : decision === "allow-always" ? "Allowed always" : "Allowed once";
    return `${verb}: ${oneLine(command)}`;
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
