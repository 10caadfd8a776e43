/**
 * `/stop` from a chat, through the channel manager and the fake Telegram Bot API: it is never queued behind
 * the turn it stops and never reaches the agent. From a sender who may command the agent it stops the runs
 * of the session the chat routes to (through `stopRuns`), drops the messages waiting for that session and
 * answers with what it stopped; a stranger's `/stop` stops nothing, gets no answer and leaves one log line
 * without its text; in a group, `/stop@another_bot` is not ours. The same over WhatsApp (fake Baileys
 * socket). Also the pieces: `isStopFor` and `SessionQueue.clear`.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionQueue } from "../../src/channels/_queue.ts";
import type { AgentTurnResult, ChannelOptions, InboundMessage, StopRunsRequest } from "../../src/channels/index.ts";
import { isStopFor } from "../../src/channels/router.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { createWhatsAppChannel, openAuthState } from "../../src/channels/whatsapp/index.ts";
import type { TelegramAccountConfig, WhatsAppAccountConfig } from "../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { InboundStore } from "../../src/store/channel-inbound.ts";
import { openStateDb, stateDbPath } from "../../src/store/state-db.ts";
import { startTestChannels, type TestChannels } from "../helpers/channels.ts";
import { createFakeSocketFactory, SELF_JID, waText } from "../helpers/fake-baileys.ts";
import { FAKE_BOT, FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { waitFor } from "../helpers/wait.ts";

const OWNER = { id: 9101, first_name: "Olga" };
const FRIEND = { id: 9102, first_name: "Fred" };
const STRANGER = { id: 9103, first_name: "Sam" };
const GROUP = { id: -1009100, type: "supergroup", title: "Crew" };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface Setup {
  fake: FakeTelegram;
  t: TestChannels;
  stops: StopRunsRequest[];
  textsTo(chatId: number): string[];
}

/**
 * Open DMs and an open group; the owner is named in allowFrom, the friend in groupAllowFrom. Every agent
 * turn hangs until a stop of its session ends it as aborted (what the gateway's runtime does).
 */
async function setup(): Promise<Setup> {
  const fake = startFakeTelegram();
  cleanup.push(() => fake.stop());
  const config: OpenClawConfig = {
    messages: { queue: { mode: "followup", debounceMs: 10 } },
    channels: {
      telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*", String(OWNER.id)], groupPolicy: "open", groupAllowFrom: ["*", String(FRIEND.id)] },
    },
  };
  const running = new Map<string, (r: AgentTurnResult) => void>();
  const stops: StopRunsRequest[] = [];
  const t = startTestChannels(config, {
    factories: { telegram: (o) => createTelegramChannel(o as ChannelOptions<TelegramAccountConfig>) },
    stopRuns: (req) => {
      stops.push(req);
      const end = running.get(req.sessionKey);
      running.delete(req.sessionKey);
      end?.({ aborted: true });
      return { runs: end ? 1 : 0, subagents: end ? 2 : 0 };
    },
  });
  cleanup.push(() => t.stop());
  t.agent.reply = (req) => new Promise((resolve) => running.set(req.sessionKey, resolve));
  await waitFor(() => fake.callsOf("getUpdates").length > 0, "telegram polling");
  const textsTo = (chatId: number) =>
    fake
      .callsOf("sendMessage")
      .filter((c) => String(c.params.chat_id) === String(chatId))
      .map((c) => String(c.params.text));
  return { fake, t, stops, textsTo };
}

describe("/stop in a chat", () => {
  test("the owner's /stop ends the running turn at once, drops what waits, and answers; nothing reaches the agent", async () => {
    const s = await setup();
    s.fake.pushText(OWNER, "write me a novel");
    await s.t.agent.waitForTurns(1);
    s.fake.pushText(OWNER, "and a poem");
    s.fake.pushText(OWNER, "/STOP");
    await waitFor(() => s.textsTo(OWNER.id).length > 0, "the answer to /stop");
    expect(s.textsTo(OWNER.id)).toEqual(["⏹️ Stopped the running turn and 2 sub-agents. 1 waiting message was dropped."]);
    expect(s.stops).toEqual([expect.objectContaining({ agentId: "main", sessionKey: "agent:main:main", channel: expect.objectContaining({ senderId: String(OWNER.id), senderIsOwner: true }) })]);
    await s.t.manager.router.idle();
    // The aborted turn sent nothing; the waiting message never ran; /stop was never a turn.
    expect(s.t.agent.turns.map((x) => x.text)).toEqual(["write me a novel"]);
    expect(s.textsTo(OWNER.id)).toHaveLength(1);
    // Every recorded message is done: nothing runs again after a restart.
    const db = openStateDb(stateDbPath(s.t.stateDir));
    try {
      expect(new InboundStore(db).listOpen("telegram", "default")).toEqual([]);
    } finally {
      db.close();
    }
    expect(s.t.logs.some((l) => l.includes("/stop dropped it before its turn"))).toBe(true);
    expect(s.t.logs.some((l) => l.includes("and a poem"))).toBe(false);

    // With nothing running it says so.
    s.fake.pushText(OWNER, "/stop");
    await waitFor(() => s.textsTo(OWNER.id).length > 1, "the second answer");
    expect(s.textsTo(OWNER.id)[1]).toBe("⏹️ Nothing was running.");
  });

  test("a stranger's /stop (DM open to everyone, or group) stops nothing, gets no answer, starts no turn", async () => {
    const s = await setup();
    // The stranger's DM shares the main session with the owner's (dmScope main).
    s.fake.pushText(OWNER, "long task");
    await s.t.agent.waitForTurns(1);
    s.fake.pushText(STRANGER, "/stop");
    s.fake.pushText(STRANGER, "/stop@" + FAKE_BOT.username, { chat: GROUP, entities: [{ type: "bot_command", offset: 0, length: 5 + FAKE_BOT.username.length + 1 }] });
    await waitFor(() => s.t.logs.filter((l) => l.includes("/stop from a sender not allowed to command the agent")).length === 2, "two dropped /stop");
    expect(s.stops).toEqual([]);
    expect(s.fake.callsOf("sendMessage")).toEqual([]);
    expect(s.t.agent.turns).toHaveLength(1);
    // The drop lines name neither the sender nor the chat (only with --verbose).
    const dropLines = s.t.logs.filter((l) => l.includes("/stop from a sender not allowed"));
    expect(dropLines.some((l) => l.includes(String(STRANGER.id)) || l.includes(String(GROUP.id)))).toBe(false);
    // The owner's turn is still running: the owner's own /stop ends it.
    s.fake.pushText(OWNER, "/stop");
    await waitFor(() => s.textsTo(OWNER.id).length > 0, "the owner's answer");
    expect(s.textsTo(OWNER.id)).toEqual(["⏹️ Stopped the running turn and 2 sub-agents."]);
  });

  test("in a group: an allowlisted member's /stop@this_bot stops the group's session; /stop@another_bot is not ours", async () => {
    const s = await setup();
    const mention = (bot: string) => ({ chat: GROUP, entities: [{ type: "bot_command", offset: 0, length: `/stop@${bot}`.length }] });
    s.fake.pushText(FRIEND, "/stop@another_bot", mention("another_bot"));
    await waitFor(() => s.t.logs.some((l) => l.includes("no mention")), "the other bot's command dropped (no mention)");
    expect(s.stops).toEqual([]);
    s.fake.pushText(FRIEND, `/stop@${FAKE_BOT.username}`, mention(FAKE_BOT.username));
    await waitFor(() => s.textsTo(GROUP.id).length > 0, "the answer in the group");
    expect(s.stops.map((r) => r.sessionKey)).toEqual([`agent:main:telegram:group:${GROUP.id}`]);
    expect(s.textsTo(GROUP.id)).toEqual(["⏹️ Nothing was running."]);
    expect(s.t.agent.turns).toEqual([]);
  });
});

describe("/stop over WhatsApp", () => {
  test("the allowlisted sender's /stop ends the running turn; a stranger's (open DMs, shared session) stops nothing", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "openclaw-wa-stop-"));
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const auth = openAuthState(join(stateDir, "credentials", "whatsapp", "default"));
    Object.assign(auth.state.creds, { me: { id: SELF_JID, name: "Tester" }, registered: true });
    await auth.saveCreds();
    const sockets = createFakeSocketFactory();
    let end: ((r: AgentTurnResult) => void) | undefined;
    const stops: StopRunsRequest[] = [];
    const t = startTestChannels(
      { messages: { queue: { mode: "followup", debounceMs: 10 } }, channels: { whatsapp: { dmPolicy: "open", allowFrom: ["*", "+15550001111"] } } },
      {
        stateDir,
        factories: { whatsapp: (o) => createWhatsAppChannel({ ...(o as ChannelOptions<WhatsAppAccountConfig>), socketFactory: sockets.factory, random: () => 0.5 }) },
        stopRuns: (req) => {
          stops.push(req);
          const running = end;
          end = undefined;
          running?.({ aborted: true });
          return { runs: running ? 1 : 0, subagents: 0 };
        },
      },
    );
    cleanup.push(() => t.stop({ keepState: true }));
    t.agent.reply = () => new Promise((resolve) => (end = resolve));
    const sock = await sockets.waitForSockets(1);
    sock.open();
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.connected === true, "whatsapp connected");
    const textsTo = (e164: string) => sock.sent.filter((x) => x.jid === `${e164.slice(1)}@s.whatsapp.net`).map((x) => String(x.content.text ?? ""));

    sock.inbound(waText("+15550001111", "plan my week"));
    await t.agent.waitForTurns(1);
    sock.inbound(waText("+15559990000", "/stop"));
    await waitFor(() => t.logs.some((l) => l.includes("/stop from a sender not allowed to command the agent")), "the stranger's /stop dropped");
    expect(stops).toEqual([]);
    sock.inbound(waText("+15550001111", " /Stop "));
    await waitFor(() => textsTo("+15550001111").length > 0, "the answer to /stop");
    expect(textsTo("+15550001111")).toEqual(["⏹️ Stopped the running turn."]);
    expect(stops.map((r) => r.sessionKey)).toEqual(["agent:main:main"]);
    await t.manager.router.idle();
    expect(t.agent.turns.map((x) => x.text)).toEqual(["plan my week"]);
    expect(textsTo("+15559990000")).toEqual([]);
  });
});

describe("pieces", () => {
  const m = (text: string, over: Partial<InboundMessage> = {}) => ({ text, chatType: "direct" as const, ...over });
  test("isStopFor: only a lone /stop (any case, spaces, /stop@bot); in a group /stop@name must address this bot", () => {
    for (const t of ["/stop", " /STOP ", "/Stop@claw_test_bot"]) expect(isStopFor(m(t))).toBe(true);
    for (const t of ["/stop now", "stop", "/stopper", "please /stop", "/stop@"]) expect(isStopFor(m(t))).toBe(false);
    expect(isStopFor(m("/stop@other_bot", { chatType: "group", wasMentioned: false }))).toBe(false);
    expect(isStopFor(m("/stop@claw_test_bot", { chatType: "group", wasMentioned: true }))).toBe(true);
    // A bare /stop in a group needs no mention (like /approve); WhatsApp sets no wasMentioned for DMs.
    expect(isStopFor(m("/stop", { chatType: "group", wasMentioned: false }))).toBe(true);
  });

  test("SessionQueue.clear takes out what waits on one key; the running turn and other keys go on", async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const q = new SessionQueue<string>(async (_k, items) => {
      runs.push(items);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    const s = { mode: "followup" as const, debounceMs: 5, cap: 20, drop: "old" as const };
    q.enqueue("k", "running", s);
    q.enqueue("k", "a", s);
    q.enqueue("k", "b", s);
    q.enqueue("other", "x", s);
    expect(q.clear("k")).toEqual(["a", "b"]);
    expect(q.clear("k")).toEqual([]);
    expect(q.clear("nobody")).toEqual([]);
    release();
    await q.idle();
    expect(runs).toEqual([["running"], ["x"]]);
  });
});
