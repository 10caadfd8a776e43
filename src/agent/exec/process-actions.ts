/**
 * The `process` tool's actions over a {@link ProcessManager}, with input checking, plus the text of the
 * "Exec finished …" system event and a registry that keeps one manager per agent.
 */
import { type FinishedProcess, ProcessActionError, ProcessManager, type ProcessManagerOptions } from "./process-manager.ts";

/** Actions of the `process` tool. */
export const PROCESS_ACTIONS = ["list", "poll", "log", "write", "kill", "clear"] as const;

/** The `process` tool's parameters. */
export interface ProcessActionInput {
  action: (typeof PROCESS_ACTIONS)[number];
  id?: string;
  /** `log`: first line (0-based; negative counts from the end). */
  offset?: number;
  /** `log`: most lines returned. */
  limit?: number;
  /** `write`: text for stdin. */
  data?: string;
  /** `write`: close stdin afterwards. */
  eof?: boolean;
}

/**
 * Runs one `process` action.
 * @returns a plain JSON-able result for the model.
 * @throws ProcessActionError NOT_FOUND / NOT_RUNNING / INVALID (with the field named) for bad input.
 */
export async function runProcessAction(input: ProcessActionInput, manager: ProcessManager): Promise<Record<string, unknown>> {
  const action = input?.action;
  if (!PROCESS_ACTIONS.includes(action)) throw new ProcessActionError("INVALID", `action: expected one of ${PROCESS_ACTIONS.join(", ")}`);
  const needId = (): string => {
    if (typeof input.id !== "string" || input.id === "") throw new ProcessActionError("INVALID", `id: required for action "${action}" (see action "list")`);
    return input.id;
  };
  const int = (field: "offset" | "limit", min: number): number | undefined => {
    const v = input[field];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < min) throw new ProcessActionError("INVALID", `${field}: expected an integer ≥ ${min}`);
    return v;
  };
  switch (action) {
    case "list":
      return { processes: manager.list() };
    case "poll":
      return { ...manager.poll(needId()) };
    case "log":
      return { ...manager.log(needId(), int("offset", Number.MIN_SAFE_INTEGER), int("limit", 1)) };
    case "write": {
      const id = needId();
      if (typeof input.data !== "string") throw new ProcessActionError("INVALID", 'data: expected a string for action "write"');
      await manager.write(id, input.data, input.eof === true);
      return { id, written: Buffer.byteLength(input.data), eof: input.eof === true };
    }
    case "kill": {
      const id = needId();
      const exit = await manager.kill(id);
      return { id, exitCode: exit.exitCode, signal: exit.signal };
    }
    case "clear":
      return { cleared: manager.clear(input.id) };
    default:
      return unreachable(action);
  }
}

/** The system event text for a finished background process, e.g. `Exec finished (id 1a2b3c4d, exit 0): make`. */
export function formatExecFinished(info: FinishedProcess): string {
  const how = info.status === "exited" ? (info.signal ? `signal ${info.signal}` : `exit ${info.exitCode}`) : info.status === "timeout" ? "timed out" : "killed";
  const head = `Exec finished (id ${info.id}, ${how}): ${oneLine(info.command, 200)}`;
  return info.tail ? `${head}\n${info.tail}` : head;
}

/** One {@link ProcessManager} per agent, created on first use. Safe for concurrent use. */
export class ProcessRegistry {
  readonly #opts: Omit<ProcessManagerOptions, "agentId">;
  readonly #managers = new Map<string, ProcessManager>();

  constructor(opts: Omit<ProcessManagerOptions, "agentId"> = {}) {
    this.#opts = opts;
  }

  /** The manager of `agentId`. */
  forAgent(agentId: string): ProcessManager {
    let m = this.#managers.get(agentId);
    if (!m) {
      m = new ProcessManager({ ...this.#opts, agentId });
      this.#managers.set(agentId, m);
    }
    return m;
  }

  /** Kills every agent's running processes (gateway stop). */
  killAll(): void {
    for (const m of this.#managers.values()) m.killAll();
  }
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function unreachable(x: never): never {
  throw new Error(`unexpected ${String(x)}`);
}
