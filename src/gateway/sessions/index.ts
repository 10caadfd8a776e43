/**
 * Sessions: list, preview, patch, reset, delete and compact the stored sessions, the summaries that health
 * and status show (`sessions-view.ts`), and the v4 subscriptions (`sessions.changed`, `session.message`).
 */
import { SESSIONS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { sessionsCompact } from "./sessions-compact.ts";
import { sessionsDelete } from "./sessions-delete.ts";
import { sessionsList } from "./sessions-list.ts";
import { sessionsPatch } from "./sessions-patch.ts";
import { sessionsPreview } from "./sessions-preview.ts";
import { sessionsReset } from "./sessions-reset.ts";
import { sessionsDescribe, sessionsMessagesSubscribe, sessionsMessagesUnsubscribe, sessionsSubscribe, sessionsUnsubscribe } from "./sessions-subscribe.ts";
import { onRunEvent } from "./_subscriptions.ts";

/** Per gateway: how to stop listening to runs. */
const stopListening = new WeakMap<object, () => void>();

export { noteRunOrigin } from "./_subscriptions.ts";
export { toListRow } from "./sessions-list.ts";

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
    defineMethod("sessions.subscribe", sessionsSubscribe),
    defineMethod("sessions.unsubscribe", sessionsUnsubscribe),
    defineMethod("sessions.describe", sessionsDescribe),
    defineMethod("sessions.messages.subscribe", sessionsMessagesSubscribe),
    defineMethod("sessions.messages.unsubscribe", sessionsMessagesUnsubscribe),
  ],
  // v4 subscribers hear about run starts and ends on their sessions.
  start: (host) => {
    stopListening.set(host, host.runListeners.onEvery((event, payload) => onRunEvent(host, event, payload)));
  },
  stop: (host) => {
    stopListening.get(host)?.();
    stopListening.delete(host);
  },
  // Read on use: a change applies with the next call.
  config: { prefixes: ["session"] },
});
