/**
 * Usage: `usage.status` and `usage.cost` (tokens and cost summed from session transcripts).
 */
import { defineFeature, defineMethod } from "../feature.ts";
import { usageCost, usageStatus } from "./usage.ts";

/** The usage feature: its methods. */
export const usageFeature = defineFeature({
  name: "usage",
  methods: [
    defineMethod("usage.status", usageStatus),
    defineMethod("usage.cost", usageCost),
  ],
});
