/**
 * Logs: `logs.tail` reads the gateway log file from a cursor.
 */
import { LOGS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { logsTail } from "./logs-tail.ts";

/** The logs feature: its methods. */
export const logsFeature = defineFeature({
  name: "logs",
  needs: LOGS_NEEDS,
  methods: [
    defineMethod("logs.tail", logsTail),
  ],
});
