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
] as const;

/** An advertised method name. */
export type MethodName = (typeof METHODS)[number];
/** Any method name the protocol defines params for. */
export type KnownMethodName = MethodName | (typeof UNADVERTISED_METHODS)[number];

/** What a caller needs: an operator scope (`operator.<scope>`), or role `node` for `"node"`. */
export type MethodScope = "read" | "write" | "admin" | "approvals" | "pairing" | "node";

/** Callable only by connections with role `node`. */
export const NODE_METHODS: readonly string[] = ["node.invoke.result", "node.event", "skills.bins", "node.canvas.capability.refresh"];

/** Need `operator.approvals` (or admin). */
export const APPROVAL_METHODS: readonly string[] = ["exec.approval.request", "exec.approval.resolve", "exec.approval.list"];

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
];

/** Scope class of one method; everything not listed in a set is admin-only (§4). */
function toMethodScope(method: string): MethodScope {
  if (NODE_METHODS.includes(method)) return "node";
  if (APPROVAL_METHODS.includes(method)) return "approvals";
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
  Object.fromEntries([...METHODS, ...UNADVERTISED_METHODS].map((m) => [m, toMethodScope(m)])),
);
