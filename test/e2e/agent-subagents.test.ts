/**
 * Sub-agents through the compiled binary, with the fake OpenAI-compatible provider streaming real
 * `tool_calls`: a sub-agent is not offered the tools the sub-agent policy takes away (built-in list and
 * `tools.subagents.tools.deny`), a call its model makes to one anyway is refused and nothing happens, and
 * `openclaw tools list --session <sub-agent key>` names the deciding entry; stopping the parent run
 * (`chat.abort`, a WebChat `/stop`, or the owner's `/stop` in the Telegram chat the run came from, through
 * the fake Bot API) aborts the running sub-agent, which then announces nothing. A stranger's `/stop` in the
 * same (shared) session stops nothing and reaches no model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectWebchat } from "../helpers/agent-gateway.ts";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, type FakeReply, type FakeRequest, startFakeProvider } from "../helpers/fake-provider.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { drain } from "../helpers/protocol.ts";
import { waitFor } from "../helpers/wait.ts";
import type { TestSocket } from "../helpers/ws.ts";

const TOKEN = "agent-subagents-e2e-token-0123456789abcdef0";
let provider: FakeProvider;
let home: string;
let workspace: string;
let gw: Awaited<ReturnType<typeof startBinaryGateway>>;
let web: TestSocket;
let telegram: FakeTelegram;
/** Allowlisted by id: may command the agent. The stranger gets in through "*" only (open DMs). */
const OWNER = { id: 5101, first_name: "Olga" };
const STRANGER = { id: 5102, first_name: "Sam" };

/** Text of an OpenAI chat message (string or content parts). */
function textOf(m: { content?: unknown } | undefined): string {
  if (!m) return "";
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return m.content.map((p: { text?: string }) => p.text ?? "").join("");
  return "";
}

const firstUser = (req: FakeRequest) => textOf((req.body.messages as { role: string; content?: unknown }[]).find((m) => m.role === "user"));
const toolNames = (req: FakeRequest) => ((req.body.tools ?? []) as { function?: { name?: string } }[]).map((t) => t.function?.name).filter(Boolean) as string[];

/**
 * The scripted model. Parent turns (WebChat): "delegate the chores" spawns CHORES, "start the long job"
 * spawns LONG and then hangs. Sub-agent turns: CHORES asks for `exec` (denied by tools.subagents.tools),
 * `message` and `cron` (built-in denials), then answers; LONG hangs until stopped.
 */
function route(req: FakeRequest): FakeReply | undefined {
  const msgs = req.body.messages as { role: string; content?: unknown }[];
  const last = msgs.at(-1);
  const user = firstUser(req);
  if (user.startsWith("CHORES:")) {
    if (last?.role !== "tool") {
      return {
        toolCalls: [
          { id: "call_sub_exec", name: "exec", args: { command: `touch ${join(workspace, "pwned-by-exec")}` } },
          { id: "call_sub_message", name: "message", args: { action: "send", message: "hi from the sub-agent" } },
          { id: "call_sub_cron", name: "cron", args: { action: "add", job: { schedule: { kind: "every", everyMs: 60_000 }, payload: { kind: "agentTurn", message: "x" } } } },
        ],
      };
    }
    return { text: "Chores report: nothing could be done." };
  }
  if (user.startsWith("LONG:")) return { hang: true, first: "working on it" };
  const lastUser = textOf([...msgs].reverse().find((m) => m.role === "user"));
  if (/^delegate the chores/.test(lastUser)) {
    if (last?.role === "tool") return { text: "Started the chores." };
    return { toolCalls: [{ id: "call_spawn_chores", name: "sessions_spawn", args: { task: "CHORES: tidy up", label: "chores" } }] };
  }
  const long = /^start the long job (\d+)/.exec(lastUser);
  if (long) {
    if (last?.role === "tool") return { hang: true, first: "waiting for the job" };
    // One call id per job: the session's history keeps the earlier jobs' calls.
    return { toolCalls: [{ id: `call_spawn_long_${long[1]}`, name: "sessions_spawn", args: { task: "LONG: count to a billion", label: "long" } }] };
  }
  return undefined;
}

beforeAll(async () => {
  await ensureBinary();
  provider = startFakeProvider({ fallback: { text: "ok" } });
  provider.route = route;
  telegram = startFakeTelegram();
  home = realpathSync(tempHome());
  workspace = join(home, "workspace");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const port = freePort();
  const config = {
    gateway: { mode: "local", port, auth: { token: TOKEN } },
    models: { providers: { local: { baseUrl: provider.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "local/m1", workspace } },
    // The parent may do everything; sub-agents additionally lose exec.
    tools: { profile: "full", subagents: { tools: { deny: ["exec"] } } },
    // DMs share the main session (dmScope main), WebChat's too.
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*", String(OWNER.id)] } },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config, null, 2));
  gw = await startBinaryGateway(["gateway"], { home });
  web = await connectWebchat(`ws://127.0.0.1:${port}`, TOKEN);
});

afterAll(() => {
  web?.close();
  gw?.proc.kill("SIGKILL");
  provider?.stop();
  telegram?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Sends a WebChat message on the main session; resolves with its run id. */
async function send(message: string): Promise<string> {
  const ack = await web.request("chat.send", { sessionKey: "main", message, idempotencyKey: crypto.randomUUID() });
  if (!ack.ok) throw new Error(`chat.send failed: ${JSON.stringify(ack.error)}`);
  return ack.payload.runId as string;
}

/** The run's last chat event (final, error or aborted). */
const ended = (runId: string) => web.nextMatching((f) => f.type === "event" && f.event === "chat" && f.payload?.runId === runId && ["final", "error", "aborted"].includes(f.payload.state), 30_000);

/** The tool result the model was sent for `callId`. */
function toolResult(callId: string): string | undefined {
  for (const r of provider.requests) {
    const m = (r.body.messages as { role: string; tool_call_id?: string; content?: unknown }[]).find((x) => x.role === "tool" && x.tool_call_id === callId);
    if (m) return textOf(m);
  }
  return undefined;
}

describe("sub-agents (compiled binary, fake model)", () => {
  test("a sub-agent is not offered the denied tools; its model's calls to them are refused and change nothing", async () => {
    const parentRun = await send("delegate the chores please");
    expect((await ended(parentRun)).payload.state).toBe("final");
    const spawned = JSON.parse(toolResult("call_spawn_chores") ?? "{}");
    expect(spawned.status).toBe("accepted");
    expect(spawned.childSessionKey).toMatch(/^agent:main:subagent:[0-9a-f-]{36}$/);
    // The sub-agent ends; its result comes back to the main session as a turn.
    await waitFor(() => provider.requests.some((r) => /Status: success/.test(textOf((r.body.messages as { role: string; content?: unknown }[]).at(-1)))), "the announcement turn", 30_000);

    const childFirst = provider.requests.find((r) => firstUser(r).startsWith("CHORES:"));
    const parentFirst = provider.requests.find((r) => /^delegate the chores/.test(firstUser(r)));
    expect(childFirst && parentFirst).toBeTruthy();
    // The parent was offered all of them; the sub-agent none of them, and still its work tools.
    for (const name of ["exec", "message", "cron", "sessions_send", "session_status", "agents_list", "sessions_spawn"]) {
      expect(toolNames(parentFirst as FakeRequest)).toContain(name);
      expect(toolNames(childFirst as FakeRequest)).not.toContain(name);
    }
    expect(toolNames(childFirst as FakeRequest)).toContain("read");
    // Each call to a tool it was not offered came back as a refusal, and nothing ran.
    for (const name of ["exec", "message", "cron"]) expect(toolResult(`call_sub_${name}`)).toContain(`unavailable tool '${name}'`);
    expect(existsSync(join(workspace, "pwned-by-exec"))).toBe(false);
    const cron = await runBinaryAsync(["cron", "list", "--json"], { home });
    expect(cron.code).toBe(0);
    expect(JSON.parse(cron.stdout).jobs ?? JSON.parse(cron.stdout)).toEqual([]);

    // `openclaw tools list --session <sub-agent key>` says why, entry by entry.
    const listed = await runBinaryAsync(["tools", "list", "--session", spawned.childSessionKey, "--json"], { home });
    expect(listed.code).toBe(0);
    const tools = Object.fromEntries((JSON.parse(listed.stdout).tools as { name: string; included: boolean; reason: string }[]).map((t) => [t.name, t]));
    expect(tools.exec).toMatchObject({ included: false, reason: 'denied by tools.subagents.tools.deny ("exec")' });
    expect(tools.message).toMatchObject({ included: false, reason: 'never offered to sub-agents (built-in sub-agent deny list, "message")' });
    expect(tools.sessions_spawn).toMatchObject({ included: false, reason: expect.stringContaining("maxSpawnDepth") });
    expect(tools.read?.included).toBe(true);
    const main = await runBinaryAsync(["tools", "list", "--json"], { home });
    expect((JSON.parse(main.stdout).tools as { name: string; included: boolean }[]).find((t) => t.name === "exec")?.included).toBe(true);
  });

  for (const [job, how] of (["chat.abort", "/stop", "telegram /stop"] as const).entries()) {
    test(`${how} on the parent aborts its running sub-agent, which announces nothing`, async () => {
      provider.requests.length = 0;
      await drain(web);
      const ownerCalls = () => telegram.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(OWNER.id));
      const strangerCalls = () => telegram.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(STRANGER.id));
      const ownerBefore = ownerCalls().length;
      const strangerBefore = strangerCalls().length;
      if (how === "telegram /stop") telegram.pushText(OWNER, `start the long job ${job}`);
      const sentRun = how === "telegram /stop" ? undefined : await send(`start the long job ${job}`);
      // Both are running: the parent waits on its model, the sub-agent on its own.
      await waitFor(() => provider.requests.some((r) => firstUser(r).startsWith("LONG:")), "the sub-agent's model call", 30_000);
      await waitFor(() => toolResult(`call_spawn_long_${job}`), "the spawn result", 30_000);
      const spawned = JSON.parse(toolResult(`call_spawn_long_${job}`) ?? "{}");
      const childRun = spawned.runId as string;
      expect(childRun).toMatch(/^subagent:/);
      // The Telegram turn's run id: the first chat event of a run that is not the sub-agent's.
      const parentRun = sentRun ?? ((await web.nextMatching((f) => f.type === "event" && f.event === "chat" && typeof f.payload?.runId === "string" && !f.payload.runId.startsWith("subagent:"), 30_000)).payload.runId as string);

      if (how === "telegram /stop") {
        // A stranger's /stop in the same session stops nothing, gets no answer and starts no turn.
        telegram.pushText(STRANGER, "/stop");
        await waitFor(() => telegram.pendingUpdates() === 0, "the stranger's /stop received", 10_000);
        telegram.pushText(OWNER, "/stop");
        const answer = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === String(OWNER.id), { since: telegram.calls.length, timeoutMs: 30_000 });
        expect(String(answer.params.text)).toBe("⏹️ Stopped the running turn and 1 sub-agent.");
      } else {
        const abort = how === "chat.abort" ? await web.request("chat.abort", { sessionKey: "main" }) : await web.request("chat.send", { sessionKey: "main", message: " /STOP ", idempotencyKey: crypto.randomUUID() });
        expect(abort.ok).toBe(true);
        expect(abort.payload).toMatchObject({ aborted: true, runIds: [parentRun] });
      }
      // One reader at a time: the socket helper hands each frame to a single waiting reader.
      expect((await ended(parentRun)).payload).toMatchObject({ state: "aborted", stopReason: how === "chat.abort" ? "rpc" : "stop" });
      expect((await ended(childRun)).payload).toMatchObject({ state: "aborted", stopReason: "parent", sessionKey: spawned.childSessionKey });

      // Nothing was announced: a later turn on the main session is the next thing the model sees there.
      const before = provider.requests.length;
      const next = await send("anything new?");
      expect((await ended(next)).payload.state).toBe("final");
      const after = provider.requests.slice(before).map((r) => textOf((r.body.messages as { role: string; content?: unknown }[]).at(-1)));
      expect(after.some((t) => /Sub-agent/.test(t))).toBe(false);
      expect(provider.requests.some((r) => /Sub-agent "long"/.test(JSON.stringify(r.body.messages)))).toBe(false);
      // "/stop" itself never reached the model.
      expect(provider.requests.some((r) => /\/stop/i.test(JSON.stringify(r.body.messages)))).toBe(false);
      // The chat got the stop's answer only (the aborted turn sends nothing); the stranger got nothing.
      expect(ownerCalls().length - ownerBefore).toBe(how === "telegram /stop" ? 1 : 0);
      expect(strangerCalls().length - strangerBefore).toBe(0);
    });
  }
});
