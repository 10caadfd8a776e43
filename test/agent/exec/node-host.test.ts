import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSystemRunParams, ProcessManager, runCommand } from "../../../src/agent/exec/index.ts";

test("system.run params: argv through the shell, raw command, cwd, env, timeout, agent and session", () => {
  expect(buildSystemRunParams({ command: "uname -a", cwd: "/srv", env: { A: "1" }, timeoutMs: 5000, agentId: "main", sessionKey: "agent:main:main" })).toEqual({
    command: ["/bin/sh", "-lc", "uname -a"],
    rawCommand: "uname -a",
    cwd: "/srv",
    env: { A: "1" },
    timeoutMs: 5000,
    agentId: "main",
    sessionKey: "agent:main:main",
  });
  expect(buildSystemRunParams({ command: "dir", platform: "Windows" }).command).toEqual(["cmd.exe", "/d", "/s", "/c", "dir"]);
});

test('host "node" goes through invokeNode with system.run and reads the payload', async () => {
  const workspace = mkdtempSync(join(tmpdir(), "exec-node-"));
  try {
    const calls: any[] = [];
    const ctx = {
      agentId: "main",
      sessionKey: "agent:main:main",
      workspace,
      processes: new ProcessManager({ agentId: "main" }),
      invokeNode: async (input: any) => (calls.push(input), { payload: { exitCode: 2, timedOut: false, stdout: "out\n", stderr: "err\n" } }),
    };
    const r = await runCommand({ command: "make", host: "node", node: "mac-1", timeoutMs: 1000, workdir: "/Users/me/src" }, ctx);
    expect(r).toMatchObject({ status: "completed", host: "node", exitCode: 2, output: "out\nerr\n" });
    expect(calls).toEqual([
      {
        nodeId: "mac-1",
        command: "system.run",
        params: { command: ["/bin/sh", "-lc", "make"], rawCommand: "make", cwd: "/Users/me/src", timeoutMs: 1000, agentId: "main", sessionKey: "agent:main:main" },
        timeoutMs: 10_000,
        idempotencyKey: expect.any(String),
      },
    ]);
    await expect(runCommand({ command: "make", host: "node", node: "mac-1", env: { LD_PRELOAD: "x" } }, ctx)).rejects.toThrow(/env\.LD_PRELOAD/);
    expect(calls).toHaveLength(1);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
