/**
 * The protocol v4 methods, events and result fields today's upstream clients need (spec protocol-v4.md §4
 * steps 6 and 8), over real sockets against an agent gateway with the fake provider and the fake Telegram:
 * what a v4 hello advertises, session subscriptions and their events, the startup reads, `message.action`,
 * `commands.list`, the v4-only result fields and scope changes, and that v3 connections see none of it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkResult } from "../../../src/protocol/index.ts";
import { type AgentFixture, startAgentFixture } from "../../helpers/agent-gateway.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { drain } from "../../helpers/protocol.ts";
import { connectParams, openSocket, type TestSocket } from "../../helpers/ws.ts";

let fx: AgentFixture & { telegram: NonNullable<AgentFixture["telegram"]> };
const open: TestSocket[] = [];

beforeAll(async () => {
  fx = await startAgentFixture({ telegram: true, heartbeats: false });
});
afterAll(async () => {
  for (const s of open) s.close();
  await fx.stop();
});

/** Connects at protocol v4 as an operator; returns the socket and its hello. */
async function connectV4(opts: { scopes?: string[]; caps?: string[]; minProtocol?: number; maxProtocol?: number } = {}): Promise<{ sock: TestSocket; hello: any }> {
  const sock = await openSocket(fx.gw.url);
  open.push(sock);
  await sock.next(); // connect.challenge
  const params = connectParams({
    minProtocol: opts.minProtocol ?? 4,
    maxProtocol: opts.maxProtocol ?? 4,
    client: { id: "cli", version: "2026.9.6", platform: "linux", mode: "cli" },
    auth: { token: TEST_TOKEN },
    // A device-less v4 operator gets only the scopes it declares (the upstream CLI always declares them).
    scopes: opts.scopes ?? ["operator.admin"],
    ...(opts.caps && { caps: opts.caps }),
  });
  const res = await sock.request("connect", params, "connect");
  if (!res.ok) throw new Error(`connect failed: ${JSON.stringify(res.error)}`);
  return { sock, hello: res.payload };
}

async function ok(sock: TestSocket, method: string, params: unknown = {}): Promise<any> {
  const res = await sock.request(method, params);
  if (!res.ok) throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
  expect(checkResult(method as never, res.payload)).toEqual({ ok: true });
  return res.payload;
}

const NEW_METHODS = [
  "chat.startup",
  "sessions.subscribe",
  "sessions.describe",
  "sessions.messages.subscribe",
  "sessions.messages.unsubscribe",
  "question.list",
  "message.action",
  "commands.list",
  "update.status",
  "users.prefs.get",
  "plugins.controlUi.list",
  "tasks.list",
  "plugin.approval.list",
  "openclaw.approval.list",
  "diagnostics.lanes",
];

describe("hello", () => {
  test("v4 advertises the new methods, the subscription events and published-model-catalog; v3 none of them", async () => {
    const { hello } = await connectV4();
    expect(hello.features.methods).toEqual(expect.arrayContaining(NEW_METHODS));
    expect(hello.features.methods).not.toContain("sessions.unsubscribe");
    expect(hello.features.events).toEqual(expect.arrayContaining(["sessions.changed", "session.message"]));
    expect(hello.features.capabilities).toEqual(["published-model-catalog"]);
    const v3 = await connectV4({ minProtocol: 3, maxProtocol: 3 });
    expect(v3.hello.protocol).toBe(3);
    for (const m of NEW_METHODS) expect(v3.hello.features.methods).not.toContain(m);
    expect(v3.hello.features.events).not.toContain("sessions.changed");
  });
});

describe("results v4 clients check", () => {
  test("agents.list rows carry model {primary} on v4 and kind:'agent' with cap agent-kind; v3 rows are unchanged", async () => {
    const plain = await ok((await connectV4()).sock, "agents.list");
    expect(plain.agents).toEqual([{ id: "main", model: { primary: "local/m1" } }]);
    const withCap = await ok((await connectV4({ caps: ["agent-kind"] })).sock, "agents.list");
    expect(withCap.agents).toEqual([{ id: "main", kind: "agent", model: { primary: "local/m1" } }]);
    const v3 = await ok((await connectV4({ minProtocol: 3, maxProtocol: 3, caps: ["agent-kind"] })).sock, "agents.list");
    expect(v3.agents).toEqual([{ id: "main" }]);
  });

  test("the agent ack names the session and agent on v4 only", async () => {
    const { sock } = await connectV4();
    fx.fake.push({ text: "ack test" });
    const ack = await sock.request("agent", { message: "hi", sessionKey: "ack-test", idempotencyKey: "v4-ack-1" });
    expect(ack.payload).toEqual({ runId: "v4-ack-1", status: "accepted", acceptedAt: expect.any(Number), sessionKey: "agent:main:ack-test", agentId: "main" });
    await sock.nextMatching((f) => f.type === "res" && f.id === ack.id && f.payload?.status !== "accepted", 10_000);
    const v3 = (await connectV4({ minProtocol: 3, maxProtocol: 3 })).sock;
    fx.fake.push({ text: "ack test" });
    const ack3 = await v3.request("agent", { message: "hi", sessionKey: "ack-test", idempotencyKey: "v3-ack-1" });
    expect(Object.keys(ack3.payload).sort()).toEqual(["acceptedAt", "runId", "status"]);
    await v3.nextMatching((f) => f.type === "res" && f.id === ack3.id && f.payload?.status !== "accepted", 10_000);
  });

  test("config.get and config.schema are read-scoped on v4 with secrets redacted; v3 keeps them admin-only", async () => {
    // The running config written to its file as it is (same content: nothing reloads), so raw and parsed hold the keys too.
    expect((await fx.sock.request("config.set", { raw: JSON.stringify(fx.config) })).ok).toBe(true);
    const { sock } = await connectV4({ scopes: ["operator.read"] });
    const cfg = await ok(sock, "config.get");
    expect(cfg.exists).toBe(true);
    const text = JSON.stringify(cfg);
    for (const secret of ["sk-local", "sk-ant", TEST_TOKEN]) expect(text).not.toContain(secret);
    expect(text).toContain("__OPENCLAW_REDACTED__");
    expect((await sock.request("config.schema", {})).ok).toBe(true);
    // Writing stays admin.
    const write = await sock.request("config.set", { raw: "{}" });
    expect(write.error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.admin" });
    const v3 = (await connectV4({ minProtocol: 3, maxProtocol: 3, scopes: ["operator.read"] })).sock;
    expect((await v3.request("config.get", {})).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
  });
});

describe("sessions subscriptions", () => {
  test("sessions.subscribe gets sessions.changed for patches and run start/end; others and unsubscribed sockets do not", async () => {
    const { sock } = await connectV4();
    const other = (await connectV4()).sock;
    expect(await ok(sock, "sessions.subscribe")).toEqual({ subscribed: true });
    await ok(sock, "sessions.patch", { key: "agent:main:sub", label: "Subscribed" });
    const changed = await sock.nextMatching((f) => f.event === "sessions.changed");
    expect(changed.payload).toMatchObject({ sessionKey: "agent:main:sub", agentId: "main", reason: "patch", session: { key: "agent:main:sub", label: "Subscribed" } });
    fx.fake.push({ text: "run for subscribers" });
    await ok(sock, "chat.send", { sessionKey: "agent:main:sub", message: "go", idempotencyKey: "v4-sub-run" });
    const started = await sock.nextMatching((f) => f.event === "sessions.changed" && f.payload.reason === "run.started", 10_000);
    expect(started.payload.session.sessionId).toBeString();
    await sock.nextMatching((f) => f.event === "sessions.changed" && f.payload.reason === "run.finished", 10_000);
    await ok(other, "health");
    expect((await drain(other)).filter((f) => f.event === "sessions.changed")).toEqual([]);
    // The list comes along when asked for.
    const withList = await ok(sock, "sessions.subscribe", { limit: 1 });
    expect(withList.list.sessions.length).toBe(1);
    expect(await ok(sock, "sessions.unsubscribe")).toEqual({ subscribed: false });
    await ok(sock, "sessions.patch", { key: "agent:main:sub", label: "Quiet" });
    await ok(sock, "health");
    expect((await drain(sock)).filter((f) => f.event === "sessions.changed")).toEqual([]);
  });

  test("sessions.messages.subscribe gets the user turns of runs on that session, except the sender's own", async () => {
    const { sock } = await connectV4();
    const sender = (await connectV4()).sock;
    expect(await ok(sock, "sessions.messages.subscribe", { key: "msgs", includeApprovals: true })).toEqual({ subscribed: true, key: "msgs" });
    expect(await ok(sender, "sessions.messages.subscribe", { key: "msgs" })).toEqual({ subscribed: true, key: "msgs" });
    fx.fake.push({ text: "other session reply" }, { text: "the reply" });
    await ok(sender, "chat.send", { sessionKey: "elsewhere", message: "not mine", idempotencyKey: "v4-msg-0" });
    await sock.nextMatching((f) => f.event === "chat" && f.payload.runId === "v4-msg-0" && f.payload.state === "final", 10_000);
    await ok(sender, "chat.send", { sessionKey: "msgs", message: "hello there", idempotencyKey: "v4-msg-1" });
    const user = await sock.nextMatching((f) => f.event === "session.message", 10_000);
    expect(user.payload).toMatchObject({ sessionKey: "msgs", agentId: "main", sessionId: expect.any(String), message: { role: "user" } });
    expect(JSON.stringify(user.payload.message.content)).toContain("hello there");
    // The reply reaches everyone as chat events; it is not sent a second time.
    await sock.nextMatching((f) => f.event === "chat" && f.payload.runId === "v4-msg-1" && f.payload.state === "final", 10_000);
    await sender.nextMatching((f) => f.event === "chat" && f.payload.runId === "v4-msg-1" && f.payload.state === "final", 10_000);
    await ok(sock, "health");
    await ok(sender, "health");
    expect((await drain(sock)).filter((f) => f.event === "session.message")).toEqual([]);
    expect((await drain(sender)).filter((f) => f.event === "session.message")).toEqual([]);
    expect(await ok(sock, "sessions.messages.unsubscribe", { key: "msgs" })).toEqual({ subscribed: false, key: "msgs" });
  });

  test("sessions.describe returns the list row or null; chat.startup answers as chat.history", async () => {
    const { sock } = await connectV4();
    const described = await ok(sock, "sessions.describe", { key: "msgs", includeLastMessage: true });
    expect(described.session).toMatchObject({ key: "agent:main:msgs", lastMessagePreview: "the reply" });
    expect(await ok(sock, "sessions.describe", { key: "never-used" })).toEqual({ session: null });
    const startup = await ok(sock, "chat.startup", { sessionKey: "msgs", limit: 80, maxBytes: 262144 });
    expect(startup).toEqual(await ok(sock, "chat.history", { sessionKey: "msgs", limit: 80 }));
    expect(startup.messages.length).toBe(2);
  });
});

describe("startup reads, commands and message.action", () => {
  test("the startup reads answer what exists here: nothing", async () => {
    const { sock } = await connectV4();
    expect(await ok(sock, "question.list")).toEqual({ questions: [] });
    expect(await ok(sock, "users.prefs.get", { keys: ["ui.theme", "ui.themeMode"] })).toEqual({ status: "ok", entries: {} });
    expect(await ok(sock, "plugins.controlUi.list")).toEqual({ revision: "0", plugins: [], diagnostics: [] });
    expect(await ok(sock, "tasks.list")).toEqual({ tasks: [] });
    expect(await ok(sock, "plugin.approval.list")).toEqual([]);
    expect(await ok(sock, "openclaw.approval.list")).toEqual([]);
    expect(await ok(sock, "update.status")).toEqual({ sentinel: null, updateAvailable: null });
    const lanes = await ok(sock, "diagnostics.lanes");
    expect(lanes).toEqual({ ts: expect.any(Number), lanes: [{ lane: "main", queuedCount: 0, activeCount: 0, maxConcurrent: 4, draining: false }], dynamic: null });
  });

  test("scopes as upstream: question.list needs operator.questions (write implies it), update.status admin", async () => {
    const reader = (await connectV4({ scopes: ["operator.read"] })).sock;
    expect((await reader.request("question.list", {})).error).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.questions",
      details: { code: "MISSING_SCOPE", missingScope: "operator.questions", requiredScopes: ["operator.questions", "operator.admin"] },
    });
    expect((await reader.request("update.status", {})).error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.admin" });
    expect((await reader.request("message.action", {})).error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.write" });
    const writer = (await connectV4({ scopes: ["operator.write"] })).sock;
    expect((await writer.request("question.list", {})).ok).toBe(true);
    const asker = (await connectV4({ scopes: ["operator.questions"] })).sock;
    expect((await asker.request("question.list", {})).ok).toBe(true);
  });

  test("commands.list: the /new, /reset and /stop commands the agent understands, by scope, args on request", async () => {
    const { sock } = await connectV4();
    const text = await ok(sock, "commands.list", { agentId: "main", scope: "text", includeArgs: false });
    expect(text.commands.map((c: any) => c.textAliases)).toEqual([["/new"], ["/reset"], ["/stop"]]);
    expect(text.commands[0].args).toBeUndefined();
    expect((await ok(sock, "commands.list", { includeArgs: true })).commands[0].args).toEqual([expect.objectContaining({ name: "message" })]);
    expect(await ok(sock, "commands.list", { scope: "native" })).toEqual({ commands: [] });
  });

  test("message.action send goes out on the channel (the v4 CLI's frame); other actions and missing targets are refused", async () => {
    const { sock } = await connectV4({ scopes: ["operator.write"] });
    const res = await ok(sock, "message.action", {
      channel: "telegram",
      action: "send",
      params: { channel: "telegram", target: "4242", message: "from the v4 CLI", to: "telegram:4242", __sessionKey: "main", __agentId: "main" },
      senderIsOwner: true,
      agentId: "main",
      conversationReadOrigin: "direct-operator",
      idempotencyKey: "v4-action-1",
    });
    expect(res).toMatchObject({ ok: true, channel: "telegram", action: "send", to: "4242", messageId: expect.anything() });
    const sent = await fx.telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === "4242");
    expect(JSON.stringify(sent.params)).toContain("from the v4 CLI");
    const viaTo = await ok(sock, "message.action", { channel: "telegram", action: "send", params: { to: "telegram:777", message: "via to" }, idempotencyKey: "v4-action-2" });
    expect(viaTo.to).toBe("777");
    expect((await sock.request("message.action", { channel: "telegram", action: "react", params: {}, idempotencyKey: "x1" })).error).toEqual({
      code: "INVALID_REQUEST",
      message: 'unsupported message action: react (this gateway supports "send")',
    });
    expect((await sock.request("message.action", { channel: "telegram", action: "send", params: { message: "nobody" }, idempotencyKey: "x2" })).error.message).toBe(
      "invalid message.action params: params.target (or params.to) is required for send",
    );
  });
});
