/**
 * Result (ok payload) schemas of the methods whose answers are pinned down by the spec (protocol.md §6).
 * Results are open objects: a client must keep working when the server adds a field.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { HealthSnapshot, PresenceEntry } from "./connect.ts";
import { ApprovalDecision, ExecApprovalRequest, HeartbeatEvent } from "./events.ts";
import { CronDelivery, CronPayload, CronSchedule, CronSessionTarget, CronWakeMode } from "./params-admin.ts";
import { AnyValue, defineLiterals, defineOpen, LooseRecord, Millis, nullable } from "./_schema-helpers.ts";

const SkillRequirementLists = defineOpen({
  bins: T.Array(T.String()),
  anyBins: T.Array(T.String()),
  env: T.Array(T.String()),
  config: T.Array(T.String()),
  os: T.Array(T.String()),
});

/** v4: the session row `chat.history` pages and deltas carry (`sessionInfo`): a `sessions.list` row with the sidebar state. */
const SessionInfo = defineOpen(
  {
    key: T.String(),
    sessionId: T.Optional(T.String()),
    pinned: T.Optional(T.Boolean()),
    archived: T.Optional(T.Boolean()),
    unread: T.Optional(T.Boolean()),
  },
  { $id: "ChatSessionInfo", description: "v4: the session's sessions.list row, with its sidebar state." },
);

/** A `chat.history` page: the newest messages (after `offset`), oldest first, and on v4 where the page is. */
const ChatHistoryPage = defineOpen(
  {
    sessionKey: T.String(),
    sessionId: T.Optional(T.String()),
    messages: T.Array(AnyValue),
    thinkingLevel: T.Optional(nullable(T.String())),
    totalMessages: T.Optional(T.Integer({ minimum: 0, description: "v4: messages in the transcript." })),
    hasMore: T.Optional(T.Boolean({ description: "v4: older messages exist beyond this page." })),
    offset: T.Optional(T.Integer({ minimum: 0, description: "v4: the offset asked for, echoed." })),
    nextOffset: T.Optional(T.Integer({ minimum: 0, description: "v4: the offset of the next older page (only when hasMore)." })),
    deltaCursor: T.Optional(T.String({ description: "v4, tail pages only: pass back as cursor to get what came after this page." })),
    sessionInfo: T.Optional(SessionInfo),
  },
  { $id: "ChatHistoryPage", description: "A page of a session's messages, oldest first." },
);

/** v4 `chat.history {cursor}`: the messages after the cursor, each shaped like a `session.message` event. */
const ChatHistoryDelta = defineOpen(
  {
    kind: T.Literal("delta"),
    messages: T.Array(
      defineOpen({
        sessionKey: T.String(),
        agentId: T.Optional(T.String()),
        sessionId: T.String(),
        message: AnyValue,
        messageSeq: T.Integer({ minimum: 1, description: "1-based position of the message in the transcript." }),
        updatedAt: T.Optional(Millis),
      }),
    ),
    deltaCursor: T.String(),
    sessionInfo: SessionInfo,
  },
  { $id: "ChatHistoryDelta", description: "v4: the messages after a cursor." },
);

/** v4 `chat.history {cursor}` when the cursor cannot be served. */
const ChatHistoryReset = defineOpen({ kind: T.Literal("reset") }, { $id: "ChatHistoryReset", description: "v4: the cursor cannot be served; fetch a tail page." });

/** One skill in `skills.status`: where it is, what it requires and what of that is missing. */
export const SkillStatusEntry = defineOpen(
  {
    name: T.String(),
    description: T.String(),
    source: T.String({ description: "openclaw-bundled, openclaw-managed or openclaw-workspace." }),
    bundled: T.Boolean(),
    path: T.String({ description: "Absolute path of its SKILL.md." }),
    filePath: T.String({ description: "Same as path (the upstream's name)." }),
    baseDir: T.String(),
    skillKey: T.String({ description: "Its key under skills.entries." }),
    primaryEnv: T.Optional(T.String()),
    emoji: T.Optional(T.String()),
    homepage: T.Optional(T.String()),
    always: T.Boolean(),
    disableModelInvocation: T.Boolean({ description: "Kept out of the model's skill list." }),
    disabled: T.Boolean(),
    blockedByAllowlist: T.Boolean(),
    eligible: T.Boolean(),
    requirements: SkillRequirementLists,
    missing: SkillRequirementLists,
    configChecks: T.Array(defineOpen({ path: T.String(), satisfied: T.Boolean() })),
    install: T.Array(AnyValue, { description: "Installer options; always empty (dependencies are not installed by this gateway)." }),
  },
  { $id: "SkillStatusEntry", description: "A skill and its eligibility." },
);

/** What a finished agent run produced: reply payloads and run metadata (`meta.agentMeta.usage`, `meta.aborted`, …). */
export const AgentRunOutput = defineOpen(
  {
    payloads: T.Optional(T.Array(defineOpen({ text: T.Optional(T.String()), mediaUrl: T.Optional(T.String()) }))),
    meta: T.Optional(
      defineOpen({
        durationMs: T.Optional(Millis),
        aborted: T.Optional(T.Boolean()),
        agentMeta: T.Optional(
          defineOpen({
            sessionId: T.Optional(T.String()),
            provider: T.Optional(T.String()),
            model: T.Optional(T.String()),
            usage: T.Optional(T.Record(T.String(), T.Number())),
          }),
        ),
      }),
    ),
  },
  { $id: "AgentRunOutput", description: "Reply payloads and metadata of a finished agent run." },
);

/** The final `agent` answer (second response on the same id), also what `agent` repeats for a finished run. */
export const AgentRunFinal = defineOpen(
  {
    runId: T.String(),
    status: T.Union([T.Literal("ok"), T.Literal("error")]),
    summary: T.Optional(T.String()),
    result: T.Optional(AgentRunOutput),
    /** With `deliver`: where the reply went, or why it did not. */
    delivery: T.Optional(defineOpen({ ok: T.Boolean(), channel: T.Optional(T.String()), to: T.Optional(T.String()), error: T.Optional(T.String()) })),
  },
  { $id: "AgentRunFinal", description: "Final answer of an agent run." },
);

/** `{ok: true}` and friends. */
export const OkResult = defineOpen({ ok: T.Boolean() }, { $id: "OkResult", description: "Plain acknowledgement." });

/** One node as listed by `node.list` and `node.describe`. */
export const NodeInfo = defineOpen(
  {
    nodeId: T.String(),
    displayName: T.Optional(T.String()),
    platform: T.Optional(T.String()),
    version: T.Optional(T.String()),
    deviceFamily: T.Optional(T.String()),
    modelIdentifier: T.Optional(T.String()),
    remoteIp: T.Optional(T.String()),
    caps: T.Array(T.String()),
    commands: T.Array(T.String()),
    permissions: T.Optional(T.Record(T.String(), T.Boolean())),
    paired: T.Boolean(),
    connected: T.Boolean(),
    connectedAtMs: T.Optional(Millis),
    /** When the node last connected (kept across disconnects). */
    lastConnectedAtMs: T.Optional(Millis),
  },
  { $id: "NodeInfo", description: "A paired or connected node." },
);

/** One token of a paired device as listed: metadata only, never the token (upstream shape). */
export const DeviceTokenSummary = defineOpen(
  { role: T.String(), scopes: T.Array(T.String()), createdAtMs: Millis, rotatedAtMs: T.Optional(Millis), revokedAtMs: T.Optional(Millis), lastUsedAtMs: T.Optional(Millis) },
  { $id: "DeviceTokenSummary", description: "A device token's role, scopes and times." },
);

/** A paired device as `device.pair.list` and `device.pair.approve` return it. */
export const PairedDevice = defineOpen(
  {
    deviceId: T.String(),
    publicKey: T.String(),
    displayName: T.Optional(T.String()),
    platform: T.Optional(T.String()),
    clientId: T.Optional(T.String()),
    clientMode: T.Optional(T.String()),
    role: T.String(),
    roles: T.Array(T.String()),
    scopes: T.Optional(T.Array(T.String())),
    remoteIp: T.Optional(T.String()),
    createdAtMs: Millis,
    approvedAtMs: Millis,
    tokens: T.Array(DeviceTokenSummary),
  },
  { $id: "PairedDevice", description: "A paired device with its token metadata." },
);

/** A pending device pairing request (also a node's, with role `node` and its declared commands). */
export const DevicePairingRequest = defineOpen(
  {
    requestId: T.String(),
    deviceId: T.String(),
    publicKey: T.String(),
    displayName: T.Optional(T.String()),
    platform: T.Optional(T.String()),
    clientId: T.Optional(T.String()),
    clientMode: T.Optional(T.String()),
    role: T.String(),
    roles: T.Optional(T.Array(T.String())),
    scopes: T.Optional(T.Array(T.String())),
    commands: T.Optional(T.Array(T.String())),
    remoteIp: T.Optional(T.String()),
    silent: T.Optional(T.Boolean()),
    isRepair: T.Optional(T.Boolean()),
    ts: Millis,
  },
  { $id: "DevicePairingRequest", description: "A device asking to pair." },
);

/** The on-disk exec approvals file and where it lives. */
export const ExecApprovalsSnapshot = defineOpen(
  { path: T.String(), exists: T.Boolean(), hash: T.String(), file: LooseRecord },
  { $id: "ExecApprovalsSnapshot", description: "Exec approvals file with its hash for optimistic writes." },
);

const CronRunStatus = defineLiterals(["ok", "error", "skipped"] as const);

/** What the scheduler keeps about a job between runs. */
export const CronJobState = defineOpen(
  {
    nextRunAtMs: T.Optional(Millis),
    runningAtMs: T.Optional(Millis),
    lastRunAtMs: T.Optional(Millis),
    lastStatus: T.Optional(CronRunStatus),
    lastError: T.Optional(T.String()),
    lastDurationMs: T.Optional(Millis),
  },
  { $id: "CronJobState", description: "Next and last run of a cron job; owned by the scheduler." },
);

/** A scheduled job as `cron.list`, `cron.add` and `cron.update` return it. */
export const CronJob = defineOpen(
  {
    id: T.String(),
    agentId: T.Optional(T.String()),
    createdBy: T.Optional(T.String({ description: '"agent:<agentId>" when the agent\'s cron tool added the job; absent for operators.' })),
    createdBySessionKey: T.Optional(T.String({ description: "The session the creating agent run was on." })),
    name: T.String(),
    description: T.Optional(T.String()),
    enabled: T.Boolean(),
    deleteAfterRun: T.Optional(T.Boolean()),
    createdAtMs: Millis,
    updatedAtMs: Millis,
    schedule: CronSchedule,
    sessionTarget: CronSessionTarget,
    wakeMode: CronWakeMode,
    payload: CronPayload,
    delivery: T.Optional(CronDelivery),
    state: CronJobState,
  },
  { $id: "CronJob", description: "A scheduled job." },
);

/** One finished (or skipped) run of a cron job; also the `cron` event of action `finished`. */
export const CronRunLogEntry = defineOpen(
  {
    ts: Millis,
    jobId: T.String(),
    action: T.Literal("finished"),
    status: T.Optional(CronRunStatus),
    error: T.Optional(T.String()),
    summary: T.Optional(T.String()),
    runAtMs: T.Optional(Millis),
    durationMs: T.Optional(Millis),
    nextRunAtMs: T.Optional(Millis),
  },
  { $id: "CronRunLogEntry", description: "One run of a cron job, newest last in `cron.runs`." },
);

const SessionRecent = T.Array(LooseRecord);
const PairingLists = () => defineOpen({ pending: T.Array(AnyValue), paired: T.Array(AnyValue) });
const Triggers = () => defineOpen({ triggers: T.Array(T.String()) });

/** How a config write restarts the gateway: in process after `delayMs`; `ok: false` when nothing can. */
const ConfigRestart = defineOpen({
  ok: T.Boolean(),
  pid: T.Integer({ minimum: 0 }),
  delayMs: Millis,
  reason: T.Optional(T.String()),
  mode: T.String({ description: "in-process, or unavailable (embedded gateway)." }),
});
const ConfigWriteResult = (restart: "required" | "optional") =>
  defineOpen({
    ok: T.Boolean(),
    path: T.String(),
    config: AnyValue,
    hash: T.Optional(T.String({ description: "Hash of the file as written: the next baseHash." })),
    reload: T.Optional(T.String({ description: "none, hot, restart or off: how the new config was applied." })),
    restart: restart === "required" ? ConfigRestart : T.Optional(ConfigRestart),
    sentinel: T.Optional(nullable(defineOpen({ path: nullable(T.String()), payload: LooseRecord }))),
  });
const AgentFile = defineOpen({
  name: T.String(),
  path: T.String(),
  missing: T.Boolean(),
  size: T.Optional(T.Integer({ minimum: 0 })),
  updatedAtMs: T.Optional(Millis),
  content: T.Optional(T.String()),
});

/** One registered agent tool as `tools.effective` reports it: offered to the run or not, and why. */
const EffectiveTool = defineOpen({
  name: T.String(),
  group: T.Optional(T.String({ description: "The tool's group (`group:<name>` in tools.allow/deny)." })),
  included: T.Boolean(),
  reason: T.String({ description: "The config key (profile, allow or deny entry) or missing port that decided." }),
  http: T.Boolean({ description: "May run over POST /tools/invoke (unless gateway.tools says otherwise)." }),
  needs: T.Array(T.String(), { description: "Host ports the tool needs." }),
});

const TokenCount = T.Integer({ minimum: 0 });

/** Token and cost totals of a period in `usage.cost` (one calendar day, or the whole window). */
export const UsageCostTotals = defineOpen(
  {
    input: TokenCount,
    output: TokenCount,
    cacheRead: TokenCount,
    cacheWrite: TokenCount,
    totalTokens: TokenCount,
    totalCost: T.Number({ minimum: 0, description: "USD." }),
    missingCostEntries: T.Integer({ minimum: 0, description: "Model calls counted in the tokens whose cost is unknown." }),
  },
  { $id: "UsageCostTotals", description: "Token and cost totals of model calls." },
);

/** One local calendar day of `usage.cost`. */
export const UsageCostDay = defineOpen(
  { date: T.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "YYYY-MM-DD, gateway-local." }), ...UsageCostTotals.properties },
  { $id: "UsageCostDay", description: "Token and cost totals of one calendar day." },
);

/** One provider's quota windows in `usage.status`. */
export const ProviderUsageSnapshot = defineOpen(
  {
    provider: T.String(),
    displayName: T.Optional(T.String()),
    windows: T.Array(
      defineOpen({
        label: T.String(),
        usedPercent: T.Number(),
        resetAt: T.Optional(Millis),
      }),
    ),
    plan: T.Optional(T.String()),
    error: T.Optional(T.String()),
  },
  { $id: "ProviderUsageSnapshot", description: "Subscription usage windows of one model provider." },
);

/** Method name → result schema, for the methods that have a documented result. */
/**
 * One hit of `memory.search`: workspace-relative path, 1-based inclusive lines of the snippet, score (higher is
 * better): BM25, or with an embeddings provider the weighted merge of normalized BM25 and cosine (0..1).
 */
const MemoryHit = defineOpen({
  path: T.String(),
  startLine: T.Integer({ minimum: 1 }),
  endLine: T.Integer({ minimum: 1 }),
  snippet: T.String(),
  score: T.Number(),
});

const MemorySkipped = T.Array(defineOpen({ path: T.String(), reason: T.String() }));

/** The optional embeddings provider of one agent's memory search in `memory.status` (never its key). */
const MemoryEmbeddingsStatus = defineOpen({
  provider: T.String({ description: '"none" when no provider is configured (keyword search only).' }),
  model: T.Optional(T.String()),
  endpoint: T.Optional(T.String({ description: "The endpoint without userinfo or query." })),
  state: T.String({ description: "off | unsupported | indexing | ready | error" }),
  hybrid: T.Boolean(),
  embedded: T.Optional(T.Integer({ minimum: 0 })),
  total: T.Optional(T.Integer({ minimum: 0 })),
  lastError: T.Optional(T.String()),
  lastErrorAt: T.Optional(Millis),
  fallback: T.Boolean({ description: "The last search answered from BM25 alone because the provider failed." }),
});

/** One agent's memory index in `memory.status`. */
const MemoryAgentStatus = defineOpen({
  agentId: T.String(),
  workspace: T.String(),
  exists: T.Boolean(),
  watching: T.Boolean(),
  files: T.Integer({ minimum: 0 }),
  chunks: T.Integer({ minimum: 0 }),
  lastIndexedAt: T.Optional(Millis),
  skipped: MemorySkipped,
  embeddings: T.Optional(MemoryEmbeddingsStatus),
});

/** What `memory.reindex` did for one agent. */
const MemoryAgentReindex = defineOpen({
  agentId: T.String(),
  workspace: T.String(),
  added: T.Integer({ minimum: 0 }),
  updated: T.Integer({ minimum: 0 }),
  removed: T.Integer({ minimum: 0 }),
  unchanged: T.Integer({ minimum: 0 }),
  files: T.Integer({ minimum: 0 }),
  chunks: T.Integer({ minimum: 0 }),
  ms: T.Integer({ minimum: 0 }),
  skipped: MemorySkipped,
});

export const METHOD_RESULTS = {
  "memory.search": defineOpen({ agentId: T.String(), results: T.Array(MemoryHit) }),
  "memory.status": defineOpen({ agents: T.Array(MemoryAgentStatus) }),
  "memory.reindex": defineOpen({ agents: T.Array(MemoryAgentReindex) }),
  health: HealthSnapshot,
  status: defineOpen({
    heartbeat: defineOpen({
      defaultAgentId: T.String(),
      agents: T.Array(
        defineOpen({ agentId: T.String(), enabled: T.Boolean(), every: T.String(), everyMs: T.Optional(nullable(Millis)) }),
      ),
    }),
    channelSummary: T.Array(AnyValue),
    queuedSystemEvents: T.Array(AnyValue),
    sessions: defineOpen({
      paths: T.Array(T.String()),
      count: T.Integer({ minimum: 0 }),
      defaults: defineOpen({ model: T.Optional(nullable(T.String())), contextTokens: T.Optional(nullable(T.Integer())) }),
      recent: SessionRecent,
      byAgent: T.Array(
        defineOpen({ agentId: T.String(), path: T.String(), count: T.Integer({ minimum: 0 }), recent: SessionRecent }),
      ),
    }),
  }),
  "system-presence": T.Array(PresenceEntry),
  "system-event": OkResult,
  "last-heartbeat": nullable(HeartbeatEvent),
  "set-heartbeats": defineOpen({ ok: T.Boolean(), enabled: T.Boolean() }),
  wake: OkResult,
  "logs.tail": defineOpen({
    file: T.String(),
    cursor: T.Integer({ minimum: 0 }),
    size: T.Integer({ minimum: 0 }),
    lines: T.Array(T.String()),
    truncated: T.Optional(T.Boolean()),
    reset: T.Optional(T.Boolean()),
  }),
  "config.get": defineOpen({
    path: T.String(),
    exists: T.Boolean(),
    raw: T.Optional(nullable(T.String())),
    parsed: T.Optional(AnyValue),
    config: T.Optional(AnyValue),
    hash: T.Optional(T.String()),
    valid: T.Optional(T.Boolean()),
    issues: T.Optional(T.Array(defineOpen({ path: T.String(), message: T.String() }))),
  }),
  "config.schema": defineOpen({
    schema: AnyValue,
    uiHints: LooseRecord,
    version: T.String(),
    generatedAt: T.String(),
  }),
  "config.set": ConfigWriteResult("optional"),
  "config.apply": ConfigWriteResult("required"),
  "config.patch": ConfigWriteResult("required"),
  "agents.files.list": defineOpen({ agentId: T.String(), workspace: T.String(), files: T.Array(AgentFile) }),
  "tools.effective": defineOpen({
    agentId: T.String(),
    sessionKey: T.String(),
    profile: T.Optional(T.String({ description: "The tool profile in force (agent's, else tools.profile); absent when none is set." })),
    tools: T.Array(EffectiveTool),
  }),
  "agents.files.get": defineOpen({ agentId: T.String(), workspace: T.String(), file: AgentFile }),
  "agents.files.set": defineOpen({ ok: T.Boolean(), agentId: T.String(), workspace: T.String(), file: AgentFile }),
  "sessions.compact": defineOpen({
    ok: T.Boolean(),
    key: T.String(),
    compacted: T.Boolean(),
    kept: T.Optional(T.Integer({ minimum: 0 })),
    removed: T.Optional(T.Integer({ minimum: 0 })),
    reason: T.Optional(T.String()),
  }),
  "usage.status": defineOpen({ updatedAt: Millis, providers: T.Array(ProviderUsageSnapshot) }),
  "usage.cost": defineOpen({
    updatedAt: Millis,
    days: T.Integer({ minimum: 1 }),
    daily: T.Array(UsageCostDay),
    totals: UsageCostTotals,
  }),
  "models.list": defineOpen({
    models: T.Array(
      defineOpen({
        id: T.String(),
        name: T.String(),
        provider: T.String(),
        contextWindow: T.Optional(T.Integer({ minimum: 0 })),
        reasoning: T.Optional(T.Boolean()),
        input: T.Optional(T.Array(T.String())),
      }),
    ),
  }),
  "agents.list": defineOpen({
    defaultId: T.String(),
    mainKey: T.String(),
    scope: T.Union([T.Literal("per-sender"), T.Literal("global")]),
    agents: T.Array(
      defineOpen({
        id: T.String(),
        name: T.Optional(T.String()),
        identity: T.Optional(
          defineOpen({
            name: T.Optional(T.String()),
            theme: T.Optional(T.String()),
            emoji: T.Optional(T.String()),
            avatar: T.Optional(T.String()),
            avatarUrl: T.Optional(T.String()),
          }),
        ),
      }),
    ),
  }),
  "sessions.list": defineOpen({
    ts: Millis,
    path: T.String(),
    count: T.Integer({ minimum: 0 }),
    defaults: defineOpen({
      modelProvider: T.Optional(nullable(T.String())),
      model: T.Optional(nullable(T.String())),
      contextTokens: T.Optional(nullable(T.Integer())),
    }),
    sessions: T.Array(
      defineOpen({
        key: T.String(),
        kind: T.Optional(T.String()),
        sessionId: T.Optional(T.String()),
        updatedAt: T.Optional(nullable(Millis)),
        label: T.Optional(T.String()),
        model: T.Optional(T.String()),
        modelProvider: T.Optional(T.String()),
        totalTokens: T.Optional(T.Integer({ minimum: 0 })),
        pinned: T.Optional(T.Boolean({ description: "v4: pinned to the top of the sidebar (since pinnedAt)." })),
        archived: T.Optional(T.Boolean({ description: "v4: archived (since archivedAt, archiveReason \"manual\")." })),
        unread: T.Optional(T.Boolean({ description: "v4: marked unread (markedUnreadAt), or a message newer than lastReadAt." })),
        pinnedAt: T.Optional(Millis),
        archivedAt: T.Optional(Millis),
        archiveReason: T.Optional(T.String()),
        markedUnreadAt: T.Optional(Millis),
        lastReadAt: T.Optional(Millis),
        lastInteractionAt: T.Optional(T.Number({ description: "v4: time of the newest transcript message." })),
      }),
    ),
  }),
  "channels.status": defineOpen({
    ts: Millis,
    channelOrder: T.Array(T.String()),
    channelLabels: T.Record(T.String(), T.String()),
    channelDetailLabels: T.Optional(T.Record(T.String(), T.String())),
    channelSystemImages: T.Optional(T.Record(T.String(), T.String())),
    channelMeta: T.Optional(T.Array(LooseRecord)),
    channels: LooseRecord,
    channelAccounts: T.Record(T.String(), T.Array(LooseRecord)),
    channelDefaultAccountId: T.Record(T.String(), T.String()),
  }),
  "node.list": defineOpen({ ts: Millis, nodes: T.Array(NodeInfo) }),
  "node.describe": NodeInfo,
  "node.invoke": defineOpen({
    ok: T.Boolean(),
    nodeId: T.String(),
    command: T.String(),
    payload: T.Optional(AnyValue),
    payloadJSON: T.Optional(nullable(T.String())),
  }),
  "node.invoke.result": OkResult,
  "node.event": OkResult,
  "node.canvas.capability.refresh": defineOpen({
    canvasCapability: T.String(),
    canvasCapabilityExpiresAtMs: Millis,
    canvasHostUrl: T.String(),
  }),
  "node.pair.list": PairingLists(),
  "device.pair.list": defineOpen({ pending: T.Array(DevicePairingRequest), paired: T.Array(PairedDevice) }),
  "device.pair.approve": defineOpen({ requestId: T.String(), device: PairedDevice }),
  agent: T.Union([
    defineOpen({ runId: T.String(), status: T.Literal("accepted"), acceptedAt: Millis }),
    defineOpen({ runId: T.String(), status: T.Literal("in_flight") }),
    AgentRunFinal,
  ]),
  "agent.wait": defineOpen({
    runId: T.String(),
    status: T.Union([T.Literal("ok"), T.Literal("error"), T.Literal("timeout")]),
    startedAt: T.Optional(Millis),
    endedAt: T.Optional(Millis),
    error: T.Optional(T.String()),
  }),
  "agent.identity.get": defineOpen({
    agentId: T.String(),
    name: T.Optional(T.String()),
    avatar: T.Optional(T.String()),
    emoji: T.Optional(T.String()),
  }),
  "chat.history": T.Union([ChatHistoryPage, ChatHistoryDelta, ChatHistoryReset], {
    description: "A page of messages; on v4, an answer to `cursor` is a delta (`kind:\"delta\"`) or `kind:\"reset\"` instead.",
  }),
  "chat.send": defineOpen({ runId: T.String(), status: T.String({ description: "started, in_flight, ok or error." }) }),
  "chat.abort": defineOpen({ ok: T.Boolean(), aborted: T.Boolean(), runIds: T.Array(T.String()) }),
  "talk.mode": defineOpen({ enabled: T.Boolean(), phase: T.Optional(nullable(T.String())), ts: T.Optional(Millis) }),
  "voicewake.get": Triggers(),
  "voicewake.set": Triggers(),
  "skills.bins": defineOpen({ bins: T.Array(T.String()) }),
  "skills.status": defineOpen({
    workspaceDir: T.String(),
    managedSkillsDir: T.String(),
    bundledSkillsDir: T.String(),
    skills: T.Array(SkillStatusEntry),
    problems: T.Array(defineOpen({ path: T.String(), message: T.String() }), { description: "Skill folders that were skipped, and why." }),
  }),
  "skills.update": defineOpen({
    ok: T.Literal(true),
    skillKey: T.String(),
    config: T.Record(T.String(), AnyValue, { description: "The skill's config entry as now written, secrets redacted." }),
  }),
  "exec.approvals.get": ExecApprovalsSnapshot,
  "exec.approvals.set": ExecApprovalsSnapshot,
  "exec.approvals.node.get": ExecApprovalsSnapshot,
  "exec.approvals.node.set": ExecApprovalsSnapshot,
  "exec.approval.request": defineOpen({
    id: T.String(),
    decision: nullable(ApprovalDecision),
    createdAtMs: Millis,
    expiresAtMs: Millis,
  }),
  "exec.approval.resolve": OkResult,
  "exec.approval.list": T.Array(
    defineOpen({
      id: T.String(),
      request: ExecApprovalRequest,
      createdAtMs: Millis,
      expiresAtMs: Millis,
      approvalKind: T.Optional(T.Literal("exec")),
    }),
    { description: "Exec approvals waiting for an operator, oldest first." },
  ),
  "cron.list": defineOpen({ jobs: T.Array(CronJob) }),
  "cron.status": defineOpen({
    enabled: T.Boolean({ description: "False when cron.enabled is false: jobs can be edited but nothing fires." }),
    jobs: T.Integer({ minimum: 0, description: "Number of jobs, disabled ones included." }),
    nextWakeAtMs: T.Optional(nullable(Millis)),
    storePath: T.Optional(T.String()),
  }),
  "cron.add": CronJob,
  "cron.update": CronJob,
  "cron.remove": defineOpen({ ok: T.Boolean(), removed: T.Boolean() }),
  "cron.run": defineOpen({
    ok: T.Boolean(),
    ran: T.Boolean({ description: "True when a run was started." }),
    reason: T.Optional(T.String({ description: "Why not: not-due or already-running." })),
  }),
  "cron.runs": defineOpen({ entries: T.Array(CronRunLogEntry) }),
} satisfies Record<string, TSchema>;
