/**
 * Channels through the compiled binary. Telegram: the gateway polls a fake Bot API server and answers
 * with the real agent runtime over a fake model provider: pairing, CLI approval, agent reply, `message
 * send`, config hot reload, restart without replay. WhatsApp: real Baileys inside the binary against a
 * local WebSocket server (close → backoff → reconnect in status), NOT_LINKED, logout.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChannelOptions } from "../../src/channels/index.ts";
import { createWhatsAppChannel, openAuthState } from "../../src/channels/whatsapp/index.ts";
import type { WhatsAppAccountConfig } from "../../src/config/channels-schema.ts";
import { BINARY, binaryEnv, ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { createFakeSocketFactory } from "../helpers/fake-baileys.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { FAKE_BOT, FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "channels-e2e-token-0123456789abcdef01234567";
const STRANGER = { id: 4242, first_name: "Stranger", username: "stranger" };
let provider: FakeProvider;
let telegram: FakeTelegram;
const homes: string[] = [];
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
  provider = startFakeProvider();
  telegram = startFakeTelegram();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  provider.stop();
  telegram.stop();
});

function writeConfig(home: string, config: Record<string, unknown>): string {
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const path = join(home, ".openclaw", "openclaw.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** Runs the CLI without blocking this process (the fakes live here). */
async function cli(args: string[], home: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BINARY, ...args], { env: binaryEnv(home, env), cwd: home, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

async function waitForOutput(gw: { output(): string }, re: RegExp, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => re.test(gw.output()), `gateway output ${re}`, timeoutMs);
}

describe("telegram (compiled binary)", () => {
  test("stranger → pairing code → CLI approve → agent answer; message send; hot reload; restart without replay", async () => {
    const home = tempHome();
    homes.push(home);
    const workspace = join(home, "workspace");
    mkdirSync(workspace, { recursive: true });
    const port = freePort();
    const base = {
      gateway: { mode: "local", port, auth: { token: TOKEN }, reload: { debounceMs: 50 } },
      models: { providers: { local: { baseUrl: provider.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
      agents: { defaults: { model: "local/m1", workspace } },
      messages: { queue: { debounceMs: 50 } },
    };
    const telegramCfg = { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1 };
    const configPath = writeConfig(home, { ...base, channels: { telegram: telegramCfg } });
    let gw = await startBinaryGateway(["gateway"], { home });
    procs.push(gw.proc);
    await waitForOutput(gw, new RegExp(`polling as @${FAKE_BOT.username}`));

    // A stranger gets a code; the model is never called.
    const since0 = telegram.calls.length;
    const providerCalls0 = provider.requests.length;
    telegram.pushText(STRANGER, "hello bot");
    const pairing = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(STRANGER.id), { since: since0 });
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(pairing.params.text)?.[1] as string;
    expect(code).toBeDefined();
    expect(provider.requests.length).toBe(providerCalls0);

    const listed = await cli(["pairing", "list", "telegram", "--json"], home);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).requests).toEqual([expect.objectContaining({ code, id: String(STRANGER.id), meta: { name: "Stranger", username: "stranger" } })]);
    const table = await cli(["pairing", "list"], home);
    expect(table.stdout).toContain(code);
    const approved = await cli(["pairing", "approve", "telegram", code, "--notify"], home);
    expect(approved.stderr).toBe("");
    expect(approved.stdout).toContain(`Approved telegram sender ${STRANGER.id}`);
    await telegram.waitForCall("sendMessage", (c) => /access approved/.test(String(c.params.text)));

    // Now the agent answers through the real runtime and the fake model.
    provider.push({ text: "**Four**, obviously." });
    const since1 = telegram.calls.length;
    telegram.pushText(STRANGER, "what is 2+2?");
    const answer = await telegram.waitForCall("sendMessage", (c) => /Four/.test(String(c.params.text)), { since: since1, timeoutMs: 15_000 });
    expect(answer.params).toMatchObject({ chat_id: String(STRANGER.id), parse_mode: "HTML", text: "<b>Four</b>, obviously." });
    const modelReq = provider.requests.at(-1)?.body;
    expect(modelReq.messages.at(-1)).toEqual({ role: "user", content: "what is 2+2?" });
    expect(JSON.stringify(modelReq.messages[0])).toContain("Telegram direct chat");
    expect(telegram.calls.slice(since1).some((c) => c.method === "sendChatAction")).toBe(true);

    const status = await cli(["channels", "status", "--json"], home);
    expect(status.code).toBe(0);
    const snap = JSON.parse(status.stdout).channelAccounts.telegram[0];
    expect(snap).toMatchObject({ accountId: "default", configured: true, running: true, connected: true, mode: "polling", tokenSource: "config" });
    const human = await cli(["channels", "status"], home);
    expect(human.stdout).toMatch(/Telegram\s+default\s+connected/);

    const sent = await cli(["message", "send", "--channel", "telegram", "--target", String(STRANGER.id), "--message", "hi from the cli"], home);
    expect(sent.stderr).toBe("");
    expect(sent.code).toBe(0);
    await telegram.waitForCall("sendMessage", (c) => c.params.text === "hi from the cli");
    const wa = await cli(["message", "send", "--channel", "whatsapp", "--target", "+15551234567", "--message", "x"], home);
    expect(wa.code).toBe(1);
    expect(wa.stderr).toContain("whatsapp is not configured (NOT_LINKED)");

    // Hot reload: a channels.telegram change restarts only Telegram, in place.
    writeConfig(home, { ...base, channels: { telegram: { ...telegramCfg, allowFrom: [STRANGER.id] } } });
    await waitForOutput(gw, /channels reloaded: telegram:default/);
    await waitForOutput(gw, new RegExp(`polling as @${FAKE_BOT.username}[\\s\\S]*polling as @${FAKE_BOT.username}`));

    // Restart: an update that arrives while the gateway is down is handled once, nothing earlier is replayed.
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
    const providerCalls1 = provider.requests.length;
    provider.push({ text: "welcome back" });
    telegram.pushText(STRANGER, "are you back?");
    const since2 = telegram.calls.length;
    gw = await startBinaryGateway(["gateway"], { home });
    procs.push(gw.proc);
    await telegram.waitForCall("sendMessage", (c) => c.params.text === "welcome back", { since: since2, timeoutMs: 15_000 });
    // Settle: a message recovered from the state DB is queued (and logged) at the account's start, ahead of
    // the update in the same session's lane, so its model request would already be counted; and Telegram
    // was asked from the right offset (the update is confirmed, nothing older left to redeliver).
    await waitFor(() => telegram.pendingUpdates() === 0, "the update confirmed");
    expect(gw.output()).not.toContain("re-queued");
    expect(provider.requests.length).toBe(providerCalls1 + 1);
    expect(provider.requests.at(-1)?.body.messages.at(-1)).toEqual({ role: "user", content: "are you back?" });
    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
    expect(readFileSync(configPath, "utf8")).toContain("allowFrom");
  }, 60_000);
});

describe("whatsapp (compiled binary)", () => {
  test("real Baileys reconnects with backoff against a local server; NOT_LINKED before linking; logout", async () => {
    const connections: number[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no", { status: 400 })),
      websocket: {
        open: () => void connections.push(Date.now()),
        message: (ws) => ws.close(1011, "bye"),
      },
    });
    try {
      const home = tempHome();
      homes.push(home);
      const port = freePort();
      writeConfig(home, {
        gateway: { mode: "local", port, auth: { token: TOKEN } },
        channels: { whatsapp: { dmPolicy: "pairing" } },
        web: { reconnect: { initialMs: 200, maxMs: 1000, factor: 2, jitter: 0, maxAttempts: 20 } },
      });
      const env = { OPENCLAW_WHATSAPP_WS_URL: `ws://127.0.0.1:${server.port}/ws/chat` };
      let gw = await startBinaryGateway(["gateway"], { home, env });
      procs.push(gw.proc);

      const notLinked = await cli(["message", "send", "--target", "+15551234567", "--message", "hi"], home);
      expect(notLinked.code).toBe(1);
      expect(notLinked.stderr).toContain("WhatsApp is not linked");
      expect(notLinked.stderr).toContain("NOT_LINKED");
      const st0 = JSON.parse((await cli(["channels", "status", "--json"], home)).stdout);
      expect(st0.channelAccounts.whatsapp[0]).toMatchObject({ linked: false, running: false });
      expect(connections).toHaveLength(0);
      gw.proc.kill("SIGTERM");
      await gw.proc.exited;

      // Saved credentials (as a finished link leaves them): the gateway connects at start.
      const authDir = join(home, ".openclaw", "credentials", "whatsapp", "default");
      const auth = openAuthState(authDir);
      await auth.saveCreds();
      gw = await startBinaryGateway(["gateway"], { home, env });
      procs.push(gw.proc);
      await waitFor(() => connections.length >= 3, "three WhatsApp connection attempts", 15_000);
      // web.reconnect initialMs 200, factor 2, jitter 0: at least 200 ms, then 400 ms between attempts.
      expect(connections[1] - connections[0]).toBeGreaterThanOrEqual(190);
      expect(connections[2] - connections[1]).toBeGreaterThanOrEqual(390);
      const st1 = JSON.parse((await cli(["channels", "status", "--json"], home)).stdout);
      expect(st1.channelAccounts.whatsapp[0]).toMatchObject({ linked: true, running: true, connected: false, lastError: expect.stringContaining("428") });
      expect(st1.channelAccounts.whatsapp[0].reconnectAttempts).toBeGreaterThanOrEqual(2);
      expect(gw.output()).toContain("web-reconnect");
      const health = JSON.parse((await cli(["gateway", "call", "health"], home)).stdout);
      expect(health.channelOrder).toEqual(["whatsapp"]);
      expect(health.channels.whatsapp).toMatchObject({ linked: true, connected: false });

      const out = await cli(["channels", "logout"], home);
      expect(out.stdout).toContain("credentials removed");
      expect(existsSync(join(authDir, "creds.json"))).toBe(false);
      const after = await cli(["message", "send", "--channel", "whatsapp", "--target", "+15551234567", "--message", "hi"], home);
      expect(after.stderr).toContain("NOT_LINKED");
      gw.proc.kill("SIGTERM");
      expect(await gw.proc.exited).toBe(0);
    } finally {
      server.stop(true);
    }
  }, 60_000);
});

describe("channels login (compiled CLI)", () => {
  test("prints the QR in the terminal, follows QR rotation, and exits once linked", async () => {
    const sockets = createFakeSocketFactory();
    const gw = await startTestGateway({
      config: { gateway: { mode: "local", auth: { token: TOKEN } }, channels: { whatsapp: {} } },
      settings: { auth: { mode: "token", token: TOKEN } },
      channelOptions: { env: {}, factories: { whatsapp: (o) => createWhatsAppChannel({ ...(o as ChannelOptions<WhatsAppAccountConfig>), socketFactory: sockets.factory }) } },
    });
    const home = tempHome();
    homes.push(home);
    try {
      const p = Bun.spawn([BINARY, "channels", "login", "--url", gw.url, "--token", TOKEN], { env: binaryEnv(home), cwd: home, stdout: "pipe", stderr: "pipe" });
      procs.push(p);
      let out = "";
      const stdout = p.stdout.getReader();
      const reader = (async () => {
        for (;;) {
          const c = await stdout.read();
          if (c.done) return;
          out += new TextDecoder().decode(c.value);
        }
      })();
      const s1 = await sockets.waitForSockets(1, 10_000);
      s1.qr("2@FIRST-QR-PAYLOAD");
      await waitFor(() => out.includes("Linked Devices"), "the first QR", 10_000);
      // A half-block QR: many lines of block characters.
      expect(out.split("\n").filter((l) => /[▀▄█]/.test(l)).length).toBeGreaterThan(10);
      const firstLen = out.length;
      s1.qr("2@SECOND-QR-PAYLOAD");
      await waitFor(() => out.length > firstLen + 200, "the rotated QR", 10_000);
      s1.paired();
      s1.close(515);
      (await sockets.waitForSockets(2, 10_000)).open();
      expect(await p.exited).toBe(0);
      await reader;
      expect(out).toContain("✅ WhatsApp linked as +15550001111.");
      expect(await new Response(p.stderr).text()).toBe("");
    } finally {
      await gw.stop();
    }
  }, 30_000);
});

describe("binary contents", () => {
  test("sharp / jimp are stubbed out of the binary (Baileys' optional image libraries); Baileys and grammY are in", () => {
    // The entry's map, plus those of the chunks and the separately bundled lazy packages (build.ts).
    const maps = [`${BINARY}.map`, ...readdirSync(`${BINARY}.maps`).map((n) => join(`${BINARY}.maps`, n))];
    const map = { sources: maps.flatMap((f) => (JSON.parse(readFileSync(f, "utf8")) as { sources: string[] }).sources) };
    expect(map.sources.some((s) => s.includes("node_modules/sharp/"))).toBe(false);
    expect(map.sources.some((s) => s.includes("node_modules/jimp/"))).toBe(false);
    expect(map.sources.some((s) => s.includes("node_modules/@whiskeysockets/baileys/"))).toBe(true);
    expect(map.sources.some((s) => s.includes("node_modules/grammy/"))).toBe(true);
  });
});
