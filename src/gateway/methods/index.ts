/**
 * The method table: protocol method name → handler. Only methods listed here are advertised in
 * `hello-ok.features.methods`; anything else is answered "unknown method".
 */
import type { MethodHandler } from "../context.ts";
import { agentsList } from "./agents-list.ts";
import { channelsStatus } from "./channels-status.ts";
import { configGet } from "./config-get.ts";
import { configSchema } from "./config-schema.ts";
import { devicePairApprove, devicePairList, devicePairReject, deviceTokenRevoke, deviceTokenRotate } from "./device-pair.ts";
import { health } from "./health.ts";
import { lastHeartbeat } from "./last-heartbeat.ts";
import { logsTail } from "./logs-tail.ts";
import { modelsList } from "./models-list.ts";
import { sessionsList } from "./sessions-list.ts";
import { status } from "./status.ts";
import { systemEvent } from "./system-event.ts";
import { systemPresence } from "./system-presence.ts";

/** Implemented methods by name. */
export const METHOD_HANDLERS: Readonly<Record<string, MethodHandler>> = {
  health,
  "logs.tail": logsTail,
  "channels.status": channelsStatus,
  status,
  "config.get": configGet,
  "config.schema": configSchema,
  "models.list": modelsList,
  "agents.list": agentsList,
  "sessions.list": sessionsList,
  "last-heartbeat": lastHeartbeat,
  "system-presence": systemPresence,
  "system-event": systemEvent,
  "device.pair.list": devicePairList,
  "device.pair.approve": devicePairApprove,
  "device.pair.reject": devicePairReject,
  "device.token.rotate": deviceTokenRotate,
  "device.token.revoke": deviceTokenRevoke,
};
