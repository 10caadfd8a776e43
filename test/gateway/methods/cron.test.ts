/**
 * `cron.*` over a real socket with a hand-driven clock: add / list / update / remove round trip with its
 * `cron` events and result schemas, the `jobId` alias, the rules a schema cannot express (each refused with
 * its own message), and scopes (read may list, only admin may change).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkEventPayload, checkResult } from "../../../src/protocol/index.ts";
import { type AgentGateway, connectOperator, startAgentFixture } from "../../helpers/agent-gateway.ts";
import { createFakeClock, type FakeClock } from "../../helpers/fake-clock.ts";
import type { TestSocket } from "../../helpers/ws.ts";

const T0 = Date.UTC(2026, 0, 5, 7, 0, 0);
const H = 3_600_000;

let clock: FakeClock;
let gw: AgentGateway;
let sock: TestSocket;
let stop: () => Promise<void>;

beforeAll(async () => {
  clock = createFakeClock(T0);
  ({ gw, sock, stop } = await startAgentFixture({ heartbeatClock: createFakeClock(), cronClock: clock }));
});
afterAll(async () => {
  await stop();
  expect(clock.pending()).toBe(0);
});

const systemJob = (extra: Record<string, unknown> = {}) => ({
  name: "Standup reminder",
  schedule: { kind: "every", everyMs: H },
  sessionTarget: "main",
  wakeMode: "next-heartbeat",
  payload: { kind: "systemEvent", text: "Remind the user about standup." },
  ...extra,
});

const cronEvent = (jobId: string, action: string) => sock.nextMatching((f) => f.event === "cron" && f.payload.jobId === jobId && f.payload.action === action);

async function refused(method: string, params: unknown): Promise<string> {
  const res = await sock.request(method, params);
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe("INVALID_REQUEST");
  return res.error.message;
}

describe("round trip", () => {
  test("add → list → update → disable → remove, with events and checked results", async () => {
    const added = await sock.request("cron.add", systemJob({ description: "weekday mornings" }));
    expect(added.ok).toBe(true);
    const job = added.payload;
    expect(checkResult("cron.add", job)).toEqual({ ok: true });
    // (A copy: the matchers below would otherwise be written into `job`.)
    expect(structuredClone(job)).toMatchObject({
      id: expect.any(String),
      name: "Standup reminder",
      description: "weekday mornings",
      enabled: true,
      createdAtMs: T0,
      updatedAtMs: T0,
      schedule: { kind: "every", everyMs: H },
      sessionTarget: "main",
      wakeMode: "next-heartbeat",
      payload: { kind: "systemEvent", text: "Remind the user about standup." },
      state: { nextRunAtMs: T0 + H },
    });
    const addedEvent = await cronEvent(job.id, "added");
    expect(addedEvent.payload).toEqual({ jobId: job.id, action: "added", nextRunAtMs: T0 + H });
    expect(checkEventPayload("cron", addedEvent.payload)).toEqual({ ok: true });

    const list = await sock.request("cron.list", {});
    expect(checkResult("cron.list", list.payload)).toEqual({ ok: true });
    expect(list.payload.jobs).toEqual([job]);
    const status = await sock.request("cron.status", {});
    expect(checkResult("cron.status", status.payload)).toEqual({ ok: true });
    expect(status.payload).toMatchObject({ enabled: true, jobs: 1, enabledJobs: 1, running: 0, nextWakeAtMs: T0 + H, storePath: expect.stringMatching(/state\.db$/) });

    clock.advance(60_000);
    const updated = await sock.request("cron.update", { jobId: job.id, patch: { name: "Standup", schedule: { kind: "every", everyMs: 2 * H }, payload: { kind: "systemEvent", text: "Standup in 10 minutes." } } });
    expect(updated.ok).toBe(true);
    expect(checkResult("cron.update", updated.payload)).toEqual({ ok: true });
    // Still aligned to the creation time, not to the edit.
    expect(updated.payload).toMatchObject({ name: "Standup", updatedAtMs: T0 + 60_000, schedule: { everyMs: 2 * H }, payload: { text: "Standup in 10 minutes." }, state: { nextRunAtMs: T0 + 2 * H } });
    expect((await cronEvent(job.id, "updated")).payload.nextRunAtMs).toBe(T0 + 2 * H);

    const disabled = await sock.request("cron.update", { id: job.id, patch: { enabled: false } });
    expect(disabled.payload.enabled).toBe(false);
    expect(disabled.payload.state.nextRunAtMs).toBeUndefined();
    expect((await sock.request("cron.list", {})).payload.jobs).toEqual([]);
    expect((await sock.request("cron.list", { includeDisabled: true })).payload.jobs.map((j: any) => j.id)).toEqual([job.id]);
    expect((await sock.request("cron.status", {})).payload).toMatchObject({ jobs: 1, enabledJobs: 0, nextWakeAtMs: null });

    const enabled = await sock.request("cron.update", { id: job.id, patch: { enabled: true } });
    expect(enabled.payload.state.nextRunAtMs).toBe(T0 + 2 * H);

    const removed = await sock.request("cron.remove", { id: job.id });
    expect(removed.payload).toEqual({ ok: true, removed: true });
    expect(checkResult("cron.remove", removed.payload)).toEqual({ ok: true });
    await cronEvent(job.id, "removed");
    expect((await sock.request("cron.remove", { jobId: job.id })).payload).toEqual({ ok: true, removed: false });
    expect((await sock.request("cron.list", { includeDisabled: true })).payload.jobs).toEqual([]);
    expect(await refused("cron.update", { id: job.id, patch: { enabled: true } })).toBe(`unknown cron job id: ${job.id}`);
    expect(await refused("cron.run", { id: job.id })).toBe(`unknown cron job id: ${job.id}`);
    expect((await sock.request("cron.runs", { id: job.id })).payload).toEqual({ entries: [] });
  });

  test("list is sorted by next run; patches merge payload fields and delivery", async () => {
    const late = (await sock.request("cron.add", systemJob({ name: "late", schedule: { kind: "every", everyMs: 3 * H } }))).payload;
    const soon = (await sock.request("cron.add", systemJob({ name: "soon", schedule: { kind: "every", everyMs: H / 2 } }))).payload;
    const turn = (
      await sock.request("cron.add", {
        name: "digest",
        schedule: { kind: "cron", expr: "0 9 * * *", tz: "Europe/Berlin" },
        sessionTarget: "isolated",
        wakeMode: "now",
        payload: { kind: "agentTurn", message: "Summarize my inbox.", thinking: "LOW", timeoutSeconds: 60 },
        delivery: { mode: "none" },
      })
    ).payload;
    expect(turn.payload.thinking).toBe("low");
    expect((await sock.request("cron.list", {})).payload.jobs.map((j: any) => j.name)).toEqual(["soon", "digest", "late"]);

    const patched = await sock.request("cron.update", { id: turn.id, patch: { payload: { kind: "agentTurn", model: "local/m2" }, delivery: { mode: "announce", channel: "last", bestEffort: true } } });
    expect(patched.ok).toBe(true);
    expect(patched.payload.payload).toEqual({ kind: "agentTurn", message: "Summarize my inbox.", thinking: "low", timeoutSeconds: 60, model: "local/m2" });
    expect(patched.payload.delivery).toEqual({ mode: "announce", channel: "last", bestEffort: true });

    // Switching kinds needs the new kind's text; target and payload must still agree.
    expect(await refused("cron.update", { id: turn.id, patch: { sessionTarget: "main", payload: { kind: "systemEvent" } } })).toBe('payload.text is required when switching payload.kind to "systemEvent"');
    expect(await refused("cron.update", { id: turn.id, patch: { payload: { kind: "systemEvent", text: "x" } } })).toBe(
      'sessionTarget "isolated" needs payload.kind "agentTurn" (use sessionTarget "main" for a systemEvent)',
    );
    // Announce delivery goes with isolated jobs only.
    expect(await refused("cron.update", { id: turn.id, patch: { sessionTarget: "main", payload: { kind: "systemEvent", text: "x" } } })).toBe(
      'delivery mode "announce" needs sessionTarget "isolated" (only an agentTurn has a reply to send)',
    );
    const toMain = await sock.request("cron.update", { id: turn.id, patch: { sessionTarget: "main", delivery: { mode: "none" }, payload: { kind: "systemEvent", text: "Check the inbox." } } });
    expect(toMain.ok).toBe(true);
    expect(toMain.payload).toMatchObject({ sessionTarget: "main", payload: { kind: "systemEvent", text: "Check the inbox." } });

    for (const j of [late, soon, turn]) expect((await sock.request("cron.remove", { id: j.id })).payload.removed).toBe(true);
  });
});

describe("rules", () => {
  test("each broken rule is refused with its own message", async () => {
    const isolated = { sessionTarget: "isolated", payload: { kind: "agentTurn", message: "hi" } };
    expect(await refused("cron.add", systemJob({ payload: { kind: "agentTurn", message: "hi" } }))).toBe(
      'sessionTarget "main" needs payload.kind "systemEvent" (use sessionTarget "isolated" for an agentTurn)',
    );
    expect(await refused("cron.add", systemJob({ sessionTarget: "isolated" }))).toBe('sessionTarget "isolated" needs payload.kind "agentTurn" (use sessionTarget "main" for a systemEvent)');
    expect(await refused("cron.add", systemJob({ schedule: { kind: "cron", expr: "0 25 * * *" } }))).toBe('invalid cron expression "0 25 * * *": Invalid value for hour: 25');
    expect(await refused("cron.add", systemJob({ schedule: { kind: "cron", expr: "0 9 * * *", tz: "Europe/Atlantis" } }))).toBe(
      'schedule.tz "Europe/Atlantis" is not a time zone (use an IANA name such as "Europe/Berlin" or "UTC")',
    );
    expect(await refused("cron.add", systemJob({ schedule: { kind: "every", everyMs: 500 } }))).toBe("schedule.everyMs must be at least 1000 (1 second), got 500");
    expect(await refused("cron.add", systemJob({ schedule: { kind: "at", at: new Date(clock.now() - 5 * 60_000).toISOString() } }))).toStartWith("schedule.at is in the past");
    expect(await refused("cron.add", systemJob({ schedule: { kind: "at", at: "soonish" } }))).toStartWith("schedule.at must be an ISO 8601 date-time");
    expect(await refused("cron.add", systemJob({ delivery: { mode: "announce" } }))).toBe('delivery mode "announce" needs sessionTarget "isolated" (only an agentTurn has a reply to send)');
    const unconfigured = await sock.request("cron.add", systemJob({ ...isolated, delivery: { mode: "announce", channel: "telegram" } }));
    expect(unconfigured.error).toMatchObject({ code: "NOT_LINKED", message: "telegram is not configured" });
    expect(await refused("cron.add", systemJob({ agentId: "ghost" }))).toBe('unknown agent id "ghost" (configured: main)');
    expect(await refused("cron.add", systemJob({ ...isolated, payload: { kind: "agentTurn", message: "hi", thinking: "max" } }))).toStartWith('invalid thinking level "max"');
    expect(await refused("cron.add", systemJob({ name: "   " }))).toBe("name is required");
    // Shape errors come from the schema, before the handler.
    expect(await refused("cron.add", { name: "x" })).toStartWith("invalid cron.add params: ");
    expect(await refused("cron.runs", { id: "x", limit: 5001 })).toStartWith("invalid cron.runs params: ");
    expect((await sock.request("cron.list", { includeDisabled: true })).payload.jobs).toEqual([]);
  });

  test("an at time up to a minute old is accepted (it runs right away)", async () => {
    const at = new Date(clock.now() - 30_000).toISOString();
    const job = (await sock.request("cron.add", systemJob({ name: "just now", schedule: { kind: "at", at } }))).payload;
    expect(job.schedule).toEqual({ kind: "at", at });
    expect(job.state.nextRunAtMs).toBe(Date.parse(at));
    await sock.request("cron.remove", { id: job.id });
  });
});

describe("scopes", () => {
  test("operator.read lists; changing needs operator.admin", async () => {
    const reader = await connectOperator(gw.url, { scopes: ["operator.read"] });
    try {
      expect((await reader.request("cron.list", {})).ok).toBe(true);
      expect((await reader.request("cron.status", {})).ok).toBe(true);
      expect((await reader.request("cron.runs", { id: "x" })).ok).toBe(true);
      for (const [method, params] of [
        ["cron.add", systemJob()],
        ["cron.update", { id: "x", patch: {} }],
        ["cron.remove", { id: "x" }],
        ["cron.run", { id: "x" }],
      ] as const) {
        expect((await reader.request(method, params)).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
      }
    } finally {
      reader.close();
    }
  });
});
