/**
 * The method table: protocol method name → handler. Only methods listed here are advertised in
 * `hello-ok.features.methods`; anything else is answered "unknown method".
 */
import type { MethodHandler } from "../context.ts";
import { agent } from "./agent.ts";
import { agentIdentityGet } from "./agent-identity-get.ts";
import { agentWait } from "./agent-wait.ts";
import { agentsList } from "./agents-list.ts";
import { agentsFilesGet, agentsFilesList, agentsFilesSet } from "./agents-files.ts";
import { browserRequest } from "./browser-request.ts";
import { channelsLogout } from "./channels-logout.ts";
import { channelsPairingApprove, channelsPairingList, channelsPairingReject } from "./channels-pairing.ts";
import { channelsStatus } from "./channels-status.ts";
import { chatAbort } from "./chat-abort.ts";
import { chatHistory } from "./chat-history.ts";
import { chatSend } from "./chat-send.ts";
import { configApply } from "./config-apply.ts";
import { configGet } from "./config-get.ts";
import { configPatch } from "./config-patch.ts";
import { configSet } from "./config-set.ts";
import { configSchema } from "./config-schema.ts";
import { cronAdd, cronList, cronRemove, cronRun, cronRuns, cronStatus, cronUpdate } from "./cron.ts";
import { devicePairApprove, devicePairList, devicePairReject, deviceTokenRevoke, deviceTokenRotate } from "./device-pair.ts";
import { execApprovalRequest, execApprovalResolve } from "./exec-approval.ts";
import { execApprovalsGet, execApprovalsNodeGet, execApprovalsNodeSet, execApprovalsSet } from "./exec-approvals.ts";
import { health } from "./health.ts";
import { lastHeartbeat } from "./last-heartbeat.ts";
import { logsTail } from "./logs-tail.ts";
import { modelsList } from "./models-list.ts";
import { nodeCanvasCapabilityRefresh } from "./node-canvas-capability.ts";
import { nodeEvent } from "./node-event.ts";
import { nodeInvoke, nodeInvokeResult } from "./node-invoke.ts";
import { nodeDescribe, nodeList } from "./node-list.ts";
import { nodePairApprove, nodePairList, nodePairReject, nodePairRequest, nodePairVerify } from "./node-pair.ts";
import { nodeRename } from "./node-rename.ts";
import { sessionsCompact } from "./sessions-compact.ts";
import { sessionsDelete } from "./sessions-delete.ts";
import { sessionsList } from "./sessions-list.ts";
import { sessionsPatch } from "./sessions-patch.ts";
import { sessionsPreview } from "./sessions-preview.ts";
import { sessionsReset } from "./sessions-reset.ts";
import { status } from "./status.ts";
import { systemEvent } from "./system-event.ts";
import { systemPresence } from "./system-presence.ts";
import { send } from "./send.ts";
import { setHeartbeats } from "./set-heartbeats.ts";
import { talkMode } from "./talk-mode.ts";
import { usageCost, usageStatus } from "./usage.ts";
import { voicewakeGet, voicewakeSet } from "./voicewake.ts";
import { wake } from "./wake.ts";
import { webLoginStart, webLoginWait } from "./web-login.ts";

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
