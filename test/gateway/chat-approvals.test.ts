/**
 * Exec approvals in the chat a run came from, through the channel manager and the fake Telegram Bot API:
 * the question reaches the chat; the owner's `/approve <short id> allow|always|deny` settles it with no
 * agent turn; a stranger's `/approve` (even in a chat open to everyone) settles nothing, starts no turn and
 * leaves one log line without its text; an approval sent to another chat cannot be answered from this one.
 * Through the agent's approvals port: a question the chat saw and did not answer (answered from the control UI
 * or the CLI, expired, cancelled by a stop) gets one follow-up there with the id and outcome only; a late
 * `/approve` is told how it ended; approvals that never reached a chat get no follow-up.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelOptions } from "../../src/channels/index.ts";
import { parseChatCommand } from "../../src/channels/router.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import type { TelegramAccountConfig } from "../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { type ExecApprovalOutcome, ExecApprovalQueue, type ExecApprovalRequest } from "../../src/gateway/approvals/approvals.ts";
import { agentExecPorts } from "../../src/gateway/approvals/agent-exec.ts";
import { ChatApprovals, formatQuestion } from "../../src/gateway/approvals/chat-approvals.ts";
import type { ExecApprovalQuestion } from "../../src/agent/exec/index.ts";
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
    const outcome = await waiting;
    chat.ended(id, outcome.decision === null ? { kind: "expired" } : { kind: "answered", decision: outcome.decision, ...(outcome.answeredBy && { answeredBy: outcome.answeredBy }) });
    return outcome;
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
    // Answered: the same id from the same chat is told how it ended (no follow-up: this chat answered it).
    s.fake.pushText(OWNER, "/approve c0ffee12 deny");
    await waitFor(() => s.repliesTo(OWNER).includes("Approval c0ffee12 is no longer waiting: it was allowed always in this chat."), "late answer");
    expect(s.repliesTo(OWNER).filter((t) => t.startsWith("Approval c0ffee12 was"))).toEqual([]);
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

describe("follow-ups through the agent's approvals port", () => {
  const SECRET_COMMAND = "curl -H 'Authorization: Bearer tok-FOLLOWUP-secret' https://example.invalid";

  function ports(s: Setup) {
    const stateDir = mkdtempSync(join(tmpdir(), "openclaw-approvals-port-"));
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const p = agentExecPorts({ stateDir, approvals: s.queue, notify: () => {}, chat: s.chat });
    cleanup.push(() => p.exec.processes.killAll());
    const request = p.approvals.request as NonNullable<typeof p.approvals.request>;
    const ask = (over: Partial<ExecApprovalQuestion> = {}) =>
      request({
        command: SECRET_COMMAND,
        cwd: "/w",
        agentId: "main",
        host: "gateway",
        security: "allowlist",
        ask: "on-miss",
        resolvedPath: "/usr/bin/curl",
        reason: "curl is not on the allowlist",
        timeoutMs: 60_000,
        ifUnanswered: "refuse",
        origin: { channel: "telegram", chat: String(OWNER.id), accountId: "default" },
        ...over,
      });
    return ask;
  }

  /** The id of the question that reached the owner's chat as message number `n` (1-based). */
  async function questionId(s: Setup, n: number): Promise<string> {
    const text = await waitFor(() => s.repliesTo(OWNER).filter((t) => t.startsWith("Approval needed"))[n - 1], `question ${n} in the owner's chat`);
    return /\(id ([0-9a-f-]{36})\)/.exec(text)?.[1] as string;
  }

  test("answered from the control UI: one follow-up with id and outcome only; a late /approve is told how it ended", async () => {
    const s = await setup();
    const ask = ports(s);
    const answer = ask();
    const id = await questionId(s, 1);
    const short = id.slice(0, 8);
    expect(s.queue.resolve(id, "allow-once", "Olga's laptop", "openclaw-control-ui")).toBe(true);
    expect(await answer).toBe("allow-once");
    const followUp = await waitFor(() => s.repliesTo(OWNER).find((t) => t.startsWith(`Approval ${short} was`)), "the follow-up");
    expect(followUp).toBe(`Approval ${short} was allowed once from the control UI.`);

    s.fake.pushText(OWNER, `/approve ${short} deny`);
    await waitFor(() => s.repliesTo(OWNER).includes(`Approval ${short} is no longer waiting: it was allowed once from the control UI.`), "the late answer");
    expect(s.t.agent.turns).toEqual([]);

    // Denied from the CLI: said so, and that the command did not run.
    const denied = ask();
    const id2 = await questionId(s, 2);
    s.queue.resolve(id2, "deny", "cli", "cli");
    expect(await denied).toBe("deny");
    await waitFor(() => s.repliesTo(OWNER).includes(`Approval ${id2.slice(0, 8)} was denied from the CLI; the command did not run.`), "the deny follow-up");
    // One follow-up per question; neither carries the command, the resolver's name, nor lands in the logs.
    const all = s.repliesTo(OWNER);
    expect(all.filter((t) => t.startsWith("Approval ") && !t.startsWith("Approval needed") && !t.includes("no longer waiting"))).toHaveLength(2);
    for (const t of all.filter((x) => !x.startsWith("Approval needed"))) {
      expect(t).not.toContain("tok-FOLLOWUP-secret");
      expect(t).not.toContain("Olga");
    }
    expect(s.t.logs.join("\n")).not.toContain("tok-FOLLOWUP-secret");
  });

  test("expired: the follow-up says whether the command ran; a late /approve hears it expired", async () => {
    const s = await setup();
    const ask = ports(s);
    const refused = ask({ timeoutMs: 200, ifUnanswered: "refuse" });
    const id = await questionId(s, 1);
    expect(await refused).toBeNull();
    await waitFor(() => s.repliesTo(OWNER).includes(`Approval ${id.slice(0, 8)} expired without an answer; the command did not run.`), "the expiry follow-up");

    const fallback = ask({ timeoutMs: 200, ifUnanswered: "run" });
    const id2 = await questionId(s, 2);
    expect(await fallback).toBeNull();
    await waitFor(() => s.repliesTo(OWNER).includes(`Approval ${id2.slice(0, 8)} expired without an answer; the command ran anyway (askFallback).`), "the fallback follow-up");

    s.fake.pushText(OWNER, `/approve ${id} allow`);
    await waitFor(() => s.repliesTo(OWNER).includes(`Approval ${id.slice(0, 8)} is no longer waiting: it expired without an answer; the command did not run.`), "the late answer");
    expect(s.queue.size).toBe(0);
    expect(s.t.agent.turns).toEqual([]);
  });

  test("a gateway stop cancels with a follow-up; no follow-up for approvals that never reached a chat", async () => {
    const s = await setup();
    const ask = ports(s);
    // From WebChat: no chat to tell, before or after.
    const web = ask({ origin: { channel: "webchat" } });
    await waitFor(() => s.queue.size === 1, "the webchat request");
    s.queue.resolve(s.queue.list()[0]!.id, "allow-once", "cli", "cli");
    expect(await web).toBe("allow-once");

    // The question could not be sent (Telegram said no): the chat never saw it, so no follow-up either.
    s.fake.failNext("sendMessage", { status: 400, description: "Bad Request: chat not found" });
    const lost = ask();
    await waitFor(() => s.t.logs.some((l) => l.includes("could not send the approval question to the chat")), "the failed question");
    const lostId = s.queue.list()[0]!.id;
    s.queue.resolve(lostId, "deny", "cli", "cli");
    expect(await lost).toBe("deny");

    const stopped = ask();
    // The failed send is recorded by the fake too: this question is the second one.
    const id = await questionId(s, 2);
    expect(id).not.toBe(lostId);
    s.queue.close();
    expect(await stopped).toBe("deny");
    await waitFor(() => s.repliesTo(OWNER).includes(`Approval ${id.slice(0, 8)} was cancelled (the gateway stopped); the command did not run.`), "the cancel follow-up");
    // Everything the chat got: the one question it saw and its follow-up (the failed send is recorded too).
    expect(s.fake.callsOf("sendMessage").map((c) => String(c.params.text).split("\n")[0])).toEqual([
      expect.stringMatching(/^Approval needed/),
      expect.stringMatching(/^Approval needed/),
      `Approval ${id.slice(0, 8)} was cancelled (the gateway stopped); the command did not run.`,
    ]);
    expect(s.fake.callsOf("sendMessage").some((c) => String(c.params.text).includes(lostId.slice(0, 8)) && !String(c.params.text).startsWith("Approval needed"))).toBe(false);
  });
});
