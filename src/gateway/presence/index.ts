/**
 * Presence: who is connected (one entry per device or instance), and `system-presence`.
 */
import { defineFeature, defineMethod } from "../feature.ts";
import { systemPresence } from "./system-presence.ts";

/** The presence feature: its methods. */
export const presenceFeature = defineFeature({
  name: "presence",
  methods: [
    defineMethod("system-presence", systemPresence),
  ],
});
