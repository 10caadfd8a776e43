/**
 * Params of the admin-side methods (spec protocol.md §6): config, exec approvals, wizard, models, agents,
 * skills, update, sessions, cron and the WhatsApp login plugin methods.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { ApprovalDecision } from "./events.ts";
import {
  AnyValue,
  defineClosed,
  defineLiterals,
  defineOpen,
  LooseRecord,
  Millis,
  NonEmptyString,
  nullable,
} from "./_schema-helpers.ts";

const NoParams = () => defineClosed({});

const ConfigWrite = () =>
  defineClosed({
    raw: T.String({ description: "JSON5 text." }),
    baseHash: T.Optional(T.String()),
    sessionKey: T.Optional(T.String()),
    note: T.Optional(T.String()),
    restartDelayMs: T.Optional(Millis),
  });

/** Exec approvals file (`exec-approvals.json`); its inner layout is owned by the approvals subsystem. */
const ExecApprovalsFile = defineOpen({
  version: T.Optional(T.Integer({ minimum: 1 })),
  socket: T.Optional(LooseRecord),
  defaults: T.Optional(LooseRecord),
  agents: T.Optional(T.Record(T.String(), LooseRecord)),
});

const OptionalNullableString = () => T.Optional(nullable(T.String()));

/** Where a cron job runs: the main session (system event) or its own `cron:<jobId>` session (agent turn). */
export const CronSessionTarget = defineLiterals(["main", "isolated"] as const);
/** Whether a main-session job wakes the heartbeat at once or waits for the next one. */
export const CronWakeMode = defineLiterals(["next-heartbeat", "now"] as const);

/** When a cron job fires: once `at` an ISO time, `every` N ms, or on a `cron` expression. */
export const CronSchedule = T.Union(
  [
    defineClosed({ kind: T.Literal("at"), at: NonEmptyString }),
    defineClosed({ kind: T.Literal("every"), everyMs: T.Integer({ minimum: 1 }), anchorMs: T.Optional(Millis) }),
    defineClosed({ kind: T.Literal("cron"), expr: NonEmptyString, tz: T.Optional(T.String()) }),
  ],
  { $id: "CronSchedule", description: "Once at an ISO time, every N ms (aligned to anchorMs), or on a cron expression in a time zone." },
);

const CronAgentTurn = {
  model: T.Optional(T.String()),
  thinking: T.Optional(T.String()),
  timeoutSeconds: T.Optional(T.Integer({ minimum: 1 })),
};

/** What a cron job does: inject a system event or run an agent turn. */
export const CronPayload = T.Union(
  [
    defineClosed({ kind: T.Literal("systemEvent"), text: NonEmptyString }),
    defineClosed({ kind: T.Literal("agentTurn"), message: NonEmptyString, ...CronAgentTurn }),
  ],
  { $id: "CronPayload", description: "Queue a system event for the main session, or run an isolated agent turn." },
);

const CronPayloadPatch = T.Union([
  defineClosed({ kind: T.Literal("systemEvent"), text: T.Optional(NonEmptyString) }),
  defineClosed({ kind: T.Literal("agentTurn"), message: T.Optional(NonEmptyString), ...CronAgentTurn }),
]);

const cronDeliveryFields = {
  channel: T.Optional(T.String({ minLength: 1, description: '"last" or a channel id.' })),
  to: T.Optional(T.String()),
  bestEffort: T.Optional(T.Boolean()),
};
const DeliveryMode = defineLiterals(["none", "announce"] as const);

/** Where an isolated job's reply goes. */
export const CronDelivery = defineClosed(
  { mode: DeliveryMode, ...cronDeliveryFields },
  { $id: "CronDelivery", description: "announce: send the reply to a chat (channel \"last\" = the main session's last one); none: keep it in the run log." },
);

const cronJobFields = {
  agentId: T.Optional(nullable(NonEmptyString)),
  description: T.Optional(T.String()),
  enabled: T.Optional(T.Boolean()),
  deleteAfterRun: T.Optional(T.Boolean()),
};

const CronJobPatch = defineClosed({
  name: T.Optional(NonEmptyString),
  ...cronJobFields,
  schedule: T.Optional(CronSchedule),
  sessionTarget: T.Optional(CronSessionTarget),
  wakeMode: T.Optional(CronWakeMode),
  payload: T.Optional(CronPayloadPatch),
  delivery: T.Optional(defineClosed({ mode: T.Optional(DeliveryMode), ...cronDeliveryFields })),
  state: T.Optional(LooseRecord),
});

/** Cron methods name a job by `id`; `jobId` is accepted as an alias. */
function defineCronJobRef<P extends Record<string, TSchema>>(extra: P) {
  return T.Union([defineClosed({ id: NonEmptyString, ...extra }), defineClosed({ jobId: NonEmptyString, ...extra })]);
}

/**
 * v4 `models.list`: `view` picks the rows (`configured`/`default`/`provider-config`/`all` are all the
 * configured providers' models here: we have no discovered catalog), `provider` filters, `agentId`/
 * `sessionKey` name whose view (every agent sees the same models); `includeDetails` and the other flags
 * are accepted: our rows always carry what we know.
 */
const ModelsList = defineClosed({
  agentId: T.Optional(NonEmptyString),
  sessionKey: T.Optional(NonEmptyString),
  authProfileId: T.Optional(NonEmptyString),
  provider: T.Optional(NonEmptyString),
  includeDetails: T.Optional(T.Boolean()),
  includeProviderCapabilities: T.Optional(T.Boolean()),
  includeDefaultModels: T.Optional(T.Boolean()),
  preparedOnly: T.Optional(T.Boolean()),
  refresh: T.Optional(T.Boolean()),
  view: T.Optional(defineLiterals(["default", "configured", "provider-config", "all"] as const)),
});

/**
 * Fields v4 clients add to `sessions.list`. `offset` pages, `configuredAgentsOnly` drops sessions of agents
 * no longer configured, `pinned` keeps the pinned (or unpinned) ones, `archived` lists archived sessions
 * (`"all"`: both; a v4 list without it leaves them out); the rest (owners, boards, projects, people, activity
 * sorting) have no counterpart here and are accepted and ignored.
 */
const V4_SESSIONS_LIST_FIELDS = {
  offset: T.Optional(T.Integer({ minimum: 0 })),
  activeOnly: T.Optional(T.Boolean()),
  requireLastInteraction: T.Optional(T.Boolean()),
  sortBy: T.Optional(defineLiterals(["updatedAt", "lastInteractionAt", "activity"] as const)),
  excludeSubagents: T.Optional(T.Boolean()),
  excludeCron: T.Optional(T.Boolean()),
  excludeSystem: T.Optional(T.Boolean()),
  configuredAgentsOnly: T.Optional(T.Boolean()),
  includeActivitySummary: T.Optional(T.Boolean()),
  projectId: T.Optional(NonEmptyString),
  workspaceDir: T.Optional(NonEmptyString),
  group: T.Optional(T.String()),
  pinned: T.Optional(T.Boolean()),
  boardFace: T.Optional(defineLiterals(["chat", "dashboard"] as const)),
  hasBoard: T.Optional(T.Boolean()),
  creatorId: T.Optional(NonEmptyString),
  ownerId: T.Optional(NonEmptyString),
  ownerFirst: T.Optional(T.Boolean()),
  involvingMe: T.Optional(T.Boolean()),
  profileRelation: T.Optional(AnyValue),
  involvingProfileId: T.Optional(NonEmptyString),
  includePeople: T.Optional(T.Boolean()),
  archived: T.Optional(T.Union([T.Boolean(), T.Literal("all")])),
};

/**
 * Fields v4 clients add to `sessions.patch`. `agentId` names what the key already names and
 * `expectedSessionId` refuses a patch of a session that was reset meanwhile. The sidebar state the Control
 * UI writes is stored: `pinned`, `archived` (needs `expectedSessionId`), `unread` (`unread:false` with
 * `expectedMarkedUnreadAt` as its only change clears only that mark). The other v4 settings have no
 * counterpart in our session entries: accepted and ignored.
 */
const V4_SESSIONS_PATCH_FIELDS = {
  agentId: T.Optional(NonEmptyString),
  expectedSessionId: T.Optional(NonEmptyString),
  expectedLifecycleRevision: T.Optional(NonEmptyString),
  expectedPermissionMode: T.Optional(AnyValue),
  expectedSandboxMode: T.Optional(AnyValue),
  expectedNativeRuntimeConsent: T.Optional(AnyValue),
  expectedToolOverrides: T.Optional(AnyValue),
  expectedMarkedUnreadAt: T.Optional(
    nullable(T.Number({ minimum: 0, description: "With unread:false as the only change: clear the unread mark only when it is still this one (null: none)." })),
  ),
  autoLabel: OptionalNullableString(),
  icon: OptionalNullableString(),
  color: OptionalNullableString(),
  category: OptionalNullableString(),
  boardFace: T.Optional(AnyValue),
  boardPresentation: T.Optional(AnyValue),
  statusNote: T.Optional(AnyValue),
  attention: T.Optional(AnyValue),
  ttlMinutes: T.Optional(AnyValue),
  archived: T.Optional(T.Boolean({ description: "Archive (true) or restore (false); needs expectedSessionId." })),
  pinned: T.Optional(T.Boolean()),
  unread: T.Optional(T.Boolean({ description: "true marks unread; false records the session as read." })),
  contextWindow: T.Optional(AnyValue),
  fastMode: T.Optional(AnyValue),
  toolOverrides: T.Optional(AnyValue),
  traceLevel: OptionalNullableString(),
  permissionMode: OptionalNullableString(),
  sandboxMode: OptionalNullableString(),
  nativeRuntimeConsent: OptionalNullableString(),
  agentRuntime: OptionalNullableString(),
};

const CronSortDir = defineLiterals(["asc", "desc"] as const);

/**
 * v4 `cron.list`: v3's `includeDisabled` plus paging (`limit` ≤ 200, `offset`), `enabled`
 * (all/enabled/disabled, wins over includeDisabled), `agentId`, `query` (name or description), `sortBy`,
 * `sortDir`, `scheduleKind`, `lastRunStatus`. `sessionKey`, `sessionAgentId`, `trigger`, `compact` and
 * `includeDeliveryPreviews` are accepted and ignored (rows are always full; we have no triggers).
 */
const CronList = defineClosed({
  includeDisabled: T.Optional(T.Boolean()),
  sessionKey: T.Optional(NonEmptyString),
  sessionAgentId: T.Optional(NonEmptyString),
  limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })),
  offset: T.Optional(T.Integer({ minimum: 0 })),
  query: T.Optional(T.String()),
  enabled: T.Optional(defineLiterals(["all", "enabled", "disabled"] as const)),
  scheduleKind: T.Optional(defineLiterals(["all", "at", "every", "cron", "on-exit", "stream"] as const)),
  lastRunStatus: T.Optional(defineLiterals(["all", "ok", "error", "skipped", "unknown"] as const)),
  trigger: T.Optional(defineLiterals(["all", "conditional", "unconditional"] as const)),
  sortBy: T.Optional(defineLiterals(["nextRunAtMs", "updatedAtMs", "name"] as const)),
  sortDir: T.Optional(CronSortDir),
  agentId: T.Optional(NonEmptyString),
  compact: T.Optional(T.Boolean()),
  includeDeliveryPreviews: T.Optional(T.Boolean()),
});

const CronRunStatusValue = defineLiterals(["ok", "error", "skipped"] as const);

/**
 * v4 `cron.runs`: one job (`id`/`jobId`, scope "job") or every job (`scope:"all"`), paged by `limit` ≤ 200
 * and `offset`, newest first unless `sortDir:"asc"`, filtered by `status`/`statuses`, `agentId`, `runId`
 * and `query` (job name, summary, error). Delivery status filters are accepted and ignored (we record none).
 */
const CronRunsV4 = defineClosed({
  agentId: T.Optional(NonEmptyString),
  scope: T.Optional(defineLiterals(["job", "all"] as const)),
  id: T.Optional(NonEmptyString),
  jobId: T.Optional(NonEmptyString),
  runId: T.Optional(NonEmptyString),
  limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })),
  offset: T.Optional(T.Integer({ minimum: 0 })),
  statuses: T.Optional(T.Array(CronRunStatusValue, { minItems: 1, maxItems: 3 })),
  status: T.Optional(defineLiterals(["all", "ok", "error", "skipped"] as const)),
  deliveryStatuses: T.Optional(T.Array(T.String(), { minItems: 1, maxItems: 4 })),
  deliveryStatus: T.Optional(T.String()),
  query: T.Optional(T.String()),
  sortDir: T.Optional(CronSortDir),
});

/** Params of config, approvals, wizard, model/agent/skill, update, session and cron methods. */
export const ADMIN_PARAMS = {
  "config.get": NoParams(),
  "config.set": defineClosed({ raw: T.String({ description: "JSON5 text." }), baseHash: T.Optional(T.String()) }),
  "config.apply": ConfigWrite(),
  "config.patch": ConfigWrite(),
  "config.schema": NoParams(),
  "exec.approvals.get": NoParams(),
  "exec.approvals.set": defineClosed({ file: ExecApprovalsFile, baseHash: T.Optional(T.String()) }),
  "exec.approvals.node.get": defineClosed({ nodeId: NonEmptyString }),
  "exec.approvals.node.set": defineClosed({ nodeId: NonEmptyString, file: ExecApprovalsFile, baseHash: T.Optional(T.String()) }),
  "exec.approval.request": defineClosed({
    id: T.Optional(NonEmptyString),
    command: NonEmptyString,
    cwd: OptionalNullableString(),
    host: OptionalNullableString(),
    security: OptionalNullableString(),
    ask: OptionalNullableString(),
    agentId: OptionalNullableString(),
    resolvedPath: OptionalNullableString(),
    sessionKey: OptionalNullableString(),
    timeoutMs: T.Optional(T.Integer({ minimum: 1, description: "Default 120000." })),
  }),
  "exec.approval.list": NoParams(),
  // v4 adds `reviewer` (who answered, for channel reviews) and `grantExpiresInDays` (standing grants, which
  // we do not keep): both accepted and ignored.
  "exec.approval.resolve": defineClosed({
    id: NonEmptyString,
    decision: ApprovalDecision,
    reviewer: T.Optional(AnyValue),
    grantExpiresInDays: T.Optional(T.Integer({ minimum: 1, maximum: 3650 })),
  }),
  "wizard.start": defineClosed({ mode: T.Optional(defineLiterals(["local", "remote"] as const)), workspace: T.Optional(T.String()) }),
  "wizard.next": defineClosed({
    sessionId: NonEmptyString,
    answer: T.Optional(defineClosed({ stepId: NonEmptyString, value: T.Optional(AnyValue) })),
  }),
  "wizard.cancel": defineClosed({ sessionId: NonEmptyString }),
  "wizard.status": defineClosed({ sessionId: NonEmptyString }),
  "models.list": ModelsList,
  "agents.list": NoParams(),
  "agents.files.list": defineClosed({ agentId: NonEmptyString }),
  "agents.files.get": defineClosed({ agentId: NonEmptyString, name: NonEmptyString }),
  "agents.files.set": defineClosed({ agentId: NonEmptyString, name: NonEmptyString, content: T.String() }),
  // Ours: the workspace memory index (MEMORY.md, memory/**.md) behind `openclaw memory`.
  "memory.search": defineClosed({
    query: T.String({ minLength: 1, maxLength: 2000, description: "Words to look for; FTS syntax is taken as plain words." }),
    agentId: T.Optional(NonEmptyString),
    maxResults: T.Optional(T.Integer({ minimum: 1, maximum: 50 })),
  }),
  "memory.status": defineClosed({ agentId: T.Optional(NonEmptyString) }),
  "memory.reindex": defineClosed({ agentId: T.Optional(NonEmptyString), full: T.Optional(T.Boolean({ description: "Forget the index and read every file again." })) }),
  "skills.status": defineClosed({ agentId: T.Optional(T.String()) }),
  "tools.effective": defineClosed({
    agentId: T.Optional(NonEmptyString),
    sessionKey: T.Optional(NonEmptyString),
  }),
  "skills.bins": NoParams(),
  "skills.install": defineClosed({
    name: NonEmptyString,
    installId: NonEmptyString,
    timeoutMs: T.Optional(T.Integer({ minimum: 1000 })),
  }),
  "skills.update": defineClosed({
    skillKey: NonEmptyString,
    enabled: T.Optional(T.Boolean()),
    apiKey: T.Optional(T.String()),
    env: T.Optional(T.Record(T.String(), T.String())),
  }),
  "update.run": defineClosed({
    sessionKey: T.Optional(T.String()),
    note: T.Optional(T.String()),
    restartDelayMs: T.Optional(Millis),
    timeoutMs: T.Optional(T.Integer({ minimum: 1 })),
  }),
  "sessions.list": defineClosed({
    limit: T.Optional(T.Integer({ minimum: 1 })),
    activeMinutes: T.Optional(T.Integer({ minimum: 1 })),
    includeGlobal: T.Optional(T.Boolean()),
    includeUnknown: T.Optional(T.Boolean()),
    includeDerivedTitles: T.Optional(T.Boolean()),
    includeLastMessage: T.Optional(T.Boolean()),
    label: T.Optional(T.String()),
    spawnedBy: T.Optional(T.String()),
    agentId: T.Optional(T.String()),
    search: T.Optional(T.String()),
    ...V4_SESSIONS_LIST_FIELDS,
  }),
  "sessions.preview": defineClosed({
    keys: T.Array(NonEmptyString, { minItems: 1 }),
    limit: T.Optional(T.Integer({ minimum: 1 })),
    maxChars: T.Optional(T.Integer({ minimum: 20 })),
  }),
  "sessions.resolve": defineClosed({
    key: T.Optional(T.String()),
    sessionId: T.Optional(T.String()),
    label: T.Optional(T.String()),
    agentId: T.Optional(T.String()),
    spawnedBy: T.Optional(T.String()),
    includeGlobal: T.Optional(T.Boolean()),
    includeUnknown: T.Optional(T.Boolean()),
  }),
  "sessions.patch": defineClosed({
    key: NonEmptyString,
    label: OptionalNullableString(),
    thinkingLevel: OptionalNullableString(),
    verboseLevel: OptionalNullableString(),
    reasoningLevel: OptionalNullableString(),
    responseUsage: T.Optional(nullable(defineLiterals(["off", "tokens", "full", "on"] as const))),
    elevatedLevel: OptionalNullableString(),
    execHost: OptionalNullableString(),
    execSecurity: OptionalNullableString(),
    execAsk: OptionalNullableString(),
    execNode: OptionalNullableString(),
    model: OptionalNullableString(),
    spawnedBy: OptionalNullableString(),
    sendPolicy: T.Optional(nullable(defineLiterals(["allow", "deny"] as const))),
    groupActivation: T.Optional(nullable(defineLiterals(["mention", "always"] as const))),
    ...V4_SESSIONS_PATCH_FIELDS,
  }),
  // v4: `reason` ("new" | "reset") is informational here; `expectedSessionId` refuses a reset of a session
  // that moved on; `agentId` names what the key already names.
  "sessions.reset": defineClosed({
    key: NonEmptyString,
    agentId: T.Optional(NonEmptyString),
    reason: T.Optional(defineLiterals(["new", "reset"] as const)),
    expectedSessionId: T.Optional(NonEmptyString),
  }),
  "sessions.delete": defineClosed({ key: NonEmptyString, deleteTranscript: T.Optional(T.Boolean()) }),
  "sessions.compact": defineClosed({ key: NonEmptyString, maxLines: T.Optional(T.Integer({ minimum: 1 })) }),
  "cron.list": CronList,
  "cron.status": NoParams(),
  "cron.add": defineClosed({
    name: NonEmptyString,
    ...cronJobFields,
    schedule: CronSchedule,
    sessionTarget: CronSessionTarget,
    wakeMode: CronWakeMode,
    payload: CronPayload,
    delivery: T.Optional(CronDelivery),
  }),
  "cron.update": defineCronJobRef({ patch: CronJobPatch }),
  "cron.remove": defineCronJobRef({}),
  "cron.run": defineCronJobRef({ mode: T.Optional(defineLiterals(["due", "force"] as const)) }),
  "cron.runs": T.Union([defineCronJobRef({ limit: T.Optional(T.Integer({ minimum: 1, maximum: 5000 })) }), CronRunsV4]),
  "web.login.start": defineClosed({
    force: T.Optional(T.Boolean()),
    timeoutMs: T.Optional(Millis),
    verbose: T.Optional(T.Boolean()),
    accountId: T.Optional(T.String()),
  }),
  "web.login.wait": defineClosed({ timeoutMs: T.Optional(Millis), accountId: T.Optional(T.String()) }),
  "channels.pairing.list": defineClosed({ channel: T.Optional(NonEmptyString) }),
  "channels.pairing.approve": defineClosed({ channel: NonEmptyString, code: NonEmptyString, notify: T.Optional(T.Boolean()) }),
  "channels.pairing.reject": defineClosed({ channel: NonEmptyString, code: NonEmptyString }),
} satisfies Record<string, TSchema>;
