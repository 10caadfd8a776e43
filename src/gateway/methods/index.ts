/**
 * The method table: protocol method name → handler. Only methods listed here are advertised in
 * `hello-ok.features.methods`; anything else is answered "unknown method".
 */
import type { MethodHandler } from "../context.ts";
import { agent } from "../chat/agent.ts";
import { agentIdentityGet } from "../chat/agent-identity-get.ts";
import { agentWait } from "../chat/agent-wait.ts";
import { agentsList } from "../agents/agents-list.ts";
import { agentsFilesGet, agentsFilesList, agentsFilesSet } from "../agents/agents-files.ts";
import { browserRequest } from "../browser-bridge/browser-request.ts";
import { channelsLogout } from "../channels/channels-logout.ts";
import { channelsPairingApprove, channelsPairingList, channelsPairingReject } from "../channels/channels-pairing.ts";
import { channelsStatus } from "../channels/channels-status.ts";
import { chatAbort } from "../chat/chat-abort.ts";
import { chatHistory } from "../chat/chat-history.ts";
import { chatSend } from "../chat/chat-send.ts";
import { configApply } from "../config-writes/config-apply.ts";
import { configGet } from "../config-writes/config-get.ts";
import { configPatch } from "../config-writes/config-patch.ts";
import { configSet } from "../config-writes/config-set.ts";
import { configSchema } from "../config-writes/config-schema.ts";
import { cronAdd, cronList, cronRemove, cronRun, cronRuns, cronStatus, cronUpdate } from "../cron/cron-methods.ts";
import { devicePairApprove, devicePairList, devicePairReject, deviceTokenRevoke, deviceTokenRotate } from "../devices/device-pair.ts";
import { execApprovalRequest, execApprovalResolve } from "../approvals/exec-approval.ts";
import { execApprovalsGet, execApprovalsNodeGet, execApprovalsNodeSet, execApprovalsSet } from "../approvals/exec-approvals.ts";
import { health } from "../health/health.ts";
import { lastHeartbeat } from "../heartbeat/last-heartbeat.ts";
import { logsTail } from "../logs/logs-tail.ts";
import { modelsList } from "../agents/models-list.ts";
import { nodeCanvasCapabilityRefresh } from "../canvas/node-canvas-capability.ts";
import { nodeEvent } from "../nodes/node-event.ts";
import { nodeInvoke, nodeInvokeResult } from "../nodes/node-invoke.ts";
import { nodeDescribe, nodeList } from "../nodes/node-list.ts";
import { nodePairApprove, nodePairList, nodePairReject, nodePairRequest, nodePairVerify } from "../nodes/node-pair.ts";
import { nodeRename } from "../nodes/node-rename.ts";
import { sessionsCompact } from "../sessions/sessions-compact.ts";
import { sessionsDelete } from "../sessions/sessions-delete.ts";
import { sessionsList } from "../sessions/sessions-list.ts";
import { sessionsPatch } from "../sessions/sessions-patch.ts";
import { sessionsPreview } from "../sessions/sessions-preview.ts";
import { sessionsReset } from "../sessions/sessions-reset.ts";
import { status } from "../health/status.ts";
import { systemEvent } from "../heartbeat/system-event.ts";
import { systemPresence } from "../presence/system-presence.ts";
import { send } from "../channels/send.ts";
import { setHeartbeats } from "../heartbeat/set-heartbeats.ts";
import { talkMode } from "../talk/talk-mode.ts";
import { usageCost, usageStatus } from "../usage/usage.ts";
import { voicewakeGet, voicewakeSet } from "../talk/voicewake-methods.ts";
import { wake } from "../heartbeat/wake.ts";
import { webLoginStart, webLoginWait } from "../channels/web-login.ts";

/** Implemented methods by name. */
export const METHOD_HANDLERS: Readonly<Record<string, MethodHandler>> = {
  health,
  "logs.tail": logsTail,
  "channels.status": channelsStatus,
  "channels.logout": channelsLogout,
  "channels.pairing.list": channelsPairingList,
  "channels.pairing.approve": channelsPairingApprove,
  "channels.pairing.reject": channelsPairingReject,
  "web.login.start": webLoginStart,
  "web.login.wait": webLoginWait,
  send,
  status,
  "usage.status": usageStatus,
  "usage.cost": usageCost,
  "config.get": configGet,
  "config.set": configSet,
  "config.apply": configApply,
  "config.patch": configPatch,
  "config.schema": configSchema,
  "exec.approvals.get": execApprovalsGet,
  "exec.approvals.set": execApprovalsSet,
  "exec.approvals.node.get": execApprovalsNodeGet,
  "exec.approvals.node.set": execApprovalsNodeSet,
  "exec.approval.request": execApprovalRequest,
  "exec.approval.resolve": execApprovalResolve,
  "models.list": modelsList,
  "talk.mode": talkMode,
  "agents.list": agentsList,
  "agents.files.list": agentsFilesList,
  "agents.files.get": agentsFilesGet,
  "agents.files.set": agentsFilesSet,
  "voicewake.get": voicewakeGet,
  "voicewake.set": voicewakeSet,
  "sessions.list": sessionsList,
  "sessions.preview": sessionsPreview,
  "sessions.patch": sessionsPatch,
  "sessions.reset": sessionsReset,
  "sessions.delete": sessionsDelete,
  "sessions.compact": sessionsCompact,
  "last-heartbeat": lastHeartbeat,
  "set-heartbeats": setHeartbeats,
  wake,
  "system-presence": systemPresence,
  "system-event": systemEvent,
  "device.pair.list": devicePairList,
  "device.pair.approve": devicePairApprove,
  "device.pair.reject": devicePairReject,
  "device.token.rotate": deviceTokenRotate,
  "device.token.revoke": deviceTokenRevoke,
  "node.pair.request": nodePairRequest,
  "node.pair.list": nodePairList,
  "node.pair.approve": nodePairApprove,
  "node.pair.reject": nodePairReject,
  "node.pair.verify": nodePairVerify,
  "node.rename": nodeRename,
  "node.list": nodeList,
  "node.describe": nodeDescribe,
  "node.invoke": nodeInvoke,
  "node.invoke.result": nodeInvokeResult,
  "node.event": nodeEvent,
  "node.canvas.capability.refresh": nodeCanvasCapabilityRefresh,
  "cron.list": cronList,
  "cron.status": cronStatus,
  "cron.add": cronAdd,
  "cron.update": cronUpdate,
  "cron.remove": cronRemove,
  "cron.run": cronRun,
  "cron.runs": cronRuns,
  "browser.request": browserRequest,
  agent,
  "agent.identity.get": agentIdentityGet,
  "agent.wait": agentWait,
  "chat.history": chatHistory,
  "chat.abort": chatAbort,
  "chat.send": chatSend,
};
