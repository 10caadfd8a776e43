/**
 * The registry: every feature the gateway hosts, in one list. The method table, the hello-ok method list
 * and the config reload hooks are all built from it; a new feature is added here and nowhere else.
 */
import { agentsFeature } from "./agents/index.ts";
import { approvalsFeature } from "./approvals/index.ts";
import { browserBridgeFeature } from "./browser-bridge/index.ts";
import { canvasFeature } from "./canvas/index.ts";
import { channelsFeature } from "./channels/index.ts";
import { chatFeature } from "./chat/index.ts";
import { configWritesFeature } from "./config-writes/index.ts";
import { cronFeature } from "./cron/index.ts";
import { devicesFeature } from "./devices/index.ts";
import type { Feature } from "./feature.ts";
import { healthFeature } from "./health/index.ts";
import { heartbeatFeature } from "./heartbeat/index.ts";
import { httpApiFeature } from "./http/feature.ts";
import { logsFeature } from "./logs/index.ts";
import { memoryFeature } from "./memory/index.ts";
import { nodesFeature } from "./nodes/index.ts";
import { presenceFeature } from "./presence/index.ts";
import { sessionsFeature } from "./sessions/index.ts";
import { skillsFeature } from "./skills/index.ts";
import { startupReadsFeature } from "./startup-reads/index.ts";
import { talkFeature } from "./talk/index.ts";
import { usageFeature } from "./usage/index.ts";

/**
 * Every hosted feature. Order sets the order of reload hooks (and of the log lines they write) and of HTTP
 * routes: the APIs come before canvas (http.md §1).
 */
export const FEATURES: readonly Feature[] = [
  healthFeature,
  logsFeature,
  channelsFeature,
  usageFeature,
  configWritesFeature,
  approvalsFeature,
  agentsFeature,
  skillsFeature,
  talkFeature,
  sessionsFeature,
  heartbeatFeature,
  presenceFeature,
  devicesFeature,
  nodesFeature,
  cronFeature,
  memoryFeature,
  browserBridgeFeature,
  chatFeature,
  httpApiFeature,
  canvasFeature,
  startupReadsFeature,
];
