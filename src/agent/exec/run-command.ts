/**
 * `runCommand`: the engine behind the `exec` tool. Picks the host (sandbox when available, else the gateway
 * host with approvals; node only when asked), applies that host's rules, runs the command through the shell
 * and either returns its result or, past `yieldMs` or with `background`, a process id while it keeps running.
 */
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { DEFAULT_MAX_OUTPUT_BYTES } from "./_output.ts";
import { spawnProcess } from "./_spawn.ts";
import type { ExecApprovalsPort } from "./approvals-port.ts";
import { type AllowlistAnalysis, analyzeAllowlist, applyAskFallback, decideHost, type HostPolicy, missReason, resolveHostPolicy } from "./host-policy.ts";
import { type InvokeNode, runOnNode } from "./node-host.ts";
import type { ExecHost, ProcessManager } from "./process-manager.ts";
import { buildSandboxArgv, sandboxEnv, sandboxStatus, type SandboxStatus } from "../../util/sandbox.ts";

/** Upstream's defaults: 30 min per command, 10 s before a command goes to the background. */
export const DEFAULT_EXEC_TIMEOUT_MS = 1_800_000;
export const DEFAULT_YIELD_MS = 10_000;
/** How long an approval is awaited when the context sets nothing (upstream's 120 s). */
export const DEFAULT_APPROVAL_WAIT_MS = 120_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the model asked for. */
export interface RunCommandOptions {
  command: string;
  /** Working directory; relative paths are inside the workspace. Default: the workspace. */
  workdir?: string;
  /** Extra environment variables. `PATH`, `LD_*` and `DYLD_*` are refused on the gateway and node hosts. */
  env?: Record<string, string>;
  timeoutMs?: number;
  yieldMs?: number;
  background?: boolean;
  host?: ExecHost;
  /** Node id for `host: "node"`. */
  node?: string;
  signal?: AbortSignal;
  maxOutputBytes?: number;
}

/** Where the run that asks came from: a chat's owner may be asked there too. */
export interface ExecApprovalOrigin {
  /** `telegram`, `whatsapp`, `webchat`, … */
  channel: string;
  /** The chat, in the form the channel's `send` accepts, when the run came from one. */
  chat?: string;
  accountId?: string;
}

/** An approval question for the operator (the `exec.approval.request` request). */
export interface ExecApprovalQuestion {
  command: string;
  cwd: string;
  agentId: string;
  sessionKey?: string;
  origin?: ExecApprovalOrigin;
  host: "gateway";
  security: string;
  ask: string;
  /** The first executable the allowlist did not cover, when it could be resolved. */
  resolvedPath: string | null;
  /** Why the allowlist did not cover the command. */
  reason: string;
  timeoutMs: number;
  /** What happens when nobody answers in time (askFallback applied to this command). */
  ifUnanswered?: "run" | "refuse";
}

/** An operator's answer; null when nobody answered in time. */
export type ExecApprovalAnswer = "allow-once" | "allow-always" | "deny" | null;

/** The ports and settings of one agent's exec engine. */
export interface ExecContext {
  agentId: string;
  sessionKey?: string;
  /** Where the run came from (passed on with approval questions). */
  origin?: ExecApprovalOrigin;
  /** The agent's workspace (absolute). */
  workspace: string;
  processes: ProcessManager;
  /** `tools.exec.sandbox.{network, memoryLimitMb}`. */
  sandbox?: { network?: boolean; memoryLimitMb?: number };
  /** The approvals file; without it the gateway host uses {@link DEFAULT_HOST_POLICY} with an empty allowlist. */
  approvals?: ExecApprovalsPort;
  /** Asks an operator; without it every question counts as unanswered (askFallback applies). */
  requestApproval?: (q: ExecApprovalQuestion) => Promise<ExecApprovalAnswer>;
  approvalTimeoutMs?: number;
  /** `tools.exec.safeBins`; default {@link DEFAULT_SAFE_BINS}. */
  safeBins?: readonly string[];
  invokeNode?: InvokeNode;
  /** The shell; default `$SHELL` when POSIX-like (sh, bash, dash, zsh, ksh), else /bin/sh. */
  shell?: string;
  /** Sandbox probe (tests replace it to simulate a machine without bwrap). */
  sandboxStatus?: () => SandboxStatus;
}

/** The outcome of {@link runCommand}. */
export type ExecResult =
  | { status: "completed"; host: ExecHost; exitCode: number | null; signal: string | null; timedOut: boolean; aborted: boolean; output: string; truncated: boolean; durationMs: number }
  | { status: "running"; host: ExecHost; id: string; pid: number; output: string }
  | { status: "denied"; host: ExecHost; reason: string };

/** Bad input from the model: names the field and what was expected. Nothing was run. */
export class ExecInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "ExecInputError";
    this.field = field;
  }
}

/**
 * Runs `opts.command` for `ctx.agentId`.
 * @returns completed (exit code or signal, capped output), running (backgrounded, with its process id) or
 *   denied (policy or operator said no; nothing ran).
 * @throws ExecInputError for invalid input; ProcessActionError LIMIT when too many processes run; Error when
 *   the requested host is unavailable or the program cannot start. Safe to call concurrently.
 */
export async function runCommand(opts: RunCommandOptions, ctx: ExecContext): Promise<ExecResult> {
  const input = checkInput(opts);
  const status = (ctx.sandboxStatus ?? sandboxStatus)();
  const host: ExecHost = opts.host ?? (status.available ? "sandbox" : "gateway");
  if (host !== "sandbox") refuseHostEnv(input.env);
  const workdir = resolveWorkdir(ctx.workspace, opts.workdir, host === "node");
  const shell = ctx.shell ?? defaultShell();

  if (host === "node") {
    if (!opts.node) throw new ExecInputError("node", 'required with host "node" (a node id)');
    if (!ctx.invokeNode) throw new Error("exec on a node is unavailable: the gateway gave no node access");
    const started = Date.now();
    const r = await runOnNode(opts.node, { command: input.command, cwd: opts.workdir, env: input.env, timeoutMs: input.timeoutMs, agentId: ctx.agentId, sessionKey: ctx.sessionKey }, ctx.invokeNode);
    const output = r.error ? `${r.output}${r.output ? "\n" : ""}${r.error}` : r.output;
    return { status: "completed", host, exitCode: r.exitCode, signal: null, timedOut: r.timedOut, aborted: false, output, truncated: false, durationMs: Date.now() - started };
  }

  let argv: string[];
  let env: Record<string, string>;
  if (host === "sandbox") {
    if (!status.available) throw new Error(`exec host "sandbox" unavailable: ${status.reason}`);
    const workspace = realpathSync(ctx.workspace);
    if (!isInside(workspace, workdir)) throw new ExecInputError("workdir", "must be inside the workspace on the sandbox host (nothing else is mounted)");
    argv = buildSandboxArgv(input.command, shell, { workspace, workdir, network: ctx.sandbox?.network === true, memoryLimitMb: ctx.sandbox?.memoryLimitMb });
    env = sandboxEnv(input.env);
  } else {
    const verdict = await gateHost(input.command, workdir, ctx);
    if (verdict) return { status: "denied", host, reason: verdict };
    argv = [shell, "-c", input.command];
    env = { ...(process.env as Record<string, string>), ...input.env };
  }

  const release = ctx.processes.reserve();
  const started = Date.now();
  let proc: Awaited<ReturnType<typeof spawnProcess>>;
  let id: string;
  try {
    proc = await spawnProcess(argv, { cwd: workdir, env, maxOutputBytes: input.maxOutputBytes });
    id = ctx.processes.add(proc, { command: input.command, host, sessionKey: ctx.sessionKey, background: false });
  } finally {
    release();
  }
  const timer = setTimeout(() => proc.kill("timeout"), Math.min(input.timeoutMs, MAX_TIMER_MS));
  void proc.exited.then(() => clearTimeout(timer));
  const onAbort = () => proc.kill("abort");
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  const yieldMs = input.background ? 0 : input.yieldMs;
  let yieldTimer: ReturnType<typeof setTimeout> | undefined;
  const yielded = new Promise<"yield">((r) => (yieldTimer = setTimeout(() => r("yield"), Math.min(yieldMs, MAX_TIMER_MS))));
  const first = await Promise.race([proc.exited, yielded]);
  clearTimeout(yieldTimer);
  if (first === "yield" && !proc.exit) {
    // A background process outlives the turn that started it: the turn's abort no longer applies.
    opts.signal?.removeEventListener("abort", onAbort);
    ctx.processes.background(id);
    return { status: "running", host, id, pid: proc.pid, output: proc.output.text() };
  }
  opts.signal?.removeEventListener("abort", onAbort);
  const exit = await proc.exited;
  return {
    status: "completed",
    host,
    exitCode: exit.exitCode,
    signal: exit.signal,
    timedOut: exit.killedBy === "timeout",
    aborted: exit.killedBy === "abort",
    output: proc.output.text(),
    truncated: proc.output.droppedBytes > 0,
    durationMs: Date.now() - started,
  };
}

// --- internal ---

/**
 * `$SHELL` when it speaks POSIX sh (what the allowlist parser judges), else /bin/sh: fish or nushell read
 * `(…)` and `;` differently, so a line judged safe could mean something else to them.
 */
function defaultShell(): string {
  const shell = process.env.SHELL ?? "";
  return /\/(sh|bash|dash|zsh|ksh|mksh)$/.test(shell) ? shell : "/bin/sh";
}

interface CheckedInput {
  command: string;
  env: Record<string, string>;
  timeoutMs: number;
  yieldMs: number;
  background: boolean;
  maxOutputBytes: number;
}

function checkInput(opts: RunCommandOptions): CheckedInput {
  if (typeof opts.command !== "string" || opts.command.trim() === "") throw new ExecInputError("command", "expected a non-empty string");
  if (opts.command.includes("\0")) throw new ExecInputError("command", "must not contain NUL bytes");
  const positive = (field: string, v: number | undefined, dflt: number, allowZero = false): number => {
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new ExecInputError(field, `expected a ${allowZero ? "non-negative" : "positive"} number, got ${JSON.stringify(v)}`);
    return v;
  };
  const env: Record<string, string> = {};
  if (opts.env !== undefined) {
    if (typeof opts.env !== "object" || opts.env === null || Array.isArray(opts.env)) throw new ExecInputError("env", "expected an object of string values");
    for (const [k, v] of Object.entries(opts.env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ExecInputError(`env.${k}`, "expected a variable name ([A-Za-z_][A-Za-z0-9_]*)");
      if (typeof v !== "string" || v.includes("\0")) throw new ExecInputError(`env.${k}`, "expected a string without NUL bytes");
      env[k] = v;
    }
  }
  if (opts.host !== undefined && !["sandbox", "gateway", "node"].includes(opts.host)) throw new ExecInputError("host", 'expected "sandbox", "gateway" or "node"');
  return {
    command: opts.command,
    env,
    timeoutMs: positive("timeoutMs", opts.timeoutMs, DEFAULT_EXEC_TIMEOUT_MS),
    yieldMs: positive("yieldMs", opts.yieldMs, DEFAULT_YIELD_MS, true),
    background: opts.background === true,
    maxOutputBytes: Math.floor(positive("maxOutputBytes", opts.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES)),
  };
}

/** On a real host, PATH and the dynamic loader's variables would change which code runs: refused outright. */
function refuseHostEnv(env: Record<string, string>): void {
  for (const key of Object.keys(env)) {
    const upper = key.toUpperCase();
    if (upper === "PATH") throw new ExecInputError(`env.${key}`, "setting PATH is not allowed on host execution (commands resolve through the gateway's PATH)");
    if (upper.startsWith("LD_") || upper.startsWith("DYLD_")) throw new ExecInputError(`env.${key}`, "dynamic loader variables (LD_*, DYLD_*) are not allowed on host execution");
  }
}

function resolveWorkdir(workspace: string, workdir: string | undefined, remote: boolean): string {
  if (remote) return workdir ?? workspace;
  if (workdir !== undefined && (typeof workdir !== "string" || workdir.trim() === "")) throw new ExecInputError("workdir", "expected a non-empty path");
  const target = workdir === undefined ? workspace : isAbsolute(workdir) ? workdir : resolve(workspace, workdir);
  let real: string;
  try {
    real = realpathSync(target);
    if (!statSync(real).isDirectory()) throw new Error("not a directory");
  } catch {
    throw new ExecInputError("workdir", `${JSON.stringify(workdir ?? workspace)} is not an existing directory`);
  }
  return real;
}

/**
 * The gateway host's gate. @returns undefined to run, or why it is refused. Asks the operator when the
 * policy says so; "allow always" adds the missed executables to the agent's allowlist.
 */
async function gateHost(command: string, cwd: string, ctx: ExecContext): Promise<string | undefined> {
  const policy: HostPolicy = resolveHostPolicy(ctx.approvals?.read() ?? { version: 1 }, ctx.agentId);
  const analysis: AllowlistAnalysis = analyzeAllowlist(command, { allowlist: policy.allowlist, safeBins: ctx.safeBins, cwd });
  const decision = decideHost(policy, analysis);
  if (decision.action === "deny") return decision.reason;
  if (decision.action === "run") return undefined;
  const missed = analysis.segments.filter((s) => !s.matchedBy);
  const timeoutMs = ctx.approvalTimeoutMs ?? DEFAULT_APPROVAL_WAIT_MS;
  const question: ExecApprovalQuestion = {
    command,
    cwd,
    agentId: ctx.agentId,
    ...(ctx.sessionKey && { sessionKey: ctx.sessionKey }),
    ...(ctx.origin && { origin: ctx.origin }),
    host: "gateway",
    security: policy.security,
    ask: policy.ask,
    resolvedPath: (missed[0] ?? analysis.segments[0])?.resolvedPath ?? null,
    reason: policy.ask === "always" ? "approvals are required for every command (ask: always)" : missReason(analysis),
    timeoutMs,
    ifUnanswered: applyAskFallback(policy, analysis) ? "run" : "refuse",
  };
  const answer = ctx.requestApproval ? await askWithTimeout(ctx.requestApproval, question, timeoutMs) : null;
  if (answer === "deny") return "the operator denied this command";
  if (answer === null) {
    if (applyAskFallback(policy, analysis)) return undefined;
    return `no approval ${ctx.requestApproval ? `within ${Math.round(timeoutMs / 1000)} s` : "channel available"} (askFallback: ${policy.askFallback})`;
  }
  if (answer === "allow-always" && ctx.approvals && analysis.parsed) {
    // Only resolvable executables can be allowlisted; a builtin or unknown name stays an ask next time.
    for (const seg of missed) if (seg.resolvedPath) ctx.approvals.addAllowlistEntry(ctx.agentId, { pattern: seg.resolvedPath, lastUsedCommand: command, lastResolvedPath: seg.resolvedPath });
  }
  return undefined;
}

async function askWithTimeout(ask: NonNullable<ExecContext["requestApproval"]>, q: ExecApprovalQuestion, timeoutMs: number): Promise<ExecApprovalAnswer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.min(timeoutMs, MAX_TIMER_MS))));
  try {
    return await Promise.race([ask(q).catch(() => null), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when `child` is `root` or inside it (both real paths). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}
