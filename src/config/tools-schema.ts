/**
 * Config schema of the agent's tool policy: `tools.*` (profile, allow/alsoAllow/deny with groups and `*`,
 * `tools.fs`, `tools.web.fetch`, `tools.web.search`, `tools.exec`) and the per-agent override `agents.list[].tools`. Referenced from
 * schema.ts; validators are precompiled by `bun run protocol:gen`. Keys owned by subsystems that land later
 * (exec, elevated, media, byProvider, …) are accepted and checked by their owners.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** Tool profiles (base allowlists), as upstream names them. */
export const TOOL_PROFILES = ["minimal", "coding", "messaging", "full"] as const;
/** A tool profile. */
export type ToolProfile = (typeof TOOL_PROFILES)[number];

const Profile = T.Unsafe<ToolProfile>(T.Union(TOOL_PROFILES.map((p) => T.Literal(p)), { description: "Base tool allowlist: minimal, coding, messaging or full." }));
const Names = (description: string) => T.Optional(T.Array(T.String({ minLength: 1 }), { description }));

const policyFields = {
  profile: T.Optional(Profile),
  allow: Names('Only these tools (names, "group:<name>", "*" wildcards); every allow list on the way must pass.'),
  alsoAllow: Names("Tools added to the profile's allowlist."),
  deny: Names("Tools never offered (deny wins over allow)."),
};

const Fs = T.Object(
  { allowOutside: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "Absolute folders the file tools may reach besides the workspace." })) },
  { additionalProperties: false },
);

const WebFetch = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "Offer web_fetch (default true)." })),
    allowPrivate: T.Optional(T.Boolean({ description: "Let web_fetch reach private, loopback and link-local addresses (default false)." })),
    maxChars: T.Optional(T.Integer({ minimum: 1, description: "Text cut (default 50000)." })),
    maxBytes: T.Optional(T.Integer({ minimum: 1, description: "Body cut (default 2 MB)." })),
    timeoutSeconds: T.Optional(T.Number({ exclusiveMinimum: 0, description: "Whole-fetch timeout (default 20)." })),
  },
  // Upstream keys not used here yet (maxCharsCap, userAgent, readability, firecrawl, …) still load.
  { additionalProperties: true },
);

const WebSearch = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "Offer web_search (default true)." })),
    provider: T.Optional(T.String({ minLength: 1, description: 'Search provider (only "brave" here).' })),
    apiKey: T.Optional(T.String({ description: "Brave Search API key (secret); BRAVE_API_KEY is used when unset." })),
    baseUrl: T.Optional(T.String({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://", description: "Provider endpoint (default https://api.search.brave.com)." })),
    maxResults: T.Optional(T.Integer({ minimum: 1, description: "Results when the call gives no count (default 5, at most 10)." })),
    timeoutSeconds: T.Optional(T.Number({ exclusiveMinimum: 0, description: "Whole-search timeout (default 30)." })),
    cacheTtlMinutes: T.Optional(T.Number({ minimum: 0, description: "How long this gateway process reuses a search answer (default 15; 0 turns the cache off)." })),
  },
  // Upstream keys for other providers (perplexity, grok, …) still load; web_search reports them as unsupported.
  { additionalProperties: true },
);

const ExecHostName = T.Unsafe<"sandbox" | "gateway" | "node">({ type: "string", enum: ["sandbox", "gateway", "node"], description: "Default exec host: sandbox, gateway or node." });

/** `tools.exec` (also `agents.list[].tools.exec`, key by key over the defaults). */
export const ExecToolSchema = T.Object(
  {
    host: T.Optional(ExecHostName),
    node: T.Optional(T.String({ minLength: 1, description: 'Default node id for host "node".' })),
    timeoutSec: T.Optional(T.Number({ exclusiveMinimum: 0, description: "Seconds before a command is killed (default 1800)." })),
    yieldMs: T.Optional(T.Integer({ minimum: 0, description: "Milliseconds before a command goes to the background (default 10000)." })),
    backgroundMs: T.Optional(T.Integer({ minimum: 0, description: "Upstream's name for yieldMs (yieldMs wins)." })),
    safeBins: T.Optional(T.Array(T.String({ minLength: 1 }), { description: "Stdin-only binaries the gateway host runs without an allowlist entry (replaces the built-in list)." })),
    sandbox: T.Optional(
      T.Object(
        {
          network: T.Optional(T.Boolean({ description: "Share the host network with sandboxed commands (default false)." })),
          memoryLimitMb: T.Optional(T.Integer({ minimum: 0, description: "Address-space limit of a sandboxed command in MiB (default 8192; 0 = none)." })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  // Upstream keys not used here (security, ask, pathPrepend, notifyOnExit, approvalRunningNoticeMs, applyPatch, …) still load.
  { additionalProperties: true },
);

/** `tools.message` (also `agents.list[].tools.message`, key by key over the defaults): where `message` may send. */
export const MessageToolSchema = T.Object(
  {
    allowAnyTarget: T.Optional(T.Boolean({ description: "Let the message tool (and cron deliveries the agent sets up) reach any chat, not only the one the run came from (default false)." })),
    allowTargets: T.Optional(
      T.Array(T.String({ minLength: 1 }), { description: 'Chats the agent may send to besides the current one: "<channel>:<to>" (e.g. "telegram:123456789"), or "<channel>:*" for every chat of a channel.' }),
    ),
    crossContext: T.Optional(
      T.Object(
        {
          allowWithinProvider: T.Optional(T.Boolean({ description: "Upstream's switch: true lets the agent reach any chat on the channel the run came from." })),
          allowAcrossProviders: T.Optional(T.Boolean({ description: "Upstream's switch: true lets the agent reach any chat on any channel." })),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: true },
);

/** `tools.subagents.tools`: the sub-agent restriction layer (it only narrows what the agent's policy gives). */
export const SubagentToolsSchema = T.Object(
  {
    allow: Names('Sub-agents get only these tools (names, "group:<name>", "*" wildcards); it cannot add a tool the agent\'s policy leaves out.'),
    deny: Names("Tools sub-agents never get (deny wins over allow), on top of the built-in sub-agent deny list."),
    alsoAllow: Names("Accepted for upstream configs; adds nothing here (the sub-agent layer only takes tools away)."),
  },
  { additionalProperties: false },
);

/** `tools`. */
export const ToolsConfigSchema = T.Object(
  {
    ...policyFields,
    subagents: T.Optional(T.Object({ tools: T.Optional(SubagentToolsSchema) }, { additionalProperties: false, description: "Tool policy of sub-agents (sessions_spawn)." })),
    fs: T.Optional(Fs),
    exec: T.Optional(ExecToolSchema),
    message: T.Optional(MessageToolSchema),
    web: T.Optional(T.Object({ fetch: T.Optional(WebFetch), search: T.Optional(WebSearch) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

/** `agents.list[].tools`: the agent's policy over the defaults in `tools`. */
export const AgentToolsSchema = T.Object({ ...policyFields, fs: T.Optional(Fs), exec: T.Optional(ExecToolSchema), message: T.Optional(MessageToolSchema) }, { additionalProperties: true });

/** `tools`. */
export type ToolsConfig = Static<typeof ToolsConfigSchema>;
/** `tools.subagents.tools`. */
export type SubagentToolsConfig = Static<typeof SubagentToolsSchema>;
/** `tools.exec`. */
export type ExecToolConfig = Static<typeof ExecToolSchema>;
/** `tools.message`. */
export type MessageToolConfig = Static<typeof MessageToolSchema>;
/** `agents.list[].tools`. */
export type AgentToolsConfig = Static<typeof AgentToolsSchema>;

/** Upstream's default of `agents.defaults.subagents.maxConcurrent`. */
export const DEFAULT_SUBAGENT_MAX_CONCURRENT = 8;
/** Default of `agents.defaults.subagents.maxSpawnDepth`: 1 = a sub-agent cannot spawn. */
export const DEFAULT_SUBAGENT_MAX_SPAWN_DEPTH = 1;
/** Default of `agents.defaults.subagents.maxChildrenPerAgent`. */
export const DEFAULT_SUBAGENT_MAX_CHILDREN = 5;

/** `agents.defaults.subagents` (also `agents.list[].subagents`): sub-agents started with `sessions_spawn`. */
export const SubagentsSchema = T.Object(
  {
    maxConcurrent: T.Optional(T.Integer({ minimum: 1, description: `Sub-agent runs at once over the gateway (default ${DEFAULT_SUBAGENT_MAX_CONCURRENT}).` })),
    maxSpawnDepth: T.Optional(T.Integer({ minimum: 1, maximum: 5, description: `How deep spawning may nest (default ${DEFAULT_SUBAGENT_MAX_SPAWN_DEPTH}: a sub-agent cannot spawn).` })),
    maxChildrenPerAgent: T.Optional(T.Integer({ minimum: 1, maximum: 20, description: `Sub-agents one session may have running at once (default ${DEFAULT_SUBAGENT_MAX_CHILDREN}).` })),
    model: T.Optional(T.String({ minLength: 1, description: "Model ref sub-agents run on (default: the requester's)." })),
    runTimeoutSeconds: T.Optional(T.Integer({ minimum: 0, description: "Default timeout of a sub-agent run (0 = the agent default)." })),
  },
  // Upstream keys not used here (allowAgents, thinking, archiveAfterMinutes, …) still load.
  { additionalProperties: true },
);
/** `agents.defaults.subagents`. */
export type SubagentsConfig = Static<typeof SubagentsSchema>;
