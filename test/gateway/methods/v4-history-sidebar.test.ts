/**
 * v4 `chat.history` paging and delta cursors, and the v4 session sidebar state (`pinned`, `archived`,
 * `unread` through `sessions.patch`), over real sockets against an in-process agent gateway. Expected answers
 * and error wording are the upstream 2026.9.6's (test/fixtures/upstream-v4/history-and-sidebar.json);
 * v3 connections must keep their v3 answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkResult } from "../../../src/protocol/index.ts";
import type { TranscriptMessage } from "../../../src/store/index.ts";
import { type AgentFixture, startAgentFixture } from "../../helpers/agent-gateway.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { connectParams, openSocket, type TestSocket } from "../../helpers/ws.ts";
import upstream from "../../fixtures/upstream-v4/history-and-sidebar.json";

let fx: AgentFixture;
const open: TestSocket[] = [];

beforeAll(async () => {
  fx = await startAgentFixture({ heartbeats: false });
});
afterAll(async () => {
  for (const s of open) s.close();
  await fx.stop();
});

/** An operator socket at protocol `version` (admin unless `scopes` says otherwise). */
async function connect(version: 3 | 4, scopes = ["operator.admin"]): Promise<TestSocket> {
  const sock = await openSocket(fx.gw.url);
  open.push(sock);
  await sock.next(); // connect.challenge
  const client = version === 4 ? { id: "cli", version: "2026.9.6", platform: "linux", mode: "cli" } : { id: "test", version: "1.0.0", platform: "linux", mode: "test" };
  const res = await sock.request("connect", connectParams({ minProtocol: version, maxProtocol: version, client, auth: { token: TEST_TOKEN }, scopes }), "connect");
  if (!res.ok) throw new Error(`connect failed: ${JSON.stringify(res.error)}`);
  expect(res.payload.protocol).toBe(version);
  return sock;
}

async function ok(sock: TestSocket, method: string, params: unknown): Promise<any> {
  const res = await sock.request(method, params);
  if (!res.ok) throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
  expect(checkResult(method as never, res.payload)).toEqual({ ok: true });
  return res.payload;
}

async function refused(sock: TestSocket, method: string, params: unknown): Promise<string> {
  const res = await sock.request(method, params);
  expect(res.ok).toBe(false);
  expect(res.error.code).toBe("INVALID_REQUEST");
  return res.error.message;
}

/** The upstream's recorded error message for fixture case `name`. */
function upstreamError(name: keyof typeof upstream): string {
  return (upstream[name] as { response: { error: { message: string } } }).response.error.message;
}

const store = () => fx.gw.handle.ctx.store;
const text = (m: any): string => m.content[0].text;
// Seeded messages are an hour old (one ms apart), so a read acknowledgement is newer than all of them.
let clock = Date.now() - 3_600_000;
const said = (t: string, timestamp = ++clock): TranscriptMessage => ({ role: "assistant", content: [{ type: "text", text: t }], timestamp, stopReason: "stop" });

/** Creates session `key` with messages `texts` straight in the gateway's store; returns its sessionId. */
function seed(key: string, texts: string[]): string {
  const sessionId = crypto.randomUUID();
  store().setSession(key, { sessionId, createdAt: clock, updatedAt: clock });
  store().appendMessages(sessionId, texts.map(said));
  return sessionId;
}

describe("chat.history paging (v4)", () => {
  test("pages back with totalMessages, hasMore and nextOffset; only the tail page has a deltaCursor (as upstream)", async () => {
    const sock = await connect(4);
    const key = "agent:main:paging";
    const sessionId = seed(key, ["p1", "p2", "p3", "p4", "p5"]);
    const tail = await ok(sock, "chat.history", { sessionKey: key, limit: 2 });
    expect(tail.messages.map(text)).toEqual(["p4", "p5"]);
    expect(tail).toMatchObject({ sessionKey: key, sessionId, totalMessages: 5, hasMore: true, nextOffset: 2, deltaCursor: expect.any(String) });
    expect(tail.sessionInfo).toMatchObject({ key, sessionId, pinned: false, archived: false });
    expect("offset" in tail).toBe(false);
    const older = await ok(sock, "chat.history", { sessionKey: key, limit: 2, offset: tail.nextOffset });
    expect(older.messages.map(text)).toEqual(["p2", "p3"]);
    expect(older).toMatchObject({ offset: 2, nextOffset: 4, hasMore: true, totalMessages: 5 });
    expect("deltaCursor" in older).toBe(false);
    const oldest = await ok(sock, "chat.history", { sessionKey: key, limit: 2, offset: older.nextOffset });
    expect(oldest.messages.map(text)).toEqual(["p1"]);
    expect(oldest).toMatchObject({ offset: 4, hasMore: false, totalMessages: 5 });
    expect("nextOffset" in oldest).toBe(false);
    const past = await ok(sock, "chat.history", { sessionKey: key, limit: 2, offset: 9 });
    expect(past).toMatchObject({ messages: [], offset: 9, hasMore: false, totalMessages: 5 });
    // The same keys the upstream answered (its extra defaults / pendingInputs aside).
    for (const [ours, name] of [
      [tail, "tail"],
      [older, "olderPage"],
      [oldest, "oldestPage"],
      [past, "pastEnd"],
    ] as const) {
      const theirs = Object.keys(upstream[name].response).filter((k) => k !== "defaults" && k !== "pendingInputs");
      expect(Object.keys(ours).filter((k) => k !== "thinkingLevel").sort()).toEqual(theirs.sort());
    }
    const unknown = await ok(sock, "chat.history", { sessionKey: "agent:main:nosuch", limit: 2 });
    expect(unknown).toMatchObject({ messages: [], hasMore: false, totalMessages: 0, sessionInfo: { key: "agent:main:nosuch", pinned: false, archived: false, unread: false } });
  });

  test("a byte-capped tail page still says what is older, and nextOffset points at the first message left out", async () => {
    const sock = await connect(4);
    const key = "agent:main:capped";
    seed(key, ["a".repeat(900), "b".repeat(900), "c".repeat(900)]);
    const page = await ok(sock, "chat.history", { sessionKey: key, maxBytes: 2048 });
    expect(page.messages.map((m: any) => text(m)[0])).toEqual(["b", "c"]);
    expect(page).toMatchObject({ hasMore: true, nextOffset: 2, totalMessages: 3 });
    const rest = await ok(sock, "chat.history", { sessionKey: key, offset: page.nextOffset });
    expect(rest.messages.map((m: any) => text(m)[0])).toEqual(["a"]);
  });
});

describe("chat.history delta cursor (v4)", () => {
  test("tail page → deltaCursor → 3 appended messages come back exactly, then nothing new; a real run's turn too", async () => {
    const sock = await connect(4);
    const key = "agent:main:delta";
    const sessionId = seed(key, ["d1", "d2"]);
    const tail = await ok(sock, "chat.history", { sessionKey: key, limit: 1 });
    const idle = await ok(sock, "chat.history", { sessionKey: key, cursor: tail.deltaCursor });
    expect(idle).toMatchObject({ kind: "delta", messages: [], deltaCursor: expect.any(String), sessionInfo: { key, sessionId } });
    store().appendMessages(sessionId, ["n1", "n2", "n3"].map(said));
    const delta = await ok(sock, "chat.history", { sessionKey: key, cursor: tail.deltaCursor });
    expect(delta.kind).toBe("delta");
    expect(delta.messages.map((m: any) => text(m.message))).toEqual(["n1", "n2", "n3"]);
    expect(delta.messages.map((m: any) => m.messageSeq)).toEqual([3, 4, 5]);
    expect(delta.messages[0]).toMatchObject({ sessionKey: key, agentId: "main", sessionId, message: { role: "assistant" } });
    // The upstream's delta keys (its messageId aside: our transcript messages have no ids).
    expect(Object.keys(delta).sort()).toEqual(Object.keys(upstream.deltaOneNew.response).filter((k) => k !== "pendingInputs").sort());
    // The new cursor starts after n3; the old one still serves the same three.
    expect((await ok(sock, "chat.history", { sessionKey: key, cursor: delta.deltaCursor })).messages).toEqual([]);
    expect((await ok(sock, "chat.history", { sessionKey: key, cursor: tail.deltaCursor })).messages.length).toBe(3);
    // chat.startup takes the cursor the same way.
    expect((await ok(sock, "chat.startup", { sessionKey: key, cursor: delta.deltaCursor })).kind).toBe("delta");

    // A real chat.send run: its user turn and reply, nothing else.
    fx.fake.push({ text: "the reply" });
    const sent = await ok(sock, "chat.send", { sessionKey: key, message: "a question", idempotencyKey: "v4-delta-run" });
    await sock.nextMatching((f) => f.event === "chat" && f.payload.runId === sent.runId && f.payload.state === "final", 10_000);
    const run = await ok(sock, "chat.history", { sessionKey: key, cursor: delta.deltaCursor });
    expect(run.messages.map((m: any) => [m.message.role, text(m.message)])).toEqual([
      ["user", "a question"],
      ["assistant", "the reply"],
    ]);
  });

  test("reset after sessions.reset, for a forged or foreign cursor, after compaction, and when too far behind", async () => {
    const sock = await connect(4);
    const key = "agent:main:resets";
    const sessionId = seed(key, ["r1", "r2", "r3"]);
    const { deltaCursor } = await ok(sock, "chat.history", { sessionKey: key });
    const reset = { kind: "reset" };
    expect(reset).toEqual(upstream.cursorGarbage.response);

    // Forged: not ours, not base64url JSON, the right session but another message count or newest message.
    const forge = (body: object) => Buffer.from(JSON.stringify(body)).toString("base64url");
    const mine = JSON.parse(Buffer.from(deltaCursor, "base64url").toString());
    for (const cursor of [
      "not-a-cursor",
      upstream.tail.response.deltaCursor,
      forge({ ...mine, fp: "AAAAAAAAAAAAAAAA" }),
      forge({ ...mine, n: 2 }),
      forge({ ...mine, n: 99 }),
      forge({ ...mine, v: 2 }),
      "x".repeat(5000),
    ]) {
      expect(await ok(sock, "chat.history", { sessionKey: key, cursor })).toEqual(reset);
    }
    // Another session's key, or one that does not exist.
    seed("agent:main:other", ["o1"]);
    expect(await ok(sock, "chat.history", { sessionKey: "agent:main:other", cursor: deltaCursor })).toEqual(reset);
    expect(await ok(sock, "chat.history", { sessionKey: "agent:main:nosuch", cursor: deltaCursor })).toEqual(reset);

    // Too far behind: more than 200 new messages.
    store().appendMessages(sessionId, Array.from({ length: 201 }, (_, i) => said(`bulk ${i}`)));
    expect(await ok(sock, "chat.history", { sessionKey: key, cursor: deltaCursor })).toEqual(reset);
    // Too many bytes: 3 new messages of 400 kB each.
    const { deltaCursor: beforeBig } = await ok(sock, "chat.history", { sessionKey: key, limit: 1 });
    store().appendMessages(sessionId, ["x", "y", "z"].map((c) => said(c.repeat(400_000))));
    expect(await ok(sock, "chat.history", { sessionKey: key, cursor: beforeBig })).toEqual(reset);

    // Compaction rewrites the transcript under the same sessionId: positions move, so even once it has grown
    // back past the cursor's count (fewer than 200 new), the message there is another one and the cursor resets.
    const { deltaCursor: beforeCompact, totalMessages } = await ok(sock, "chat.history", { sessionKey: key, limit: 1 });
    expect((await ok(sock, "sessions.compact", { key, maxLines: 2 })).compacted).toBe(true);
    store().appendMessages(sessionId, Array.from({ length: totalMessages + 3 }, (_, i) => said(`after ${i}`)).slice(2));
    expect(store().countMessages(sessionId)).toBe(totalMessages + 3);
    expect(await ok(sock, "chat.history", { sessionKey: key, cursor: beforeCompact })).toEqual(reset);

    // sessions.reset: a new transcript, so the old cursor resets.
    const { deltaCursor: beforeReset } = await ok(sock, "chat.history", { sessionKey: key, limit: 1 });
    await ok(sock, "sessions.reset", { key });
    expect(await ok(sock, "chat.history", { sessionKey: key, cursor: beforeReset })).toEqual(reset);
    // The new tail's cursor works again.
    const fresh = await ok(sock, "chat.history", { sessionKey: key });
    expect(fresh.totalMessages).toBe(0);
    store().appendMessages(store().getSession(key)!.sessionId, [said("new life")]);
    expect((await ok(sock, "chat.history", { sessionKey: key, cursor: fresh.deltaCursor })).messages.map((m: any) => text(m.message))).toEqual(["new life"]);
  });

  test("bad combinations are INVALID_REQUEST naming the fields, in the upstream's words", async () => {
    const sock = await connect(4);
    const key = "agent:main:paging";
    const { deltaCursor } = await ok(sock, "chat.history", { sessionKey: key });
    expect(await refused(sock, "chat.history", { sessionKey: key, cursor: deltaCursor, offset: 1 })).toBe(upstreamError("cursorWithOffset"));
    expect(await refused(sock, "chat.history", { sessionKey: key, cursor: deltaCursor, messageId: "m" })).toBe(upstreamError("cursorWithOffset"));
    expect(await refused(sock, "chat.history", { sessionKey: key, offset: 1, messageId: "x" })).toBe(upstreamError("offsetWithMessageId"));
    expect(await refused(sock, "chat.history", { sessionKey: key, sessionId: "x" })).toBe(upstreamError("sessionIdWithoutMessageId"));
    expect(await refused(sock, "chat.history", { sessionKey: key, cursor: 5 })).toBe(upstreamError("cursorNotString"));
  });
});

describe("v3 chat.history is unchanged", () => {
  test("a cursor, offsets and the v4 combinations still get the plain v3 page", async () => {
    const v3 = await connect(3);
    const v4 = await connect(4);
    const key = "agent:main:paging";
    const { deltaCursor } = await ok(v4, "chat.history", { sessionKey: key });
    const page = await ok(v3, "chat.history", { sessionKey: key, limit: 2 });
    expect(Object.keys(page).sort()).toEqual(["messages", "sessionId", "sessionKey", "thinkingLevel"]);
    expect(page.messages.map(text)).toEqual(["p4", "p5"]);
    const withCursor = await ok(v3, "chat.history", { sessionKey: key, limit: 2, cursor: deltaCursor });
    expect(withCursor).toEqual(page);
    const combined = await ok(v3, "chat.history", { sessionKey: key, limit: 2, cursor: deltaCursor, offset: 2, sessionId: "x" });
    expect(Object.keys(combined).sort()).toEqual(["messages", "sessionId", "sessionKey", "thinkingLevel"]);
    expect(combined.messages.map(text)).toEqual(["p2", "p3"]);
  });
});

describe("sessions.patch sidebar state (v4)", () => {
  test("unread, conditional read acknowledgement, pin, archive and restore follow the upstream rules", async () => {
    const sock = await connect(4);
    const key = "agent:main:sidebar";
    const sessionId = seed(key, ["s1"]);
    const row = async () => (await ok(sock, "sessions.describe", { key })).session;

    const marked = await ok(sock, "sessions.patch", { key, unread: true });
    const mark = marked.entry.markedUnreadAt;
    expect(mark).toEqual(expect.any(Number));
    expect(await row()).toMatchObject({ unread: true, markedUnreadAt: mark });
    // A second mark is newer than the first, even within the same millisecond.
    const again = await ok(sock, "sessions.patch", { key, unread: true });
    expect(again.entry.markedUnreadAt).toBeGreaterThan(mark);
    const current = again.entry.markedUnreadAt;

    // The Control UI's automatic "read" for an older mark (or none) leaves the mark.
    const stale = await ok(sock, "sessions.patch", { key, agentId: "main", unread: false, expectedMarkedUnreadAt: mark });
    expect(stale.entry.markedUnreadAt).toBe(current);
    expect((await ok(sock, "sessions.patch", { key, unread: false, expectedMarkedUnreadAt: null })).entry.markedUnreadAt).toBe(current);
    expect(await refused(sock, "sessions.patch", { key, unread: false, expectedMarkedUnreadAt: current, label: "x" })).toBe(upstreamError("ackWithOtherField"));
    expect(await refused(sock, "sessions.patch", { key, unread: true, expectedMarkedUnreadAt: current })).toBe(upstreamError("ackWithOtherField"));
    expect((await row()).label).toBeUndefined();
    const read = await ok(sock, "sessions.patch", { key, unread: false, expectedMarkedUnreadAt: current });
    expect(read.entry.markedUnreadAt).toBeUndefined();
    expect(read.entry.lastReadAt).toEqual(expect.any(Number));
    expect(await row()).toMatchObject({ unread: false, lastReadAt: read.entry.lastReadAt });
    expect(await refused(sock, "sessions.patch", { key, unread: null })).toBe(upstreamError("unreadNull"));
    expect(await refused(sock, "sessions.patch", { key: "agent:main:never", unread: false, expectedMarkedUnreadAt: null })).toBe("session not found: agent:main:never");
    expect(store().getSession("agent:main:never")).toBeUndefined();

    // A message newer than the last read makes the row unread again, without a mark.
    const away = said("while away", Date.now() + 1);
    store().appendMessages(sessionId, [away]);
    // lastInteractionAt lets the Control UI derive the same unread state from the row's timestamps.
    expect(await row()).toMatchObject({ unread: true, lastInteractionAt: away.timestamp });
    expect((await row()).markedUnreadAt).toBeUndefined();
    await ok(sock, "sessions.patch", { key, unread: false });
    expect(await row()).toMatchObject({ unread: false });
    // Reading covers a message stamped ahead of the gateway's clock (a channel's clock) too.
    const ahead = said("from a clock a minute fast", Date.now() + 60_000);
    store().appendMessages(sessionId, [ahead]);
    expect((await ok(sock, "sessions.patch", { key, unread: false })).entry.lastReadAt).toBe(ahead.timestamp);
    expect(await row()).toMatchObject({ unread: false });

    const pinned = await ok(sock, "sessions.patch", { key, pinned: true });
    expect(pinned.entry.pinnedAt).toEqual(expect.any(Number));
    expect(await row()).toMatchObject({ pinned: true, pinnedAt: pinned.entry.pinnedAt });

    // Archiving needs the sessionId it was looking at; never the main session; it unpins.
    expect(await refused(sock, "sessions.patch", { key, archived: true })).toBe(upstreamError("archiveWithoutExpected").replace("agent:dev:paging3", key));
    const mainId = (await ok(sock, "sessions.patch", { key: "agent:main:main", label: "the main one" })).entry.sessionId;
    expect(await refused(sock, "sessions.patch", { key: "agent:main:main", archived: true, expectedSessionId: mainId })).toBe(upstreamError("archiveMain"));
    expect(await refused(sock, "sessions.patch", { key: "main", archived: true, expectedSessionId: mainId })).toBe(upstreamError("archiveMain"));
    expect(await refused(sock, "sessions.patch", { key, archived: true, expectedSessionId: crypto.randomUUID() })).toStartWith(`session ${key} changed`);
    expect((await row()).archived).toBe(false);
    const archived = await ok(sock, "sessions.patch", { key, archived: true, expectedSessionId: sessionId });
    expect(archived.entry).toMatchObject({ archivedAt: expect.any(Number), archiveReason: "manual" });
    expect(archived.entry.pinnedAt).toBeUndefined();
    expect(await refused(sock, "sessions.patch", { key, pinned: true })).toBe(upstreamError("pinArchived"));
    expect(await refused(sock, "sessions.patch", { key, archived: false, pinned: false })).toBe(upstreamError("archiveWithoutExpected").replace("agent:dev:paging3", key));

    // Lists: archived sessions only when asked for; "all" for both.
    const keys = async (params: object) => (await ok(sock, "sessions.list", params)).sessions.map((s: any) => s.key);
    expect(await keys({})).not.toContain(key);
    expect(await keys({ archived: true })).toEqual([key]);
    expect(await keys({ archived: "all" })).toContain(key);
    expect(await keys({ archived: "all" })).toContain("agent:main:main");
    const listed = (await ok(sock, "sessions.list", { archived: true })).sessions[0];
    expect(listed).toMatchObject({ key, archived: true, pinned: false, unread: false, archiveReason: "manual" });

    const restored = await ok(sock, "sessions.patch", { key, archived: false, expectedSessionId: sessionId });
    expect(restored.entry.archivedAt).toBeUndefined();
    expect(restored.entry.archiveReason).toBeUndefined();
    expect(await keys({})).toContain(key);
    await ok(sock, "sessions.patch", { key, pinned: true });
    expect(await keys({ pinned: true })).toEqual([key]);
    expect(await keys({ pinned: false })).not.toContain(key);
    // A child session cannot be pinned, and becoming one unpins it.
    expect(await refused(sock, "sessions.patch", { key: "agent:main:child", spawnedBy: "agent:main:main", pinned: true })).toBe("cannot pin a child session; pin its parent session instead");
    expect((await ok(sock, "sessions.patch", { key, spawnedBy: "agent:main:main" })).entry.pinnedAt).toBeUndefined();
    await ok(sock, "sessions.patch", { key, spawnedBy: null, pinned: true });
  });

  test("sessions.changed tells v4 subscribers the new sidebar state", async () => {
    const sock = await connect(4);
    const key = "agent:main:watched";
    seed(key, ["w1"]);
    expect(await ok(sock, "sessions.subscribe", {})).toEqual({ subscribed: true });
    await ok(sock, "sessions.patch", { key, pinned: true });
    const pinned = await sock.nextMatching((f) => f.event === "sessions.changed" && f.payload.sessionKey === key);
    expect(pinned.payload).toMatchObject({ reason: "patch", session: { key, pinned: true, archived: false, pinnedAt: expect.any(Number) } });
    await ok(sock, "sessions.patch", { key, unread: true });
    const unread = await sock.nextMatching((f) => f.event === "sessions.changed" && f.payload.sessionKey === key);
    expect(unread.payload.session).toMatchObject({ unread: true, markedUnreadAt: expect.any(Number) });
  });

  test("v3 answers keep their shape: no sidebar fields, archived sessions still listed", async () => {
    const v3 = await connect(3);
    const v4 = await connect(4);
    const key = "agent:main:v3view";
    const sessionId = seed(key, ["v1"]);
    await ok(v4, "sessions.patch", { key, unread: true });
    await ok(v4, "sessions.patch", { key, archived: true, expectedSessionId: sessionId });
    const sidebarKeys = ["pinned", "archived", "unread", "pinnedAt", "archivedAt", "archiveReason", "markedUnreadAt", "lastReadAt"];
    const rows = (await ok(v3, "sessions.list", {})).sessions;
    const row = rows.find((r: any) => r.key === key);
    expect(row).toBeDefined();
    for (const r of rows) for (const k of sidebarKeys) expect(r).not.toHaveProperty(k);
    const patched = await ok(v3, "sessions.patch", { key, label: "seen from v3" });
    for (const k of sidebarKeys) expect(patched.entry).not.toHaveProperty(k);
    // The state is still there for v4.
    expect((await ok(v4, "sessions.describe", { key })).session).toMatchObject({ archived: true, unread: true, label: "seen from v3" });
  });

  test("scopes: operator.write may organize a session on v4, other fields stay admin-only, v3 stays admin-only", async () => {
    const key = "agent:main:scoped";
    seed(key, ["s1"]);
    const write = await connect(4, ["operator.write"]);
    await ok(write, "sessions.patch", { key, pinned: true });
    await ok(write, "sessions.patch", { key, label: "organized", unread: true });
    await ok(write, "sessions.patch", { key, unread: false });
    // A runtime override, alone or mixed with organizing fields, needs operator.admin.
    for (const params of [{ key, thinkingLevel: "high" }, { key, pinned: false, verboseLevel: "on" }]) {
      const res = await write.request("sessions.patch", params);
      expect(res.ok).toBe(false);
      expect(res.error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.admin", details: { missingScope: "operator.admin" } });
    }
    const read = await connect(4, ["operator.read"]);
    const res = await read.request("sessions.patch", { key, pinned: false });
    expect(res.error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.write", details: { requiredScopes: ["operator.write", "operator.admin"] } });
    const v3 = await connect(3, ["operator.write"]);
    expect((await v3.request("sessions.patch", { key, label: "v3 write" })).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    // Nothing refused changed the session.
    const admin = await connect(4);
    expect((await ok(admin, "sessions.describe", { key })).session).toMatchObject({ key, label: "organized", pinned: true, unread: false });
    expect(store().getSession(key)?.thinkingLevel).toBeUndefined();
  });

  test("the sidebar state is stored: it survives a gateway restart", async () => {
    const key = "agent:main:sidebar";
    await fx.gw.restart();
    const sock = await connect(4);
    const row = (await ok(sock, "sessions.describe", { key })).session;
    expect(row).toMatchObject({ key, pinned: true, archived: false, lastReadAt: expect.any(Number) });
    const archived = (await ok(sock, "sessions.list", { archived: true })).sessions.map((s: any) => s.key);
    expect(archived).toEqual(["agent:main:v3view"]);
  });
});
