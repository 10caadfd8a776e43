import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExecContext, type FinishedProcess, formatExecFinished, ProcessRegistry, runCommand, runProcessAction } from "../../../src/agent/exec/index.ts";
import { waitFor } from "../../helpers/wait.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(): { ctx: ExecContext; finished: FinishedProcess[]; registry: ProcessRegistry } {
  const workspace = mkdtempSync(join(tmpdir(), "exec-actions-"));
  const finished: FinishedProcess[] = [];
  const registry = new ProcessRegistry({ onFinished: (f) => finished.push(f) });
  cleanups.push(() => {
    registry.killAll();
    rmSync(workspace, { recursive: true, force: true });
  });
  const ctx: ExecContext = {
    agentId: "main",
    workspace,
    processes: registry.forAgent("main"),
    approvals: { read: () => ({ version: 1, defaults: { security: "full" } }), addAllowlistEntry() {} },
    sandboxStatus: () => ({ available: false, reason: "simulated" }),
    shell: "/bin/sh",
  };
  return { ctx, finished, registry };
}

test("the process tool's actions drive a background process end to end; agents are separate", async () => {
  const { ctx, finished, registry } = setup();
  const r = await runCommand({ command: "cat", background: true }, ctx);
  if (r.status !== "running") throw new Error("expected running");
  expect(await runProcessAction({ action: "list" }, registry.forAgent("other"))).toEqual({ processes: [] });
  expect(await runProcessAction({ action: "write", id: r.id, data: "one\ntwo\n" }, ctx.processes)).toEqual({ id: r.id, written: 8, eof: false });
  await waitFor(() => ctx.processes.log(r.id).totalLines === 2, "echoed lines", 5000);
  expect(await runProcessAction({ action: "log", id: r.id, offset: -1 }, ctx.processes)).toMatchObject({ output: "two", totalLines: 2 });
  expect(await runProcessAction({ action: "poll", id: r.id }, ctx.processes)).toMatchObject({ status: "running", output: "one\ntwo\n" });
  await runProcessAction({ action: "write", id: r.id, data: "", eof: true }, ctx.processes);
  await waitFor(() => finished.length === 1, "onFinished", 5000);
  expect(formatExecFinished(finished[0]!)).toBe(`Exec finished (id ${r.id}, exit 0): cat\none\ntwo`);
  expect(await runProcessAction({ action: "clear" }, ctx.processes)).toEqual({ cleared: 1 });
});

test("bad actions and fields are named", async () => {
  const { ctx } = setup();
  await expect(runProcessAction({ action: "explode" as never }, ctx.processes)).rejects.toThrow(/^action: expected one of list, poll/);
  await expect(runProcessAction({ action: "poll" }, ctx.processes)).rejects.toThrow(/^id: required/);
  await expect(runProcessAction({ action: "log", id: "x", limit: 0 }, ctx.processes)).rejects.toThrow(/^limit: expected an integer/);
  await expect(runProcessAction({ action: "kill", id: "nope" }, ctx.processes)).rejects.toThrow(/no process "nope"/);
  const r = await runCommand({ command: "sleep 300", background: true }, ctx);
  if (r.status !== "running") throw new Error("expected running");
  await expect(runProcessAction({ action: "write", id: r.id }, ctx.processes)).rejects.toThrow(/^data: expected a string/);
  expect(await runProcessAction({ action: "kill", id: r.id }, ctx.processes)).toEqual({ id: r.id, exitCode: null, signal: "SIGKILL" });
});
