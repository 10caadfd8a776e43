/**
 * Telegram end to end through a fake Bot API server on loopback: pairing, approval, agent replies,
 * group mention gating, offsets across restarts, 409/429 handling, HTML fallback, chunking, media, the
 * poll lock and webhook mode.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelOptions } from "../../../src/channels/index.ts";
import { createTelegramChannel, isPollLocked } from "../../../src/channels/telegram/index.ts";
import type { TelegramAccountConfig } from "../../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { Logger } from "../../../src/logging/logger.ts";
import { createFakeAgent, startTestChannels, type TestChannels } from "../../helpers/channels.ts";
import { FAKE_BOT, FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../../helpers/fake-telegram.ts";
import { waitFor } from "../../helpers/wait.ts";

const STRANGER = { id: 4242, first_name: "Stranger", username: "stranger" };
const OWNER = { id: 1001, first_name: "Owner", username: "owner" };
const FAST_BACKOFF = { initialMs: 30, maxMs: 100, factor: 2, jitter: 0, maxAttempts: 0 };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function fakeApi(): FakeTelegram {
  const fake = startFakeTelegram();
  cleanup.push(() => fake.stop());
  return fake;
}

function tgConfig(fake: FakeTelegram, telegram: Partial<TelegramAccountConfig> = {}, rest: OpenClawConfig = {}): OpenClawConfig {
  return { ...rest, channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1, ...telegram } } };
}

function start(config: OpenClawConfig, opts: Parameters<typeof startTestChannels>[1] = {}): TestChannels {
  const t = startTestChannels(config, {
    factories: { telegram: (o) => createTelegramChannel({ ...(o as ChannelOptions<TelegramAccountConfig>), pollBackoff: FAST_BACKOFF }) },
    ...opts,
  });
  cleanup.push(() => t.stop());
  return t;
}

/**
 * The settle point for "and nothing else happened": every pushed update was handled (the poller asked for the
 * next offset, which it does only after dispatching the batch) and every turn that queued has finished.
 */
async function settled(t: TestChannels, fake: FakeTelegram): Promise<void> {
  await waitFor(() => fake.pendingUpdates() === 0, "every pushed update confirmed by the next getUpdates offset");
  await t.manager.router.idle();
}

describe("DM pairing", () => {
  test("a stranger gets a pairing code and nothing reaches the agent; after approval the agent answers", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake));
    fake.pushText(STRANGER, "hello?");
    const pairingMsg = await fake.waitForCall("sendMessage");
    expect(pairingMsg.params.chat_id).toBe(String(STRANGER.id));
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(pairingMsg.params.text)?.[1];
    expect(code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
    expect(pairingMsg.params.text).toContain(`openclaw pairing approve telegram ${code}`);
    expect(pairingMsg.params.text).toContain(`user id: ${STRANGER.id}`);

    // A second message while pending: same code, no second notice within a minute, still no agent.
    fake.pushText(STRANGER, "anyone?");
    await settled(t, fake);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    expect(t.agent.turns).toHaveLength(0);
    expect(t.manager.pairing().list("telegram")).toEqual([expect.objectContaining({ code, peerId: String(STRANGER.id), meta: { name: "Stranger", username: "stranger" } })]);

    expect(t.manager.pairing().approve("telegram", code!.toLowerCase())?.peerId).toBe(String(STRANGER.id));
    const since = fake.calls.length;
    fake.pushText(STRANGER, "what is 2+2?");
    const answer = await fake.waitForCall("sendMessage", undefined, { since });
    expect(answer.params).toMatchObject({ chat_id: String(STRANGER.id), text: "echo: what is 2+2?", parse_mode: "HTML" });
    expect(t.agent.turns).toHaveLength(1);
    expect(t.agent.turns[0]).toMatchObject({ agentId: "main", sessionKey: "agent:main:main", text: "what is 2+2?" });
    expect(t.agent.turns[0].channel).toMatchObject({ channel: "telegram", chatType: "direct", senderId: String(STRANGER.id), senderName: "Stranger" });
    // "typing…" while the agent works.
    expect(fake.callsOf("sendChatAction").some((c) => c.params.action === "typing" && c.params.chat_id === String(STRANGER.id))).toBe(true);
  });

  test("allowFrom by id or @username skips pairing; dmPolicy allowlist drops strangers silently; disabled drops all", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake, { dmPolicy: "allowlist", allowFrom: [OWNER.id, "@friend"] }));
    fake.pushText(STRANGER, "let me in");
    fake.pushText({ id: 5, first_name: "Friend", username: "Friend" }, "hi from friend");
    fake.pushText(OWNER, "hi from owner");
    await t.agent.waitForTurns(2);
    await waitFor(() => fake.callsOf("sendMessage").length >= 2);
    expect(t.agent.turns.map((x) => x.text).sort()).toEqual(["hi from friend", "hi from owner"]);
    expect(fake.callsOf("sendMessage").some((c) => String(c.params.chat_id) === String(STRANGER.id))).toBe(false);
    expect(t.manager.pairing().list("telegram")).toEqual([]);

    t.setConfig(tgConfig(fake, { dmPolicy: "disabled", allowFrom: [OWNER.id] }));
    // Access settings are read per message: no restart needed for this to apply.
    const turns = t.agent.turns.length;
    fake.pushText(OWNER, "still there?");
    await settled(t, fake);
    expect(t.agent.turns.length).toBe(turns);
  });
});

describe("groups", () => {
  const GROUP = { id: -1001234, type: "supergroup", title: "Claw Friends" };

  test("mention gating: only @mentions, replies to the bot and mention patterns reach the agent", async () => {
    const fake = fakeApi();
    const t = start(
      tgConfig(fake, { groups: { [String(GROUP.id)]: { requireMention: true } } }, { agents: { list: [{ id: "main", groupChat: { mentionPatterns: ["\\bclawd\\b"] } } as never] } }),
    );
    fake.pushText(OWNER, "just chatting", { chat: GROUP });
    fake.pushText(OWNER, `@${FAKE_BOT.username} what time is it?`, { chat: GROUP, entities: [{ type: "mention", offset: 0, length: FAKE_BOT.username.length + 1 }] });
    await t.agent.waitForTurns(1);
    // The first turn over first: messages arriving while it runs would be collected into one queued turn.
    await t.manager.router.idle();
    fake.pushText(OWNER, "hey clawd, you there", { chat: GROUP });
    await t.agent.waitForTurns(2);
    fake.pushText(OWNER, "and this is a reply", { chat: GROUP, extra: { reply_to_message: { message_id: 1, from: { id: FAKE_BOT.id, is_bot: true, first_name: "Claw" }, chat: GROUP, date: 1 } } });
    await t.agent.waitForTurns(3);
    await settled(t, fake);
    expect(t.agent.turns.map((x) => x.text)).toEqual([
      `Owner: @${FAKE_BOT.username} what time is it?`,
      "Owner: hey clawd, you there",
      "Owner: and this is a reply",
    ]);
    expect(t.agent.turns[0].sessionKey).toBe(`agent:main:telegram:group:${GROUP.id}`);
    const reply = await fake.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(GROUP.id));
    expect(reply.params.reply_parameters).toMatchObject({ message_id: expect.any(Number) });
  });

  test("groups not in the allowlist are ignored; requireMention:false answers everything; topics get their own session", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake, { groups: { [String(GROUP.id)]: { requireMention: false } } }));
    fake.pushText(OWNER, `@${FAKE_BOT.username} hello`, { chat: { id: -100999, type: "supergroup", title: "Other" }, entities: [{ type: "mention", offset: 0, length: 14 }] });
    fake.pushText(OWNER, "no mention needed", { chat: { ...GROUP, is_forum: true }, extra: { message_thread_id: 77, is_topic_message: true } });
    const [turn] = await t.agent.waitForTurns(1);
    await settled(t, fake);
    expect(t.agent.turns).toHaveLength(1);
    expect(turn.sessionKey).toBe(`agent:main:telegram:group:${GROUP.id}:topic:77`);
    const reply = await fake.waitForCall("sendMessage");
    expect(reply.params.message_thread_id).toBe(77);
  });
});

describe("polling", () => {
  test("restart resumes after the last handled update: nothing replayed, nothing lost", async () => {
    const fake = fakeApi();
    const stateDir = mkdtempSync(join(tmpdir(), "openclaw-tg-restart-"));
    cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const config = tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"] });
    const agent = createFakeAgent();
    const first = startTestChannels(config, { stateDir, agent });
    const a = fake.pushText(OWNER, "first");
    await agent.waitForTurns(1);
    await waitFor(() => fake.callsOf("sendMessage").length === 1);
    await first.stop({ keepState: true });

    // Arrives while the gateway is down.
    const b = fake.pushText(OWNER, "while down");
    const since = fake.calls.length;
    const second = startTestChannels(config, { stateDir, agent });
    cleanup.push(() => second.stop());
    await agent.waitForTurns(2);
    await settled(second, fake);
    expect(agent.turns.map((x) => x.text)).toEqual(["first", "while down"]);
    const firstPoll = fake.calls.slice(since).find((c) => c.method === "getUpdates");
    expect(firstPoll?.params.offset).toBe(a.update_id + 1);
    await waitFor(() => fake.calls.slice(since).some((c) => c.method === "getUpdates" && c.params.offset === b.update_id + 1));
  });

  test("409 conflict is reported in status and retried; 429 waits retry_after", async () => {
    const fake = fakeApi();
    fake.failNext("getUpdates", { status: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", times: 2 });
    const t = start(tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"] }));
    await waitFor(() => (t.manager.accountSnapshots("telegram")[0]?.pollConflicts as number) >= 1);
    const snap = t.manager.accountSnapshots("telegram")[0];
    expect(snap.lastError).toContain("409");
    expect(snap.connected).toBe(false);
    await waitFor(() => t.manager.accountSnapshots("telegram")[0]?.connected === true);
    expect(t.manager.accountSnapshots("telegram")[0].lastError).toBeNull();

    fake.failNext("sendMessage", { status: 429, description: "Too Many Requests: retry after 1", retryAfter: 1 });
    fake.pushText(OWNER, "rate me");
    await waitFor(() => fake.callsOf("sendMessage").length === 2, "the retried sendMessage", 5000);
    const [rejected, sent] = fake.callsOf("sendMessage");
    expect(sent.params.text).toBe("echo: rate me");
    expect(sent.at - rejected.at).toBeGreaterThanOrEqual(950);
  });

  test("one poller per token: a second start aborts the first long poll before polling", async () => {
    const fake = fakeApi();
    const logger = new Logger("test", { noFile: true, write: () => {} });
    const account: TelegramAccountConfig = { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 5 };
    const host = { dispatchInbound: async () => ({ kind: "dropped" as const, reason: "test" }), loadCursor: () => undefined, saveCursor: () => {} };
    const mk = () => createTelegramChannel({ accountId: "default", account, getAccount: () => account, config: {}, host, stateDir: tmpdir(), logger, pollBackoff: FAST_BACKOFF });
    const a = mk();
    await a.start();
    await fake.waitForCall("getUpdates");
    expect(isPollLocked(FAKE_TOKEN)).toBe(true);
    const b = mk();
    await b.start();
    cleanup.push(() => b.stop(), () => a.stop());
    await waitFor(() => fake.callsOf("getUpdates").length >= 2);
    await waitFor(() => a.snapshot().running === false, "the first poller to give up");
    // The first poller gave up its request instead of being answered 409 by Telegram.
    expect(a.snapshot().pollConflicts).toBeUndefined();
    expect(b.snapshot().pollConflicts).toBeUndefined();
    const before = fake.callsOf("getUpdates").length;
    // Only b keeps polling (one outstanding long poll, no churn): an update answers b's poll, b dispatches it
    // and asks for the next offset, and that is the only getUpdates since.
    fake.pushText(OWNER, "probe");
    await waitFor(() => fake.pendingUpdates() === 0, "b to confirm the probe update");
    expect(fake.callsOf("getUpdates").length).toBe(before + 1);
    expect(a.snapshot()).toMatchObject({ running: false, lastError: expect.stringContaining("took over") });
    expect(b.snapshot()).toMatchObject({ running: true, connected: true });
    await b.stop();
    expect(isPollLocked(FAKE_TOKEN)).toBe(false);
  });
});

describe("config reload", () => {
  test("a channels.telegram change restarts Telegram in place; quick successive reloads end with one poller on the newest config; removal stops it", async () => {
    const fake = fakeApi();
    const base = { dmPolicy: "open" as const, allowFrom: ["*"] };
    const t = start(tgConfig(fake, base));
    const snap = () => t.manager.accountSnapshots("telegram")[0];
    await waitFor(() => snap()?.running === true);
    t.setConfig(tgConfig(fake, { ...base, textChunkLimit: 100 }));
    expect(t.manager.applyConfig()).toEqual(["telegram:default"]);
    t.setConfig(tgConfig(fake, { ...base, textChunkLimit: 200, name: "renamed" }));
    t.manager.applyConfig();
    await waitFor(() => snap()?.name === "renamed" && snap()?.running === true);
    expect(t.manager.accountSnapshots("telegram")).toHaveLength(1);
    // Same config again: nothing to do.
    expect(t.manager.applyConfig()).toEqual([]);
    fake.pushText(OWNER, "after reload");
    await t.agent.waitForTurns(1);

    t.setConfig({});
    expect(t.manager.applyConfig()).toEqual(["telegram:default"]);
    await waitFor(() => !isPollLocked(FAKE_TOKEN));
    expect(t.manager.loadedChannels()).toEqual([]);
  });
});

describe("outbound", () => {
  test("Markdown goes out as Telegram HTML; a rejected entity parse falls back to plain text", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"] }));
    t.agent.reply = () => ({ text: "**Bold** and `code` <tag>" });
    fake.pushText(OWNER, "format please");
    const html = await fake.waitForCall("sendMessage");
    expect(html.params).toMatchObject({ parse_mode: "HTML", text: "<b>Bold</b> and <code>code</code> &lt;tag&gt;" });

    fake.rejectHtml = true;
    const since = fake.calls.length;
    fake.pushText(OWNER, "again");
    const plain = await fake.waitForCall("sendMessage", (c) => c.params.parse_mode === undefined, { since });
    expect(plain.params.text).toBe("**Bold** and `code` <tag>");
  });

  test("long replies are chunked under 4096 characters", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"], textChunkLimit: 9000 }));
    const para = "word ".repeat(300).trim();
    t.agent.reply = () => ({ text: Array.from({ length: 10 }, () => para).join("\n\n") });
    fake.pushText(OWNER, "essay");
    await waitFor(() => fake.callsOf("sendMessage").length >= 4);
    await settled(t, fake);
    const texts = fake.callsOf("sendMessage").map((c) => c.params.text as string);
    expect(texts.every((x) => x.length <= 4096)).toBe(true);
    expect(texts.join(" ").replace(/\s+/g, " ")).toBe(Array.from({ length: 10 }, () => para).join(" "));
  });

  test("send: text to a chat id, photo and document uploads, bad targets", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake));
    await waitFor(() => t.manager.accountSnapshots("telegram")[0]?.running === true);
    const dir = mkdtempSync(join(tmpdir(), "openclaw-media-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const png = join(dir, "pic.png");
    writeFileSync(png, Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
    const pdf = join(dir, "doc.pdf");
    writeFileSync(pdf, "%PDF-1.4 test");

    const r1 = await t.manager.send({ channel: "telegram", to: "1001", message: "hello *there*", idempotencyKey: "k1" });
    expect(r1).toMatchObject({ channel: "telegram", chatId: "1001", messageId: expect.any(String) });
    const r2 = await t.manager.send({ channel: "telegram", to: "telegram:1001", message: "a picture", mediaUrls: [png], idempotencyKey: "k2" });
    const photo = await fake.waitForCall("sendPhoto");
    expect(photo.file).toMatchObject({ name: "pic.png" });
    expect(photo.params.caption).toBe("a picture");
    expect(r2.messageId).not.toBe(r1.messageId);
    await t.manager.send({ channel: "telegram", to: "1001", message: "", mediaUrls: [pdf], idempotencyKey: "k3" });
    expect((await fake.waitForCall("sendDocument")).file).toMatchObject({ name: "doc.pdf" });

    // Same idempotency key: the first result, no second message.
    const again = await t.manager.send({ channel: "telegram", to: "1001", message: "hello *there*", idempotencyKey: "k1" });
    expect(again).toEqual(r1);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);

    await expect(t.manager.send({ channel: "telegram", to: "not a chat", message: "x", idempotencyKey: "k4" })).rejects.toThrow(/invalid telegram target/);
    await expect(t.manager.send({ channel: "whatsapp", to: "+15550001", message: "x", idempotencyKey: "k5" })).rejects.toThrow("unsupported channel: whatsapp");
    const big = join(dir, "big.bin");
    writeFileSync(big, new Uint8Array(6 * 1024 * 1024));
    await expect(t.manager.send({ channel: "telegram", to: "1001", message: "", mediaUrls: [big], idempotencyKey: "k6" })).rejects.toThrow(/too large/);
  });

  test("inbound photos are downloaded (within the cap) and handed to the agent", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"] }));
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    fake.files.set("ph-big", jpeg);
    fake.pushUpdate({
      message: {
        message_id: 9,
        from: { ...OWNER, is_bot: false },
        chat: { id: OWNER.id, type: "private", first_name: "Owner" },
        date: Math.floor(Date.now() / 1000),
        photo: [
          { file_id: "ph-small", file_unique_id: "s", width: 10, height: 10, file_size: 10 },
          { file_id: "ph-big", file_unique_id: "b", width: 100, height: 100, file_size: jpeg.byteLength },
        ],
        caption: "look at this",
      },
    });
    const [turn] = await t.agent.waitForTurns(1);
    expect(turn.text).toBe("look at this");
    expect(turn.channel.mediaPaths).toHaveLength(1);
    expect(new Uint8Array(readFileSync(turn.channel.mediaPaths![0]))).toEqual(jpeg);
    expect(fake.callsOf("getFile").map((c) => c.params.file_id)).toEqual(["ph-big"]);
  });
});

describe("queueing", () => {
  test("messages that arrive while a turn runs are coalesced into one follow-up turn", async () => {
    const fake = fakeApi();
    const t = start(tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"] }, { messages: { queue: { mode: "collect", debounceMs: 50 } } }));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.agent.reply = async (req) => {
      if (t.agent.turns.length === 1) await gate;
      return { text: `answer to ${req.text.length} chars` };
    };
    fake.pushText(OWNER, "one");
    await t.agent.waitForTurns(1);
    fake.pushText(OWNER, "two");
    fake.pushText(OWNER, "three");
    // Confirmed means dispatched, i.e. queued behind the running turn (which waits for the gate).
    await waitFor(() => fake.pendingUpdates() === 0);
    expect(t.agent.turns).toHaveLength(1);
    release();
    const turns = await t.agent.waitForTurns(2);
    await settled(t, fake);
    expect(turns).toHaveLength(2);
    expect(turns[1].text).toContain("Queued #1\ntwo");
    expect(turns[1].text).toContain("Queued #2\nthree");
    expect(turns[1].sessionKey).toBe(turns[0].sessionKey);
  });
});

describe("token, status, webhook", () => {
  test("token from tokenFile / env; missing token → configured:false; status fields", async () => {
    const fake = fakeApi();
    const dir = mkdtempSync(join(tmpdir(), "openclaw-tok-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "token"), `${FAKE_TOKEN}\n`);
    const t = start({
      channels: {
        telegram: {
          apiRoot: fake.url,
          pollTimeoutSeconds: 1,
          accounts: { filebot: { tokenFile: join(dir, "token") }, nobot: {} },
        },
      },
    });
    await waitFor(() => t.manager.accountSnapshots("telegram").find((s) => s.accountId === "filebot")?.running === true);
    const snaps = Object.fromEntries(t.manager.accountSnapshots("telegram").map((s) => [s.accountId, s]));
    expect(snaps.filebot).toMatchObject({ configured: true, running: true, mode: "polling", tokenSource: "file", probe: { ok: true, bot: { id: FAKE_BOT.id, username: FAKE_BOT.username } } });
    expect(snaps.nobot).toMatchObject({ configured: false, running: false, tokenSource: "none" });
    expect(JSON.stringify(snaps)).not.toContain(FAKE_TOKEN);
    const status = (await t.manager.status({ probe: true })) as any;
    expect(status.channelOrder).toEqual(["telegram"]);
    expect(status.channelLabels).toEqual({ telegram: "Telegram" });
    expect(status.channelAccounts.telegram.map((s: any) => s.accountId).sort()).toEqual(["filebot", "nobot"]);
    await t.stop();

    const envRun = startTestChannels({ channels: { telegram: { apiRoot: fake.url, pollTimeoutSeconds: 1 } } }, { env: { TELEGRAM_BOT_TOKEN: FAKE_TOKEN } });
    cleanup.push(() => envRun.stop());
    await waitFor(() => envRun.manager.accountSnapshots("telegram")[0]?.running === true);
    expect(envRun.manager.accountSnapshots("telegram")[0].tokenSource).toBe("env");
  });

  test("a bad token marks the account unhealthy and retries with backoff; the others keep running", async () => {
    const fake = fakeApi();
    fake.failNext("getMe", { status: 401, description: "Unauthorized", times: 2 });
    const t = start(tgConfig(fake), { restartBackoff: FAST_BACKOFF });
    await waitFor(() => String(t.manager.accountSnapshots("telegram")[0]?.lastError ?? "").includes("401"));
    expect(t.manager.accountSnapshots("telegram")[0]).toMatchObject({ running: false });
    await waitFor(() => t.manager.accountSnapshots("telegram")[0]?.running === true, "the account running again", 3000);
    expect(fake.callsOf("getMe").length).toBe(3);
  });

  test("webhook mode: setWebhook with the secret; requests without it are refused", async () => {
    const fake = fakeApi();
    const port = freePort();
    const t = start(
      tgConfig(fake, { dmPolicy: "open", allowFrom: ["*"], webhookUrl: "https://bot.example.com/tg", webhookSecret: "s3cret-value", webhookHost: "127.0.0.1", webhookPort: port, webhookPath: "/tg" }),
    );
    const set = await fake.waitForCall("setWebhook");
    expect(set.params).toMatchObject({ url: "https://bot.example.com/tg", secret_token: "s3cret-value" });
    await waitFor(() => t.manager.accountSnapshots("telegram")[0]?.running === true);
    expect(t.manager.accountSnapshots("telegram")[0]).toMatchObject({ mode: "webhook", port });
    expect(fake.callsOf("getUpdates")).toHaveLength(0);
    const update = { update_id: 1, message: { message_id: 1, from: { ...OWNER, is_bot: false }, chat: { id: OWNER.id, type: "private", first_name: "Owner" }, date: 1, text: "via webhook" } };
    const post = (secret?: string) =>
      fetch(`http://127.0.0.1:${port}/tg`, { method: "POST", headers: { "content-type": "application/json", ...(secret && { "x-telegram-bot-api-secret-token": secret }) }, body: JSON.stringify(update) });
    expect((await post()).status).toBe(401);
    expect((await post("wrong")).status).toBe(401);
    expect((await post("s3cret-value")).status).toBe(200);
    const [turn] = await t.agent.waitForTurns(1);
    expect(turn.text).toBe("via webhook");
    // Telegram redelivering the same update is ignored.
    // The webhook answers once the update is dispatched, so only a turn it might have queued is left to settle.
    expect((await post("s3cret-value")).status).toBe(200);
    await t.manager.router.idle();
    expect(t.agent.turns).toHaveLength(1);
  });
});

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}
