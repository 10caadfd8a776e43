/**
 * The cron scheduler in a real gateway with a hand-driven clock, the fake model provider and the fake
 * Telegram Bot API: a cron expression fires at its time in its zone; `every` stays on its anchor; `at`
 * runs once and is deleted (the default) or disabled when kept; a system event with wakeMode now reaches the
 * heartbeat turn; an isolated agent turn runs on `agent:<agentId>:cron:<id>` and its reply is announced on Telegram (a failed delivery is an
 * error unless bestEffort); a failing turn is recorded as an error; a job never overlaps itself. A second
 * gateway shows jobs and run logs surviving a restart, an overdue job running once after it, and
 * `cron.enabled: false` with a hot reload.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { checkEventPayload, checkResult } from "../../../src/protocol/index.ts";
import { type AgentGateway, connectOperator, startAgentFixture, startAgentGateway } from "../../helpers/agent-gateway.ts";
import { createFakeClock, type FakeClock } from "../../helpers/fake-clock.ts";
import type { FakeProvider } from "../../helpers/fake-provider.ts";
import type { FakeTelegram } from "../../helpers/fake-telegram.ts";
import type { TestSocket } from "../../helpers/ws.ts";
import { waitFor } from "../../helpers/wait.ts";
import { applyConfigChange } from "../../../src/gateway/config-reload.ts";

const T0 = Date.UTC(2026, 0, 5, 7, 0, 0); // Monday 07:00 UTC = 08:00 in Berlin
const MIN = 60_000;
const H = 60 * MIN;
const ANN = { id: 4343, first_name: "Ann" };

let fake: FakeProvider;
let telegram: FakeTelegram;
let clock: FakeClock;
let gw: AgentGateway;
let sock: TestSocket;
let config: OpenClawConfig;
let stop: () => Promise<void>;

beforeAll(async () => {
  clock = createFakeClock(T0);
  ({ fake, telegram, gw, sock, config, stop } = await startAgentFixture({ telegram: true, heartbeatClock: createFakeClock(), cronClock: clock }));
});
afterAll(async () => {
  await stop();
  // Nothing of the scheduler is left armed once the gateway stopped.
  expect(clock.pending()).toBe(0);
});

/** Adds a job and returns it. */
async function addJob(s: TestSocket, params: Record<string, unknown>): Promise<any> {
  const res = await s.request("cron.add", params);
  if (!res.ok) throw new Error(`cron.add refused: ${res.error.message}`);
  return res.payload;
}

const systemJob = (name: string, schedule: unknown, extra: Record<string, unknown> = {}) => ({
  name,
  schedule,
  sessionTarget: "main",
  wakeMode: "next-heartbeat",
  payload: { kind: "systemEvent", text: `${name}!` },
  ...extra,
});

const turnJob = (name: string, message: string, extra: Record<string, unknown> = {}) => ({
  name,
  schedule: { kind: "every", everyMs: 24 * H },
  sessionTarget: "isolated",
  wakeMode: "next-heartbeat",
  payload: { kind: "agentTurn", message },
  ...extra,
});

/** The next `cron` event of `action` for `jobId`. */
async function cronEvent(s: TestSocket, jobId: string, action: string): Promise<any> {
  const f = await s.nextMatching((x) => x.event === "cron" && x.payload.jobId === jobId && x.payload.action === action, 10_000);
  expect(checkEventPayload("cron", f.payload)).toEqual({ ok: true });
  return f.payload;
}

async function runsOf(s: TestSocket, id: string): Promise<any[]> {
  const res = await s.request("cron.runs", { id });
  expect(checkResult("cron.runs", res.payload)).toEqual({ ok: true });
  return res.payload.entries;
}

async function jobOf(s: TestSocket, id: string): Promise<any> {
  return (await s.request("cron.list", { includeDisabled: true })).payload.jobs.find((j: any) => j.id === id);
}

const lastUserMessage = () => JSON.stringify(fake.requests.at(-1)?.body.messages.at(-1));

describe("schedules", () => {
  test("a cron expression fires at 09:00 in its zone and computes the next day's run", async () => {
    const job = await addJob(sock, systemJob("Plants", { kind: "cron", expr: "0 9 * * *", tz: "Europe/Berlin" }));
    expect(job.state.nextRunAtMs).toBe(T0 + H);
    clock.advance(H - 1000);
    await sock.request("cron.status", {});
    expect(await runsOf(sock, job.id)).toEqual([]);
    expect(gw.handle.ctx.systemEvents).not.toContain("Plants!");

    clock.advance(1000);
    const started = await cronEvent(sock, job.id, "started");
    expect(started).toEqual({ jobId: job.id, action: "started", runAtMs: T0 + H });
    const finished = await cronEvent(sock, job.id, "finished");
    expect(finished).toEqual({ ts: T0 + H, jobId: job.id, action: "finished", status: "ok", summary: "Plants!", runAtMs: T0 + H, durationMs: 0, nextRunAtMs: T0 + 25 * H });
    expect(gw.handle.ctx.systemEvents).toContain("Plants!");
    expect(await runsOf(sock, job.id)).toEqual([finished]);
    const after = await jobOf(sock, job.id);
    expect(after.state).toEqual({ lastRunAtMs: T0 + H, lastStatus: "ok", lastDurationMs: 0, nextRunAtMs: T0 + 25 * H });
    await sock.request("cron.remove", { id: job.id });
    gw.handle.ctx.systemEvents.length = 0;
  });

  test("every stays on its anchor", async () => {
    const now = clock.now();
    const anchorMs = now - 25 * MIN;
    const job = await addJob(sock, systemJob("Anchored", { kind: "every", everyMs: 10 * MIN, anchorMs }));
    expect(job.state.nextRunAtMs).toBe(anchorMs + 30 * MIN);
    clock.advance(5 * MIN);
    expect(await cronEvent(sock, job.id, "finished")).toMatchObject({ status: "ok", runAtMs: anchorMs + 30 * MIN, nextRunAtMs: anchorMs + 40 * MIN });
    clock.advance(10 * MIN);
    expect(await cronEvent(sock, job.id, "finished")).toMatchObject({ status: "ok", runAtMs: anchorMs + 40 * MIN, nextRunAtMs: anchorMs + 50 * MIN });
    expect(await runsOf(sock, job.id)).toHaveLength(2);
    await sock.request("cron.remove", { id: job.id });
    gw.handle.ctx.systemEvents.length = 0;
  });

  // issue 24: deleteAfterRun now defaults to true for `at` jobs (the upstream's default); keeping one is explicit.
  test("at runs once: then deleted by default (its log stays readable), or disabled with deleteAfterRun false", async () => {
    const at = new Date(clock.now() + 2 * MIN).toISOString();
    const once = await addJob(sock, systemJob("Once", { kind: "at", at }, { deleteAfterRun: false }));
    const gone = await addJob(sock, systemJob("Gone", { kind: "at", at }));
    expect(gone.deleteAfterRun).toBe(true);
    expect(once.deleteAfterRun).toBe(false);
    clock.advance(2 * MIN);
    expect(await cronEvent(sock, once.id, "finished")).toMatchObject({ status: "ok", runAtMs: Date.parse(at) });
    expect(await cronEvent(sock, gone.id, "finished")).toMatchObject({ status: "ok" });
    await cronEvent(sock, gone.id, "removed");

    const onceAfter = await jobOf(sock, once.id);
    expect(onceAfter.enabled).toBe(false);
    expect(onceAfter.state).toMatchObject({ lastStatus: "ok", lastRunAtMs: Date.parse(at) });
    expect(onceAfter.state.nextRunAtMs).toBeUndefined();
    expect(await jobOf(sock, gone.id)).toBeUndefined();
    expect(await runsOf(sock, gone.id)).toHaveLength(1);

    clock.advance(24 * H);
    await sock.request("cron.status", {});
    expect(await runsOf(sock, once.id)).toHaveLength(1);
    await sock.request("cron.remove", { id: once.id });
    gw.handle.ctx.systemEvents.length = 0;
  });
});

describe("what a run does", () => {
  test("systemEvent with wakeMode now: the heartbeat turn sees the text", async () => {
    fake.push({ text: "HEARTBEAT_OK" });
    const requests = fake.requests.length;
    const job = await addJob(sock, systemJob("Stretch", { kind: "at", at: new Date(clock.now() + MIN).toISOString() }, { wakeMode: "now", deleteAfterRun: true }));
    clock.advance(MIN);
    expect(await cronEvent(sock, job.id, "finished")).toMatchObject({ status: "ok", summary: "Stretch!" });
    const beat = await sock.nextMatching((f) => f.event === "heartbeat", 10_000);
    expect(beat.payload).toMatchObject({ status: "ok-token" });
    expect(fake.requests.length).toBe(requests + 1);
    expect(lastUserMessage()).toContain("System: Stretch!");
    expect(gw.handle.ctx.systemEvents).toEqual([]);
  });

  test("agentTurn: an isolated run on agent:<agentId>:cron:<id>, fresh each time; the reply is the run's summary", async () => {
    const job = await addJob(sock, turnJob("Report", "Write the daily report.", { payload: { kind: "agentTurn", message: "Write the daily report.", timeoutSeconds: 30 } }));
    expect((await sock.request("cron.run", { id: job.id })).payload).toEqual({ ok: true, ran: false, reason: "not-due" });

    fake.push({ text: "Report: all systems nominal." });
    const ran = await sock.request("cron.run", { id: job.id, mode: "force" });
    expect(ran.payload).toEqual({ ok: true, ran: true });
    expect(checkResult("cron.run", ran.payload)).toEqual({ ok: true });
    const finished = await cronEvent(sock, job.id, "finished");
    expect(finished).toMatchObject({ status: "ok", summary: "Report: all systems nominal." });
    expect(finished.error).toBeUndefined();
    expect(lastUserMessage()).toContain("Write the daily report.");
    const session = gw.handle.ctx.store.getSession(`agent:main:cron:${job.id}`);
    expect(gw.handle.ctx.store.getSession(`cron:${job.id}`)).toBeUndefined();
    expect(session).toMatchObject({ label: "Report" });
    // The main session is untouched.
    expect(gw.handle.ctx.store.getSession("agent:main:main")?.label).toBeUndefined();

    fake.push({ text: "Report two." });
    await sock.request("cron.run", { id: job.id, mode: "force" });
    expect(await cronEvent(sock, job.id, "finished")).toMatchObject({ status: "ok", summary: "Report two." });
    expect(gw.handle.ctx.store.getSession(`agent:main:cron:${job.id}`)?.sessionId).not.toBe(session?.sessionId);
    // The second turn did not see the first one.
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages)).not.toContain("all systems nominal");
    expect((await runsOf(sock, job.id)).map((e) => e.summary)).toEqual(["Report: all systems nominal.", "Report two."]);
    expect((await jobOf(sock, job.id)).state).toMatchObject({ lastStatus: "ok" });
    await sock.request("cron.remove", { id: job.id });
  });

  test("a session kept under the old key cron:<id> stays readable; the next run carries its model override over", async () => {
    const job = await addJob(sock, turnJob("Legacy", "Carry on."));
    const store = gw.handle.ctx.store;
    store.setSession(`cron:${job.id}`, { sessionId: "legacy-session", createdAt: 1, updatedAt: 2, label: "Legacy", modelOverride: "local/m2" });
    fake.push({ text: "Carried." });
    await sock.request("cron.run", { id: job.id, mode: "force" });
    expect(await cronEvent(sock, job.id, "finished")).toMatchObject({ status: "ok", summary: "Carried." });
    expect(store.getSession(`agent:main:cron:${job.id}`)).toMatchObject({ label: "Legacy", modelOverride: "local/m2" });
    expect(fake.requests.at(-1)?.body.model).toBe("m2");
    // nothing destructive: the old entry is still there and listed
    expect(store.getSession(`cron:${job.id}`)?.sessionId).toBe("legacy-session");
    const listed = await sock.request("sessions.list", {});
    expect(listed.payload.sessions.map((r: any) => r.key)).toEqual(expect.arrayContaining([`cron:${job.id}`, `agent:main:cron:${job.id}`]));
    await sock.request("cron.remove", { id: job.id });
  });

  test("a failing turn is recorded as an error with its message", async () => {
    const job = await addJob(sock, turnJob("Broken", "Do the thing."));
    fake.push({ status: 400, message: "model exploded" });
    await sock.request("cron.run", { id: job.id, mode: "force" });
    const finished = await cronEvent(sock, job.id, "finished");
    expect(finished.status).toBe("error");
    expect(finished.error).toContain("model exploded");
    expect((await jobOf(sock, job.id)).state).toMatchObject({ lastStatus: "error", lastError: finished.error });
    await sock.request("cron.remove", { id: job.id });
  });

  test("announce: the reply goes to the main session's last Telegram chat; a failed delivery is an error unless bestEffort", async () => {
    telegram.pushText(ANN, "hello");
    await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(ANN.id));
    const job = await addJob(sock, turnJob("Digest", "Summarize the news.", { delivery: { mode: "announce", channel: "last" } }));

    fake.push({ text: "Daily digest: 3 new emails." });
    const since = telegram.calls.length;
    await sock.request("cron.run", { id: job.id, mode: "force" });
    const ok = await cronEvent(sock, job.id, "finished");
    expect(ok).toMatchObject({ status: "ok", summary: "Daily digest: 3 new emails.", delivery: { ok: true, channel: "telegram", to: String(ANN.id) } });
    const sent = await telegram.waitForCall("sendMessage", (c) => c.params.text === "Daily digest: 3 new emails.", { since });
    expect(String(sent.params.chat_id)).toBe(String(ANN.id));

    telegram.failNext("sendMessage", { status: 400, description: "Bad Request: chat not found" });
    fake.push({ text: "Second digest." });
    await sock.request("cron.run", { id: job.id, mode: "force" });
    const failed = await cronEvent(sock, job.id, "finished");
    expect(failed.status).toBe("error");
    expect(failed.error).toStartWith("delivery failed: ");
    expect(failed.error).toContain("chat not found");
    expect(failed).toMatchObject({ summary: "Second digest.", delivery: { ok: false } });

    await sock.request("cron.update", { id: job.id, patch: { delivery: { bestEffort: true } } });
    telegram.failNext("sendMessage", { status: 400, description: "Bad Request: chat not found" });
    fake.push({ text: "Third digest." });
    await sock.request("cron.run", { id: job.id, mode: "force" });
    const tolerated = await cronEvent(sock, job.id, "finished");
    expect(tolerated).toMatchObject({ status: "ok", summary: "Third digest.", delivery: { ok: false } });
    expect(tolerated.error).toBeUndefined();
    await sock.request("cron.remove", { id: job.id });
  });

  test("a job never overlaps itself: a due time during a run is skipped", async () => {
    const job = await addJob(sock, turnJob("Slow", "Take your time.", { schedule: { kind: "every", everyMs: MIN } }));
    fake.push({ hang: true, first: "working" });
    clock.advance(MIN);
    await cronEvent(sock, job.id, "started");
    await waitFor(() => fake.openStreams() === 1, "the run to reach the provider", 5000);
    expect((await sock.request("cron.run", { id: job.id, mode: "force" })).payload).toEqual({ ok: true, ran: false, reason: "already-running" });

    clock.advance(MIN);
    const skipped = await cronEvent(sock, job.id, "finished");
    expect(skipped).toMatchObject({ status: "skipped", error: "previous run still in progress", nextRunAtMs: job.state.nextRunAtMs + 2 * MIN });
    expect(gw.handle.ctx.agents.abort(`agent:main:cron:${job.id}`)).toHaveLength(1);
    expect(await cronEvent(sock, job.id, "finished")).toMatchObject({ status: "error", error: "run aborted" });
    await waitFor(() => fake.openStreams() === 0, "the hanging stream to close", 5000);
    expect((await runsOf(sock, job.id)).map((e) => e.status)).toEqual(["skipped", "error"]);
    await sock.request("cron.remove", { id: job.id });
  });
});

describe("persistence and config", () => {
  test("jobs and run logs survive a restart; an overdue job runs once after it", async () => {
    const clock2 = createFakeClock(T0);
    const g2 = await startAgentGateway(config, { heartbeatClock: createFakeClock(), cronClock: clock2 });
    let s2 = await connectOperator(g2.url);
    try {
      const hourly = await addJob(s2, systemJob("Hourly", { kind: "every", everyMs: H }));
      const daily = await addJob(s2, turnJob("Daily", "Daily check."));
      await s2.request("cron.run", { id: hourly.id, mode: "force" });
      await cronEvent(s2, hourly.id, "finished");
      s2.close();

      // Down for three and a half hours: three runs missed.
      await g2.handle.stop();
      expect(clock2.pending()).toBe(0);
      clock2.advance(3.5 * H);
      await g2.restart();
      s2 = await connectOperator(g2.url);
      expect(g2.logs.filter((l) => l.includes("[cron] 2 jobs, next at 2026-01-05T08:00:00.000Z"))).toHaveLength(1);
      const jobs = (await s2.request("cron.list", {})).payload.jobs;
      expect(jobs.map((j: any) => j.id).sort()).toEqual([hourly.id, daily.id].sort());
      expect(await runsOf(s2, hourly.id)).toHaveLength(1);

      clock2.advance(0);
      const caughtUp = await cronEvent(s2, hourly.id, "finished");
      expect(caughtUp).toMatchObject({ status: "ok", runAtMs: T0 + 3.5 * H, nextRunAtMs: T0 + 4 * H });
      clock2.advance(0);
      await s2.request("cron.status", {});
      expect(await runsOf(s2, hourly.id)).toHaveLength(2);
      expect(g2.handle.ctx.systemEvents.filter((t) => t === "Hourly!")).toHaveLength(1);
    } finally {
      s2.close();
      await g2.stop();
    }
    expect(clock2.pending()).toBe(0);
  });

  test("cron.enabled false: nothing fires, editing works; turning it on runs the overdue job once", async () => {
    const clock3 = createFakeClock(T0);
    const off: OpenClawConfig = { ...config, channels: undefined, cron: { enabled: false } };
    const g3 = await startAgentGateway(off, { heartbeatClock: createFakeClock(), cronClock: clock3 });
    const s3 = await connectOperator(g3.url);
    try {
      expect(g3.logs.some((l) => l.includes("[cron] disabled (cron.enabled is false); 0 jobs kept"))).toBe(true);
      const job = await addJob(s3, systemJob("Paused", { kind: "every", everyMs: 10 * MIN }));
      expect((await s3.request("cron.status", {})).payload).toMatchObject({ enabled: false, jobs: 1, nextWakeAtMs: null });
      clock3.advance(H);
      expect(clock3.pending()).toBe(0);
      expect(await runsOf(s3, job.id)).toEqual([]);

      const ctx = g3.handle.ctx;
      expect(applyConfigChange(ctx, { ...ctx.loaded, config: { ...off, cron: { enabled: true } } }, ctx.logger).outcome).toBe("hot");
      expect((await s3.request("cron.status", {})).payload).toMatchObject({ enabled: true, nextWakeAtMs: T0 + 10 * MIN });
      clock3.advance(0);
      expect(await cronEvent(s3, job.id, "finished")).toMatchObject({ status: "ok", nextRunAtMs: T0 + 70 * MIN });
      expect(await runsOf(s3, job.id)).toHaveLength(1);
    } finally {
      s3.close();
      await g3.stop();
    }
    expect(clock3.pending()).toBe(0);
  });
});
