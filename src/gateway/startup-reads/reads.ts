/**
 * Answers to the reads the v4 Control UI and TUI make at every start about subsystems this gateway does not
 * have (spec protocol-v4.md §3.1, §4 step 8). Each answer is the truth about what exists here, in the shape
 * the clients accept: no agent questions, no user preference store, no Control UI plugins, no task ledger,
 * no plugin or system-agent approvals, no update checker. Without them the clients retry in a loop or show
 * an "unknown method" error.
 */
import type { MethodHandler } from "../context.ts";
import type { StartupReadsHost } from "./_host.ts";

/** `question.list`: agents here never ask operators questions, so none is pending. */
export const questionList: MethodHandler<"question.list", StartupReadsHost> = () => ({ questions: [] });

/**
 * `users.prefs.get {keys?}`: there are no user profiles or stored preferences here; every key is unset, so
 * the clients keep their local defaults.
 */
export const usersPrefsGet: MethodHandler<"users.prefs.get", StartupReadsHost> = () => ({ status: "ok", entries: {} });

/** `plugins.controlUi.list`: no plugin contributes Control UI surfaces (revision "0" never changes). */
export const pluginsControlUiList: MethodHandler<"plugins.controlUi.list", StartupReadsHost> = () => ({ revision: "0", plugins: [], diagnostics: [] });

/** `tasks.list`: there is no background task ledger, so no task. */
export const tasksList: MethodHandler<"tasks.list", StartupReadsHost> = () => ({ tasks: [] });

/** `plugin.approval.list`: no plugin asks for approvals here (exec approvals are `exec.approval.*`). */
export const pluginApprovalList: MethodHandler<"plugin.approval.list", StartupReadsHost> = () => [];

/** `openclaw.approval.list`: there is no system agent that asks for approvals. */
export const openclawApprovalList: MethodHandler<"openclaw.approval.list", StartupReadsHost> = () => [];

/**
 * `update.status`: this gateway checks for no updates and runs no update campaign, so there is no sentinel
 * and no known update (`null`, which the clients read as "nothing to show").
 */
export const updateStatus: MethodHandler<"update.status", StartupReadsHost> = () => ({ sentinel: null, updateAvailable: null });
