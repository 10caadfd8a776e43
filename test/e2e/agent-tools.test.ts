/**
 * The agent's hands through the compiled binary, with the fake OpenAI-compatible provider streaming real
 * `tool_calls` and the fake Telegram Bot API: `exec` on the gateway host asks, `openclaw approvals allow`
 * (the CLI) lets it run and the output reaches the model, `deny` tells the model; sandboxed `exec` (bwrap)
 * cannot read ~/.ssh, write outside the workspace or reach a local listener; a background process's
 * "Exec finished" event reaches the heartbeat turn; read/write/edit/apply_patch change the workspace and
 * refuse a symlink that leaves it; `/approve` in a Telegram group from the owner works, a stranger's does
 * nothing (no resolution, no model turn); a group's question answered from the CLI gets one follow-up there and a
 * late `/approve` is told how it ended. One gateway serves every test, in order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectWebchat } from "../helpers/agent-gateway.ts";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { FAKE_BOT, FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { waitFor } from "../helpers/wait.ts";
import type { TestSocket } from "../helpers/ws.ts";

const TOKEN = "agent-tools-e2e-token-0123456789abcdef012345";
const OWNER = { id: 6001, first_name: "Olivia" };
const STRANGER = { id: 6002, first_name: "Steve" };
const GROUP = { id: -1009001, type: "supergroup", title: "Ops" };
const bwrapWorks = spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "true"]).status === 0;

let provider: FakeProvider;
let telegram: FakeTelegram;
let home: string;
let workspace: string;
let gw: Awaited<ReturnType<typeof startBinaryGateway>>;
let web: TestSocket;

beforeAll(async () => {
  await ensureBinary();
  provider = startFakeProvider({ fallback: { text: "HEARTBEAT_OK" } });
  telegram = startFakeTelegram();
  home = realpathSync(tempHome());
  workspace = join(home, "workspace");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "id_rsa"), "FAKE PRIVATE KEY");
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  // The gateway host asks for anything off the (empty) allowlist and refuses when nobody answers.
  writeFileSync(join(home, ".openclaw", "exec-approvals.json"), JSON.stringify({ version: 1, defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" } }));
  const port = freePort();
  const config = {
    gateway: { mode: "local", port, auth: { token: TOKEN } },
    models: { providers: { local: { baseUrl: provider.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "local/m1", workspace } },
    tools: { profile: "coding" },
    messages: { queue: { mode: "followup", debounceMs: 20 } },
    channels: {
      telegram: {
        botToken: FAKE_TOKEN,
        apiRoot: telegram.url,
        pollTimeoutSeconds: 1,
        dmPolicy: "allowlist",
        allowFrom: [String(OWNER.id)],
        // Everyone in the group may talk to the agent; only the owner may answer approvals.
        groupPolicy: "allowlist",
        groups: { [String(GROUP.id)]: { requireMention: false } },
      },
    },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config, null, 2));
  gw = await startBinaryGateway(["gateway"], { home });
  await waitFor(() => gw.output().includes(`polling as @${FAKE_BOT.username}`), "telegram polling", 10_000);
  web = await connectWebchat(`ws://127.0.0.1:${port}`, TOKEN);
});

afterAll(() => {
  web?.close();
  gw?.proc.kill("SIGKILL");
  telegram?.stop();
  provider?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process (the fakes live here). */
const cli = (args: string[]) => runBinaryAsync(args, { home });

async function pending(): Promise<any[]> {
  const r = await cli(["approvals", "pending", "--json"]);
  if (r.code !== 0) throw new Error(`approvals pending failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Sends a WebChat message; resolves with the run's final chat event. */
async function chat(message: string): Promise<any> {
  const ack = await web.request("chat.send", { sessionKey: "main", message, idempotencyKey: crypto.randomUUID() });
  if (!ack.ok) throw new Error(`chat.send failed: ${JSON.stringify(ack.error)}`);
  const runId = ack.payload.runId;
  const final = await web.nextMatching((f) => f.type === "event" && f.event === "chat" && f.payload?.runId === runId && ["final", "error", "aborted"].includes(f.payload.state), 30_000);
  // The final event goes out just before the run lets go of its session; agent.wait answers after that.
  const waited = await web.request("agent.wait", { runId, timeoutMs: 10_000 });
  if (!waited.ok || waited.payload.status !== "ok") throw new Error(`agent.wait: ${JSON.stringify(waited)}`);
  return final.payload;
}

/** The tool result the model was sent for `callId` (the content of the `tool` message). */
function toolResult(callId: string): string {
  for (const r of provider.requests) {
    const m = (r.body.messages as any[]).find((x) => x.role === "tool" && x.tool_call_id === callId);
    if (m) return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  }
  throw new Error(`no tool result for ${callId} in ${provider.requests.length} requests`);
}

const groupMessages = () => telegram.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(GROUP.id)).map((c) => String(c.params.text));

describe("exec on the gateway host with approvals", () => {
  test("asks; `openclaw approvals allow` runs it and the output reaches the model; `deny` tells the model", async () => {
    provider.push({ toolCalls: [{ id: "call_allow", name: "exec", args: { command: "printf 'approved-%s\\n' 42", host: "gateway" } }] }, { text: "It printed approved-42." });
    const allowed = chat("print the magic number");
    const [asked] = await waitFor(async () => {
      const list = await pending();
      return list.length === 1 ? list : undefined;
    }, "the approval request");
    expect(asked.request).toMatchObject({ command: "printf 'approved-%s\\n' 42", host: "gateway", agentId: "main", cwd: workspace });
    const allow = await cli(["approvals", "allow", asked.id.slice(0, 8)]);
    expect(allow.stderr).toBe("");
    expect(allow.stdout).toBe(`Allowed once: printf 'approved-%s\\n' 42 (${asked.id})\n`);
    expect((await allowed).state).toBe("final");
    expect(toolResult("call_allow")).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\napproved-42/);

    provider.push({ toolCalls: [{ id: "call_deny", name: "exec", args: { command: "printf x > denied.txt", host: "gateway" } }] }, { text: "The operator said no." });
    const denied = chat("write the file");
    const [again] = await waitFor(async () => {
      const list = await pending();
      return list.length === 1 ? list : undefined;
    }, "the second approval request");
    expect((await cli(["approvals", "deny", again.id])).stdout).toBe(`Denied: printf x > denied.txt (${again.id})\n`);
    expect((await denied).state).toBe("final");
    expect(toolResult("call_deny")).toBe("Exec denied (gateway): the operator denied this command. The command was not run: printf x > denied.txt");
    expect(existsSync(join(workspace, "denied.txt"))).toBe(false);

    const unknown = await cli(["approvals", "allow", again.id]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`No waiting approval with id "${again.id}"`);
  });
});

describe("sandboxed exec (bwrap)", () => {
  test.skipIf(!bwrapWorks)("cannot read ~/.ssh, cannot write outside the workspace, has no network; writes inside the workspace", async () => {
    let connections = 0;
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => void (connections += 1), data() {} } });
    try {
      provider.push(
        {
          toolCalls: [
            { id: "call_ssh", name: "exec", args: { command: `cat "${home}/.ssh/id_rsa"; echo "rc=$?"` } },
            // The home folder exists inside only as a throwaway tmpfs; the rest of the file system is read-only.
            { id: "call_out", name: "exec", args: { command: `echo x > "${home}/outside.txt"; echo x > /usr/openclaw-e2e-outside.txt; echo "rc=$?"` } },
            { id: "call_net", name: "exec", args: { command: `bash -c 'echo hi > /dev/tcp/127.0.0.1/${listener.port}'; echo "rc=$?"` } },
            { id: "call_in", name: "exec", args: { command: "echo inside > in-sandbox.txt; cat in-sandbox.txt" } },
          ],
        },
        { text: "Checked." },
      );
      expect((await chat("probe the sandbox")).state).toBe("final");
      const ssh = toolResult("call_ssh");
      expect(ssh).toContain("(sandbox,");
      expect(ssh).not.toContain("FAKE PRIVATE KEY");
      expect(ssh).toMatch(/rc=[1-9]/);
      expect(toolResult("call_out")).toMatch(/rc=[1-9]/);
      expect(existsSync(join(home, "outside.txt"))).toBe(false);
      expect(toolResult("call_out")).toMatch(/Read-only file system/);
      expect(existsSync("/usr/openclaw-e2e-outside.txt")).toBe(false);
      expect(toolResult("call_net")).toMatch(/rc=[1-9]/);
      expect(connections).toBe(0);
      expect(toolResult("call_in")).toMatch(/^Exit: exit code 0 \(sandbox, \d+ ms\)\ninside/);
      expect(readFileSync(join(workspace, "in-sandbox.txt"), "utf8")).toBe("inside\n");
    } finally {
      listener.stop(true);
    }
  });
});

describe("background processes", () => {
  test("a background command returns a process id; when it finishes, 'Exec finished' reaches the heartbeat turn", async () => {
    provider.push({ toolCalls: [{ id: "call_bg", name: "exec", args: { command: "while [ ! -f go ]; do sleep 0.05; done; echo bg-finished-7", background: true } }] }, { text: "Started it." });
    expect((await chat("start the job")).state).toBe("final");
    expect(toolResult("call_bg")).toMatch(/^Command still running in the background \((sandbox|gateway), process id \S+, pid \d+\)/);
    const before = provider.requests.length;
    // Released only now that the run is over, so the heartbeat finds the session idle.
    writeFileSync(join(workspace, "go"), "");
    const heartbeat = await waitFor(
      () => provider.requests.slice(before).find((r) => JSON.stringify(r.body.messages).includes("Exec finished")),
      "a model request carrying the Exec finished event",
      15_000,
    );
    const text = JSON.stringify(heartbeat.body.messages);
    expect(text).toContain("exit 0");
    expect(text).toContain("bg-finished-7");
  });
});

describe("workspace file tools", () => {
  test("write, edit, apply_patch and read change the workspace as asked; a symlink that leaves it is refused", async () => {
    writeFileSync(join(home, "secret.txt"), "outside secret");
    symlinkSync(home, join(workspace, "escape"));
    const patch = ["*** Begin Patch", "*** Add File: notes/new.md", "+added by patch", "*** Update File: notes/todo.md", "@@", " one", "-three", "+four", "*** End Patch"].join("\n");
    provider.push(
      { toolCalls: [{ id: "call_write", name: "write", args: { path: "notes/todo.md", content: "one\ntwo\n" } }] },
      { toolCalls: [{ id: "call_edit", name: "edit", args: { path: "notes/todo.md", oldText: "two", newText: "three" } }] },
      { toolCalls: [{ id: "call_patch", name: "apply_patch", args: { patch } }] },
      {
        toolCalls: [
          { id: "call_read", name: "read", args: { path: "notes/todo.md" } },
          { id: "call_read_out", name: "read", args: { path: "escape/secret.txt" } },
          { id: "call_write_out", name: "write", args: { path: "escape/pwned.txt", content: "x" } },
        ],
      },
      { text: "Notes updated." },
    );
    expect((await chat("update my notes")).state).toBe("final");
    expect(readFileSync(join(workspace, "notes/todo.md"), "utf8")).toBe("one\nfour\n");
    expect(readFileSync(join(workspace, "notes/new.md"), "utf8")).toBe("added by patch\n");
    expect(toolResult("call_edit")).toBe("Edited notes/todo.md: replaced 1 occurrence at line 2");
    expect(toolResult("call_patch")).toBe("Applied patch:\nA notes/new.md\nM notes/todo.md");
    expect(toolResult("call_read")).toBe("1\tone\n2\tfour");
    expect(toolResult("call_read_out")).toContain("escape/secret.txt: resolves outside the workspace (through a symlink)");
    expect(toolResult("call_write_out")).toContain("escape/pwned.txt: resolves outside the workspace (through a symlink)");
    expect(existsSync(join(home, "pwned.txt"))).toBe(false);
  });
});

describe("/approve over Telegram", () => {
  test("the question reaches the group; a stranger's /approve does nothing; the owner's runs the command", async () => {
    provider.push({ toolCalls: [{ id: "call_tg", name: "exec", args: { command: "printf 'from-telegram-%s' 9", host: "gateway" } }] }, { text: "Done from Telegram." });
    telegram.pushText(OWNER, "check the box please", { chat: GROUP });
    const question = await waitFor(() => groupMessages().find((t) => t.includes("/approve ")), "the question in the group", 15_000);
    expect(question).toContain("from-telegram");
    const short = /\/approve ([0-9a-f]{8}) allow/.exec(question)?.[1] as string;
    expect(short).toMatch(/^[0-9a-f]{8}$/);
    const [waiting] = await pending();
    expect(waiting.id.startsWith(short)).toBe(true);

    const requestsBefore = provider.requests.length;
    const repliesBefore = groupMessages().length;
    telegram.pushText(STRANGER, `/approve ${short} allow`, { chat: GROUP });
    await waitFor(() => gw.output().includes("/approve from a sender not allowed to command the agent"), "the stranger's /approve dropped");
    expect((await pending()).map((a) => a.id)).toEqual([waiting.id]);
    expect(provider.requests.length).toBe(requestsBefore);
    expect(groupMessages().length).toBe(repliesBefore);
    // The drop line names no body: not the id the stranger typed.
    expect(gw.output()).not.toContain(`${short} allow`);

    telegram.pushText(OWNER, `/approve ${short} allow`, { chat: GROUP });
    await waitFor(() => groupMessages().some((t) => t.startsWith("Allowed once: printf")), "the owner's confirmation");
    await waitFor(() => groupMessages().includes("Done from Telegram."), "the run's reply in the group", 15_000);
    expect(toolResult("call_tg")).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\nfrom-telegram-9/);
    // The /approve itself was no model turn: the only new request is the run's continuation after the tool.
    expect(provider.requests.length).toBe(requestsBefore + 1);
    expect(await pending()).toEqual([]);
  });

  test("answered from the CLI instead: the group gets one follow-up without the command; a late /approve is told", async () => {
    provider.push({ toolCalls: [{ id: "call_tg_cli", name: "exec", args: { command: "printf 'tg-cli-%s' 4", host: "gateway" } }] }, { text: "Done via the CLI." });
    const before = groupMessages().length;
    telegram.pushText(OWNER, "check it again", { chat: GROUP });
    const question = await waitFor(() => groupMessages().slice(before).find((t) => t.includes("/approve ")), "the question in the group", 15_000);
    const short = /\/approve ([0-9a-f]{8}) allow/.exec(question)?.[1] as string;
    expect((await cli(["approvals", "allow", short])).stdout).toStartWith("Allowed once: printf");
    await waitFor(() => groupMessages().includes(`Approval ${short} was allowed once from the CLI.`), "the follow-up in the group");
    await waitFor(() => groupMessages().includes("Done via the CLI."), "the run's reply in the group", 15_000);
    expect(toolResult("call_tg_cli")).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\ntg-cli-4/);

    const requestsBefore = provider.requests.length;
    telegram.pushText(OWNER, `/approve ${short} deny`, { chat: GROUP });
    await waitFor(() => groupMessages().includes(`Approval ${short} is no longer waiting: it was allowed once from the CLI.`), "the late /approve answer");
    expect(provider.requests.length).toBe(requestsBefore);
    expect(groupMessages().slice(before).filter((t) => t.startsWith(`Approval ${short} was`))).toHaveLength(1);
    // Neither the message nor the command reaches the gateway's log.
    expect(gw.output()).not.toContain("check it again");
    expect(gw.output()).not.toContain("tg-cli");
  });
});
