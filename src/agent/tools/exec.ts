/**
 * `exec`: runs a shell command for the agent through the exec engine (agent/exec): in the bubblewrap
 * sandbox when available, else on the gateway host under the exec-approvals file (asking a person through
 * the `approvals` port), or on a paired node (`nodes` port). Returns the exit code and the capped output,
 * or, past `yieldMs` / with `background`, a process id the `process` tool manages.
 *
 * Config (`tools.exec.*`, per agent `agents.list[].tools.exec.*`): `host`, `node`, `timeoutSec`, `yieldMs`
 * (upstream `backgroundMs`), `safeBins`, `sandbox.{network, memoryLimitMb}`.
 */
import { Type as T } from "@sinclair/typebox";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { ExecToolConfig } from "../../config/tools-schema.ts";
import { DEFAULT_EXEC_TIMEOUT_MS, DEFAULT_YIELD_MS, ExecInputError, type ExecResult, runCommand } from "../exec/run-command.ts";
import { resolveIn } from "./_fs.ts";
import { defineTool } from "./define.ts";
import type { ToolWorkspace } from "./types.ts";

/** Output bytes the engine keeps per command (the tool's text cap applies on top). */
const EXEC_MAX_OUTPUT_BYTES = 200_000;

/** The `exec` tool. */
export const execTool = defineTool({
  name: "exec",
  description:
    "Run a shell command in the workspace. Returns the exit code and output (stdout+stderr). Long commands go to the background after yieldMs and return a process id for the `process` tool.",
  group: "runtime",
  http: false,
  needs: ["exec", "workspace"],
  uses: ["approvals", "nodes"],
  caps: { maxChars: 30_000 },
  parameters: T.Object(
    {
      command: T.String({ minLength: 1, description: "Shell command line (POSIX sh)." }),
      workdir: T.Optional(T.String({ minLength: 1, description: "Working directory relative to the workspace (default: the workspace)." })),
      env: T.Optional(T.Record(T.String(), T.String(), { description: "Extra environment variables." })),
      timeout: T.Optional(T.Number({ exclusiveMinimum: 0, description: "Seconds before the command is killed (default 1800)." })),
      background: T.Optional(T.Boolean({ description: "Return a process id at once and keep running." })),
      yieldMs: T.Optional(T.Integer({ minimum: 0, description: "Milliseconds to wait before going to the background (default 10000)." })),
      host: T.Optional(T.Unsafe<"sandbox" | "gateway" | "node">({ type: "string", enum: ["sandbox", "gateway", "node"], description: "Where to run: sandbox (default when available), gateway or node." })),
      node: T.Optional(T.String({ minLength: 1, description: 'Node id for host "node".' })),
    },
    { additionalProperties: false },
  ),
  async execute(params, ctx) {
    const { exec, workspace, approvals, nodes } = ctx.ports;
    const settings = execSettingsOf(ctx.config, ctx.agentId);
    const host = params.host ?? settings.host;
    const nodeId = params.node ?? settings.node;
    // The model's workdir goes through the same symlink-safe resolver as the file tools (node paths are remote).
    const workdir = host === "node" || params.workdir === undefined ? params.workdir : resolveWorkdir(workspace, params.workdir);
    const result = await runCommand(
      {
        command: params.command,
        ...(workdir !== undefined && { workdir }),
        // Skill variables reach commands on this machine (sandbox or gateway host), never a remote node.
        ...((params.env || (ctx.skillEnv && host !== "node")) && { env: { ...(host !== "node" && ctx.skillEnv), ...params.env } }),
        timeoutMs: params.timeout !== undefined ? params.timeout * 1000 : settings.timeoutMs,
        yieldMs: params.yieldMs ?? settings.yieldMs,
        ...(params.background !== undefined && { background: params.background }),
        ...(host && { host }),
        ...(nodeId && { node: nodeId }),
        signal: ctx.signal,
        maxOutputBytes: EXEC_MAX_OUTPUT_BYTES,
      },
      {
        agentId: ctx.agentId,
        sessionKey: ctx.sessionKey,
        ...(ctx.origin && { origin: { channel: ctx.origin.channel, ...(ctx.origin.chat && { chat: ctx.origin.chat }), ...(ctx.origin.accountId && { accountId: ctx.origin.accountId }) } }),
        workspace: workspace.dir,
        processes: exec.processes.forAgent(ctx.agentId),
        sandbox: settings.sandbox,
        ...(settings.safeBins && { safeBins: settings.safeBins }),
        ...(approvals && { approvals: approvals.file, ...(approvals.request && { requestApproval: approvals.request }), ...(approvals.timeoutMs && { approvalTimeoutMs: approvals.timeoutMs }) }),
        ...(nodes && { invokeNode: (input) => nodes.invoke(input) }),
        ...(exec.sandboxStatus && { sandboxStatus: exec.sandboxStatus }),
        ...(exec.shell && { shell: exec.shell }),
      },
    );
    return formatExecResult(result, params.command);
  },
});

/** `workdir` through the workspace resolver; a refusal names the field. Nothing runs then. */
function resolveWorkdir(workspace: ToolWorkspace, workdir: string): string {
  try {
    return resolveIn(workspace, workdir).path;
  } catch (err) {
    throw new ExecInputError("workdir", err instanceof Error ? err.message : String(err));
  }
}

/** The effective `tools.exec` settings of `agentId` (agent keys over the defaults). */
export interface ExecSettings {
  host?: "sandbox" | "gateway" | "node";
  node?: string;
  timeoutMs: number;
  yieldMs: number;
  safeBins?: string[];
  sandbox: { network: boolean; memoryLimitMb?: number };
}

/** Reads `tools.exec` and `agents.list[].tools.exec` (already schema-checked at load). */
export function execSettingsOf(config: OpenClawConfig, agentId: string): ExecSettings {
  const global = ((config.tools ?? {}) as { exec?: ExecToolConfig }).exec ?? {};
  const agent = ((config.agents?.list?.find((a) => a.id === agentId)?.tools ?? {}) as { exec?: ExecToolConfig }).exec ?? {};
  const pick = <K extends keyof ExecToolConfig>(k: K): ExecToolConfig[K] => (agent[k] !== undefined ? agent[k] : global[k]);
  const sandbox = { ...global.sandbox, ...agent.sandbox };
  const timeoutSec = pick("timeoutSec");
  const yieldMs = pick("yieldMs") ?? pick("backgroundMs");
  return {
    ...(pick("host") && { host: pick("host") }),
    ...(pick("node") && { node: pick("node") }),
    timeoutMs: timeoutSec !== undefined ? timeoutSec * 1000 : DEFAULT_EXEC_TIMEOUT_MS,
    yieldMs: yieldMs ?? DEFAULT_YIELD_MS,
    ...(pick("safeBins") && { safeBins: pick("safeBins") }),
    sandbox: { network: sandbox.network === true, ...(sandbox.memoryLimitMb !== undefined && { memoryLimitMb: sandbox.memoryLimitMb }) },
  };
}

/** The model's view of a result: status line with the exit code, then the output. */
export function formatExecResult(r: ExecResult, command: string): string {
  if (r.status === "denied") return `Exec denied (${r.host}): ${r.reason}. The command was not run: ${command}`;
  if (r.status === "running") {
    const head = `Command still running in the background (${r.host}, process id ${r.id}, pid ${r.pid}). Use the process tool (poll/log/write/kill) with id "${r.id}".`;
    return r.output ? `${head}\nOutput so far:\n${r.output}` : head;
  }
  const how = r.timedOut ? "timed out (killed)" : r.aborted ? "aborted (killed)" : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  const head = `Exit: ${how} (${r.host}, ${r.durationMs} ms)${r.truncated ? " [output truncated]" : ""}`;
  return r.output ? `${head}\n${r.output}` : `${head}\n(no output)`;
}
