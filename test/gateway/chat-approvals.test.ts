/**
 * Exec approvals in the chat a run came from, through the channel manager and the fake Telegram Bot API:
 * the question reaches the chat; the owner's `/approve <short id> allow|always|deny` settles it with no
 * agent turn; a stranger's `/approve` (even in a chat open to everyone) settles nothing, starts no turn and
 * leaves one log line without its text; an approval sent to another chat cannot be answered from this one.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { ChannelOptions } from "../../src/channels/index.ts";
import { parseChatCommand } from "../../src/channels/router.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import type { TelegramAccountConfig } from "../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { type ExecApprovalOutcome, ExecApprovalQueue, type ExecApprovalRequest } from "../../src/gateway/approvals/approvals.ts";
import { ChatApprovals, formatQuestion } from "../../src/gateway/approvals/chat-approvals.ts";
import { Logger } from "../../src/logging/logger.ts";
import { startTestChannels, type TestChannels } from "../helpers/channels.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { waitFor } from "../helpers/wait.ts";

const OWNER = { id: 7001, first_name: "Olga" };
const FRIEND = { id: 7002, first_name: "Fred" };
const STRANGER = { id: 7003, first_name: "Sam" };
const REQUEST: ExecApprovalRequest = { command: "uptime", cwd: "/w", host: "gateway", security: "allowlist", ask: "on-miss", agentId: "main", resolvedPath: "/usr/bin/uptime", sessionKey: null };
const QUESTION = { command: "uptime", cwd: "/w", agentId: "main", resolvedPath: "/usr/bin/uptime", reason: "uptime is not on the allowlist", timeoutMs: 60_000 };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface Setup {
  fake: FakeTelegram;
  t: TestChannels;
  queue: ExecApprovalQueue;
  chat: ChatApprovals;
  ask(id: string, to: string): Promise<ExecApprovalOutcome>;
  repliesTo(user: { id: number }): string[];
}

async function setup(): Promise<Setup> {
  const fake = startFakeTelegram();
  cleanup.push(() => fake.stop());
  const config: OpenClawConfig = {
    messages: { queue: { mode: "followup", debounceMs: 10 } },
    commands: { ownerAllowFrom: [`telegram:${OWNER.id}`] },
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*", String(FRIEND.id)] } },
  };
  const queue = new ExecApprovalQueue({ broadcast: () => {} });
  let chat!: ChatApprovals;
  const t = startTestChannels(config, {
    factories: { telegram: (o) => createTelegramChannel(o as ChannelOptions<TelegramAccountConfig>) },
    chatCommand: (req) => chat.answer({ chat: { channel: req.channel.channel, accountId: req.channel.accountId, to: req.channel.chatId }, senderId: req.channel.senderId, args: req.args }),
  });
  cleanup.push(() => t.stop());
  chat = new ChatApprovals({ queue, logger: new Logger("test", { noFile: true, write: (l) => t.logs.push(l) }), channels: t.manager });
  const ask = async (id: string, to: string) => {
    const waiting = queue.request({ id, request: REQUEST, timeoutMs: 60_000, connId: "agent-runs" });
    chat.announce(id, QUESTION, { channel: "telegram", accountId: "default", to });
    try {
      return await waiting;
    } finally {
      chat.forget(id);
    }
  };
  const repliesTo = (user: { id: number }) => fake.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(user.id)).map((c) => String(c.params.text));
  // The question is sent through the running account: wait until it polls.
  await waitFor(() => fake.callsOf("getUpdates").length > 0, "telegram polling");
  return { fake, t, queue, chat, ask, repliesTo };
}

describe("/approve in the chat", () => {
  test("the owner gets the question and answers it by short id; no agent turn runs", async () => {
    const s = await setup();
    const id = "c0ffee12-0000-4000-8000-000000000001";
    const outcome = s.ask(id, String(OWNER.id));
    await waitFor(() => s.repliesTo(OWNER).some((t) => t.includes("/approve c0ffee12 allow")), "the question in the owner's chat");
    const question = s.repliesTo(OWNER)[0] as string;
    expect(question).toContain("uptime");
    expect(question).toContain("Directory: /w");
    expect(question).toContain(`(id ${id})`);

    s.fake.pushText(OWNER, "/approve c0ffee12 always");
    expect((await outcome).decision).toBe("allow-always");
    await waitFor(() => s.repliesTo(OWNER).includes("Allowed always: uptime"), "the owner's confirmation");
    expect(s.t.agent.turns).toEqual([]);
    // Answered: the same id from the same chat now finds nothing.
    s.fake.pushText(OWNER, "/approve c0ffee12 deny");
    await waitFor(() => s.repliesTo(OWNER).some((t) => t.startsWith("No waiting approval c0ffee12 for this chat")), "unknown id answer");
    s.fake.pushText(OWNER, "/approve c0ffee12 maybe");
    await waitFor(() => s.repliesTo(OWNER).some((t) => t.startsWith("Usage: /approve ")), "usage answer");
    expect(s.t.agent.turns).toEqual([]);
  });

  test("a stranger's /approve settles nothing, runs no turn and is logged without its text; an allowlisted sender may answer", async () => {
    const s = await setup();
    const id = "beef0001-0000-4000-8000-000000000002";
    const outcome = s.ask(id, String(STRANGER.id));
    await waitFor(() => s.repliesTo(STRANGER).length === 1, "the question in the chat");
    s.fake.pushText(STRANGER, `/approve ${id} allow`);
    await waitFor(() => s.t.logs.some((l) => l.includes("/approve from a sender not allowed to command the agent")), "the drop line");
    expect(s.queue.list().map((a) => a.id)).toEqual([id]);
    expect(s.t.agent.turns).toEqual([]);
    expect(s.repliesTo(STRANGER)).toHaveLength(1);
    expect(s.t.logs.filter((l) => l.includes(id) && !l.includes("approval"))).toEqual([]);
    expect(s.t.logs.join("\n")).not.toContain(`${id} allow`);

    // The friend (named in allowFrom) is allowed to command the agent, but this question went to another chat.
    s.fake.pushText(FRIEND, `/approve ${id} allow`);
    await waitFor(() => s.repliesTo(FRIEND).some((t) => t.startsWith(`No waiting approval ${id} for this chat`)), "other-chat refusal");
    expect(s.queue.list().map((a) => a.id)).toEqual([id]);

    const second = "beef0002-0000-4000-8000-000000000003";
    const friendOutcome = s.ask(second, String(FRIEND.id));
    await waitFor(() => s.repliesTo(FRIEND).length === 2, "the question in the friend's chat");
    s.fake.pushText(FRIEND, "/approve beef0002 deny");
    expect((await friendOutcome).decision).toBe("deny");
    s.queue.resolve(id, "deny", "test");
    await outcome;
    expect(s.t.agent.turns).toEqual([]);
  });

  test("parseChatCommand and the question text", () => {
    expect(parseChatCommand("/approve abc allow")).toEqual({ name: "approve", args: "abc allow" });
    expect(parseChatCommand("  /APPROVE@my_bot abc deny ")).toEqual({ name: "approve", args: "abc deny" });
    expect(parseChatCommand("/approve")).toEqual({ name: "approve", args: "" });
    expect(parseChatCommand("/approved it")).toBeUndefined();
    expect(parseChatCommand("please /approve abc allow")).toBeUndefined();
    const text = formatQuestion("0123456789abcdef", { ...QUESTION, command: "echo ```x```" });
    expect(text).toContain("```\necho '''x'''\n```");
    expect(text).toContain("/approve 01234567 deny");
  });
});
