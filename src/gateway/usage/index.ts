/**
 * Usage: `usage.status` and `usage.cost` (tokens and cost summed from session transcripts).
 */
import { USAGE_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { usageCost, usageStatus } from "./usage.ts";

/** The usage feature: its methods. */
export const usageFeature = defineFeature({
  name: "usage",
  needs: USAGE_NEEDS,
  methods: [
    defineMethod("usage.status", usageStatus),
    defineMethod("usage.cost", usageCost),
  ],
});
