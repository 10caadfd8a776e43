/**
 * Sessions: list, preview, patch, reset, delete and compact the stored sessions, and the summaries
 * that health and status show (`sessions-view.ts`).
 */
import { SESSIONS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { sessionsCompact } from "./sessions-compact.ts";
import { sessionsDelete } from "./sessions-delete.ts";
import { sessionsList } from "./sessions-list.ts";
import { sessionsPatch } from "./sessions-patch.ts";
import { sessionsPreview } from "./sessions-preview.ts";
import { sessionsReset } from "./sessions-reset.ts";

/** The sessions feature: its methods and the config it claims. */
export const sessionsFeature = defineFeature({
  name: "sessions",
  needs: SESSIONS_NEEDS,
  methods: [
    defineMethod("sessions.list", sessionsList),
    defineMethod("sessions.preview", sessionsPreview),
    defineMethod("sessions.patch", sessionsPatch),
    defineMethod("sessions.reset", sessionsReset),
    defineMethod("sessions.delete", sessionsDelete),
    defineMethod("sessions.compact", sessionsCompact),
  ],
  // Read on use: a change applies with the next call.
  config: { prefixes: ["session"] },
});
