/**
 * Health and status: the `health` snapshot and the `status` summary.
 */
import { HEALTH_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { health } from "./health.ts";
import { status } from "./status.ts";

/** The health feature: its methods. */
export const healthFeature = defineFeature({
  name: "health",
  needs: HEALTH_NEEDS,
  methods: [
    defineMethod("health", health),
    defineMethod("status", status),
  ],
});
