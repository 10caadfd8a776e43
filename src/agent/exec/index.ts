/**
 * The exec engine behind the `exec` and `process` tools: hosts (bubblewrap sandbox, gateway with approvals,
 * node via system.run), background processes per agent, and the sandbox status `openclaw doctor` reports.
 */
export { DEFAULT_MAX_OUTPUT_BYTES, truncationMarker } from "./_output.ts";
export { createFileApprovalsPort, type ExecApprovalsPort } from "./approvals-port.ts";
export {
  analyzeAllowlist,
  DEFAULT_HOST_POLICY,
  DEFAULT_SAFE_BINS,
  globMatches,
  resolveExecutable,
  resolveHostPolicy,
  type AllowlistAnalysis,
  type HostPolicy,
} from "./host-policy.ts";
export { buildSystemRunParams, runOnNode, type InvokeNode, type NodeRunResult, type SystemRunInput } from "./node-host.ts";
export { formatExecFinished, PROCESS_ACTIONS, ProcessRegistry, runProcessAction, type ProcessActionInput } from "./process-actions.ts";
export {
  DEFAULT_MAX_FINISHED,
  DEFAULT_MAX_RUNNING,
  ProcessActionError,
  ProcessManager,
  type ExecHost,
  type FinishedProcess,
  type ProcessInfo,
  type ProcessManagerOptions,
} from "./process-manager.ts";
export {
  DEFAULT_APPROVAL_WAIT_MS,
  DEFAULT_EXEC_TIMEOUT_MS,
  DEFAULT_YIELD_MS,
  ExecInputError,
  runCommand,
  type ExecApprovalAnswer,
  type ExecApprovalOrigin,
  type ExecApprovalQuestion,
  type ExecContext,
  type ExecResult,
  type RunCommandOptions,
} from "./run-command.ts";
export { DEFAULT_SANDBOX_MEMORY_MB, sandboxStatus, type SandboxOptions, type SandboxStatus } from "../../util/sandbox.ts";
export { parseShellCommands, type ShellParse, type SimpleCommand } from "./shell-words.ts";
