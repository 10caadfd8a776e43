import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFileApprovalsPort,
  type ExecApprovalQuestion,
  type ExecContext,
  type FinishedProcess,
  ProcessManager,
  resolveExecutable,
  runCommand,
} from "../../../src/agent/exec/index.ts";
import { waitFor } from "../../helpers/wait.ts";

const NO_SANDBOX = () => ({ available: false, reason: "simulated: no bwrap" });
const dirs: string[] = [];
const managers: ProcessManager[] = [];

afterEach(() => {
  for (const m of managers.splice(0)) m.killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(over: Partial<ExecContext> = {}, file?: object): { ctx: ExecContext; stateDir: string; finished: FinishedProcess[] } {
  const root = mkdtempSync(join(tmpdir(), "exec-test-"));
  dirs.push(root);
  const workspace = join(root, "ws");
  const stateDir = join(root, "state");
  mkdirSync(workspace);
  mkdirSync(stateDir);
  if (file) writeFileSync(join(stateDir, "exec-approvals.json"), JSON.stringify(file));
  const finished: FinishedProcess[] = [];
  const processes = new ProcessManager({ agentId: "main", onFinished: (f) => finished.push(f) });
  managers.push(processes);
  const ctx: ExecContext = { agentId: "main", sessionKey: "agent:main:main", workspace, processes, approvals: createFileApprovalsPort(stateDir), sandboxStatus: NO_SANDBOX, shell: "/bin/sh", ...over };
  return { ctx, stateDir, finished };
}

const FULL = { version: 1, defaults: { security: "full", ask: "off" } };

/** State letter from /proc, or undefined when the process is gone. A zombie ("Z") is dead too. */
function procState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "")[0];
  } catch {
    return undefined;
  }
}

describe("gateway host: policy from the exec approvals file", () => {
  test("a fresh install (no file, no sandbox) asks, and with nobody to ask refuses", async () => {
    const { ctx } = setup({ approvals: undefined });
    const r = await runCommand({ command: "echo hi" }, ctx);
    expect(r.status).toBe("denied");
    expect(r.host).toBe("gateway");
  });

  test("security deny refuses without asking", async () => {
    let asked = 0;
    const { ctx } = setup({ requestApproval: async () => (asked++, "allow-once") }, { version: 1, defaults: { security: "deny" } });
    const r = await runCommand({ command: "echo hi" }, ctx);
    expect(r).toMatchObject({ status: "denied", reason: expect.stringContaining("security: deny") });
    expect(asked).toBe(0);
  });

  test("an allowlist hit runs without asking; every simple command must match", async () => {
    const ls = resolveExecutable("ls", "/")!;
    const questions: ExecApprovalQuestion[] = [];
    const { ctx } = setup({ requestApproval: async (q) => (questions.push(q), "deny") }, { version: 1, agents: { main: { security: "allowlist", ask: "on-miss", allowlist: [{ pattern: ls }] } } });
    const hit = await runCommand({ command: "ls -a" }, ctx);
    expect(hit).toMatchObject({ status: "completed", exitCode: 0 });
    expect(questions).toHaveLength(0);
    // A safe bin after a pipe is fine; an unlisted program after && is a miss.
    expect(await runCommand({ command: "ls | wc -l" }, ctx)).toMatchObject({ status: "completed", exitCode: 0 });
    expect(await runCommand({ command: "ls && id" }, ctx)).toMatchObject({ status: "denied" });
    expect(questions.at(-1)).toMatchObject({ command: "ls && id", agentId: "main", resolvedPath: resolveExecutable("id", "/"), host: "gateway" });
    // Command substitution cannot be judged: a miss even though ls is allowlisted.
    expect(await runCommand({ command: "ls $(id -u)" }, ctx)).toMatchObject({ status: "denied" });
    expect(questions.at(-1)!.reason).toContain("command substitution");
  });

  test("miss → allow-once runs and leaves the allowlist alone", async () => {
    const { ctx, stateDir } = setup({ requestApproval: async () => "allow-once" });
    const r = await runCommand({ command: "echo once" }, ctx);
    expect(r).toMatchObject({ status: "completed", exitCode: 0, output: "once\n" });
    expect(existsSync(join(stateDir, "exec-approvals.json"))).toBe(false);
  });

  test("miss → allow-always runs and adds the resolved path to the agent's allowlist; the next run does not ask", async () => {
    let asked = 0;
    const { ctx, stateDir } = setup({ requestApproval: async () => (asked++, "allow-always") });
    expect(await runCommand({ command: "id -u" }, ctx)).toMatchObject({ status: "completed", exitCode: 0 });
    const file = JSON.parse(readFileSync(join(stateDir, "exec-approvals.json"), "utf8"));
    const idPath = resolveExecutable("id", "/")!;
    expect(file.agents.main.allowlist).toEqual([expect.objectContaining({ pattern: idPath, lastResolvedPath: idPath, id: expect.any(String) })]);
    expect(await runCommand({ command: "id -g" }, ctx)).toMatchObject({ status: "completed", exitCode: 0 });
    expect(asked).toBe(1);
  });

  test("allow-always on a line the parser cannot judge runs once and allowlists nothing", async () => {
    let asked = 0;
    const { ctx, stateDir } = setup({ requestApproval: async () => (asked++, "allow-always") });
    expect(await runCommand({ command: "echo $(id -u)" }, ctx)).toMatchObject({ status: "completed", exitCode: 0 });
    expect(existsSync(join(stateDir, "exec-approvals.json"))).toBe(false);
    await runCommand({ command: "echo $(id -u)" }, ctx);
    expect(asked).toBe(2);
  });

  test("miss → deny refuses; nothing runs", async () => {
    const { ctx } = setup({ requestApproval: async () => "deny" });
    const marker = join(ctx.workspace, "ran");
    const r = await runCommand({ command: `touch ${marker}` }, ctx);
    expect(r).toMatchObject({ status: "denied", reason: expect.stringContaining("denied") });
    expect(existsSync(marker)).toBe(false);
  });

  test("no answer in time → askFallback decides (deny by default, full runs)", async () => {
    const never = () => new Promise<never>(() => {});
    const a = setup({ requestApproval: never, approvalTimeoutMs: 50 });
    expect(await runCommand({ command: "echo x" }, a.ctx)).toMatchObject({ status: "denied", reason: expect.stringContaining("askFallback: deny") });
    const b = setup({ requestApproval: never, approvalTimeoutMs: 50 }, { version: 1, defaults: { askFallback: "full" } });
    expect(await runCommand({ command: "echo x" }, b.ctx)).toMatchObject({ status: "completed", output: "x\n" });
  });

  test("env PATH and loader variables are refused on the host with the field named", async () => {
    const { ctx } = setup({}, FULL);
    await expect(runCommand({ command: "echo hi", env: { PATH: "/tmp" } }, ctx)).rejects.toThrow(/env\.PATH: setting PATH is not allowed/);
    await expect(runCommand({ command: "echo hi", env: { LD_PRELOAD: "/tmp/x.so" } }, ctx)).rejects.toThrow(/env\.LD_PRELOAD: dynamic loader/);
    await expect(runCommand({ command: "echo hi", env: { DYLD_INSERT_LIBRARIES: "x" } }, ctx)).rejects.toThrow(/env\.DYLD_INSERT_LIBRARIES/);
    expect(await runCommand({ command: 'echo "$GREETING"', env: { GREETING: "hello" } }, ctx)).toMatchObject({ output: "hello\n" });
  });

  test("bad input names the field", async () => {
    const { ctx } = setup({}, FULL);
    await expect(runCommand({ command: "  " }, ctx)).rejects.toThrow(/^command: expected a non-empty string/);
    await expect(runCommand({ command: "true", timeoutMs: -1 }, ctx)).rejects.toThrow(/^timeoutMs:/);
    await expect(runCommand({ command: "true", workdir: "missing" }, ctx)).rejects.toThrow(/^workdir:/);
    await expect(runCommand({ command: "true", host: "node" }, ctx)).rejects.toThrow(/^node: required/);
  });
});

describe("running: output, exit, timeout, abort", () => {
  test("stdout and stderr interleave; exit code and signal come back; workdir is the workspace", async () => {
    const { ctx } = setup({}, FULL);
    const r = await runCommand({ command: "echo out; echo err >&2; pwd; exit 3" }, ctx);
    expect(r).toMatchObject({ status: "completed", exitCode: 3, signal: null, truncated: false });
    if (r.status !== "completed") throw new Error("unreachable");
    expect(r.output).toBe(`out\nerr\n${ctx.workspace}\n`);
    const killed = await runCommand({ command: "kill -TERM $$" }, ctx);
    expect(killed).toMatchObject({ exitCode: null, signal: "SIGTERM" });
  });

  test("output past the cap keeps the tail behind a truncation marker", async () => {
    const { ctx } = setup({}, FULL);
    const r = await runCommand({ command: "head -c 50000 /dev/zero | tr '\\0' a; echo; echo END", maxOutputBytes: 1000 }, ctx);
    if (r.status !== "completed") throw new Error(`expected completed, got ${r.status}`);
    expect(r.truncated).toBe(true);
    expect(r.output).toMatch(/^\[output truncated: 49\d\d\d earlier bytes dropped\]\n/);
    expect(r.output.endsWith("END\n")).toBe(true);
    expect(Buffer.byteLength(r.output)).toBeLessThan(1100);
  });

  test("the timeout kills the command", async () => {
    const { ctx } = setup({}, FULL);
    const r = await runCommand({ command: "sleep 30", timeoutMs: 100 }, ctx);
    expect(r).toMatchObject({ status: "completed", timedOut: true, signal: "SIGKILL" });
  });

  test("abort kills the whole process group, grandchildren included", async () => {
    const { ctx } = setup({}, FULL);
    const ac = new AbortController();
    const running = runCommand({ command: "sh -c 'sleep 300 & echo gc=$!; wait' & echo child=$!; wait", signal: ac.signal, yieldMs: 60_000 }, ctx);
    let pids: number[] = [];
    await waitFor(() => {
      const [p] = ctx.processes.list();
      if (!p) return false;
      const text = ctx.processes.log(p.id).output;
      pids = [...text.matchAll(/(?:gc|child)=(\d+)/g)].map((m) => Number(m[1]));
      return pids.length === 2;
    }, "child and grandchild pids", 5000);
    for (const pid of pids) expect(procState(pid)).not.toBe(undefined);
    ac.abort();
    const r = await running;
    expect(r).toMatchObject({ status: "completed", aborted: true });
    await waitFor(() => pids.every((pid) => [undefined, "Z"].includes(procState(pid))), "grandchildren to die", 5000);
  });
});

describe("background processes", () => {
  test("past yieldMs the command returns an id; poll, log, write stdin; onFinished fires once", async () => {
    const { ctx, finished } = setup({}, FULL);
    const r = await runCommand({ command: "echo started; read line; echo got:$line; exit 4", yieldMs: 50 }, ctx);
    if (r.status !== "running") throw new Error(`expected running, got ${r.status}`);
    expect(r.output).toContain("started");
    expect(ctx.processes.list()).toEqual([expect.objectContaining({ id: r.id, status: "running", host: "gateway" })]);
    expect(ctx.processes.poll(r.id).output).toBe("");
    await ctx.processes.write(r.id, "hello\n");
    await waitFor(() => finished.length === 1, "onFinished", 5000);
    expect(finished[0]).toMatchObject({ id: r.id, agentId: "main", sessionKey: "agent:main:main", status: "exited", exitCode: 4, tail: "started\ngot:hello" });
    expect(ctx.processes.poll(r.id)).toMatchObject({ status: "exited", output: "got:hello\n" });
    expect(ctx.processes.log(r.id, 1, 1)).toMatchObject({ output: "got:hello", totalLines: 2 });
    await expect(ctx.processes.write(r.id, "x")).rejects.toThrow(/not running/);
    expect(ctx.processes.clear()).toBe(1);
    expect(ctx.processes.list()).toEqual([]);
    expect(() => ctx.processes.poll(r.id)).toThrow(/no process/);
  });

  test("background: true returns at once; kill ends it and onFinished reports killed", async () => {
    const { ctx, finished } = setup({}, FULL);
    const r = await runCommand({ command: "sleep 300", background: true }, ctx);
    if (r.status !== "running") throw new Error("expected running");
    expect(() => ctx.processes.clear(r.id)).toThrow(/still running/);
    const exit = await ctx.processes.kill(r.id);
    expect(exit).toMatchObject({ signal: "SIGKILL", killedBy: "kill" });
    await waitFor(() => finished.length === 1, "onFinished", 5000);
    expect(finished[0]).toMatchObject({ status: "killed" });
    expect(ctx.processes.clear(r.id)).toBe(1);
  });

  test("a foreground command that ends in time is not reported to onFinished nor kept", async () => {
    const { ctx, finished } = setup({}, FULL);
    await runCommand({ command: "true" }, ctx);
    expect(ctx.processes.list()).toEqual([]);
    expect(finished).toEqual([]);
  });

  test("the number of running processes per agent is bounded", async () => {
    const { ctx } = setup({ processes: new ProcessManager({ agentId: "main", maxRunning: 2 }) }, FULL);
    managers.push(ctx.processes);
    await runCommand({ command: "sleep 300", background: true }, ctx);
    await runCommand({ command: "sleep 300", background: true }, ctx);
    await expect(runCommand({ command: "sleep 300", background: true }, ctx)).rejects.toThrow(/already runs 2 processes \(limit 2\)/);
  });

  test("concurrent starts cannot pass the bound together", async () => {
    const { ctx } = setup({ processes: new ProcessManager({ agentId: "main", maxRunning: 2 }) }, FULL);
    managers.push(ctx.processes);
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => runCommand({ command: "sleep 300", background: true }, ctx)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect(ctx.processes.list()).toHaveLength(2);
  });
});
