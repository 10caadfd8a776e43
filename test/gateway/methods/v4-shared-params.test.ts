/**
 * Protocol v4 params of the methods v3 and v4 share (spec protocol-v4.md §2, §4 step 5): the exact frames
 * today's upstream clients send are accepted, the v4 fields we can honour do what they say (paging,
 * filters, optimistic checks), unknown keys are still refused, and v3 requests keep their v3 answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkResult } from "../../../src/protocol/index.ts";
import { type AgentFixture, collectUntil, startAgentFixture } from "../../helpers/agent-gateway.ts";

let fx: AgentFixture;

beforeAll(async () => {
  fx = await startAgentFixture({ heartbeats: false });
});
afterAll(() => fx.stop());

async function ok(method: string, params: unknown): Promise<any> {
  const res = await fx.sock.request(method, params);
  if (!res.ok) throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
  return res.payload;
}

async function refused(method: string, params: unknown): Promise<string> {
  const res = await fx.sock.request(method, params);
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe("INVALID_REQUEST");
  return res.error.message;
}

const job = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  schedule: { kind: "every", everyMs: 3_600_000 },
  sessionTarget: "main",
  wakeMode: "next-heartbeat",
  payload: { kind: "systemEvent", text: `${name} text` },
  ...extra,
});

describe("the frames the 2026.9.6 clients send are accepted", () => {
  test("chat.send (Control UI and TUI), chat.history with v4 fields, chat.abort with preserveSideRuns", async () => {
    fx.fake.push({ text: "pong" });
    const sent = await ok("chat.send", {
      sessionKey: "main",
      sessionId: "ignored-by-us",
      message: "ping",
      deliver: false,
      expectedLeafEntryId: null,
      queueMode: "followup",
      idempotencyKey: "v4-send-1",
    });
    expect(sent).toEqual({ runId: "v4-send-1", status: "started" });
    await collectUntil(fx.sock, (f) => f.event === "chat" && f.payload.runId === "v4-send-1" && f.payload.state === "final");
    const history = await ok("chat.history", { sessionKey: "main", agentId: "main", limit: 80, maxBytes: 262144, cursor: "c1" });
    expect(history.messages.map((m: any) => m.role)).toEqual(["user", "assistant"]);
    expect(checkResult("chat.history", history)).toEqual({ ok: true });
    expect(await ok("chat.abort", { sessionKey: "main", agentId: "main", preserveSideRuns: true })).toEqual({ ok: true, aborted: false, runIds: [] });
  });

  test("chat.history offset pages back from the newest message; maxBytes drops the oldest", async () => {
    const all = (await ok("chat.history", { sessionKey: "main" })).messages;
    expect(all.length).toBe(2);
    const older = await ok("chat.history", { sessionKey: "main", limit: 1, offset: 1 });
    expect(older.messages).toEqual([all[0]]);
    expect((await ok("chat.history", { sessionKey: "main", offset: 5 })).messages).toEqual([]);
    const small = await ok("chat.history", { sessionKey: "main", maxBytes: 1024 });
    expect(small.messages.at(-1)).toEqual(all[1]);
  });

  test("sessions.list (Control UI params), offset and configuredAgentsOnly; archived:true finds nothing", async () => {
    const listed = await ok("sessions.list", {
      includeGlobal: true,
      includeUnknown: false,
      configuredAgentsOnly: true,
      limit: 200,
      includeDerivedTitles: true,
      includeLastMessage: true,
      ownerFirst: true,
      agentId: "main",
    });
    expect(listed.sessions.map((s: any) => s.key)).toEqual(["agent:main:main"]);
    expect((await ok("sessions.list", { offset: 1 })).sessions).toEqual([]);
    expect((await ok("sessions.list", { archived: true })).sessions).toEqual([]);
  });

  test("sessions.patch {unread:false, expectedMarkedUnreadAt:null} leaves the entry; expectedSessionId guards patch and reset", async () => {
    const before = (await ok("sessions.list", {})).sessions[0];
    const patched = await ok("sessions.patch", { key: "agent:main:main", agentId: "main", expectedMarkedUnreadAt: null, unread: false });
    expect(patched.entry.sessionId).toBe(before.sessionId);
    expect(await refused("sessions.patch", { key: "agent:main:main", expectedSessionId: "other", label: "x" })).toBe(
      `session agent:main:main changed: expected sessionId other, current ${before.sessionId}`,
    );
    expect(await refused("sessions.reset", { key: "agent:main:main", expectedSessionId: "other" })).toStartWith("session agent:main:main changed");
    expect((await ok("sessions.list", {})).sessions[0].sessionId).toBe(before.sessionId);
    const reset = await ok("sessions.reset", { key: "agent:main:main", agentId: "main", reason: "new", expectedSessionId: before.sessionId });
    expect(reset.entry.sessionId).not.toBe(before.sessionId);
  });

  test("models.list {view, includeDetails} and {provider}", async () => {
    const all = await ok("models.list", { view: "default", includeDetails: true });
    expect(all.models.map((m: any) => `${m.provider}/${m.id}`)).toEqual(["local/m1", "local/m2", "claude/c1"]);
    const one = await ok("models.list", { view: "configured", sessionKey: "main", agentId: "main", provider: "claude" });
    expect(one.models.map((m: any) => m.id)).toEqual(["c1"]);
    expect(await refused("models.list", { view: "everything" })).toStartWith("invalid models.list params: at /view");
  });

  test("status, health, channels.status {channel}, exec.approval.resolve with reviewer", async () => {
    await ok("status", { includeChannelSummary: false });
    await ok("health", { probe: true });
    const channels = await ok("channels.status", { probe: false, timeoutMs: 8000, channel: "telegram" });
    expect(channels.channelOrder).toEqual([]);
    // The schema takes the v4 fields; the id is what is refused.
    expect(await refused("exec.approval.resolve", { id: "nope", decision: "deny", reviewer: { kind: "operator" }, grantExpiresInDays: 7 })).not.toStartWith("invalid exec.approval.resolve params");
  });

  test("unknown keys are still refused with the upstream wording", async () => {
    expect(await refused("chat.history", { sessionKey: "main", bogus: 1 })).toBe("invalid chat.history params: at root: unexpected property 'bogus'");
    expect(await refused("cron.list", { limit: 201 })).toStartWith("invalid cron.list params: ");
  });
});

describe("cron paging (v4) beside the v3 answers", () => {
  let ids: string[];
  beforeAll(async () => {
    ids = [];
    for (const name of ["Alpha", "Bravo", "Charlie"]) ids.push((await ok("cron.add", job(name))).id);
    await ok("cron.update", { id: ids[2], patch: { enabled: false } });
  });

  test("v3 cron.list keeps {jobs}", async () => {
    const v3 = await ok("cron.list", { includeDisabled: true });
    expect(Object.keys(v3)).toEqual(["jobs"]);
    expect(v3.jobs.length).toBe(3);
  });

  test("v4 cron.list pages with the fields the Control UI checks", async () => {
    const first = await ok("cron.list", { includeDisabled: false, limit: 1, offset: 0, sortBy: "name" });
    expect(first).toMatchObject({ total: 2, offset: 0, limit: 1, hasMore: true, nextOffset: 1 });
    expect(first.jobs.map((j: any) => j.name)).toEqual(["Alpha"]);
    expect(first.snapshotRevision).toMatch(/^r[0-9a-z]+$/);
    const second = await ok("cron.list", { limit: 1, offset: 1, sortBy: "name" });
    expect(second).toMatchObject({ total: 2, offset: 1, hasMore: false, nextOffset: null, snapshotRevision: first.snapshotRevision });
    expect(second.jobs.map((j: any) => j.name)).toEqual(["Bravo"]);
    const all = await ok("cron.list", { enabled: "all", limit: 50, offset: 0, sortBy: "name", sortDir: "desc" });
    expect(all.jobs.map((j: any) => j.name)).toEqual(["Charlie", "Bravo", "Alpha"]);
    expect((await ok("cron.list", { enabled: "disabled", query: "char" })).jobs.map((j: any) => j.id)).toEqual([ids[2]]);
    // Jobs without an agentId run on the default agent, so the Control UI's agentId filter keeps them.
    expect((await ok("cron.list", { agentId: "main", includeDisabled: true, limit: 50, offset: 0 })).total).toBe(3);
    expect((await ok("cron.list", { agentId: "ops", limit: 50 })).total).toBe(0);
    await ok("cron.update", { id: ids[0], patch: { description: "changed" } });
    expect((await ok("cron.list", { limit: 1 })).snapshotRevision).not.toBe(first.snapshotRevision);
  });

  test("v4 cron.runs scope all (Control UI params); job scope needs an id; v3 keeps {entries}", async () => {
    expect(await ok("cron.runs", { id: ids[0] })).toEqual({ entries: [] });
    const page = await ok("cron.runs", { agentId: "main", scope: "all", limit: 50, offset: 0, status: "all", sortDir: "desc" });
    expect(page).toEqual({ entries: [], total: 0, offset: 0, limit: 50, hasMore: false, nextOffset: null });
    expect(await refused("cron.runs", { scope: "job", limit: 5 })).toBe('invalid cron.runs params: id or jobId is required unless scope is "all"');
    expect(await refused("cron.runs", {})).toBe('invalid cron.runs params: id or jobId is required unless scope is "all"');
  });
});
