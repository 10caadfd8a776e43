/**
 * Today's upstream clients (openclaw 2026.9.6, protocol v4) against our compiled binary, on one gateway with
 * the fake model provider and the fake Telegram Bot API: the CLI (`agent`, `message send`, `cron list`,
 * `models list`), the TUI in a pty (connects, shows history, sends, streams the reply) and the Control UI in
 * headless Chromium (chat sends and streams; the overview, sessions, channels, nodes, cron, logs and config
 * views render without an "unknown method" error). Skipped with a message when the 2026.9.6 install is
 * missing, unless OPENCLAW_REQUIRE_REFERENCE is set.
 */
import { afterAll, beforeAll, describe, expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { runUpstreamCli, type UpstreamControlUi } from "../helpers/upstream.ts";
import { openControlUiV4, pageText, referenceV4ForSuite, serveControlUiV4, startTui } from "../helpers/upstream-v4.ts";
import { waitFor } from "../helpers/wait.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import { CHROMIUM, startUpstreamUiEnv, type UpstreamUiEnv } from "./_setup.ts";

const { ref, run } = referenceV4ForSuite("upstream 2026.9.6 clients e2e");
let env: UpstreamUiEnv;
let ui: UpstreamControlUi;
let telegram: FakeTelegram;
let watcher: TestSocket;

beforeAll(async () => {
  if (!ref) return;
  telegram = startFakeTelegram();
  ui = serveControlUiV4(ref);
  env = await startUpstreamUiEnv(ref, {
    gateway: { controlUi: { allowedOrigins: [ui.origin] } },
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*"] } },
  });
  ({ sock: watcher } = await connectClient(env.url, env.token, { scopes: ["operator.admin"] }));
}, 60_000);
afterAll(async () => {
  watcher?.close();
  await env?.stop();
  ui?.stop();
  telegram?.stop();
});

const cli = (args: string[]) => runUpstreamCli(ref!, env, args, { timeoutMs: 60_000 });

describe("the 2026.9.6 CLI", () => {
  run("agent: the two-phase run prints the fake model's reply", async () => {
    env.fake.push({ text: "pong from the fake model" });
    const r = await cli(["agent", "--message", "ping", "--agent", "main"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("pong from the fake model");
  }, 90_000);

  run("message send: goes out through message.action to the fake Telegram", async () => {
    const r = await cli(["message", "send", "--channel", "telegram", "--target", "4242", "--message", "hello from the v4 CLI"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/Sent via telegram\. Message ID: \d+/);
    const sent = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === "4242");
    expect(sent.params.text).toBe("hello from the v4 CLI");
  }, 90_000);

  run("cron list (paged cron.list) and models list (needs published-model-catalog)", async () => {
    const add = await watcher.request("cron.add", {
      name: "Standup",
      schedule: { kind: "every", everyMs: 3_600_000 },
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text: "standup" },
    });
    expect(add.ok).toBe(true);
    const cron = await cli(["cron", "list"]);
    expect({ code: cron.code, stderr: cron.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cron.stdout).toContain("Standup");
    const models = await cli(["models", "list"]);
    expect({ code: models.code, stderr: models.stderr }).toEqual({ code: 0, stderr: "" });
    expect(models.stdout).toMatch(/local\/m1[\s\S]*local\/m2/);
  }, 90_000);
});

describe("the 2026.9.6 TUI in a pty", () => {
  run("connects, shows the session history, sends and streams the reply", async () => {
    // History first: one finished exchange on the main session.
    env.fake.push({ text: "earlier answer" });
    const sent = await watcher.request("chat.send", { sessionKey: "main", message: "earlier question", idempotencyKey: "tui-history-1" });
    expect(sent.ok).toBe(true);
    await watcher.nextMatching((f) => f.event === "chat" && f.payload.runId === "tui-history-1" && f.payload.state === "final", 20_000);

    const home = mkdtempSync(join(tmpdir(), "openclaw-tui-"));
    const tui = startTui(ref!, home, env.url, env.token);
    try {
      await tui.waitFor(/gateway connected \| idle/, 60_000);
      const shown = tui.screen();
      expect(shown).toContain("earlier question");
      expect(shown).toContain("earlier answer");
      expect(shown).not.toMatch(/unknown method|subscription failed/);
      env.fake.push({ text: ["streamed ", "reply ", "from the fake model"], delayMs: 60 });
      const from = tui.screen().length;
      tui.type("hello from the TUI\r");
      await tui.waitFor(/streamed reply from the fake model/, 30_000, from);
      await tui.waitFor(/gateway connected \| idle/, 30_000, from);
      expect(tui.screen().slice(from)).toContain("hello from the TUI");
    } finally {
      await tui.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 150_000);
});

const describeUi = CHROMIUM !== null || process.env.CI !== undefined ? describe : describe.skip;

describeUi("the 2026.9.6 Control UI in headless Chromium", () => {
  run("chat loads through chat.startup, sends and streams the fake model's reply", async () => {
    const page = await openControlUiV4(env.browser, ui.origin, env.url, env.token, "/chat");
    try {
      const composer = page.locator(".agent-chat__composer-combobox > textarea");
      await composer.waitFor({ timeout: 30_000 });
      env.fake.push({ text: ["Streaming ", "answer ", "for the Control UI"], delayMs: 60 });
      await composer.fill("hello from the Control UI");
      await composer.press("Enter");
      await page.waitForFunction(() => document.body.innerText.includes("Streaming answer for the Control UI"), undefined, { timeout: 30_000 });
      // The UI subscribed with sessions.messages.subscribe: no event of its own run draws a second copy.
      // (A user-turn copy would come at run start, before the sidebar row shows the reply.)
      await page.waitForFunction(() => document.body.innerText.split("Streaming answer for the Control UI").length - 1 >= 2, undefined, { timeout: 30_000 });
      const text = await pageText(page);
      // Once in the transcript, and once more in the sidebar's session row when it is the session's first
      // message (earlier tests may have titled the session already); a duplicated user turn would make three.
      const copies = text.split("hello from the Control UI").length - 1;
      expect(copies === 1 || copies === 2).toBe(true);
      expect(text.split("Streaming answer for the Control UI").length - 1).toBe(2);
      expect(text).not.toMatch(/unknown method/i);
      // The reply made the open chat's sidebar row unread; the UI marks it read (sessions.patch unread:false
      // with expectedMarkedUnreadAt), which is stored and comes back in the v4 row.
      const { sock: v4 } = await connectClient(env.url, env.token, { minProtocol: 4, maxProtocol: 4, client: { id: "cli", version: "2026.9.6", platform: "linux", mode: "cli" }, scopes: ["operator.admin"] });
      try {
        const row = await waitFor(async () => {
          const { session } = (await v4.request("sessions.describe", { key: "agent:main:main" })).payload;
          return session?.unread === false && typeof session.lastReadAt === "number" && session.lastReadAt >= session.lastInteractionAt ? session : undefined;
        }, "the Control UI's read acknowledgement stored on agent:main:main", 30_000);
        expect(row).toMatchObject({ pinned: false, archived: false, unread: false });
      } finally {
        v4.close();
      }
    } finally {
      await page.close();
    }
  }, 120_000);

  run("overview, sessions, channels, nodes, cron, logs and config render with no unknown-method error", async () => {
    // Something to show: a session with one exchange and a cron job.
    env.fake.push({ text: "views reply" });
    expect((await watcher.request("chat.send", { sessionKey: "main", message: "views", idempotencyKey: "ui-views-1" })).ok).toBe(true);
    await watcher.nextMatching((f) => f.event === "chat" && f.payload.runId === "ui-views-1" && f.payload.state === "final", 20_000);
    await watcher.request("cron.add", { name: "Nightly", schedule: { kind: "every", everyMs: 86_400_000 }, sessionTarget: "main", wakeMode: "next-heartbeat", payload: { kind: "systemEvent", text: "n" } });
    const page = await openControlUiV4(env.browser, ui.origin, env.url, env.token, "/chat");
    const views: [path: string, shows: RegExp][] = [
      ["/debug", /LANES[\s\S]*main/],
      ["/sessions", /agent:main:main|Main Session/],
      ["/settings/channels", /Telegram/],
      ["/settings/devices", /Devices/],
      ["/automations", /Nightly/],
      ["/logs", /listening on ws/],
      ["/settings/advanced", /Advanced/],
    ];
    try {
      for (const [path, shows] of views) {
        await page.goto(`${ui.origin}${path}`);
        const shown = await page
          .waitForFunction((re) => new RegExp(re).test(document.body.innerText), shows.source, { timeout: 30_000 })
          .then(() => true, () => false);
        const text = await pageText(page);
        expect({ path, shown, text: shown ? "" : text.slice(0, 1500) }).toEqual({ path, shown: true, text: "" });
        expect(text).not.toContain("Gateway unreachable");
        expect({ path, unknownMethod: /unknown method/i.test(text) ? text.match(/.{0,80}unknown method.{0,80}/i)?.[0] : undefined }).toEqual({ path, unknownMethod: undefined });
      }
    } finally {
      await page.close();
    }
  }, 180_000);
});
