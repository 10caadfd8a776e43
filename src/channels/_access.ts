/**
 * Who may talk to the agent through a channel (channels.md §1): `dmPolicy` for direct messages,
 * `groupPolicy` + `groups` + `groupAllowFrom` for groups, and mention gating inside groups. Pure functions
 * of the message, the account config and the approved-senders lookup.
 */
import type { CommonAccountConfig } from "./_config.ts";
import type { InboundMessage } from "./channel.ts";

/** The verdict on one inbound message. */
export type AccessDecision =
  | { kind: "allow"; requireMention: boolean }
  /** Unknown DM sender under `dmPolicy: pairing`: answer with a pairing code, do not run the agent. */
  | { kind: "pair" }
  | { kind: "drop"; reason: string };

/**
 * Decides what to do with `msg`.
 * @param isApproved whether an operator approved this sender (pairing store).
 */
export function decideAccess(msg: InboundMessage, account: CommonAccountConfig, isApproved: (peerId: string) => boolean): AccessDecision {
  return msg.chatType === "direct" ? decideDirect(msg, account, isApproved) : decideGroup(msg, account, isApproved);
}

/**
 * True when `entries` (an allowFrom list) contains the sender: `"*"`, the sender id (Telegram numeric id,
 * WhatsApp E.164 in any common spelling), or `@username` (Telegram, case-insensitive).
 */
export function matchesAllowList(entries: readonly (string | number)[] | undefined, msg: Pick<InboundMessage, "channel" | "senderId" | "senderUsername">): boolean {
  if (!entries || entries.length === 0) return false;
  const sender = normalizePeer(msg.channel, msg.senderId);
  const username = msg.senderUsername?.toLowerCase();
  return entries.some((raw) => {
    const entry = String(raw).trim();
    if (entry === "*") return true;
    if (entry.startsWith("@")) return username !== undefined && entry.slice(1).toLowerCase() === username;
    return normalizePeer(msg.channel, entry) === sender;
  });
}

/**
 * Canonical peer id: WhatsApp numbers as `+<digits>`; Telegram ids without a `telegram:`/`tg:` prefix.
 * @example normalizePeer("whatsapp", "1 (555) 123-4567") // "+15551234567"
 */
export function normalizePeer(channel: string, id: string): string {
  const s = id.trim().replace(/^(telegram|tg|whatsapp|wa):/i, "");
  if (channel === "whatsapp") {
    const digits = s.replace(/@.*$/, "").replace(/[^\d]/g, "");
    return digits ? `+${digits}` : s;
  }
  return s.toLowerCase();
}

// --- internal ---

function decideDirect(msg: InboundMessage, account: CommonAccountConfig, isApproved: (peerId: string) => boolean): AccessDecision {
  // The linked WhatsApp number is implicitly allowed (self-chat).
  if (msg.fromSelf) return { kind: "allow", requireMention: false };
  const policy = account.dmPolicy ?? "pairing";
  switch (policy) {
    case "disabled":
      return { kind: "drop", reason: "dmPolicy disabled" };
    case "open":
      return { kind: "allow", requireMention: false };
    case "allowlist":
    case "pairing": {
      if (matchesAllowList(account.allowFrom, msg) || isApproved(normalizePeer(msg.channel, msg.senderId))) return { kind: "allow", requireMention: false };
      return policy === "pairing" ? { kind: "pair" } : { kind: "drop", reason: "sender not in allowFrom" };
    }
    default:
      return { kind: "drop", reason: `unknown dmPolicy ${String(policy)}` };
  }
}

function decideGroup(msg: InboundMessage, account: CommonAccountConfig, isApproved: (peerId: string) => boolean): AccessDecision {
  const policy = account.groupPolicy ?? "allowlist";
  if (policy === "disabled") return { kind: "drop", reason: "groupPolicy disabled" };
  const groups = account.groups;
  const entry = groups?.[msg.chatId] ?? groups?.["*"];
  const topic = msg.threadId !== undefined ? entry?.topics?.[msg.threadId] : undefined;
  if (entry?.enabled === false || topic?.enabled === false) return { kind: "drop", reason: "group disabled" };
  const senderList = topic?.allowFrom ?? entry?.allowFrom ?? (account.groupAllowFrom?.length ? account.groupAllowFrom : undefined);
  if (policy === "allowlist" && !entry && !senderList) return { kind: "drop", reason: "group not in allowlist" };
  if (senderList && !matchesAllowList(senderList, msg) && !(policy === "allowlist" && !entry && isApproved(normalizePeer(msg.channel, msg.senderId))))
    return { kind: "drop", reason: "sender not in groupAllowFrom" };
  return { kind: "allow", requireMention: topic?.requireMention ?? entry?.requireMention ?? true };
}

/** What the channel knows of a sender beyond "may talk": passed to the agent run as part of its origin. */
export interface SenderStanding {
  /** An owner: the linked account itself, `commands.ownerAllowFrom`, or a concrete (non-`*`) `allowFrom` entry. */
  owner: boolean;
  /** Named by a concrete allowlist entry that applies to this chat, or approved by pairing. A `*` entry names nobody. */
  allowlisted: boolean;
}

/**
 * The sender's standing. `ownerAllowFrom` entries are `<channel>:<id>` (or a bare id, any channel);
 * wildcards never make an owner or an allowlisted sender: they open the chat, they do not name anyone.
 * @param isApproved whether an operator approved this sender (pairing store).
 */
export function senderStanding(
  msg: Pick<InboundMessage, "channel" | "senderId" | "senderUsername" | "chatType" | "chatId" | "threadId" | "fromSelf">,
  account: CommonAccountConfig,
  ownerAllowFrom: readonly (string | number)[] | undefined,
  isApproved: (peerId: string) => boolean,
): SenderStanding {
  const concrete = (entries: readonly (string | number)[] | undefined) => entries?.filter((e) => String(e).trim() !== "*");
  const prefix = new RegExp(`^(${msg.channel}|${msg.channel === "telegram" ? "tg" : "wa"}):`, "i");
  const owners = concrete(ownerAllowFrom)
    ?.map((e) => String(e).trim())
    .filter((e) => prefix.test(e) || !/^[a-z]+:/i.test(e))
    .map((e) => e.replace(prefix, ""));
  const owner = msg.fromSelf === true || matchesAllowList(owners, msg) || matchesAllowList(concrete(account.allowFrom), msg);
  const approved = isApproved(normalizePeer(msg.channel, msg.senderId));
  if (msg.chatType === "direct") return { owner, allowlisted: owner || approved || matchesAllowList(concrete(account.allowFrom), msg) };
  const entry = account.groups?.[msg.chatId] ?? account.groups?.["*"];
  const topic = msg.threadId !== undefined ? entry?.topics?.[msg.threadId] : undefined;
  const senderList = topic?.allowFrom ?? entry?.allowFrom ?? account.groupAllowFrom;
  return { owner, allowlisted: owner || approved || matchesAllowList(concrete(senderList), msg) };
}
