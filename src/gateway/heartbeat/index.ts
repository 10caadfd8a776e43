/**
 * Heartbeat: the runner that gives each agent a periodic turn, the system-event queue it drains, and
 * the methods that wake it, switch it and read its last event.
 */
import { HEARTBEAT_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { lastHeartbeat } from "./last-heartbeat.ts";
import { setHeartbeats } from "./set-heartbeats.ts";
import { systemEvent } from "./system-event.ts";
import { wake } from "./wake.ts";

/** The heartbeat feature: its methods and the config it claims. */
export const heartbeatFeature = defineFeature({
  name: "heartbeat",
  needs: HEARTBEAT_NEEDS,
  methods: [
    defineMethod("last-heartbeat", lastHeartbeat),
    defineMethod("set-heartbeats", setHeartbeats),
    defineMethod("wake", wake),
    defineMethod("system-event", systemEvent),
  ],
  start: (host) => host.heartbeat.start(),
  // Waits for a heartbeat turn in flight, which ends when the host aborts the remaining runs.
  stop: (host) => host.heartbeat.stop(),
  stopAfterRuns: true,
  config: {
    prefixes: ["agents.defaults.heartbeat", "agent.heartbeat", "agents.list"],
    // The schedule is recomputed from the new config; a heartbeat turn in flight finishes first.
    apply(_diff, host) {
      host.heartbeat.reschedule();
      return "restarted";
    },
  },
});
