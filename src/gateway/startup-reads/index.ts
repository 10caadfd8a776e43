/**
 * Startup reads of the v4 clients about subsystems this gateway does not have (questions, user
 * preferences, Control UI plugins, tasks, plugin and system-agent approvals, updates): truthful empty answers.
 */
import { STARTUP_READS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { openclawApprovalList, pluginApprovalList, pluginsControlUiList, questionList, tasksList, updateStatus, usersPrefsGet } from "./reads.ts";

/** The startup-reads feature: its methods. */
export const startupReadsFeature = defineFeature({
  name: "startup-reads",
  needs: STARTUP_READS_NEEDS,
  methods: [
    defineMethod("question.list", questionList),
    defineMethod("users.prefs.get", usersPrefsGet),
    defineMethod("plugins.controlUi.list", pluginsControlUiList),
    defineMethod("tasks.list", tasksList),
    defineMethod("plugin.approval.list", pluginApprovalList),
    defineMethod("openclaw.approval.list", openclawApprovalList),
    defineMethod("update.status", updateStatus),
  ],
});
