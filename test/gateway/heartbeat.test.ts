/**
 * The heartbeat runner over real sockets, with the fake model provider, the fake Telegram Bot API and a
 * hand-driven clock: wake now runs a turn with the queued events and the prompt; HEARTBEAT_OK is silent;
 * other text goes to the last Telegram chat, once per 24 h for the same text; a busy session is skipped;
 * set-heartbeats, every "0", an empty HEARTBEAT.md, the interval itself, config reload and hooks' wake.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_HEARTBEAT_PROMPT } from "../../src/agent/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { checkEventPayload, checkResult } from "../../src/protocol/index.ts";
import { type AgentGateway, collectUntil, startAgentFixture } from "../helpers/agent-gateway.ts";
import { createFakeClock, type FakeClock } from "../helpers/fake-clock.ts";
import type { FakeProvider } from "../helpers/fake-provider.ts";
import type { FakeTelegram } from "../helpers/fake-telegram.ts";
import type { TestSocket } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";
import { applyConfigChange } from "../../src/gateway/config-reload.ts";

const ANN = { id: 4343, first_name: "Ann" };
const HOOK_TOKEN = "hook-secret-for-heartbeat-tests";
const MIN = 60_000;

let fake: FakeProvider;
let telegram: FakeTelegram;
let clock: FakeClock;
let gw: AgentGateway;
let sock: TestSocket;
let workspace: string;
let config: OpenClawConfig;
let stop: () => Promise<void>;

beforeAll(async () => {
  clock = createFakeClock();
  ({ fake, telegram, gw, sock, workspace, config, stop } = await startAgentFixture({ telegram: true, extra: { hooks: { enabled: true, token: HOOK_TOKEN } }, heartbeatClock: clock }));
});
afterAll(async () => {
  await stop();
  // Nothing of the runner is left armed once the gateway stopped.
  expect(clock.pending()).toBe(0);
});

/** Waits for the next `heartbeat` event on the operator socket. */
async function nextHeartbeat(): Promise<any> {
  const frames = await collectUntil(sock, (f) => f.event === "heartbeat");
  const payload = frames.at(-1).payload;
  expect(checkEventPayload("heartbeat", payload)).toEqual({ ok: true });
  return payload;
}

const lastUserMessage = () => JSON.stringify(fake.requests.at(-1)?.body.messages.at(-1));

describe("runner", () => {
  test("starts with the gateway and says so", () => {
    expect(gw.logs.some((l) => l.includes("[heartbeat] started"))).toBe(true);
  });

  test("wake now: a turn with the queued events and the prompt; HEARTBEAT_OK is silent and becomes last-heartbeat", async () => {
    expect(await sock.request("last-heartbeat", {})).toMatchObject({ ok: true, payload: null });
    expect((await sock.request("system-event", { text: "Deploy finished" })).ok).toBe(true);
    const sends = telegram.callsOf("sendMessage").length;
    const requests = fake.requests.length;
    fake.push({ text: "HEARTBEAT_OK" });
    const res = await sock.request("wake", { mode: "now", text: "Check the backups" });
    expect(res).toMatchObject({ ok: true, payload: { ok: true } });
    expect(checkResult("wake", res.payload)).toEqual({ ok: true });

    const event = await nextHeartbeat();
    expect(event).toMatchObject({ status: "ok-token", silent: true, hasMedia: false, ts: expect.any(Number), durationMs: expect.any(Number) });
    expect(fake.requests.length).toBe(requests + 1);
    const user = lastUserMessage();
    expect(user).toContain("System: Deploy finished");
    expect(user).toContain("System: Check the backups");
    expect(user.indexOf("Deploy finished")).toBeLessThan(user.indexOf("Check the backups"));
    expect(user).toContain(JSON.stringify(DEFAULT_HEARTBEAT_PROMPT).slice(1, -1));
    expect(telegram.callsOf("sendMessage")).toHaveLength(sends);
    // The events were used up; last-heartbeat answers the event.
    expect((await sock.request("status", {})).payload.queuedSystemEvents).toEqual([]);
    const last = await sock.request("last-heartbeat", {});
    expect(last.payload).toEqual(event);
    expect(checkResult("last-heartbeat", last.payload)).toEqual({ ok: true });
  });

  test("other text goes to the last Telegram chat (status sent); the same text again is a duplicate", async () => {
    fake.push({ text: "Hi Ann." });
    telegram.pushText(ANN, "hello");
    await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(ANN.id));
    const before = telegram.callsOf("sendMessage").length;

    fake.push({ text: "Rent is due today." });
    await sock.request("wake", { mode: "now", text: "" });
    const sent = await nextHeartbeat();
    expect(sent).toMatchObject({ status: "sent", channel: "telegram", to: String(ANN.id), accountId: "default", preview: "Rent is due today." });
    const call = telegram.callsOf("sendMessage").at(-1);
    expect(String(call?.params.chat_id)).toBe(String(ANN.id));
    expect(call?.params.text).toBe("Rent is due today.");
    // A heartbeat does not take over the session's route.
    expect(gw.handle.ctx.store.getSession("agent:main:main")?.lastChannel).toBe("telegram");

    fake.push({ text: "Rent is due today." });
    await sock.request("wake", { mode: "now", text: "" });
    expect(await nextHeartbeat()).toMatchObject({ status: "skipped", reason: "duplicate" });
    expect(telegram.callsOf("sendMessage")).toHaveLength(before + 1);
  });

  test("a long remark next to HEARTBEAT_OK is delivered without the token", async () => {
    const remark = `Heads up: ${"the disk is filling up ".repeat(20).trim()}.`;
    fake.push({ text: `HEARTBEAT_OK ${remark}` });
    await sock.request("wake", { mode: "now", text: "" });
    const event = await nextHeartbeat();
    expect(event).toMatchObject({ status: "sent", preview: remark.slice(0, 200) });
    expect(telegram.callsOf("sendMessage").at(-1)?.params.text).toBe(remark);
  });

  test("a run on the main session makes the heartbeat skip (busy), not wait", async () => {
    fake.push({ hang: true, first: "thinking" });
    const reqId = "busy-run";
    sock.send({ type: "req", id: reqId, method: "agent", params: { message: "long task", idempotencyKey: "hb-busy" } });
    await collectUntil(sock, (f) => f.type === "res" && f.id === reqId);
    await waitFor(() => fake.openStreams() === 1, "the run to reach the provider", 5000);
    const requests = fake.requests.length;
    await sock.request("wake", { mode: "now", text: "while busy" });
    expect(await nextHeartbeat()).toMatchObject({ status: "skipped", reason: "busy" });
    // Skipped means not drained: the text waits for the next heartbeat.
    expect(gw.handle.ctx.systemEvents).toContain("while busy");
    await sock.request("chat.abort", { sessionKey: "main" });
    await sock.request("agent.wait", { runId: "hb-busy", timeoutMs: 10_000 });
    await waitFor(() => fake.openStreams() === 0, "the hanging stream to close", 5000);
    expect(fake.requests.length).toBe(requests);

    fake.push({ text: "HEARTBEAT_OK" });
    await sock.request("wake", { mode: "now", text: "" });
    expect(await nextHeartbeat()).toMatchObject({ status: "ok-token" });
    expect(lastUserMessage()).toContain("System: while busy");
  });

  test("an empty HEARTBEAT.md skips the model call unless events are queued", async () => {
    const file = join(workspace, "HEARTBEAT.md");
    writeFileSync(file, "# Heartbeat\n\n## Nothing yet\n");
    try {
      const requests = fake.requests.length;
      await sock.request("wake", { mode: "now", text: "" });
      expect(await nextHeartbeat()).toMatchObject({ status: "skipped", reason: "empty-heartbeat-file" });
      expect(fake.requests.length).toBe(requests);

      fake.push({ text: "HEARTBEAT_OK" });
      await sock.request("wake", { mode: "now", text: "A queued event" });
      expect(await nextHeartbeat()).toMatchObject({ status: "ok-token" });
      expect(fake.requests.length).toBe(requests + 1);
    } finally {
      unlinkSync(file);
    }
  });

  test("the interval runs a heartbeat when it comes due; an acknowledgement does not count as activity", async () => {
    const requests = fake.requests.length;
    const before = gw.handle.ctx.store.getSession("agent:main:main");
    clock.advance(29 * MIN);
    expect(fake.requests.length).toBe(requests);
    fake.push({ text: "HEARTBEAT_OK" });
    clock.advance(31 * MIN);
    expect(await nextHeartbeat()).toMatchObject({ status: "ok-token" });
    expect(fake.requests.length).toBe(requests + 1);
    const after = gw.handle.ctx.store.getSession("agent:main:main");
    expect(after?.sessionId).toBe(before?.sessionId);
    expect(after?.updatedAt).toBe(before?.updatedAt);
  });

  test("set-heartbeats false: no runs, wakes only queue; true again: runs resume", async () => {
    const off = await sock.request("set-heartbeats", { enabled: false });
    expect(off).toMatchObject({ ok: true, payload: { ok: true, enabled: false } });
    expect(checkResult("set-heartbeats", off.payload)).toEqual({ ok: true });
    const requests = fake.requests.length;
    await sock.request("wake", { mode: "now", text: "queued while off" });
    clock.advance(120 * MIN);
    // A run would have reached the provider by the time another request round-trips.
    await sock.request("status", {});
    expect(fake.requests.length).toBe(requests);
    expect(gw.handle.ctx.systemEvents).toContain("queued while off");

    expect((await sock.request("set-heartbeats", { enabled: true })).payload).toEqual({ ok: true, enabled: true });
    fake.push({ text: "HEARTBEAT_OK" });
    clock.advance(30 * MIN);
    expect(await nextHeartbeat()).toMatchObject({ status: "ok-token" });
    expect(lastUserMessage()).toContain("System: queued while off");
  });

  test("hooks: a wake with mode now runs the heartbeat", async () => {
    fake.push({ text: "HEARTBEAT_OK" });
    const res = await fetch(`http://127.0.0.1:${gw.handle.port}/hooks/wake`, {
      method: "POST",
      headers: { authorization: `Bearer ${HOOK_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "Mail arrived", mode: "now" }),
    });
    expect(await res.json()).toEqual({ ok: true, mode: "now" });
    expect(await nextHeartbeat()).toMatchObject({ status: "ok-token" });
    expect(lastUserMessage()).toContain("System: Mail arrived");
  });

  test("a config reload that changes every reschedules", async () => {
    const ctx = gw.handle.ctx;
    const next: OpenClawConfig = { ...config, agents: { ...config.agents, defaults: { ...config.agents?.defaults, heartbeat: { every: "5m" } } } };
    expect(applyConfigChange(ctx, { ...ctx.loaded, config: next }, ctx.logger).outcome).toBe("hot");
    expect((await sock.request("status", {})).payload.heartbeat.agents[0]).toEqual({ agentId: "main", enabled: true, every: "5m", everyMs: 5 * MIN });
    fake.push({ text: "HEARTBEAT_OK" });
    clock.advance(5 * MIN);
    expect(await nextHeartbeat()).toMatchObject({ status: "ok-token" });
    expect(gw.logs.some((l) => l.includes("interval of main is now 5m"))).toBe(true);

    // "0" stops the schedule: time passes, nothing runs, and wake now does nothing either.
    expect(applyConfigChange(ctx, { ...ctx.loaded, config: { ...next, agents: { ...next.agents, defaults: { ...next.agents?.defaults, heartbeat: { every: "0" } } } } }, ctx.logger).outcome).toBe("hot");
    const requests = fake.requests.length;
    clock.advance(24 * 60 * MIN);
    await sock.request("wake", { mode: "now", text: "" });
    await sock.request("status", {});
    expect(fake.requests.length).toBe(requests);
    expect(clock.pending()).toBe(0);
    const health = (await sock.request("health", {})).payload;
    expect(health.agents[0].heartbeat).toMatchObject({ enabled: false, every: "0", everyMs: 0, target: "last", ackMaxChars: 300 });

    expect(applyConfigChange(ctx, { ...ctx.loaded, config }, ctx.logger).outcome).toBe("hot");
    expect(clock.pending()).toBe(1);
  });
});

describe("active hours", () => {
  test("outside the window a heartbeat is skipped as quiet-hours and queued events wait for the window", async () => {
    // Noon UTC on the runner's clock; the window is 13:00–14:00 UTC.
    const c = createFakeClock(Date.parse("2026-11-25T12:00:00Z"));
    const activeHours = { start: "13:00", end: "14:00", timezone: "UTC" };
    const { fake: provider, sock: s, stop: stopFixture } = await startAgentFixture({ extra: (dir) => ({ agents: { defaults: { workspace: dir, model: "local/m1", heartbeat: { activeHours } } } }), heartbeatClock: c });
    try {
      const event = s.nextMatching((f) => f.type === "event" && f.event === "heartbeat", 10_000);
      await s.request("wake", { mode: "now", text: "the build finished" });
      expect((await event).payload).toMatchObject({ status: "skipped", reason: "quiet-hours" });
      expect(provider.requests).toHaveLength(0);
      expect((await s.request("status", {})).payload.queuedSystemEvents).toEqual([expect.stringContaining("the build finished")]);
      // 12:30 is still quiet; at 13:00 the interval heartbeat runs and takes the queued event.
      provider.push({ text: "HEARTBEAT_OK" });
      const beats: any[] = [];
      const done = (async () => {
        for (;;) {
          const f = await s.nextMatching((x) => x.type === "event" && x.event === "heartbeat", 10_000);
          beats.push(f.payload);
          if (f.payload.status !== "skipped") return;
        }
      })();
      c.advance(30 * MIN);
      await waitFor(() => beats.length === 1, "the quiet-hours beat");
      c.advance(30 * MIN);
      await done;
      expect(beats.map((b) => b.reason ?? b.status)).toEqual(["quiet-hours", "ok-token"]);
      expect(JSON.stringify(provider.requests[0]?.body.messages)).toContain("the build finished");
      expect((await s.request("status", {})).payload.queuedSystemEvents).toEqual([]);
    } finally {
      await stopFixture();
    }
  });
});

describe("disabled by config", () => {
  test('every "0": no schedule, wake now runs nothing, status says off', async () => {
    const off = createFakeClock();
    const { fake: provider, gw: g, sock: s, stop: stopFixture } = await startAgentFixture({ extra: (dir) => ({ agents: { defaults: { workspace: dir, model: "local/m1", heartbeat: { every: "0m" } } } }), heartbeatClock: off });
    try {
      expect(off.pending()).toBe(0);
      await s.request("wake", { mode: "now", text: "anyone?" });
      off.advance(24 * 60 * MIN);
      expect((await s.request("status", {})).payload.heartbeat.agents[0]).toEqual({ agentId: "main", enabled: false, every: "0m", everyMs: 0 });
      expect(provider.requests).toHaveLength(0);
      expect(await s.request("last-heartbeat", {})).toMatchObject({ ok: true, payload: null });
      expect(g.logs.some((l) => l.includes("[heartbeat] off"))).toBe(true);
    } finally {
      await stopFixture();
    }
  });
});
