/**
 * Presence: who is connected (one entry per device or instance), and `system-presence`.
 */
import { PRESENCE_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { systemPresence } from "./system-presence.ts";

/** The presence feature: its methods. */
export const presenceFeature = defineFeature({
  name: "presence",
  needs: PRESENCE_NEEDS,
  methods: [
    defineMethod("system-presence", systemPresence),
  ],
});
