/**
 * Starts a command in its own session (so it leads a new process group) and kills that whole group, so
 * children and grandchildren go with it. stderr is joined to stdout at the file descriptor, so one buffer holds
 * both in the order they were written.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { OutputBuffer } from "./_output.ts";

/** How a process ended. */
export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
  /** Why we killed it, when we did. */
  killedBy?: "timeout" | "abort" | "kill";
}

/** A started process. */
export interface SpawnedProcess {
  pid: number;
  child: ChildProcess;
  output: OutputBuffer;
  /** Settles once the process exited and its pipes drained (or a grandchild holds them past a short grace). */
  exited: Promise<ProcessExit>;
  /** The exit once known. */
  exit?: ProcessExit;
  /** Kills the whole process group with SIGKILL; records `reason`. No-op after exit. */
  kill(reason: "timeout" | "abort" | "kill"): void;
}

/**
 * Spawns `argv` with `env` in `cwd`, detached into a new session.
 * @throws Error when the program cannot be started (missing binary, bad cwd).
 */
export async function spawnProcess(argv: string[], opts: { cwd: string; env: Record<string, string>; maxOutputBytes: number }): Promise<SpawnedProcess> {
  const output = new OutputBuffer(opts.maxOutputBytes);
  // One pipe for both streams keeps their true order; two pipes read separately would not.
  const merged = ["/bin/sh", "-c", 'exec 2>&1; exec "$@"', "sh", ...argv];
  const child = spawn(merged[0]!, merged.slice(1), { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (err) => reject(new Error(`cannot start ${argv[0]}: ${err.message}`, { cause: err })));
  });
  child.stdout!.on("data", (c: Buffer) => output.append(c));
  child.stderr!.on("data", (c: Buffer) => output.append(c));
  // A closed stdin (the process exited or never reads) must not crash the gateway on a later write.
  child.stdin!.on("error", () => {});
  let killedBy: ProcessExit["killedBy"];
  const proc: SpawnedProcess = {
    pid: child.pid!,
    child,
    output,
    exited: undefined as unknown as Promise<ProcessExit>,
    kill(reason) {
      if (proc.exit) return;
      killedBy ??= reason;
      killGroup(child.pid!);
    },
  };
  proc.exited = new Promise<ProcessExit>((resolve) => {
    const closed = new Promise<void>((r) => child.once("close", () => r()));
    child.once("exit", (code, signal) => {
      // A grandchild that outlives the shell can keep the pipes open forever; wait for them only briefly.
      const grace = new Promise<void>((r) => setTimeout(r, 250).unref());
      void Promise.race([closed, grace]).then(() => {
        proc.exit = { exitCode: code, signal, ...(killedBy && { killedBy }) };
        resolve(proc.exit);
      });
    });
  });
  return proc;
}

/** SIGKILL to the process group led by `pid` (and to `pid` itself, should it have left the group). */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // ESRCH: already gone.
    }
  }
}
