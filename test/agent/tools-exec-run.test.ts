/**
 * `exec` and `process` through the agent runtime, with the fake OpenAI-compatible provider streaming real
 * `tool_calls`: a sandboxed command writes in the workspace but cannot read a fake ~/.ssh; a background
 * command is polled after it finished and onFinished fires; aborting the run kills a running command; a
 * gateway-host command asks the approvals port (allow runs it, deny tells the model); bad arguments come
 * back naming the field; without the exec port the tools are not offered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecApprovalQuestion, FinishedProcess } from "../../src/agent/exec/index.ts";
import { ProcessRegistry } from "../../src/agent/exec/index.ts";
import { AgentRuntime, type RunRequest } from "../../src/agent/index.ts";
import type { ToolApprovals, ToolExec, ToolNodes } from "../../src/agent/tools/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { Logger } from "../../src/logging/logger.ts";
import type { ExecApprovalsFile } from "../../src/store/exec-approvals.ts";
import { createMemoryStore } from "../../src/store/index.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";

const NO_SANDBOX = () => ({ available: false, reason: "simulated: no bwrap" });
const plain = spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "true"], { encoding: "utf8" });
const bwrapBroken = !plain.error && plain.status !== 0;

let fake: FakeProvider;
let base: string;
let ws: string;
let fakeHome: string;
const savedHome = process.env.HOME;
const registries: ProcessRegistry[] = [];
beforeAll(() => {
  fake = startFakeProvider();
  base = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-exec-run-")));
  ws = join(base, "ws");
  fakeHome = join(base, "home");
  mkdirSync(ws);
  mkdirSync(join(fakeHome, ".ssh"), { recursive: true });
  writeFileSync(join(fakeHome, ".ssh", "id_rsa"), "FAKE PRIVATE KEY");
  process.env.HOME = fakeHome;
});
afterEach(() => {
  for (const r of registries.splice(0)) r.killAll();
});
afterAll(() => {
  process.env.HOME = savedHome;
  fake.stop();
  rmSync(base, { recursive: true, force: true });
});

interface SetupOptions {
  tools?: Record<string, unknown>;
  sandbox?: boolean;
  approvalsFile?: ExecApprovalsFile;
  request?: ToolApprovals["request"];
  noExecPort?: boolean;
  nodes?: ToolNodes;
}

function setup(opts: SetupOptions = {}) {
  const cfg = {
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "m1", contextWindow: 32000 }] } } },
    agents: { defaults: { workspace: ws, model: { primary: "local/m1" } } },
    tools: opts.tools ?? { profile: "coding" },
  } as OpenClawConfig;
  const finished: FinishedProcess[] = [];
  const processes = new ProcessRegistry({ onFinished: (info) => finished.push(info) });
  registries.push(processes);
  const exec: ToolExec = { processes, shell: "/bin/sh", ...(opts.sandbox ? {} : { sandboxStatus: NO_SANDBOX }) };
  const file = opts.approvalsFile ?? { version: 1 };
  const added: string[] = [];
  const approvals: ToolApprovals = {
    file: { read: () => file, addAllowlistEntry: (_agent, e) => void added.push(e.pattern) },
    ...(opts.request && { request: opts.request }),
  };
  const events: { event: string; payload: any }[] = [];
  const runtime = new AgentRuntime({
    store: createMemoryStore(),
    config: () => cfg,
    emit: (event, payload) => events.push({ event, payload }),
    logger: new Logger("test", { write: () => {} }),
    env: {},
    chatThrottleMs: 0,
    ...(!opts.noExecPort && { toolPorts: { exec, approvals } }),
    ...(opts.nodes && { nodes: opts.nodes }),
  });
  return { runtime, events, finished, processes, added };
}

let n = 0;
function submit(runtime: AgentRuntime, sessionKey: string) {
  const req: RunRequest = { runId: `exec-${++n}`, kind: "agent", sessionKey, agentId: "main", message: "please", timeoutMs: 30_000, channel: "test" };
  const r = runtime.submit(req);
  if (r.status !== "accepted") throw new Error(r.status);
  return r.done;
}

/** The tool messages the model was sent back, by call id. */
function toolMessages(): Record<string, string> {
  const last = fake.requests.at(-1)?.body.messages ?? [];
  return Object.fromEntries(last.filter((m: any) => m.role === "tool").map((m: any) => [m.tool_call_id, m.content]));
}

describe.skipIf(bwrapBroken)("exec in the sandbox", () => {
  test("writes a file in the workspace, cannot read ~/.ssh; output and exit code reach the model", async () => {
    const { runtime, events } = setup({ sandbox: true });
    fake.push(
      { toolCalls: [{ id: "e1", name: "exec", args: { command: "echo hello > made.txt && cat made.txt" } }] },
      { toolCalls: [{ id: "e2", name: "exec", args: { command: `cat ~/.ssh/id_rsa; cat ${fakeHome}/.ssh/id_rsa` } }] },
      { toolCalls: [{ id: "e3", name: "exec", args: { command: "pwd", workdir: "sub" } }] },
      { text: "Done." },
    );
    mkdirSync(join(ws, "sub"), { recursive: true });
    const final = await submit(runtime, "agent:main:sandbox");
    expect(final.ok).toBe(true);
    expect(readFileSync(join(ws, "made.txt"), "utf8")).toBe("hello\n");
    const back = toolMessages();
    expect(back.e1).toMatch(/^Exit: exit code 0 \(sandbox, \d+ ms\)\nhello\n$/);
    expect(back.e2).toMatch(/^Exit: exit code 1 \(sandbox/);
    expect(back.e2).toContain("No such file or directory");
    expect(back.e2).not.toContain("FAKE PRIVATE KEY");
    expect(back.e3).toContain(`${join(ws, "sub")}\n`);
    const tool = events.filter((e) => e.event === "agent" && e.payload.stream === "tool").map((e) => e.payload.data);
    expect(tool.filter((d) => d.phase === "result").map((d) => d.name)).toEqual(["exec", "exec", "exec"]);
    expect(tool.find((d) => d.phase === "result")?.preview).toContain("hello");
  });
});

describe("exec and process in a run", () => {
  test("a background command: process poll after it finished; onFinished is called once", async () => {
    const { runtime, finished } = setup({ approvalsFile: { version: 1, defaults: { security: "full" } } });
    fake.push({ toolCalls: [{ id: "b1", name: "exec", args: { command: "cat", background: true } }] }, { text: "Started." });
    expect((await submit(runtime, "agent:main:bg")).ok).toBe(true);
    const started = toolMessages().b1!;
    const id = /process id (\S+),/.exec(started)?.[1];
    expect(started).toContain("Command still running in the background (gateway, process id");
    expect(id).toBeDefined();
    fake.push(
      { toolCalls: [{ id: "w1", name: "process", args: { action: "write", id: id!, data: "line one\n", eof: true } }] },
      { text: "Sent." },
    );
    expect((await submit(runtime, "agent:main:bg")).ok).toBe(true);
    expect(toolMessages().w1).toBe(JSON.stringify({ id, written: 9, eof: true }));
    await waitFor(() => finished.length === 1, "onFinished");
    expect(finished[0]).toMatchObject({ id, agentId: "main", sessionKey: "agent:main:bg", status: "exited", exitCode: 0, tail: "line one" });
    fake.push({ toolCalls: [{ id: "p1", name: "process", args: { action: "poll", id: id! } }, { id: "l1", name: "process", args: { action: "list" } }] }, { text: "It finished." });
    expect((await submit(runtime, "agent:main:bg")).ok).toBe(true);
    const back = toolMessages();
    expect(back.p1).toContain('"status":"exited"');
    expect(back.p1).toContain('"exitCode":0');
    expect(back.p1).toEndWith("\nline one\n");
    expect(back.l1).toContain(`"id":"${id}"`);
    expect(finished).toHaveLength(1);
  });

  test("aborting the run kills the running command", async () => {
    const { runtime, processes } = setup({ approvalsFile: { version: 1, defaults: { security: "full" } } });
    const pidFile = join(ws, "abort.pid");
    rmSync(pidFile, { force: true });
    fake.push({ toolCalls: [{ id: "a1", name: "exec", args: { command: `echo $$ > ${pidFile}; exec sleep 60`, yieldMs: 120_000 } }] });
    const done = submit(runtime, "agent:main:abort");
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", "the command's pid file");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    expect(runtime.abort("agent:main:abort")).toHaveLength(1);
    await done;
    await waitFor(() => !alive(pid), "the command to be killed");
    await waitFor(() => processes.forAgent("main").list().every((p) => p.status !== "running"), "no running process left");
  });

  test("gateway host asks the approvals port: allow runs the command, deny tells the model", async () => {
    const questions: ExecApprovalQuestion[] = [];
    let answer: "allow-once" | "allow-always" | "deny" = "allow-once";
    const { runtime, added } = setup({
      approvalsFile: { version: 1, defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" } },
      request: async (q) => {
        questions.push(q);
        return answer;
      },
    });
    fake.push({ toolCalls: [{ id: "g1", name: "exec", args: { command: "echo approved-run > approved.txt; echo ok", host: "gateway" } }] }, { text: "Ran it." });
    expect((await submit(runtime, "agent:main:approve")).ok).toBe(true);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ command: "echo approved-run > approved.txt; echo ok", cwd: ws, agentId: "main", sessionKey: "agent:main:approve", host: "gateway" });
    expect(toolMessages().g1).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\nok\n$/);
    expect(readFileSync(join(ws, "approved.txt"), "utf8")).toBe("approved-run\n");

    answer = "deny";
    fake.push({ toolCalls: [{ id: "g2", name: "exec", args: { command: "echo nope > denied.txt", host: "gateway" } }] }, { text: "Denied." });
    expect((await submit(runtime, "agent:main:approve")).ok).toBe(true);
    expect(questions).toHaveLength(2);
    expect(toolMessages().g2).toBe("Exec denied (gateway): the operator denied this command. The command was not run: echo nope > denied.txt");
    expect(existsSync(join(ws, "denied.txt"))).toBe(false);

    answer = "allow-always";
    fake.push({ toolCalls: [{ id: "g3", name: "exec", args: { command: "printf always", host: "gateway" } }] }, { text: "Ran it." });
    expect((await submit(runtime, "agent:main:approve")).ok).toBe(true);
    expect(toolMessages().g3).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\nalways$/);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/\/printf$/);
    expect(added).not.toContain("echo");
  });

  test("without an approvals channel the fallback decides (deny by default); nothing runs", async () => {
    const { runtime } = setup({ approvalsFile: { version: 1 } });
    fake.push({ toolCalls: [{ id: "f1", name: "exec", args: { command: "touch fallback.txt" } }] }, { text: "No." });
    expect((await submit(runtime, "agent:main:fallback")).ok).toBe(true);
    expect(toolMessages().f1).toContain("Exec denied (gateway): no approval channel available (askFallback: deny)");
    expect(existsSync(join(ws, "fallback.txt"))).toBe(false);
  });

  test('host "node" goes through the nodes port as system.run; tools.exec.node picks the default node', async () => {
    const calls: { nodeId: string; command: string; params?: any }[] = [];
    const nodes: ToolNodes = {
      list: () => [{ nodeId: "mac-1", commands: ["system.run"] }],
      invoke: async (input) => {
        calls.push(input);
        return { payload: { exitCode: 3, stdout: "node-out\n", stderr: "warn" } };
      },
    };
    const { runtime } = setup({ tools: { profile: "coding", exec: { node: "mac-1" } }, nodes });
    fake.push({ toolCalls: [{ id: "n1", name: "exec", args: { command: "uname -a", host: "node", workdir: "/Users/ada" } }] }, { text: "Ran remotely." });
    expect((await submit(runtime, "agent:main:node")).ok).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ nodeId: "mac-1", command: "system.run", params: { command: ["/bin/sh", "-lc", "uname -a"], rawCommand: "uname -a", cwd: "/Users/ada", agentId: "main", sessionKey: "agent:main:node" } });
    expect(toolMessages().n1).toMatch(/^Exit: exit code 3 \(node, \d+ ms\)\nnode-out\nwarn$/);
  });

  test("bad arguments come back as tool errors naming the field; a workdir leaving the workspace is refused", async () => {
    const { runtime } = setup({ approvalsFile: { version: 1, defaults: { security: "full" } } });
    fake.push(
      {
        toolCalls: [
          { id: "x1", name: "exec", args: { cmd: "ls" } },
          { id: "x2", name: "exec", args: { command: "ls", timeout: "soon" } },
          { id: "x3", name: "exec", args: { command: "ls", host: "docker" } },
          { id: "x4", name: "process", args: { action: "explode" } },
          { id: "x5", name: "process", args: { action: "poll" } },
          { id: "x6", name: "exec", args: { command: "ls", workdir: "../" } },
          { id: "x7", name: "exec", args: { command: "ls", env: { LD_PRELOAD: "/tmp/x.so" } } },
        ],
      },
      { text: "Oops." },
    );
    expect((await submit(runtime, "agent:main:bad")).ok).toBe(true);
    const back = toolMessages();
    expect(back.x1).toContain('invalid arguments for exec: missing required field "command"; unknown field "cmd"');
    expect(back.x2).toContain('"timeout" must be a number');
    expect(back.x3).toContain('unknown host "docker" (use sandbox, gateway, node)');
    expect(back.x4).toContain('unknown action "explode" (use list, poll, log, write, kill, clear)');
    expect(back.x5).toContain('id: required for action "poll"');
    expect(back.x6).toContain("workdir: ../: leaves the workspace");
    expect(back.x7).toContain("env.LD_PRELOAD: dynamic loader variables");
  });

  test("without the exec port, or without a profile holding group:runtime, the model is not offered exec", async () => {
    for (const opts of [{ noExecPort: true }, { tools: {} }, { tools: { profile: "messaging" } }] as SetupOptions[]) {
      const { runtime } = setup(opts);
      fake.push({ text: "ok" });
      await submit(runtime, "agent:main:offer");
      const offered = (fake.requests.at(-1)?.body.tools ?? []).map((t: any) => t.function.name);
      expect({ opts, offered: offered.filter((t: string) => t === "exec" || t === "process") }).toEqual({ opts, offered: [] });
    }
    const { runtime } = setup({ tools: { profile: "full" } });
    fake.push({ text: "ok" });
    await submit(runtime, "agent:main:offer");
    expect(fake.requests.at(-1)?.body.tools.map((t: any) => t.function.name)).toEqual(expect.arrayContaining(["exec", "process"]));
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
