/**
 * The channel methods over a real gateway socket: channels.status, health per-channel fields, send
 * (idempotency, unsupported channel, NOT_LINKED), channels.logout, web.login.*, channels.pairing.*.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { ChannelOptions } from "../../../src/channels/index.ts";
import { createWhatsAppChannel } from "../../../src/channels/whatsapp/index.ts";
import type { TelegramAccountConfig, WhatsAppAccountConfig } from "../../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { checkResult } from "../../../src/protocol/index.ts";
import { createFakeSocketFactory } from "../../helpers/fake-baileys.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../../helpers/fake-telegram.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";
import { waitFor } from "../../helpers/wait.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const BASE: OpenClawConfig = { gateway: { mode: "local", auth: { token: TEST_TOKEN } } };

async function gateway(config: OpenClawConfig = BASE, channelOptions?: NonNullable<Parameters<typeof startTestGateway>[0]>["channelOptions"]): Promise<{ gw: TestGateway; sock: TestSocket }> {
  const gw = await startTestGateway({ config, channelOptions: { env: {}, ...channelOptions } });
  cleanup.push(() => gw.stop());
  const { sock } = await connectClient(gw.url, gw.token);
  cleanup.push(() => sock.close());
  return { gw, sock };
}

function telegramConfig(fake: FakeTelegram, telegram: Partial<TelegramAccountConfig> = {}): OpenClawConfig {
  return { ...BASE, channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1, ...telegram } } };
}

function fakeTelegram(): FakeTelegram {
  const fake = startFakeTelegram();
  cleanup.push(() => fake.stop());
  return fake;
}

describe("no channel configured", () => {
  test("channels.status and health are honest-empty; send to any channel is unsupported", async () => {
    const { sock } = await gateway();
    const status = await sock.request("channels.status", {});
    expect(status.ok).toBe(true);
    expect(checkResult("channels.status", status.payload)).toEqual({ ok: true });
    expect(status.payload).toMatchObject({ channelOrder: [], channelLabels: {}, channels: {}, channelAccounts: {}, channelDefaultAccountId: {} });
    const health = await sock.request("health", {});
    expect(health.payload).toMatchObject({ channels: {}, channelOrder: [], channelLabels: {} });

    const wa = await sock.request("send", { to: "+15551234567", message: "hi", channel: "whatsapp", idempotencyKey: "a1" });
    expect(wa.error).toMatchObject({ code: "NOT_LINKED", message: "whatsapp is not configured" });
    const dflt = await sock.request("send", { to: "+15551234567", message: "hi", idempotencyKey: "a2" });
    expect(dflt.error).toMatchObject({ code: "NOT_LINKED", message: "whatsapp is not configured" });
    const other = await sock.request("send", { to: "x", message: "hi", channel: "signal", idempotencyKey: "a3" });
    expect(other.error).toEqual({ code: "INVALID_REQUEST", message: "unsupported channel: signal" });
    const logout = await sock.request("channels.logout", { channel: "signal" });
    expect(logout.error).toEqual({ code: "INVALID_REQUEST", message: "unsupported channel: signal" });
  });
});

describe("telegram", () => {
  test("status and health show the running account; send is idempotent; scopes apply", async () => {
    const fake = fakeTelegram();
    const { gw, sock } = await gateway(telegramConfig(fake));
    await waitFor(() => gw.handle.ctx.channels.accountSnapshots("telegram")[0]?.running === true);
    const status = (await sock.request("channels.status", { probe: true })).payload;
    expect(checkResult("channels.status", status)).toEqual({ ok: true });
    expect(status.channelOrder).toEqual(["telegram"]);
    expect(status.channelDefaultAccountId).toEqual({ telegram: "default" });
    expect(status.channelAccounts.telegram[0]).toMatchObject({ accountId: "default", configured: true, running: true, mode: "polling", tokenSource: "config", probe: { ok: true } });
    expect(status.channels.telegram).toMatchObject({ running: true, accounts: { default: expect.any(Object) } });
    const health = (await sock.request("health", {})).payload;
    expect(health.channelOrder).toEqual(["telegram"]);
    expect(health.channelLabels).toEqual({ telegram: "Telegram" });
    expect(health.channels.telegram).toMatchObject({ configured: true, running: true });

    const first = await sock.request("send", { to: "1001", message: "hello", channel: "telegram", idempotencyKey: "idem-1" });
    expect(first.payload).toEqual({ runId: "idem-1", channel: "telegram", chatId: "1001", messageId: expect.any(String) });
    const again = await sock.request("send", { to: "1001", message: "hello", channel: "telegram", idempotencyKey: "idem-1" });
    expect(again.payload).toEqual(first.payload);
    expect(fake.callsOf("sendMessage")).toHaveLength(1);
    // The only loaded channel is the default.
    const implicit = await sock.request("send", { to: "1001", message: "implicit", idempotencyKey: "idem-2" });
    expect(implicit.payload.channel).toBe("telegram");

    const bad = await sock.request("send", { to: "nope nope", message: "x", channel: "telegram", idempotencyKey: "idem-3" });
    expect(bad.error.code).toBe("INVALID_REQUEST");
    fake.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
    const blocked = await sock.request("send", { to: "1001", message: "x", channel: "telegram", idempotencyKey: "idem-4" });
    expect(blocked.error).toMatchObject({ code: "UNAVAILABLE", message: "telegram sendMessage failed: 403 Forbidden: bot was blocked by the user", details: { method: "sendMessage", code: 403 } });

    const reader = (await connectClient(gw.url, gw.token, { scopes: ["operator.read"] })).sock;
    cleanup.push(() => reader.close());
    expect((await reader.request("channels.status", {})).ok).toBe(true);
    expect((await reader.request("send", { to: "1001", message: "x", idempotencyKey: "idem-5" })).error.message).toBe("missing scope: operator.write");
    expect((await reader.request("channels.pairing.list", {})).error.message).toBe("missing scope: operator.admin");
  });

  test("pairing over RPC: list, approve with notify, reject", async () => {
    const fake = fakeTelegram();
    const { gw, sock } = await gateway(telegramConfig(fake));
    fake.pushText({ id: 31, first_name: "Ann", username: "ann" }, "hi");
    fake.pushText({ id: 32, first_name: "Bob" }, "hi");
    await waitFor(() => fake.callsOf("sendMessage").length === 2);
    const list = (await sock.request("channels.pairing.list", { channel: "telegram" })).payload;
    expect(list.requests).toHaveLength(2);
    const ann = list.requests.find((r: any) => r.id === "31");
    expect(ann).toMatchObject({ channel: "telegram", accountId: "default", meta: { name: "Ann", username: "ann" }, expiresAt: ann.createdAt + 3_600_000 });

    const approved = await sock.request("channels.pairing.approve", { channel: "telegram", code: ann.code, notify: true });
    expect(approved.payload).toMatchObject({ ok: true, channel: "telegram", code: ann.code, id: "31", notified: true });
    const notice = await fake.waitForCall("sendMessage", (c) => String(c.params.chat_id) === "31" && /approved/.test(c.params.text));
    expect(notice.params.text).toContain("OpenClaw access approved");
    const bob = list.requests.find((r: any) => r.id === "32");
    expect((await sock.request("channels.pairing.reject", { channel: "telegram", code: bob.code })).payload).toMatchObject({ ok: true, id: "32" });
    expect((await sock.request("channels.pairing.reject", { channel: "telegram", code: bob.code })).error).toMatchObject({ code: "INVALID_REQUEST" });
    const after = (await sock.request("channels.pairing.list", {})).payload;
    expect(after.requests).toEqual([]);
    expect(after.approved).toEqual([expect.objectContaining({ channel: "telegram", id: "31" })]);
    expect(gw.handle.ctx.channels.pairing().isApproved("telegram", "31")).toBe(true);
  });
});

describe("whatsapp", () => {
  test("not linked → NOT_LINKED; web.login.start/wait drive the QR flow; channels.logout clears it", async () => {
    const sockets = createFakeSocketFactory();
    const { gw, sock } = await gateway({ ...BASE, channels: { whatsapp: {} } }, {
      factories: { whatsapp: (o) => createWhatsAppChannel({ ...(o as ChannelOptions<WhatsAppAccountConfig>), socketFactory: sockets.factory }) },
    });
    await waitFor(() => gw.handle.ctx.channels.accountSnapshots("whatsapp").length === 1);
    const notLinked = await sock.request("send", { to: "+15551234567", message: "hi", idempotencyKey: "w-1" });
    expect(notLinked.error).toMatchObject({ code: "NOT_LINKED", message: expect.stringContaining("openclaw channels login") });
    const status = (await sock.request("channels.status", {})).payload;
    expect(status.channelAccounts.whatsapp[0]).toMatchObject({ linked: false, running: false, connected: false });

    const started = sock.request("web.login.start", { timeoutMs: 3000 });
    const s1 = await sockets.waitForSockets(1);
    s1.qr("2@QRDATA");
    expect((await started).payload).toMatchObject({ accountId: "default", connected: false, qr: "2@QRDATA" });
    const waited = sock.request("web.login.wait", { timeoutMs: 3000 });
    s1.paired();
    s1.close(515);
    const s2 = await sockets.waitForSockets(2);
    s2.open();
    expect((await waited).payload).toMatchObject({ connected: true });

    const sent = await sock.request("send", { to: "+15551234567", message: "hi", idempotencyKey: "w-2" });
    expect(sent.payload).toMatchObject({ runId: "w-2", channel: "whatsapp", toJid: "15551234567@s.whatsapp.net" });
    const out = await sock.request("channels.logout", { channel: "whatsapp" });
    expect(out.payload).toEqual({ ok: true, channel: "whatsapp", accountId: "default", cleared: true });
    const again = await sock.request("send", { to: "+15551234567", message: "hi", idempotencyKey: "w-3" });
    expect(again.error.code).toBe("NOT_LINKED");
  });
});
