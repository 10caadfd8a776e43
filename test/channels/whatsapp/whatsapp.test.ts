/**
 * WhatsApp adapter through a fake socket factory that emits Baileys' event shapes: linking by QR,
 * restart-required and logged-out handling, reconnect backoff, inbound routing and outbound sends.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotLinkedError, type ChannelOptions } from "../../../src/channels/index.ts";
import { createWhatsAppChannel, openAuthState } from "../../../src/channels/whatsapp/index.ts";
import type { WhatsAppAccountConfig } from "../../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { startTestChannels, type TestChannels } from "../../helpers/channels.ts";
import { createFakeSocketFactory, type FakeSocketFactory, SELF_JID, waText } from "../../helpers/fake-baileys.ts";
import { waitFor } from "../../helpers/wait.ts";

const STRANGER = "+15557654321";
const FAST = { initialMs: 40, maxMs: 160, factor: 2, jitter: 0, maxAttempts: 3 };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function start(config: OpenClawConfig, opts: { stateDir?: string; sockets?: FakeSocketFactory } = {}): TestChannels & { sockets: FakeSocketFactory } {
  const sockets = opts.sockets ?? createFakeSocketFactory();
  const t = startTestChannels(config, {
    stateDir: opts.stateDir,
    factories: { whatsapp: (o) => createWhatsAppChannel({ ...(o as ChannelOptions<WhatsAppAccountConfig>), socketFactory: sockets.factory, random: () => 0.5 }) },
  });
  cleanup.push(() => t.stop());
  return Object.assign(t, { sockets });
}

/** A state dir whose default account already has saved creds (a linked account). */
async function linkedStateDir(): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), "openclaw-wa-"));
  cleanup.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const auth = openAuthState(join(stateDir, "credentials", "whatsapp", "default"));
  Object.assign(auth.state.creds, { me: { id: SELF_JID, name: "Tester" }, registered: true });
  await auth.saveCreds();
  return stateDir;
}

async function startLinked(whatsapp: Partial<WhatsAppAccountConfig> = {}, rest: OpenClawConfig = {}) {
  const stateDir = await linkedStateDir();
  const t = start({ ...rest, web: { reconnect: FAST, ...rest.web }, channels: { whatsapp } }, { stateDir });
  const sock = await t.sockets.waitForSockets(1);
  sock.open();
  await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.connected === true);
  return { t, sock };
}

describe("linking", () => {
  test("not linked: status says so, send is NOT_LINKED, no socket is opened", async () => {
    const t = start({ channels: { whatsapp: {} } });
    await waitFor(() => t.manager.accountSnapshots("whatsapp").length === 1);
    await t.manager.started();
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ accountId: "default", configured: true, linked: false, running: false, connected: false });
    expect(t.sockets.sockets).toHaveLength(0);
    const err = await t.manager.send({ channel: "whatsapp", to: "+15551234567", message: "hi", idempotencyKey: "n1" }).catch((e) => e);
    expect(err).toBeInstanceOf(NotLinkedError);
  });

  test("QR login: start → qr, wait → next qr, scan → 515 restart → reconnect with saved creds → linked", async () => {
    const t = start({ channels: { whatsapp: {} } });
    const started = t.manager.loginStart({ timeoutMs: 2000 });
    const s1 = await t.sockets.waitForSockets(1);
    expect(s1.opts.auth.creds.me).toBeUndefined();
    s1.qr("2@QR-ONE");
    expect(await started).toMatchObject({ accountId: "default", connected: false, qr: "2@QR-ONE" });

    const waiting = t.manager.loginWait({ timeoutMs: 2000 });
    s1.qr("2@QR-TWO");
    expect(await waiting).toMatchObject({ connected: false, qr: "2@QR-TWO" });

    const linked = t.manager.loginWait({ timeoutMs: 2000 });
    s1.paired();
    s1.close(515, "Stream Errored (restart required)");
    const s2 = await t.sockets.waitForSockets(2);
    // The second connection uses the creds saved from the pairing.
    expect(s2.opts.auth.creds.me?.id).toBe(SELF_JID);
    s2.open();
    expect(await linked).toMatchObject({ connected: true, message: "linked as +15550001111" });
    const credsPath = join(t.stateDir, "credentials", "whatsapp", "default", "creds.json");
    await waitFor(() => existsSync(credsPath));
    expect(JSON.parse(readFileSync(credsPath, "utf8")).me.id).toBe(SELF_JID);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ linked: true, connected: true, running: true, reconnectAttempts: 0, self: { e164: "+15550001111", jid: SELF_JID } });
    // Already linked: start answers at once.
    expect(await t.manager.loginStart({})).toMatchObject({ connected: true });
  });

  test("an expired QR (408 timedOut before scan) ends the login without retrying", async () => {
    const t = start({ channels: { whatsapp: {} }, web: { reconnect: FAST } });
    const started = t.manager.loginStart({ timeoutMs: 2000 });
    const s1 = await t.sockets.waitForSockets(1);
    s1.qr("2@QR");
    await started;
    const waiting = t.manager.loginWait({ timeoutMs: 2000 });
    s1.close(408, "QR refs attempts ended");
    expect(await waiting).toMatchObject({ connected: false, message: expect.stringContaining("expired") });
    // The close handler decides at once: a reconnect would have counted an attempt (and scheduled a socket).
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ linked: false, running: false, reconnectAttempts: 0 });
  });

  test("logged out by the phone (401): stop, wipe creds, report NOT_LINKED, no reconnect", async () => {
    const { t, sock } = await startLinked();
    sock.close(401, "Connection Failure");
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.linked === false);
    // The close handler decides at once: a reconnect would have counted an attempt (and scheduled a socket).
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ running: false, connected: false, reconnectAttempts: 0, lastError: expect.stringContaining("401") });
    await waitFor(() => !existsSync(join(t.stateDir, "credentials", "whatsapp", "default", "creds.json")), "the credentials wiped");
    await expect(t.manager.send({ channel: "whatsapp", to: "+15551234567", message: "hi", idempotencyKey: "x" })).rejects.toBeInstanceOf(NotLinkedError);
  });

  test("channels.logout logs out on the phone and deletes the auth folder", async () => {
    const { t, sock } = await startLinked();
    expect(await t.manager.logout("whatsapp")).toEqual({ channel: "whatsapp", accountId: "default", cleared: true });
    expect(sock.loggedOut).toBe(true);
    expect(existsSync(join(t.stateDir, "credentials", "whatsapp", "default"))).toBe(false);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ linked: false, running: false });
    await expect(t.manager.logout("telegram")).rejects.toThrow(/no linked session/);
    await expect(t.manager.logout("signal")).rejects.toThrow("unsupported channel: signal");
  });
});

describe("reconnect", () => {
  test("closes back off exponentially (web.reconnect) and reset on open; after maxAttempts the channel stops", async () => {
    const { t, sock } = await startLinked();
    sock.close(428, "Connection Closed");
    const s2 = await t.sockets.waitForSockets(2);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ connected: false, reconnectAttempts: 1, lastError: "Connection Closed (428)" });
    s2.open();
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.reconnectAttempts === 0);

    // Now fail repeatedly: delays 40, 80, 160 ms (jitter 0), then give up after the 3rd attempt.
    t.sockets.last().close(503, "Service Unavailable");
    for (let n = 3; n <= 5; n++) (await t.sockets.waitForSockets(n)).close(408, "Connection Lost");
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.running === false);
    const gaps = t.sockets.times.slice(2).map((at, i) => at - t.sockets.times[i + 1]);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    // Giving up is decided in the close handler, before any timer: no sixth socket is on its way.
    expect(t.sockets.sockets).toHaveLength(5);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ linked: true, running: false, lastError: expect.stringContaining("gave up after 3") });
  });
});

describe("messages", () => {
  test("a stranger gets a pairing code; after approval texts reach the agent and replies go back, with read receipts", async () => {
    const { t, sock } = await startLinked();
    sock.inbound(waText(STRANGER, "hello"));
    await waitFor(() => sock.sent.length === 1);
    expect(sock.sent[0].jid).toBe("15557654321@s.whatsapp.net");
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(sock.sent[0].content.text)?.[1];
    expect(sock.sent[0].content.text).toContain(`phone number: ${STRANGER}`);
    expect(t.agent.turns).toHaveLength(0);
    expect(sock.reads).toHaveLength(0);

    t.manager.pairing().approve("whatsapp", code!);
    const msg = waText(STRANGER, "what's up", { pushName: "Stranger" });
    sock.inbound(msg);
    const [turn] = await t.agent.waitForTurns(1);
    expect(turn).toMatchObject({ sessionKey: "agent:main:main", text: "what's up" });
    expect(turn.channel).toMatchObject({ channel: "whatsapp", senderId: STRANGER, senderName: "Stranger", chatType: "direct" });
    await waitFor(() => sock.sent.length === 2);
    expect(sock.sent[1]).toMatchObject({ jid: "15557654321@s.whatsapp.net", content: { text: "echo: what's up" } });
    expect(sock.reads).toEqual([msg.key]);
    expect(sock.presence.some((p) => p.type === "composing")).toBe(true);
  });

  test("status broadcasts, history appends and our own echoes are ignored; self-chat reaches the agent once", async () => {
    const { t, sock } = await startLinked({ dmPolicy: "allowlist" });
    sock.inbound({ ...waText(STRANGER, "status"), key: { remoteJid: "status@broadcast", fromMe: false, id: "S1", participant: "15557654321@s.whatsapp.net" } });
    sock.inbound(waText(STRANGER, "old"), "append");
    sock.inbound({ ...waText("+15550001111", "note to self"), key: { remoteJid: "15550001111@s.whatsapp.net", fromMe: true, id: "SELF1" } });
    const [turn] = await t.agent.waitForTurns(1);
    expect(turn.text).toBe("note to self");
    await waitFor(() => sock.sent.length === 1);
    // WhatsApp echoes our reply back into the self-chat: it must not start another turn.
    sock.inbound({ ...waText("+15550001111", "echo: note to self"), key: { remoteJid: "15550001111@s.whatsapp.net", fromMe: true, id: sock.sent[0].id } });
    // The upsert handler dispatches (records and queues) before its first await, so a turn would be queued now.
    await t.manager.router.idle();
    expect(t.agent.turns).toHaveLength(1);
  });

  test("groups: allowlisted group, mention of the linked number required; media-only messages become placeholders", async () => {
    const group = "120363000000000001@g.us";
    const { t, sock } = await startLinked({ dmPolicy: "open", allowFrom: ["*"], groups: { [group]: { requireMention: true } } });
    const inGroup = (_text: string, message: Record<string, any>) => ({
      key: { remoteJid: group, fromMe: false, id: `G${Math.random()}`, participant: "15557654321@s.whatsapp.net" },
      message,
      pushName: "Alice",
      messageTimestamp: 1,
    });
    sock.inbound(inGroup("plain", { conversation: "no mention here" }));
    sock.inbound(inGroup("mention", { extendedTextMessage: { text: "@15550001111 help", contextInfo: { mentionedJid: ["15550001111@s.whatsapp.net"] } } }));
    sock.inbound({ ...inGroup("other", { conversation: "hi" }), key: { remoteJid: "120363000000000999@g.us", fromMe: false, id: "X", participant: "15557654321@s.whatsapp.net" } });
    const [turn] = await t.agent.waitForTurns(1);
    expect(turn.sessionKey).toBe(`agent:main:whatsapp:group:${group}`);
    expect(turn.text).toBe("Alice: @15550001111 help");
    expect(turn.channel.senderId).toBe("+15557654321");

    sock.inbound(waText(STRANGER, "", { message: { imageMessage: { mimetype: "image/jpeg", fileLength: 999_999_999 } } }));
    const turns = await t.agent.waitForTurns(2);
    expect(turns[1].text).toBe("<media:image>");
    await t.manager.router.idle();
    expect(t.agent.turns).toHaveLength(2);
  });

  test("send: text is chunked, media goes out with an empty thumbnail (no image library), targets are validated", async () => {
    const { t, sock } = await startLinked({ textChunkLimit: 100 });
    const r = await t.manager.send({ channel: "whatsapp", to: "+1 555 765 4321", message: "**bold** " + "x ".repeat(120), idempotencyKey: "w1" });
    expect(r).toMatchObject({ channel: "whatsapp", chatId: "15557654321@s.whatsapp.net", toJid: "15557654321@s.whatsapp.net" });
    expect(sock.sent.length).toBe(3);
    expect(sock.sent[0].content.text.startsWith("*bold*")).toBe(true);
    expect(sock.sent.every((s) => s.content.text.length <= 100)).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), "openclaw-wa-media-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const jpg = join(dir, "a.jpg");
    writeFileSync(jpg, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1]));
    await t.manager.send({ channel: "whatsapp", to: "120363000000000001@g.us", message: "caption", mediaUrls: [jpg], idempotencyKey: "w2" });
    const media = sock.sent[3];
    expect(media.jid).toBe("120363000000000001@g.us");
    expect(media.content).toMatchObject({ mimetype: "image/jpeg", caption: "caption", jpegThumbnail: "" });
    expect(Buffer.isBuffer(media.content.image)).toBe(true);
    await expect(t.manager.send({ channel: "whatsapp", to: "bob", message: "x", idempotencyKey: "w3" })).rejects.toThrow(/invalid whatsapp target/);
  });

  test("connection replaced (440) stops instead of fighting the other client", async () => {
    const { t, sock } = await startLinked();
    sock.close(440, "Stream Errored (conflict)");
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.running === false);
    // The close handler decides at once: a reconnect would have counted an attempt (and scheduled a socket).
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.manager.accountSnapshots("whatsapp")[0]).toMatchObject({ linked: true, reconnectAttempts: 0, lastError: expect.stringContaining("440") });
  });

  test("send while reconnecting is a transport error, not NOT_LINKED", async () => {
    const { t, sock } = await startLinked({}, { web: { reconnect: { ...FAST, initialMs: 5000 } } });
    sock.close(428);
    await waitFor(() => t.manager.accountSnapshots("whatsapp")[0]?.connected === false);
    await expect(t.manager.send({ channel: "whatsapp", to: "+15557654321", message: "x", idempotencyKey: "r1" })).rejects.toThrow(/not connected/);
  });
});

describe("config reload", () => {
  test("web.* restarts WhatsApp only; channels.whatsapp.* access settings apply live", async () => {
    const { t } = await startLinked({ dmPolicy: "disabled" });
    const before = t.sockets.sockets.length;
    t.setConfig({ web: { reconnect: FAST }, channels: { whatsapp: { dmPolicy: "open", allowFrom: ["*"] } } });
    expect(t.manager.applyConfig()).toEqual([]);
    t.sockets.last().inbound(waText(STRANGER, "live policy"));
    await t.agent.waitForTurns(1);

    t.setConfig({ web: { reconnect: FAST, heartbeatSeconds: 30 }, channels: { whatsapp: { dmPolicy: "open", allowFrom: ["*"] } } });
    expect(t.manager.applyConfig()).toEqual(["whatsapp:default"]);
    await t.sockets.waitForSockets(before + 1);
  });
});
