/**
 * The durable inbound queue through the channel manager: Telegram (fake Bot API) and WhatsApp (fake
 * Baileys socket). A message is recorded in state.db before it is acknowledged (offset, read receipt);
 * a stop keeps waiting and running messages for the next start; a redelivery runs nothing twice; a turn
 * cut short by a stop sends nothing; each message dropped on purpose leaves one log line, without its text.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelOptions, InboundMessage } from "../../src/channels/index.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import { createWhatsAppChannel, openAuthState } from "../../src/channels/whatsapp/index.ts";
import type { TelegramAccountConfig, WhatsAppAccountConfig } from "../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { openStateDb, stateDbPath } from "../../src/store/state-db.ts";
import { InboundStore } from "../../src/store/channel-inbound.ts";
import { createFakeAgent, type FakeAgent, startTestChannels, type TestChannels } from "../helpers/channels.ts";
import { createFakeSocketFactory, type FakeSocketFactory, SELF_JID, waText } from "../helpers/fake-baileys.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { waitFor } from "../helpers/wait.ts";

const ANN = { id: 8001, first_name: "Ann" };
const BEN = { id: 8002, first_name: "Ben" };
const CAI = { id: 8003, first_name: "Cai" };
const FAST_BACKOFF = { initialMs: 20, maxMs: 60, factor: 2, jitter: 0, maxAttempts: 0 };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fakeApi(): FakeTelegram {
  const fake = startFakeTelegram();
  cleanup.push(() => fake.stop());
  return fake;
}

function tgConfig(fake: FakeTelegram, telegram: Partial<TelegramAccountConfig> = {}, rest: OpenClawConfig = {}): OpenClawConfig {
  return {
    messages: { queue: { mode: "followup", debounceMs: 10 } },
    ...rest,
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*"], ...telegram } },
  };
}

function startTg(config: OpenClawConfig, stateDir: string, agent?: FakeAgent): TestChannels {
  const t = startTestChannels(config, {
    stateDir,
    agent,
    factories: { telegram: (o) => createTelegramChannel({ ...(o as ChannelOptions<TelegramAccountConfig>), pollBackoff: FAST_BACKOFF }) },
  });
  cleanup.push(() => t.stop({ keepState: true }));
  return t;
}

const repliesTo = (fake: FakeTelegram, user: { id: number }) => fake.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(user.id));
const linesWith = (logs: string[], text: string) => logs.filter((l) => l.includes(text));

describe("telegram: messages past the offset survive a stop", () => {
  test("A running, B and C queued: the stop sends nothing; the next start answers each once, in order", async () => {
    const fake = fakeApi();
    const stateDir = tempDir("openclaw-inbound-tg-");
    const config = tgConfig(fake);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = createFakeAgent();
    first.reply = async (req) => {
      await gate;
      // What a run aborted by the stop hands back: the text so far. It must never be sent.
      return { text: `half an answer to ${req.text}` };
    };
    const t1 = startTg(config, stateDir, first);
    fake.pushText(ANN, "message A");
    await first.waitForTurns(1);
    fake.pushText(BEN, "message B");
    const c = fake.pushText(CAI, "message C");
    await fake.waitForCall("getUpdates", (call) => Number(call.params.offset) > c.update_id);
    expect(first.turns).toHaveLength(1);

    await t1.stop({ keepState: true });
    release();
    await waitFor(() => linesWith(t1.logs, "turn interrupted by a gateway stop").length === 1, "the interrupted-turn line", 5000);
    expect([ANN, BEN, CAI].flatMap((u) => repliesTo(fake, u))).toEqual([]);

    const second = createFakeAgent();
    const t2 = startTg(config, stateDir, second);
    await waitFor(() => [ANN, BEN, CAI].every((u) => repliesTo(fake, u).length >= 1), "a reply to each", 10_000);
    await t2.manager.router.idle();
    expect(second.turns.map((x) => x.text)).toEqual(["message A", "message B", "message C"]);
    for (const [u, text] of [
      [ANN, "echo: message A"],
      [BEN, "echo: message B"],
      [CAI, "echo: message C"],
    ] as const) {
      expect(repliesTo(fake, u).map((x) => x.params.text)).toEqual([text]);
    }
    expect(linesWith(t2.logs, "re-queued 3 inbound message(s)")).toHaveLength(1);
    expect(t2.manager.inbound().listOpen("telegram", "default")).toEqual([]);
  });

  test("a coalesced turn cut by a stop runs again as that same turn (same messages, same inbound key), apart from later ones", async () => {
    const fake = fakeApi();
    const stateDir = tempDir("openclaw-inbound-tg-");
    const config = tgConfig(fake, {}, { messages: { queue: { mode: "collect", debounceMs: 10 } } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = createFakeAgent();
    let holdA!: () => void;
    const aHeld = new Promise<void>((r) => (holdA = r));
    first.reply = async (req) => {
      if (req.text === "message A") await aHeld;
      else await gate;
      return { text: `echo: ${req.text}` };
    };
    const t1 = startTg(config, stateDir, first);
    fake.pushText(ANN, "message A");
    await first.waitForTurns(1);
    fake.pushText(ANN, "message B");
    const c = fake.pushText(ANN, "message C");
    await fake.waitForCall("getUpdates", (call) => Number(call.params.offset) > c.update_id);
    holdA();
    // B and C waited behind A: one coalesced turn, cut by the stop below.
    await first.waitForTurns(2);
    const d = fake.pushText(ANN, "message D");
    await fake.waitForCall("getUpdates", (call) => Number(call.params.offset) > d.update_id);
    await t1.stop({ keepState: true });
    release();
    await waitFor(() => linesWith(t1.logs, "turn interrupted by a gateway stop").length === 1, "the interrupted-turn line", 5000);
    const cut = first.turns[1];
    expect(cut.text).toContain("Queued #2\nmessage C");

    const second = createFakeAgent();
    const t2 = startTg(config, stateDir, second);
    await waitFor(() => repliesTo(fake, ANN).length >= 3, "the replies after the restart", 10_000);
    await t2.manager.router.idle();
    expect(second.turns.map((x) => x.text)).toEqual([cut.text, "message D"]);
    expect(second.turns[0].inboundKey).toBe(cut.inboundKey);
    expect(first.turns[0].inboundKey).not.toBe(cut.inboundKey);
    expect(second.turns[1].inboundKey).not.toBe(cut.inboundKey);
    expect(t2.manager.inbound().listOpen("telegram", "default")).toEqual([]);
  });

  test("an update that cannot be recorded is not confirmed: it comes again and runs once it can be", async () => {
    const fake = fakeApi();
    const t = startTg(tgConfig(fake), tempDir("openclaw-inbound-tg-"));
    const real = t.manager.inbound.bind(t.manager);
    t.manager.inbound = () => {
      throw new Error("disk I/O error");
    };
    const a = fake.pushText(ANN, "keep me");
    await waitFor(() => linesWith(t.logs, "could not be recorded (try 2/").length === 1, "a second try", 5000);
    expect(t.agent.turns).toHaveLength(0);
    expect(fake.callsOf("getUpdates").every((call) => call.params.offset === undefined || Number(call.params.offset) <= a.update_id)).toBe(true);
    t.manager.inbound = real;
    await t.agent.waitForTurns(1);
    await fake.waitForCall("getUpdates", (call) => Number(call.params.offset) === a.update_id + 1);
    await t.manager.router.idle();
    expect(t.agent.turns.map((x) => x.text)).toEqual(["keep me"]);
  });

  test("an aborted turn (not a stop) sends nothing and is done", async () => {
    const fake = fakeApi();
    const t = startTg(tgConfig(fake), tempDir("openclaw-inbound-tg-"));
    t.agent.reply = () => ({ aborted: true });
    fake.pushText(ANN, "never mind");
    await t.agent.waitForTurns(1);
    await waitFor(() => linesWith(t.logs, "turn aborted; no reply sent").length === 1);
    expect(repliesTo(fake, ANN)).toEqual([]);
    expect(t.manager.inbound().listOpen("telegram", "default")).toEqual([]);
  });
});

describe("dropped on purpose: one log line each, no text", () => {
  const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
    channel: "telegram",
    accountId: "default",
    chatType: "direct",
    chatId: String(ANN.id),
    senderId: String(ANN.id),
    messageId: "77",
    text: "the secret body",
    timestamp: Date.now(),
    ...over,
  });

  test("policy, pairing, duplicate, queue cap and too old", async () => {
    const fake = fakeApi();
    const stateDir = tempDir("openclaw-inbound-drop-");
    const config = tgConfig(fake, { dmPolicy: "allowlist", allowFrom: [ANN.id] }, { messages: { queue: { mode: "followup", debounceMs: 10, cap: 1, drop: "new" } } });
    // A message that waited two days in the DB (the gateway was down): dropped as too old at start.
    const db = openStateDb(stateDbPath(stateDir));
    new InboundStore(db).add({ channel: "telegram", accountId: "default", dedupeKey: "8001:1", sessionKey: "agent:main:main", agentId: "main", body: { ...msg({ messageId: "1", text: "stale secret" }) }, receivedAt: Date.now() - 48 * 3_600_000 });
    db.close();

    const t = startTg(config, stateDir);
    await waitFor(() => linesWith(t.logs, "dropped inbound message: too old").length === 1, "the too-old line", 5000);
    expect(t.agent.turns).toHaveLength(0);

    // Policy: a stranger under dmPolicy allowlist.
    await t.manager.router.dispatchInbound(msg({ senderId: String(BEN.id), chatId: String(BEN.id), messageId: "2", text: "secret from ben" }));
    expect(linesWith(t.logs, "dropped inbound message: sender not in allowFrom")).toHaveLength(1);

    // Duplicate: the same message handed over twice.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.agent.reply = async () => {
      await gate;
      return { text: "ok" };
    };
    expect((await t.manager.router.dispatchInbound(msg({ messageId: "3" }))).kind).toBe("queued");
    expect(await t.manager.router.dispatchInbound(msg({ messageId: "3" }))).toEqual({ kind: "duplicate" });
    expect(linesWith(t.logs, "dropped inbound message: duplicate")).toHaveLength(1);

    // Queue cap 1, drop new: 3 runs, 4 waits, 5 is dropped.
    expect((await t.manager.router.dispatchInbound(msg({ messageId: "4" }))).kind).toBe("queued");
    expect(await t.manager.router.dispatchInbound(msg({ messageId: "5" }))).toEqual({ kind: "dropped", reason: "queue full" });
    expect(linesWith(t.logs, "dropped inbound message: queue full")).toHaveLength(1);
    release();
    await t.manager.router.idle();
    expect(t.agent.turns).toHaveLength(2);

    const drops = t.logs.filter((l) => l.includes("dropped inbound message"));
    expect(drops).toHaveLength(4);
    for (const l of t.logs) expect(l).not.toMatch(/secret/);
    expect(t.manager.inbound().listOpen("telegram", "default")).toEqual([]);
  });

  test("pairing: the first message asks for approval, each later one says it was dropped", async () => {
    const fake = fakeApi();
    const t = startTg(tgConfig(fake, { dmPolicy: "pairing", allowFrom: [] }), tempDir("openclaw-inbound-pair-"));
    fake.pushText(BEN, "secret one");
    fake.pushText(BEN, "secret two");
    await waitFor(() => fake.pendingUpdates() === 0 && linesWith(t.logs, "sender awaits pairing approval").length === 1);
    expect(linesWith(t.logs, "pairing requested on telegram")).toHaveLength(1);
    expect(t.agent.turns).toHaveLength(0);
    for (const l of t.logs) expect(l).not.toMatch(/secret/);
  });
});

describe("whatsapp: recorded before the read receipt; a redelivery runs once", () => {
  const SENDER = "+15557654321";

  async function linkedStateDir(): Promise<string> {
    const stateDir = tempDir("openclaw-inbound-wa-");
    const auth = openAuthState(join(stateDir, "credentials", "whatsapp", "default"));
    Object.assign(auth.state.creds, { me: { id: SELF_JID, name: "Tester" }, registered: true });
    await auth.saveCreds();
    return stateDir;
  }

  async function startWa(stateDir: string, agent: FakeAgent) {
    const sockets: FakeSocketFactory = createFakeSocketFactory();
    const t = startTestChannels(
      { messages: { queue: { mode: "followup", debounceMs: 10 } }, channels: { whatsapp: { dmPolicy: "open", allowFrom: ["*"] } } },
      { stateDir, agent, factories: { whatsapp: (o) => createWhatsAppChannel({ ...(o as ChannelOptions<WhatsAppAccountConfig>), socketFactory: sockets.factory, random: () => 0.5 }) } },
    );
    cleanup.push(() => t.stop({ keepState: true }));
    const sock = await sockets.waitForSockets(1);
    sock.open();
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.connected === true);
    return { t, sock };
  }

  test("the read receipt follows the committed row; the same message after a restart is read again but not run", async () => {
    const stateDir = await linkedStateDir();
    const agent = createFakeAgent();
    const { t, sock } = await startWa(stateDir, agent);
    const recordedAtRead: boolean[] = [];
    const push = sock.reads.push.bind(sock.reads);
    sock.reads.push = (...keys: any[]) => {
      for (const k of keys) recordedAtRead.push(t.manager.inbound().has("whatsapp", "default", `${k.remoteJid}:${k.id}`));
      return push(...keys);
    };
    const m = waText(SENDER, "hello once");
    sock.inbound(m);
    await agent.waitForTurns(1);
    await waitFor(() => sock.reads.length === 1 && sock.sent.length === 1);
    expect(recordedAtRead).toEqual([true]);
    await t.stop({ keepState: true });

    // WhatsApp delivers it again (the receipt was lost): read again, no second turn, one log line.
    const again = await startWa(stateDir, agent);
    again.sock.inbound(m);
    await waitFor(() => again.sock.reads.length === 1);
    expect(again.sock.reads).toEqual([m.key]);
    await again.t.manager.router.idle();
    expect(agent.turns).toHaveLength(1);
    expect(again.sock.sent).toHaveLength(0);
    expect(linesWith(again.t.logs, "dropped inbound message: duplicate")).toHaveLength(1);
  });

  test("a message that cannot be recorded gets no read receipt and reaches no agent", async () => {
    const stateDir = await linkedStateDir();
    const agent = createFakeAgent();
    const { t, sock } = await startWa(stateDir, agent);
    t.manager.inbound = () => {
      throw new Error("disk I/O error");
    };
    sock.inbound(waText(SENDER, "unrecorded"));
    await waitFor(() => linesWith(t.logs, "inbound message not recorded (no read receipt sent)").length === 1);
    expect(sock.reads).toEqual([]);
    expect(agent.turns).toHaveLength(0);
  });

  test("a turn running at the stop runs again after the start and is answered once", async () => {
    const stateDir = await linkedStateDir();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = createFakeAgent();
    first.reply = async () => {
      await gate;
      return { text: "cut off" };
    };
    const one = await startWa(stateDir, first);
    one.sock.inbound(waText(SENDER, "long question"));
    await first.waitForTurns(1);
    await one.t.stop({ keepState: true });
    release();
    await waitFor(() => linesWith(one.t.logs, "turn interrupted by a gateway stop").length === 1);
    expect(one.sock.sent).toEqual([]);

    const second = createFakeAgent();
    const two = await startWa(stateDir, second);
    await waitFor(() => two.sock.sent.length === 1, "the reply after the restart", 10_000);
    await two.t.manager.router.idle();
    expect(second.turns.map((x) => x.text)).toEqual(["long question"]);
    expect(two.sock.sent[0].content.text).toBe("echo: long question");
  });
});
