/**
 * Agent runs: turns inbound messages into replies. Owns sessions and their reset rules, the workspace
 * prompt, model providers (through `llm/`, loaded lazily), tools, lanes and the run event stream.
 * It knows nothing of sockets or channel SDKs.
 */
export { loadImageFiles, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, parseAttachments, sniffMimeType, type AttachmentWarn } from "./attachments.ts";
export { type EmitFn, RunEvents } from "./events.ts";
export {
  buildHeartbeatMessage,
  classifyHeartbeatReply,
  DEFAULT_HEARTBEAT_PROMPT,
  HEARTBEAT_TOKEN,
  heartbeatAgentIds,
  heartbeatSessionKey,
  isWithinActiveHours,
  type HeartbeatReply,
  type HeartbeatSettings,
  isHeartbeatFileEmpty,
  readHeartbeatFile,
  resolveHeartbeat,
} from "./heartbeat.ts";
export { Lanes, DEFAULT_MAX_CONCURRENT } from "./lanes.ts";
export { contextWindowOf, DEFAULT_MODEL_REF, isKnownProvider, modelChain, parseModelRef, resolveModel, type ModelSpec } from "./models.ts";
export { AgentRuntime, type AgentRuntimeOptions, DEDUPE_MAX, DEDUPE_TTL_MS, DEFAULT_TIMEOUT_SECONDS } from "./runtime.ts";
export { agentIds, agentOf, canonicalSessionKey, mainSessionKey, resolveSession, sessionKind, type ResolvedSession, type SessionTarget } from "./session-keys.ts";
export { isSessionStale, isStopCommand, parseResetCommand, resetPolicyOf } from "./session-reset.ts";
export { buildTools, DEFAULT_TOOL_NAMES, type EffectiveTool, effectiveTools, type ExplainedTool, explainTools, toolPolicyOf, type ToolApprovals, type ToolExec, type ToolMemory, type ToolBrowser, type ToolVision, type ToolNode, type ToolNodes, type ToolChannels, type ToolCron, type ToolCronJob, type ToolAgentRuns, type ToolRunEnd, type HostToolPorts } from "./tools/index.ts";
export { replyTextOf } from "./reply.ts";
export type { DeliveryContext, RunErrorShape, RunFinal, RunRequest, SubmitResult, WaitResult } from "./types.ts";
export { buildSystemPrompt, loadBootstrapFiles, resolveWorkspace } from "./workspace.ts";
