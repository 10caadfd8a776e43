/**
 * Health and status: the `health` snapshot, the `status` summary and the v4 `diagnostics.lanes` run queue.
 */
import { HEALTH_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { diagnosticsLanes } from "./diagnostics-lanes.ts";
import { health } from "./health.ts";
import { status } from "./status.ts";

/** The health feature: its methods. */
export const healthFeature = defineFeature({
  name: "health",
  needs: HEALTH_NEEDS,
  methods: [
    defineMethod("health", health),
    defineMethod("status", status),
    defineMethod("diagnostics.lanes", diagnosticsLanes),
  ],
});
