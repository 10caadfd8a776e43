/**
 * Method names and who may call them (spec protocol.md §4, §6). Pure data; no schemas here.
 */

/** Methods advertised in `hello-ok.features.methods`, in upstream's exact order (§6 "Advertised order"). */
export const METHODS = [
  "health",
  "logs.tail",
  "channels.status",
  "channels.logout",
  "status",
  "usage.status",
  "usage.cost",
  "tts.status",
  "tts.providers",
  "tts.enable",
  "tts.disable",
  "tts.convert",
  "tts.setProvider",
  "config.get",
  "config.set",
  "config.apply",
  "config.patch",
  "config.schema",
  "exec.approvals.get",
  "exec.approvals.set",
  "exec.approvals.node.get",
  "exec.approvals.node.set",
  "exec.approval.request",
  "exec.approval.resolve",
  "wizard.start",
  "wizard.next",
  "wizard.cancel",
  "wizard.status",
  "talk.mode",
  "models.list",
  "agents.list",
  "agents.files.list",
  "agents.files.get",
  "agents.files.set",
  "skills.status",
  "skills.bins",
  "skills.install",
  "skills.update",
  "update.run",
  "voicewake.get",
  "voicewake.set",
  "sessions.list",
  "sessions.preview",
  "sessions.patch",
  "sessions.reset",
  "sessions.delete",
  "sessions.compact",
  "last-heartbeat",
  "set-heartbeats",
  "wake",
  "node.pair.request",
  "node.pair.list",
  "node.pair.approve",
  "node.pair.reject",
  "node.pair.verify",
  "device.pair.list",
  "device.pair.approve",
  "device.pair.reject",
  "device.token.rotate",
  "device.token.revoke",
  "node.rename",
  "node.list",
  "node.describe",
  "node.invoke",
  "node.invoke.result",
  "node.event",
  "cron.list",
  "cron.status",
  "cron.add",
  "cron.update",
  "cron.remove",
  "cron.run",
  "cron.runs",
  "system-presence",
  "system-event",
  "send",
  "agent",
  "agent.identity.get",
  "agent.wait",
  "browser.request",
  "chat.history",
  "chat.abort",
  "chat.send",
] as const;

/**
 * Methods upstream answers but does not advertise: schemas exist for `poll`, `chat.inject` and
 * `sessions.resolve`; `web.login.*` come from the WhatsApp channel plugin when it is loaded.
 * `channels.pairing.*` are ours: the DM pairing queue behind `openclaw pairing` (admin only).
 * `node.canvas.capability.refresh` (role node) mints a new canvas capability for the calling node.
 * `exec.approval.list` (operator.approvals) is upstream v4's list of waiting exec approvals.
 * `tools.effective` is ours: the agent tools a run of an agent/session gets and why (`openclaw tools list`).
 * `memory.*` are ours: the workspace memory index behind `openclaw memory` (search and status read; reindex is admin).
 */
export const UNADVERTISED_METHODS = [
  "poll",
  "chat.inject",
  "sessions.resolve",
  "web.login.start",
  "web.login.wait",
  "channels.pairing.list",
  "channels.pairing.approve",
  "channels.pairing.reject",
  "node.canvas.capability.refresh",
  "exec.approval.list",
  "tools.effective",
  "memory.search",
  "memory.status",
  "memory.reindex",
] as const;

/**
 * Methods new in protocol v4 that this gateway implements (spec protocol-v4.md §4 step 8): advertised to v4
 * connections only (callable by v3 ones too). `sessions.unsubscribe` is ours (upstream ends a subscription
 * only with the socket), so it is listed in {@link UNADVERTISED_V4_METHODS} instead.
 */
export const V4_METHODS = [
  "chat.startup",
  "sessions.subscribe",
  "sessions.describe",
  "sessions.messages.subscribe",
  "sessions.messages.unsubscribe",
  "question.list",
  "message.action",
  "commands.list",
  "update.status",
  "users.prefs.get",
  "plugins.controlUi.list",
  "tasks.list",
  "plugin.approval.list",
  "openclaw.approval.list",
  "diagnostics.lanes",
] as const;

/** v4-era methods of ours that no client needs to see advertised. */
export const UNADVERTISED_V4_METHODS = ["sessions.unsubscribe"] as const;

/**
 * `features.capabilities` this gateway's methods back (v4 hello): `published-model-catalog` = `models.list`
 * takes the v4 params (the v4 CLI's `models list` refuses to run without it).
 */
export const METHOD_CAPABILITIES_V4 = ["published-model-catalog"] as const;

/** An advertised method name. */
export type MethodName = (typeof METHODS)[number];
/** Any method name the protocol defines params for. */
export type KnownMethodName =
  | MethodName
  | (typeof UNADVERTISED_METHODS)[number]
  | (typeof V4_METHODS)[number]
  | (typeof UNADVERTISED_V4_METHODS)[number];

/** What a caller needs: an operator scope (`operator.<scope>`), or role `node` for `"node"`. */
export type MethodScope = "read" | "write" | "admin" | "approvals" | "pairing" | "questions" | "node";

/** Callable only by connections with role `node`. */
export const NODE_METHODS: readonly string[] = ["node.invoke.result", "node.event", "skills.bins", "node.canvas.capability.refresh"];

/** Need `operator.approvals` (or admin). */
export const APPROVAL_METHODS: readonly string[] = ["exec.approval.request", "exec.approval.resolve", "exec.approval.list", "plugin.approval.list", "openclaw.approval.list"];

/** Need `operator.questions` (v4; `operator.write` and admin imply it). */
export const QUESTION_METHODS: readonly string[] = ["question.list"];

/** Need `operator.pairing` (or admin). */
export const PAIRING_METHODS: readonly string[] = [
  "node.pair.request",
  "node.pair.list",
  "node.pair.approve",
  "node.pair.reject",
  "node.pair.verify",
  "device.pair.list",
  "device.pair.approve",
  "device.pair.reject",
  "device.token.rotate",
  "device.token.revoke",
  "node.rename",
];

/** Need `operator.read` or `operator.write` (or admin). */
export const READ_METHODS: readonly string[] = [
  "health",
  "logs.tail",
  "channels.status",
  "status",
  "usage.status",
  "usage.cost",
  "tts.status",
  "tts.providers",
  "models.list",
  "agents.list",
  "agent.identity.get",
  "skills.status",
  "tools.effective",
  "voicewake.get",
  "sessions.list",
  "sessions.preview",
  "cron.list",
  "cron.status",
  "cron.runs",
  "system-presence",
  "last-heartbeat",
  "node.list",
  "node.describe",
  "chat.history",
  "memory.search",
  "memory.status",
  "chat.startup",
  "sessions.subscribe",
  "sessions.unsubscribe",
  "sessions.describe",
  "sessions.messages.subscribe",
  "sessions.messages.unsubscribe",
  "commands.list",
  "users.prefs.get",
  "plugins.controlUi.list",
  "tasks.list",
  "diagnostics.lanes",
];

/** Need `operator.write` (or admin). */
export const WRITE_METHODS: readonly string[] = [
  "send",
  "agent",
  "agent.wait",
  "wake",
  "talk.mode",
  "tts.enable",
  "tts.disable",
  "tts.convert",
  "tts.setProvider",
  "voicewake.set",
  "node.invoke",
  "chat.send",
  "chat.abort",
  "browser.request",
  "message.action",
];

/** Scope class of one method; everything not listed in a set is admin-only (§4). */
function toMethodScope(method: string): MethodScope {
  if (NODE_METHODS.includes(method)) return "node";
  if (APPROVAL_METHODS.includes(method)) return "approvals";
  if (QUESTION_METHODS.includes(method)) return "questions";
  if (PAIRING_METHODS.includes(method)) return "pairing";
  if (READ_METHODS.includes(method)) return "read";
  if (WRITE_METHODS.includes(method)) return "write";
  return "admin";
}

/**
 * The §4 table as data: method → the scope class it needs. Covers advertised and unadvertised methods;
 * a name not in the table is not a protocol method.
 */
export const METHOD_SCOPES: Readonly<Record<string, MethodScope>> = Object.freeze(
  Object.fromEntries([...METHODS, ...UNADVERTISED_METHODS, ...V4_METHODS, ...UNADVERTISED_V4_METHODS].map((m) => [m, toMethodScope(m)])),
);

/**
 * Scopes that differ on v4 connections (spec protocol-v4.md §1.10): the config reads moved from admin to read
 * (secrets stay redacted in their answers). v3 connections keep {@link METHOD_SCOPES}.
 */
export const METHOD_SCOPES_V4_CHANGES: Readonly<Record<string, MethodScope>> = Object.freeze({ "config.get": "read", "config.schema": "read" });
