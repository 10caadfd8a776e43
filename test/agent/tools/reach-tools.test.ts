/**
 * The reach tools one by one, with fake ports (and the real cron scheduler and channel adapter where the
 * rule lives there): `message` (default target, unknown channel, missing target, NOT_LINKED, the target
 * allowlist, media confined to the workspace), `cron` (defaults, createdBy in cron.list, own jobs only,
 * deliveries under the message rules, schema errors), `sessions_send` / `sessions_spawn` (self refused,
 * depth and concurrency limits, the announcement), `session_status`, `agents_list`.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bindTool } from "../../../src/agent/tools/index.ts";
import { cronTool } from "../../../src/agent/tools/cron.ts";
import { messageTool } from "../../../src/agent/tools/message.ts";
import { agentsListTool, sessionStatusTool } from "../../../src/agent/tools/session-status.ts";
import { formatAnnouncement, sessionsSendTool, sessionsSpawnTool } from "../../../src/agent/tools/sessions-run.ts";
import type { ToolAgentRuns, ToolChannels, ToolOrigin, ToolRunEnd } from "../../../src/agent/tools/types.ts";
import { UnsupportedChannelError } from "../../../src/channels/index.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { GatewayError } from "../../../src/errors.ts";
import { toToolChannels } from "../../../src/gateway/channels/agent-channels.ts";
import { toToolCron } from "../../../src/gateway/cron/agent-cron.ts";
import { CronService } from "../../../src/gateway/cron/index.ts";
import { Logger } from "../../../src/logging/logger.ts";
import { openCronStore } from "../../../src/store/cron.ts";
import { createMemoryStore } from "../../../src/store/index.ts";
import { waitFor } from "../../helpers/wait.ts";

const signal = new AbortController().signal;
/** Lets pending promise reactions run (two macrotask turns). */
const flush = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));
const TG: ToolOrigin = { channel: "telegram", chat: "123", sender: "42" };
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

type Sent = Parameters<ToolChannels["send"]>[0];

function fakeChannels(configured = ["telegram"], fail?: Error): ToolChannels & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    configured: () => configured,
    canonicalTarget: (channel, to) => to.trim().replace(new RegExp(`^${channel}:`), ""),
    async send(input) {
      if (fail) throw fail;
      sent.push(input);
      return { channel: input.channel, to: input.to, messageId: "m1" };
    },
  };
}

function bind<D extends Parameters<typeof bindTool>[0]>(def: D, opts: { config?: OpenClawConfig; origin?: ToolOrigin; ports?: Record<string, unknown>; sessionKey?: string; agentId?: string } = {}) {
  const run = { config: opts.config ?? {}, agentId: opts.agentId ?? "main", sessionKey: opts.sessionKey ?? "agent:main:telegram:dm:42", runId: "run-1", ...(opts.origin !== undefined ? { origin: opts.origin } : { origin: TG }) };
  return bindTool(def, run, opts.ports ?? {});
}

const call = (tool: ReturnType<typeof bindTool>, args: Record<string, unknown>) => tool.run(args, { signal, toolCallId: "c1" }).then((o) => o.text);
const failure = (tool: ReturnType<typeof bindTool>, args: Record<string, unknown>) => tool.run(args, { signal, toolCallId: "c1" }).then(() => "no error", (e: Error) => e.message);

describe("message", () => {
  test("no target: the chat the run came from, with its account; a spelled-out form of that chat is the same chat", async () => {
    const channels = fakeChannels();
    const tool = bind(messageTool, { ports: { channels }, origin: { ...TG, accountId: "work" } });
    expect(JSON.parse(await call(tool, { action: "send", message: "hi" }))).toEqual({ ok: true, channel: "telegram", to: "123", messageId: "m1" });
    await call(tool, { action: "send", to: "telegram:123", text: "again" });
    expect(channels.sent.map((s) => [s.channel, s.to, s.accountId, s.text])).toEqual([
      ["telegram", "123", "work", "hi"],
      ["telegram", "123", "work", "again"],
    ]);
    expect(channels.sent[0]?.idempotencyKey).toBe("tool:run-1:c1");
  });

  test("bad calls: unknown action, unknown channel, nothing to send, no target without a current chat, no channel configured", async () => {
    const channels = fakeChannels();
    const tool = bind(messageTool, { ports: { channels } });
    expect(await failure(tool, { action: "delete", message: "x" })).toContain('unknown action "delete" (use send)');
    expect(await failure(tool, { action: "send", channel: "signal", message: "x" })).toBe('channel "signal" is not configured here (NOT_LINKED); configured: telegram');
    expect(await failure(tool, { action: "send" })).toContain("nothing to send");
    const webchat = bind(messageTool, { ports: { channels }, origin: { channel: "webchat" } });
    expect(await failure(webchat, { action: "send", message: "x" })).toBe('missing "target": this run has no current chat on telegram, so name the recipient');
    const none = bind(messageTool, { ports: { channels: fakeChannels([]) }, origin: { channel: "webchat" } });
    expect(await failure(none, { action: "send", target: "1", message: "x" })).toBe("no chat channel is configured here (NOT_LINKED)");
    expect(channels.sent).toEqual([]);
  });

  test("NOT_LINKED from the channel layer reaches the model with its code", async () => {
    const channels = fakeChannels(["telegram", "whatsapp"], new GatewayError("NOT_LINKED", "whatsapp account default is not linked"));
    const tool = bind(messageTool, { ports: { channels }, config: { tools: { message: { allowAnyTarget: true } } } });
    expect(await failure(tool, { action: "send", channel: "whatsapp", target: "+15550001", message: "x" })).toBe("whatsapp account default is not linked (NOT_LINKED)");
  });

  test("another chat is refused unless tools.message allows it: allowTargets (exact, channel wildcard), allowAnyTarget, crossContext, per agent", async () => {
    const tryWith = async (config: OpenClawConfig, args: Record<string, unknown>, agentId = "main") => {
      const channels = fakeChannels(["telegram", "whatsapp"]);
      const out = await failure(bind(messageTool, { ports: { channels }, config, agentId }), { action: "send", message: "x", ...args });
      return out === "no error" ? `sent ${channels.sent[0]?.channel}:${channels.sent[0]?.to}` : out;
    };
    const refused = await tryWith({}, { target: "555" });
    expect(refused).toBe('sending to telegram:555 is not allowed: this run may only reach the current chat (telegram:123). Allow it with tools.message.allowTargets: ["telegram:555"] or tools.message.allowAnyTarget: true.');
    expect(await tryWith({ tools: { message: { allowTargets: ["telegram:556"] } } }, { target: "555" })).toContain("not allowed");
    expect(await tryWith({ tools: { message: { allowTargets: ["telegram:555"] } } }, { target: "555" })).toBe("sent telegram:555");
    expect(await tryWith({ tools: { message: { allowTargets: ["telegram:555"] } } }, { target: "telegram:555" })).toBe("sent telegram:555");
    expect(await tryWith({ tools: { message: { allowTargets: ["telegram:*"] } } }, { target: "777" })).toBe("sent telegram:777");
    expect(await tryWith({ tools: { message: { allowTargets: ["telegram:*"] } } }, { channel: "whatsapp", target: "+1555" })).toContain("not allowed");
    expect(await tryWith({ tools: { message: { allowAnyTarget: true } } }, { channel: "whatsapp", target: "+1555" })).toBe("sent whatsapp:+1555");
    expect(await tryWith({ tools: { message: { crossContext: { allowWithinProvider: true } } } }, { target: "777" })).toBe("sent telegram:777");
    expect(await tryWith({ tools: { message: { crossContext: { allowWithinProvider: true } } } }, { channel: "whatsapp", target: "+1555" })).toContain("not allowed");
    expect(await tryWith({ tools: { message: { crossContext: { allowAcrossProviders: true } } } }, { channel: "whatsapp", target: "+1555" })).toBe("sent whatsapp:+1555");
    const perAgent: OpenClawConfig = { agents: { list: [{ id: "main" }, { id: "ops", tools: { message: { allowAnyTarget: true } } }] } };
    expect(await tryWith(perAgent, { target: "777" }, "ops")).toBe("sent telegram:777");
    expect(await tryWith(perAgent, { target: "777" }, "main")).toContain("not allowed");
  });

  test("media: public URLs as such, workspace files by real path, nothing outside the workspace (symlinks included), no other schemes", async () => {
    const ws = mkdtempSync(join(tmpdir(), "msg-ws-"));
    const outside = mkdtempSync(join(tmpdir(), "msg-out-"));
    cleanup.push(() => rmSync(ws, { recursive: true, force: true }), () => rmSync(outside, { recursive: true, force: true }));
    mkdirSync(join(ws, "out"));
    writeFileSync(join(ws, "out", "chart.png"), "png");
    writeFileSync(join(outside, "secret.txt"), "s");
    symlinkSync(join(outside, "secret.txt"), join(ws, "link.txt"));
    const channels = fakeChannels();
    const tool = bind(messageTool, { ports: { channels, workspace: { dir: ws, allowOutside: [] } } });
    await call(tool, { action: "send", media: "https://example.com/a.png" });
    await call(tool, { action: "send", media: "out/chart.png", message: "chart" });
    expect(channels.sent.map((s) => [s.mediaUrls, s.localMedia])).toEqual([
      [["https://example.com/a.png"], false],
      [[join(ws, "out", "chart.png")], true],
    ]);
    expect(await failure(tool, { action: "send", media: join(outside, "secret.txt") })).toContain("outside the workspace");
    expect(await failure(tool, { action: "send", media: "link.txt" })).toContain("outside the workspace");
    expect(await failure(tool, { action: "send", media: "file:///etc/passwd" })).toContain("not file:");
    expect(await failure(tool, { action: "send", media: "missing.png" })).toContain("media file not found");
    expect(channels.sent).toHaveLength(2);
  });

  test("the gateway adapter: a supported channel without config is NOT_LINKED, an unknown one INVALID_REQUEST; URL media must be public", async () => {
    const requests: Record<string, unknown>[] = [];
    const manager = {
      loadedChannels: () => ["telegram" as const],
      accountSnapshots: () => [],
      getChannel: () => undefined,
      async send(req: Record<string, any>) {
        requests.push(req);
        if (req.channel !== "telegram") throw new UnsupportedChannelError(req.channel);
        return { channel: "telegram" as const, messageId: "9" };
      },
    };
    const port = toToolChannels(manager as never, new Logger("test", { noFile: true, write: () => {} }));
    expect(await port.send({ channel: "whatsapp", to: "+1", text: "x", idempotencyKey: "k1" }).catch((e) => `${e.code}: ${e.message}`)).toBe("NOT_LINKED: whatsapp is not configured");
    expect(await port.send({ channel: "signal", to: "+1", text: "x", idempotencyKey: "k2" }).catch((e) => `${e.code}: ${e.message}`)).toBe("INVALID_REQUEST: unsupported channel: signal");
    expect(await port.send({ channel: "telegram", to: "5", text: "x", mediaUrls: ["https://example.com/a.png"], idempotencyKey: "k3" })).toEqual({ channel: "telegram", to: "5", messageId: "9" });
    expect(requests.at(-1)).toMatchObject({ channel: "telegram", to: "5", message: "x", mediaUrls: ["https://example.com/a.png"], publicMediaOnly: true, idempotencyKey: "k3" });
    expect(port.canonicalTarget("telegram", "telegram:123")).toBe("123");
  });
});

describe("cron", () => {
  function scheduler(config: OpenClawConfig = {}) {
    const store = openCronStore(":memory:");
    const host = {
      config,
      agents: { submit: () => ({ status: "in_flight", runId: "x" }), defaultTimeoutMs: () => 1000 },
      store: createMemoryStore(),
      systemEvents: [],
      heartbeat: { requestNow: async () => undefined },
      connections: { broadcast: () => {} },
      channels: { loadedChannels: () => ["telegram"], send: async () => ({ channel: "telegram", messageId: "1" }) },
      logger: new Logger("test", { noFile: true, write: () => {} }),
    };
    const service = new CronService({ host: host as never, store, logger: host.logger });
    cleanup.push(() => store.close());
    return { service, cron: toToolCron(service) };
  }
  const at = () => new Date(Date.now() + 3_600_000).toISOString();

  test("add: a reminder with only schedule + payload gets the agent, isolated target, a name and delivery to this chat; cron.list shows createdBy", async () => {
    const { service, cron } = scheduler();
    const tool = bind(cronTool, { ports: { cron, channels: fakeChannels() } });
    const job = JSON.parse(await call(tool, { action: "add", job: { schedule: { kind: "at", at: Date.now() + 60_000 }, payload: { kind: "agentTurn", message: "Remind the user: stretch" } } }));
    expect(job).toMatchObject({
      agentId: "main",
      name: "Remind the user: stretch",
      sessionTarget: "isolated",
      wakeMode: "now",
      createdBy: "agent:main",
      createdBySessionKey: "agent:main:telegram:dm:42",
      deleteAfterRun: true,
      delivery: { mode: "announce", channel: "telegram", to: "123" },
    });
    expect(service.list()).toEqual([expect.objectContaining({ id: job.id, createdBy: "agent:main" })]);
    const listed = JSON.parse(await call(tool, { action: "list" }));
    expect(listed.jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
  });

  test("another agent's jobs are invisible and untouchable; an operator's job of this agent can be managed", async () => {
    const { service, cron } = scheduler({ agents: { list: [{ id: "main", default: true }, { id: "ops" }] } });
    const other = service.add({ name: "ops job", agentId: "ops", schedule: { kind: "at", at: at() }, sessionTarget: "isolated", wakeMode: "now", payload: { kind: "agentTurn", message: "x" } });
    const mine = service.add({ name: "main job", schedule: { kind: "at", at: at() }, sessionTarget: "main", wakeMode: "now", payload: { kind: "systemEvent", text: "x" } });
    const tool = bind(cronTool, { ports: { cron } });
    expect(JSON.parse(await call(tool, { action: "list" })).jobs.map((j: { name: string }) => j.name)).toEqual(["main job"]);
    for (const action of ["update", "remove", "run", "runs"]) {
      expect(await failure(tool, { action, jobId: other.id, patch: { name: "mine now" } })).toBe(`unknown cron job id: ${other.id}`);
    }
    expect(await failure(tool, { action: "add", job: { agentId: "ops", schedule: { kind: "at", at: at() }, payload: { kind: "agentTurn", message: "x" } } })).toBe('an agent schedules jobs only for itself (agentId "main")');
    expect(await failure(tool, { action: "update", jobId: mine.id, patch: { agentId: "ops" } })).toBe("a job cannot be moved to another agent");
    expect(JSON.parse(await call(tool, { action: "update", id: mine.id, patch: { name: "renamed" } })).name).toBe("renamed");
    expect(JSON.parse(await call(tool, { action: "remove", jobId: mine.id }))).toEqual({ ok: true, removed: true });
    expect(service.get(other.id)?.name).toBe("ops job");
  });

  test("bad jobs: missing job or jobId, schema errors named by field, a delivery to another chat under the message rules", async () => {
    const { cron } = scheduler();
    const tool = bind(cronTool, { ports: { cron, channels: fakeChannels() } });
    expect(await failure(tool, { action: "add" })).toBe('missing "job" for action "add"');
    expect(await failure(tool, { action: "remove" })).toBe('missing "jobId" for action "remove"');
    expect(await failure(tool, { action: "update", jobId: "nope", patch: {} })).toBe("unknown cron job id: nope");
    expect(await failure(tool, { action: "add", job: { schedule: { kind: "at", at: at() } } })).toContain("invalid cron.add params");
    expect(await failure(tool, { action: "add", job: { schedule: { kind: "at", at: "not a time" }, payload: { kind: "agentTurn", message: "x" } } })).toContain("(INVALID_REQUEST)");
    const elsewhere = { schedule: { kind: "at", at: at() }, payload: { kind: "agentTurn", message: "x" }, delivery: { mode: "announce", channel: "telegram", to: "555" } };
    expect(await failure(tool, { action: "add", job: elsewhere })).toContain("sending to telegram:555 is not allowed");
    const allowed = bind(cronTool, { ports: { cron, channels: fakeChannels() }, config: { tools: { message: { allowTargets: ["telegram:555"] } } } });
    expect(JSON.parse(await call(allowed, { action: "add", job: elsewhere })).delivery).toEqual({ mode: "announce", channel: "telegram", to: "555" });
  });
});

describe("sessions_send and sessions_spawn", () => {
  function fakeRuns(end: ToolRunEnd = { status: "ok", reply: "done", startedAt: 1000, endedAt: 4000, usage: { input: 10, output: 5 } }) {
    const started: Parameters<ToolAgentRuns["start"]>[0][] = [];
    const running: { runId: string; sessionKey: string; parentSessionKey: string }[] = [];
    let release: (e: ToolRunEnd) => void = () => {};
    const runs: ToolAgentRuns & { started: typeof started; finish: () => void; running: typeof running } = {
      started,
      running,
      start(req) {
        started.push(req);
        const runId = `r${started.length}`;
        if (req.parentSessionKey) running.push({ runId, sessionKey: req.sessionKey, parentSessionKey: req.parentSessionKey });
        const done = new Promise<ToolRunEnd>((resolve) => {
          release = resolve;
        });
        return { runId, done };
      },
      spawned: () => running,
      finish: () => release(end),
    };
    return runs;
  }

  test("sessions_send: waits for the reply, reports running past the wait, refuses the current session and other agents' sessions", async () => {
    const store = createMemoryStore();
    store.setSession("agent:main:work", { sessionId: "s1", updatedAt: Date.now(), label: "Work" });
    const runs = fakeRuns();
    const tool = bind(sessionsSendTool, { ports: { store, agentRuns: runs } });
    const pending = call(tool, { label: "work", message: "status?" });
    await flush();
    runs.finish();
    expect(JSON.parse(await pending)).toEqual({ runId: "r1", sessionKey: "agent:main:work", status: "ok", reply: "done" });
    expect(runs.started[0]).toMatchObject({ sessionKey: "agent:main:work", agentId: "main", message: "status?" });
    expect(runs.started[0]?.extraSystemPrompt).toContain("agent:main:telegram:dm:42");
    expect(JSON.parse(await call(tool, { sessionKey: "agent:main:work", message: "x", timeoutSeconds: 0 }))).toMatchObject({ status: "accepted" });
    expect(await failure(tool, { sessionKey: "agent:main:telegram:dm:42", message: "x" })).toContain("cannot send to the current session");
    expect(await failure(tool, { sessionKey: "agent:ops:main", message: "x" })).toBe("session agent:ops:main belongs to another agent");
    expect(await failure(tool, { sessionKey: "agent:main:nope", message: "x" })).toBe("no session agent:main:nope (see sessions_list)");
    expect(await failure(tool, { label: "ghost", message: "x" })).toContain('no session labelled "ghost"');
    expect(await failure(tool, { message: "x" })).toContain('missing "sessionKey"');
  });

  test("sessions_spawn: accepted at once in a new subagent session; the result is announced to the requesting chat", async () => {
    const store = createMemoryStore();
    const runs = fakeRuns();
    const channels = fakeChannels();
    const tool = bind(sessionsSpawnTool, { ports: { store, agentRuns: runs, channels } });
    const res = JSON.parse(await call(tool, { task: "find it", label: "research" }));
    expect(res).toEqual({ status: "accepted", runId: "r1", childSessionKey: expect.stringMatching(/^agent:main:subagent:[0-9a-f-]{36}$/) });
    expect(store.getSession(res.childSessionKey)).toMatchObject({ label: "research", spawnedBy: "agent:main:telegram:dm:42", spawnDepth: 1 });
    expect(runs.started[0]).toMatchObject({ sessionKey: res.childSessionKey, message: "find it", parentSessionKey: "agent:main:telegram:dm:42", channel: "subagent" });
    expect(channels.sent).toEqual([]);
    runs.finish();
    await waitFor(() => channels.sent.length > 0, "the announcement");
    expect(channels.sent).toEqual([expect.objectContaining({ channel: "telegram", to: "123", idempotencyKey: "announce:r1" })]);
    expect(channels.sent[0]?.text).toBe(`Sub-agent "research" finished.\nStatus: success\nResult: done\n(runtime 3s · tokens 10 in / 5 out · session ${res.childSessionKey})`);
  });

  test("sessions_spawn limits: a sub-agent cannot spawn by default (maxSpawnDepth), maxConcurrent over the gateway, maxChildrenPerAgent per session", async () => {
    const store = createMemoryStore();
    const runs = fakeRuns();
    const child = bind(sessionsSpawnTool, { ports: { store, agentRuns: runs }, sessionKey: "agent:main:subagent:0000" });
    expect(await failure(child, { task: "x" })).toBe("a sub-agent at depth 1 cannot spawn (agents.defaults.subagents.maxSpawnDepth is 1); do the work yourself");
    const deeper = bind(sessionsSpawnTool, { ports: { store, agentRuns: runs }, sessionKey: "agent:main:subagent:0000", config: { agents: { defaults: { subagents: { maxSpawnDepth: 2 } } } } });
    expect(JSON.parse(await call(deeper, { task: "x" })).status).toBe("accepted");
    expect(store.getSession(runs.running[0]!.sessionKey)?.spawnDepth).toBe(2);

    const limited = { agents: { defaults: { subagents: { maxChildrenPerAgent: 1, maxConcurrent: 2 } } } };
    const gateway = fakeRuns();
    const a = bind(sessionsSpawnTool, { ports: { store, agentRuns: gateway }, config: limited, sessionKey: "agent:main:a" });
    const b = bind(sessionsSpawnTool, { ports: { store, agentRuns: gateway }, config: limited, sessionKey: "agent:main:b" });
    const c = bind(sessionsSpawnTool, { ports: { store, agentRuns: gateway }, config: limited, sessionKey: "agent:main:c" });
    expect(JSON.parse(await call(a, { task: "one" })).status).toBe("accepted");
    expect(await failure(a, { task: "two" })).toBe("this session already has 1 sub-agents running (agents.defaults.subagents.maxChildrenPerAgent is 1)");
    expect(JSON.parse(await call(b, { task: "three" })).status).toBe("accepted");
    expect(await failure(c, { task: "four" })).toBe("too many sub-agents running (2; agents.defaults.subagents.maxConcurrent is 2); wait for one to finish");
  });

  test("the announcement: error and timeout outcomes, ANNOUNCE_SKIP stays silent, a requester without a chat hears it as a turn", async () => {
    expect(formatAnnouncement({ childKey: "k", end: { status: "timeout", reply: "", error: "run timed out" } })).toBe("Sub-agent finished.\nStatus: timeout\nResult: (not available)\nNotes: run timed out\n(session k)");
    const store = createMemoryStore();
    const silent = fakeRuns({ status: "ok", reply: "ANNOUNCE_SKIP" });
    const channels = fakeChannels();
    await call(bind(sessionsSpawnTool, { ports: { store, agentRuns: silent, channels } }), { task: "quiet" });
    silent.finish();
    // The announcement would be sent in the promise reactions that follow the end: let them all run.
    await flush();
    expect(channels.sent).toEqual([]);
    const webchat = fakeRuns();
    await call(bind(sessionsSpawnTool, { ports: { store, agentRuns: webchat, channels }, origin: { channel: "webchat" }, sessionKey: "agent:main:main" }), { task: "x" });
    webchat.finish();
    await waitFor(() => webchat.started.length > 1, "the announcement turn");
    expect(channels.sent).toEqual([]);
    expect(webchat.started[1]).toMatchObject({ sessionKey: "agent:main:main", channel: "subagent", message: expect.stringContaining("Result: done") });
    expect(webchat.started[1]?.parentSessionKey).toBeUndefined();
  });
});

describe("sessions_spawn and stopping", () => {
  function oneRun(end: ToolRunEnd) {
    const started: Parameters<ToolAgentRuns["start"]>[0][] = [];
    let release: () => void = () => {};
    const runs: ToolAgentRuns & { started: typeof started; finish: () => void } = {
      started,
      start(req) {
        started.push(req);
        return { runId: `r${started.length}`, done: new Promise<ToolRunEnd>((resolve) => (release = () => resolve(end))) };
      },
      spawned: () => [],
      finish: () => release(),
    };
    return runs;
  }

  test("the child is tied to the spawning run (parentRunId), and a stopping run spawns nothing", async () => {
    const store = createMemoryStore();
    const runs = oneRun({ status: "ok", reply: "x" });
    await call(bind(sessionsSpawnTool, { ports: { store, agentRuns: runs } }), { task: "t" });
    expect(runs.started[0]).toMatchObject({ parentSessionKey: "agent:main:telegram:dm:42", parentRunId: "run-1" });
    const stopping = new AbortController();
    stopping.abort("rpc");
    const tool = bind(sessionsSpawnTool, { ports: { store, agentRuns: runs } });
    const refused = await tool.run({ task: "late" }, { signal: stopping.signal, toolCallId: "c2" }).then(() => "no error", (e: Error) => e.message);
    expect(refused).not.toBe("no error");
    expect(runs.started.length).toBe(1);
  });

  for (const stopReason of ["parent", "shutdown"]) {
    test(`a sub-agent stopped with its parent or the gateway (${stopReason}) announces nothing, in a chat or as a turn`, async () => {
      const store = createMemoryStore();
      const channels = fakeChannels();
      const inChat = oneRun({ status: "aborted", reply: "half", stopReason });
      await call(bind(sessionsSpawnTool, { ports: { store, agentRuns: inChat, channels } }), { task: "t" });
      inChat.finish();
      const asTurn = oneRun({ status: "aborted", reply: "half", stopReason });
      await call(bind(sessionsSpawnTool, { ports: { store, agentRuns: asTurn, channels }, origin: { channel: "webchat" }, sessionKey: "agent:main:main" }), { task: "t" });
      asTurn.finish();
      await flush();
      expect(channels.sent).toEqual([]);
      expect(asTurn.started.length).toBe(1);
    });
  }

  test("a sub-agent stopped on its own (chat.abort on its session) is announced as stopped, never as a success", async () => {
    const store = createMemoryStore();
    const channels = fakeChannels();
    const runs = oneRun({ status: "aborted", reply: "partial", stopReason: "rpc", startedAt: 1000, endedAt: 2000 });
    const res = JSON.parse(await call(bind(sessionsSpawnTool, { ports: { store, agentRuns: runs, channels } }), { task: "t", label: "job" }));
    runs.finish();
    await waitFor(() => channels.sent.length > 0, "the announcement");
    expect(channels.sent[0]?.text).toBe(`Sub-agent "job" finished.\nStatus: stopped\nResult: partial\nNotes: the run was stopped\n(runtime 1s · session ${res.childSessionKey})`);
    expect(channels.sent[0]?.text).not.toContain("success");
  });
});

describe("session_status and agents_list", () => {
  test("session_status: model, the last model call's tokens, context window and use; other agents' sessions refused", async () => {
    const store = createMemoryStore();
    store.setSession("agent:main:main", { sessionId: "s1", updatedAt: Date.now(), modelProvider: "local", model: "m1", inputTokens: 1500, outputTokens: 500, totalTokens: 2000, contextTokens: 8000 });
    store.appendMessages("s1", [{ role: "assistant", content: [{ type: "text", text: "hi" }], provider: "local", model: "m1", usage: { input: 1500, output: 500, cacheRead: 0, cacheWrite: 0, totalTokens: 2000 }, stopReason: "stop", timestamp: 1 }]);
    const config: OpenClawConfig = { models: { providers: { local: { baseUrl: "http://127.0.0.1:9/v1", api: "openai-completions", models: [{ id: "m1", contextWindow: 8000 }] } } } };
    const tool = bind(sessionStatusTool, { ports: { store }, sessionKey: "agent:main:main", config });
    expect(JSON.parse(await call(tool, {}))).toMatchObject({ sessionKey: "agent:main:main", current: true, model: "local/m1", tokens: { input: 1500, output: 500, total: 2000 }, contextWindow: 8000, contextUsed: "25%", messages: 1 });
    expect(await failure(tool, { sessionKey: "agent:ops:main" })).toBe("session agent:ops:main belongs to another agent");
    const fresh = bind(sessionStatusTool, { ports: { store }, sessionKey: "agent:main:new", config: { agents: { defaults: { model: "local/m2" } } } });
    expect(JSON.parse(await call(fresh, {}))).toMatchObject({ model: "local/m2", tokens: { total: null }, contextUsed: null });
  });

  test("agents_list: configured agents, the default and the caller marked", async () => {
    const tool = bind(agentsListTool, { config: { agents: { list: [{ id: "main", default: true, name: "Claw" }, { id: "ops", model: "local/m9" }] } } });
    expect(JSON.parse(await call(tool, {}))).toEqual({
      requester: "main",
      agents: [
        { id: "main", name: "Claw", default: true, model: expect.any(String), self: true, spawnable: true },
        { id: "ops", default: false, model: "local/m9", self: false, spawnable: false },
      ],
    });
  });
});
