/**
 * The processes one agent started: every running command (foreground or background) and the finished
 * background ones until cleared. Backs the `process` tool: list | poll | log | write | kill | clear.
 */
import { randomUUID } from "node:crypto";
import type { ProcessExit, SpawnedProcess } from "./_spawn.ts";

/** Running processes one agent may have at once (foreground and background together). */
export const DEFAULT_MAX_RUNNING = 8;
/** Finished background processes kept for poll/log before the oldest is forgotten. */
export const DEFAULT_MAX_FINISHED = 32;

/** Where a command ran. */
export type ExecHost = "sandbox" | "gateway" | "node";

/** A process as the `process` tool reports it. */
export interface ProcessInfo {
  id: string;
  command: string;
  host: ExecHost;
  pid: number;
  status: "running" | "exited" | "killed" | "timeout";
  startedAtMs: number;
  endedAtMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  /** Bytes of output written so far (retained or not). */
  outputBytes: number;
}

/** What a finished background process reports to `onFinished`. */
export interface FinishedProcess extends ProcessInfo {
  agentId: string;
  sessionKey?: string;
  /** The tail of its output (capped). */
  tail: string;
}

/** Options of {@link ProcessManager}. */
export interface ProcessManagerOptions {
  agentId: string;
  maxRunning?: number;
  maxFinished?: number;
  /** Called once when a process that went to the background ends (the gateway queues "Exec finished …"). */
  onFinished?: (info: FinishedProcess) => void;
}

interface Entry {
  id: string;
  command: string;
  host: ExecHost;
  sessionKey?: string;
  proc: SpawnedProcess;
  startedAtMs: number;
  endedAtMs?: number;
  background: boolean;
  pollCursor: number;
}

/** Lines of output tail handed to `onFinished`. */
const FINISHED_TAIL_LINES = 20;

/** Error for `process` actions on an unknown id or a wrong state; `code` is stable. */
export class ProcessActionError extends Error {
  readonly code: "NOT_FOUND" | "NOT_RUNNING" | "LIMIT" | "INVALID";
  constructor(code: ProcessActionError["code"], message: string) {
    super(message);
    this.name = "ProcessActionError";
    this.code = code;
  }
}

/** One agent's processes. Safe for concurrent use (all state changes are synchronous). */
export class ProcessManager {
  readonly agentId: string;
  readonly #maxRunning: number;
  readonly #maxFinished: number;
  readonly #onFinished?: (info: FinishedProcess) => void;
  readonly #entries = new Map<string, Entry>();
  #reserved = 0;

  constructor(opts: ProcessManagerOptions) {
    this.agentId = opts.agentId;
    this.#maxRunning = opts.maxRunning ?? DEFAULT_MAX_RUNNING;
    this.#maxFinished = opts.maxFinished ?? DEFAULT_MAX_FINISHED;
    this.#onFinished = opts.onFinished;
  }

  /** Number of processes still running (or about to start). */
  get running(): number {
    return [...this.#entries.values()].filter((e) => !e.proc.exit).length + this.#reserved;
  }

  /**
   * Reserves a slot for a process about to start, so concurrent starts cannot pass the limit together.
   * @returns a release function to call once the process was added (or failed to start).
   * @throws ProcessActionError LIMIT when the agent already runs `maxRunning` processes.
   */
  reserve(): () => void {
    if (this.running >= this.#maxRunning) {
      throw new ProcessActionError("LIMIT", `agent ${this.agentId} already runs ${this.running} processes (limit ${this.#maxRunning}); kill or wait for one first`);
    }
    this.#reserved++;
    let released = false;
    return () => {
      if (!released) this.#reserved--;
      released = true;
    };
  }

  /** Tracks a started process; a foreground one leaves the table when it ends unless it was backgrounded. */
  add(proc: SpawnedProcess, meta: { command: string; host: ExecHost; sessionKey?: string; background: boolean }): string {
    const id = randomUUID().slice(0, 8);
    const entry: Entry = { id, ...meta, proc, startedAtMs: Date.now(), pollCursor: 0 };
    this.#entries.set(id, entry);
    void proc.exited.then(() => {
      entry.endedAtMs = Date.now();
      if (!entry.background) {
        this.#entries.delete(id);
        return;
      }
      this.#trimFinished();
      this.#onFinished?.({ ...this.#info(entry), agentId: this.agentId, ...(entry.sessionKey && { sessionKey: entry.sessionKey }), tail: proc.output.lines(-FINISHED_TAIL_LINES).text });
    });
    return id;
  }

  /**
   * Moves a process to the background: it stays listed after it ends and reports to `onFinished`. The next
   * poll starts after the output the caller has already seen.
   */
  background(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.background = true;
    entry.pollCursor = entry.proc.output.totalBytes;
  }

  /** Every tracked process, oldest first. */
  list(): ProcessInfo[] {
    return [...this.#entries.values()].map((e) => this.#info(e));
  }

  /**
   * Output written since the previous poll of `id`, plus its state.
   * @throws ProcessActionError NOT_FOUND.
   */
  poll(id: string): ProcessInfo & { output: string; missedBytes: number } {
    const entry = this.#get(id);
    const read = entry.proc.output.readSince(entry.pollCursor);
    entry.pollCursor = read.cursor;
    return { ...this.#info(entry), output: read.text, missedBytes: read.missedBytes };
  }

  /**
   * Lines of the retained output (0-based `offset`, negative from the end; at most `limit`).
   * @throws ProcessActionError NOT_FOUND.
   */
  log(id: string, offset?: number, limit?: number): ProcessInfo & { output: string; totalLines: number; droppedBytes: number } {
    const entry = this.#get(id);
    const { text, totalLines } = entry.proc.output.lines(offset ?? 0, limit);
    return { ...this.#info(entry), output: text, totalLines, droppedBytes: entry.proc.output.droppedBytes };
  }

  /**
   * Writes `data` to the process's stdin; `eof` closes it afterwards.
   * @throws ProcessActionError NOT_FOUND / NOT_RUNNING.
   */
  async write(id: string, data: string, eof = false): Promise<void> {
    const entry = this.#get(id);
    const stdin = entry.proc.child.stdin;
    if (entry.proc.exit || !stdin || stdin.destroyed || stdin.writableEnded) throw new ProcessActionError("NOT_RUNNING", `process ${id} is not running or its stdin is closed`);
    await new Promise<void>((resolve, reject) => stdin.write(data, (err) => (err ? reject(err) : resolve())));
    if (eof) stdin.end();
  }

  /**
   * Kills the whole process group of `id` and waits for it to end.
   * @returns the exit.
   * @throws ProcessActionError NOT_FOUND.
   */
  async kill(id: string): Promise<ProcessExit> {
    const entry = this.#get(id);
    entry.proc.kill("kill");
    return entry.proc.exited;
  }

  /**
   * Forgets finished processes: `id` alone, or all finished ones.
   * @returns how many were removed.
   * @throws ProcessActionError NOT_FOUND for an unknown id, NOT_RUNNING for a process still running (kill it first).
   */
  clear(id?: string): number {
    if (id !== undefined) {
      const entry = this.#get(id);
      if (!entry.proc.exit) throw new ProcessActionError("NOT_RUNNING", `process ${id} is still running; kill it first`);
      this.#entries.delete(id);
      return 1;
    }
    let n = 0;
    for (const [key, e] of this.#entries) if (e.proc.exit) {
      this.#entries.delete(key);
      n++;
    }
    return n;
  }

  /** Kills every running process (gateway stop). */
  killAll(): void {
    for (const e of this.#entries.values()) e.proc.kill("kill");
  }

  #get(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new ProcessActionError("NOT_FOUND", `no process ${JSON.stringify(id)} for agent ${this.agentId}; see action "list"`);
    return entry;
  }

  #info(e: Entry): ProcessInfo {
    const exit = e.proc.exit;
    const status: ProcessInfo["status"] = !exit ? "running" : exit.killedBy === "timeout" ? "timeout" : exit.killedBy ? "killed" : "exited";
    return {
      id: e.id,
      command: e.command,
      host: e.host,
      pid: e.proc.pid,
      status,
      startedAtMs: e.startedAtMs,
      ...(e.endedAtMs !== undefined && { endedAtMs: e.endedAtMs }),
      ...(exit && { exitCode: exit.exitCode, signal: exit.signal }),
      outputBytes: e.proc.output.totalBytes,
    };
  }

  #trimFinished(): void {
    const finished = [...this.#entries.values()].filter((e) => e.proc.exit);
    for (const e of finished.slice(0, Math.max(0, finished.length - this.#maxFinished))) this.#entries.delete(e.id);
  }
}
