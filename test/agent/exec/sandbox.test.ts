import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SANDBOX_MEMORY_MB, type ExecContext, ProcessManager, runCommand, sandboxStatus } from "../../../src/agent/exec/index.ts";
import { waitFor } from "../../helpers/wait.ts";

// Containers may forbid the namespaces bwrap needs. Skip only when bwrap itself cannot run there; a missing
// bwrap is a failure (CI installs it), and so is our mount set failing where plain bwrap works.
const plain = spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "true"], { encoding: "utf8" });
const bwrapBroken = !plain.error && plain.status !== 0;
if (bwrapBroken) console.warn(`sandbox tests skipped: \`bwrap --unshare-all true\` fails on this machine: ${plain.stderr.trim()}`);

describe.skipIf(bwrapBroken)("sandbox host (bubblewrap)", () => {
  let root: string;
  let workspace: string;
  let fakeHome: string;
  let outside: string;
  const savedHome = process.env.HOME;
  const managers: ProcessManager[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "exec-sandbox-"));
    workspace = join(root, "ws");
    fakeHome = join(root, "home");
    outside = join(root, "outside");
    mkdirSync(workspace);
    mkdirSync(join(fakeHome, ".ssh"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(fakeHome, ".ssh", "id_rsa"), "-----BEGIN FAKE PRIVATE KEY-----\n");
    process.env.HOME = fakeHome;
  });
  afterEach(() => {
    for (const m of managers.splice(0)) m.killAll();
  });
  afterAll(() => {
    process.env.HOME = savedHome;
    rmSync(root, { recursive: true, force: true });
  });

  function ctx(over: Partial<ExecContext> = {}): ExecContext {
    const processes = new ProcessManager({ agentId: "main" });
    managers.push(processes);
    return { agentId: "main", workspace, processes, shell: "/bin/bash", ...over };
  }

  test("bwrap is detected and usable here; it is the default host", async () => {
    expect(sandboxStatus()).toMatchObject({ available: true, bwrapPath: expect.stringMatching(/\/bwrap$/) });
    const r = await runCommand({ command: "echo hi" }, ctx());
    expect(r).toMatchObject({ status: "completed", host: "sandbox", output: "hi\n", exitCode: 0 });
  });

  test("cannot read the user's ~/.ssh (readable on the gateway host, as a control)", async () => {
    const key = join(fakeHome, ".ssh", "id_rsa");
    const host = await runCommand({ command: `cat ${key}`, host: "gateway" }, ctx({ approvals: { read: () => ({ version: 1, defaults: { security: "full" } }), addAllowlistEntry() {} } }));
    expect(host).toMatchObject({ status: "completed", exitCode: 0, output: expect.stringContaining("FAKE PRIVATE KEY") });
    const r = await runCommand({ command: `cat ${key}; cat ~/.ssh/id_rsa; ls -a ${fakeHome} /root; echo home=$HOME` }, ctx());
    if (r.status !== "completed") throw new Error(`expected completed, got ${r.status}`);
    expect(r.host).toBe("sandbox");
    expect(r.output).not.toContain("FAKE PRIVATE KEY");
    expect(r.output).toContain("No such file or directory");
    expect(r.output).toContain("home=/home/sandbox");
  });

  test("can write inside the workspace, not outside it or to system folders", async () => {
    const r = await runCommand({ command: `echo inside > note.txt; echo x > ${outside}/escape.txt; echo x > /usr/escape.txt; echo x > /etc/escape.txt; echo done` }, ctx());
    if (r.status !== "completed") throw new Error("expected completed");
    expect(readFileSync(join(workspace, "note.txt"), "utf8")).toBe("inside\n");
    expect(existsSync(join(outside, "escape.txt"))).toBe(false);
    expect(existsSync("/usr/escape.txt")).toBe(false);
    expect(existsSync("/etc/escape.txt")).toBe(false);
    expect(r.output).toContain("Read-only file system");
  });

  test("has no network: a loopback server on the host is unreachable (reachable with network: true)", async () => {
    let connections = 0;
    const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => void connections++, data() {} } });
    try {
      const probe = `if echo hi > /dev/tcp/127.0.0.1/${server.port}; then echo CONNECTED; else echo REFUSED; fi`;
      const r = await runCommand({ command: probe }, ctx());
      expect(r).toMatchObject({ status: "completed", output: expect.stringContaining("REFUSED") });
      expect(connections).toBe(0);
      const open = await runCommand({ command: probe }, ctx({ sandbox: { network: true } }));
      expect(open).toMatchObject({ status: "completed", output: expect.stringContaining("CONNECTED") });
      await waitFor(() => connections === 1, "the control connection", 5000);
    } finally {
      server.stop(true);
    }
  });

  test("sees only selected /etc files and none of the gateway's environment; memory is limited", async () => {
    process.env.EXEC_SANDBOX_TEST_SECRET = "s3cret";
    try {
      const r = await runCommand({ command: "ls /etc; cat /etc/shadow; env; ulimit -v", env: { MINE: "yes" } }, ctx());
      if (r.status !== "completed") throw new Error("expected completed");
      expect(r.output).toContain("passwd");
      expect(r.output).not.toContain("s3cret");
      expect(r.output).toContain("MINE=yes");
      expect(r.output).toContain("/etc/shadow: No such file or directory");
      expect(r.output.trim().split("\n").at(-1)).toBe(String(DEFAULT_SANDBOX_MEMORY_MB * 1024));
    } finally {
      delete process.env.EXEC_SANDBOX_TEST_SECRET;
    }
  });

  test("a workdir outside the workspace is refused", async () => {
    await expect(runCommand({ command: "true", workdir: outside }, ctx())).rejects.toThrow(/^workdir: must be inside the workspace/);
  });

  test("abort kills everything in the sandbox", async () => {
    const ac = new AbortController();
    const c = ctx();
    // A sleep with a distinctive duration, so the host can find it in /proc (its pid inside is namespaced).
    const running = runCommand({ command: "sleep 3017 & echo started; wait", signal: ac.signal, yieldMs: 60_000 }, c);
    await waitFor(() => c.processes.list().some((p) => c.processes.log(p.id).output.includes("started")), "start", 5000);
    await waitFor(() => liveSleeps("3017").length === 1, "the sandboxed sleep to show on the host", 5000);
    ac.abort();
    expect(await running).toMatchObject({ status: "completed", aborted: true });
    await waitFor(() => liveSleeps("3017").length === 0, "the sandboxed sleep to die", 5000);
  });
});

/** Host pids of live (non-zombie) `sleep <arg>` processes. */
function liveSleeps(arg: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8") !== `sleep\0${arg}\0`) continue;
      if (!readFileSync(`/proc/${name}/stat`, "utf8").includes(") Z")) pids.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}
