/**
 * The config file's schema (`openclaw.json`, JSON5). One TypeBox definition gives the TS type and the JSON
 * Schema; `bun run protocol:gen` compiles it into a standalone ajv validator so start-up pays no compile cost.
 *
 * Sections the gateway reads are strict (unknown keys are errors, so a typo is caught); sections owned by
 * subsystems that land later are accepted as objects and checked by their owners.
 */
import { type Static, Type as T } from "@sinclair/typebox";
import { BrowserConfigSchema } from "./browser-schema.ts";
import { ChannelsConfigSchema, WebConfigSchema } from "./channels-schema.ts";
import { CronConfigSchema } from "./cron-schema.ts";
import { HeartbeatConfigSchema } from "./heartbeat-schema.ts";
import { HooksConfigSchema } from "./hooks-schema.ts";
import { MemorySearchConfigSchema } from "./memory-search-schema.ts";
import { GatewayHttpSchema, GatewayToolsSchema } from "./http-schema.ts";
import { AgentToolsSchema, SubagentsSchema, ToolsConfigSchema } from "./tools-schema.ts";
import { SecretsConfigSchema } from "./secrets-schema.ts";
import { SkillsConfigSchema } from "./skills-schema.ts";

const Port = T.Integer({ minimum: 1, maximum: 65535 });
const OpenObject = T.Record(T.String(), T.Unknown());

/** Bind modes of the gateway listener (config.md §3). */
export const BIND_MODES = ["loopback", "lan", "tailnet", "auto", "custom"] as const;
/** Config reload modes (config.md §4). */
export const RELOAD_MODES = ["hybrid", "hot", "restart", "off"] as const;
/** Log levels, lowest volume first. */
export const LOG_LEVELS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;

const literals = <const L extends readonly string[]>(values: L) =>
  T.Unsafe<L[number]>(T.Union(values.map((v) => T.Literal(v))));

const GatewayAuth = T.Object(
  {
    mode: T.Optional(literals(["token", "password"] as const)),
    token: T.Optional(T.String()),
    password: T.Optional(T.String()),
    allowTailscale: T.Optional(T.Boolean()),
  },
  { additionalProperties: false },
);

const GatewayRemote = T.Object(
  {
    url: T.Optional(T.String()),
    token: T.Optional(T.String()),
    password: T.Optional(T.String()),
    tlsFingerprint: T.Optional(T.String()),
  },
  { additionalProperties: false },
);

const ControlUi = T.Object(
  {
    enabled: T.Optional(T.Boolean()),
    basePath: T.Optional(T.String()),
    root: T.Optional(T.String()),
    allowedOrigins: T.Optional(T.Array(T.String())),
    allowInsecureAuth: T.Optional(T.Boolean()),
    dangerouslyDisableDeviceAuth: T.Optional(T.Boolean()),
  },
  { additionalProperties: false },
);

/** `gateway.nodes`: which commands connected nodes may expose (see src/gateway/node-commands.ts). */
const GatewayNodes = T.Object(
  {
    allowCommands: T.Optional(T.Array(T.String(), { description: "Node commands allowed on top of the defaults; `prefix.*` and `*` match many." })),
    denyCommands: T.Optional(T.Array(T.String(), { description: "Node commands refused even when allowed (wins over allowCommands and defaults)." })),
  },
  { additionalProperties: false },
);

const Gateway = T.Object(
  {
    mode: T.Optional(literals(["local", "remote"] as const)),
    port: T.Optional(Port),
    bind: T.Optional(literals(BIND_MODES)),
    customBindHost: T.Optional(T.String()),
    auth: T.Optional(GatewayAuth),
    remote: T.Optional(GatewayRemote),
    tailscale: T.Optional(
      T.Object(
        { mode: T.Optional(literals(["off", "serve", "funnel"] as const)), resetOnExit: T.Optional(T.Boolean()) },
        { additionalProperties: false },
      ),
    ),
    trustedProxies: T.Optional(T.Array(T.String())),
    controlUi: T.Optional(ControlUi),
    nodes: T.Optional(GatewayNodes),
    http: T.Optional(GatewayHttpSchema),
    tools: T.Optional(GatewayToolsSchema),
    reload: T.Optional(
      T.Object(
        { mode: T.Optional(literals(RELOAD_MODES)), debounceMs: T.Optional(T.Integer({ minimum: 0 })) },
        { additionalProperties: false },
      ),
    ),
    tls: T.Optional(
      T.Object(
        {
          enabled: T.Optional(T.Boolean()),
          certPath: T.Optional(T.String()),
          keyPath: T.Optional(T.String()),
          autoGenerate: T.Optional(T.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Logging = T.Object(
  {
    level: T.Optional(literals(LOG_LEVELS)),
    consoleLevel: T.Optional(literals(LOG_LEVELS)),
    consoleStyle: T.Optional(T.String()),
    file: T.Optional(T.String()),
    redactSensitive: T.Optional(T.String()),
  },
  { additionalProperties: false },
);

const ModelRef = T.Union([
  T.String({ minLength: 1 }),
  T.Object(
    { primary: T.Optional(T.String({ minLength: 1 })), fallbacks: T.Optional(T.Array(T.String({ minLength: 1 }))) },
    { additionalProperties: false },
  ),
]);

const AgentEntry = T.Object(
  {
    id: T.String({ minLength: 1, pattern: "^[A-Za-z0-9_-]+$" }),
    default: T.Optional(T.Boolean()),
    name: T.Optional(T.String()),
    workspace: T.Optional(T.String()),
    model: T.Optional(ModelRef),
    identity: T.Optional(
      T.Object(
        {
          name: T.Optional(T.String()),
          theme: T.Optional(T.String()),
          emoji: T.Optional(T.String()),
          avatar: T.Optional(T.String()),
        },
        { additionalProperties: false },
      ),
    ),
    heartbeat: T.Optional(HeartbeatConfigSchema),
    tools: T.Optional(AgentToolsSchema),
    subagents: T.Optional(SubagentsSchema),
    memorySearch: T.Optional(MemorySearchConfigSchema),
  },
  { additionalProperties: true },
);

const Agents = T.Object(
  {
    defaults: T.Optional(
      T.Object(
        {
          workspace: T.Optional(T.String()),
          model: T.Optional(ModelRef),
          timeoutSeconds: T.Optional(T.Integer({ minimum: 1 })),
          maxConcurrent: T.Optional(T.Integer({ minimum: 1 })),
          skipBootstrap: T.Optional(T.Boolean()),
          userTimezone: T.Optional(T.String({ minLength: 1, description: 'The user\'s IANA time zone, e.g. "Europe/Berlin" (heartbeat active hours).' })),
          heartbeat: T.Optional(HeartbeatConfigSchema),
          subagents: T.Optional(SubagentsSchema),
          memorySearch: T.Optional(MemorySearchConfigSchema),
        },
        { additionalProperties: true },
      ),
    ),
    list: T.Optional(T.Array(AgentEntry)),
  },
  { additionalProperties: false },
);

const ModelProvider = T.Object(
  {
    baseUrl: T.Optional(T.String()),
    apiKey: T.Optional(T.String()),
    api: T.Optional(T.String()),
    headers: T.Optional(T.Record(T.String(), T.String())),
    models: T.Optional(
      T.Array(
        T.Object(
          {
            id: T.String({ minLength: 1 }),
            name: T.Optional(T.String()),
            contextWindow: T.Optional(T.Integer({ minimum: 1 })),
            maxTokens: T.Optional(T.Integer({ minimum: 1 })),
            reasoning: T.Optional(T.Boolean()),
            input: T.Optional(T.Array(T.String())),
            cost: T.Optional(
              T.Object(
                {
                  input: T.Optional(T.Number({ minimum: 0 })),
                  output: T.Optional(T.Number({ minimum: 0 })),
                  cacheRead: T.Optional(T.Number({ minimum: 0 })),
                  cacheWrite: T.Optional(T.Number({ minimum: 0 })),
                },
                { additionalProperties: false, description: "USD per million tokens of each kind (usage.cost)." },
              ),
            ),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

const Session = T.Object(
  {
    scope: T.Optional(literals(["per-sender", "global"] as const)),
    dmScope: T.Optional(
      literals(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"] as const),
    ),
    mainKey: T.Optional(T.String({ minLength: 1 })),
    reset: T.Optional(OpenObject),
    idleMinutes: T.Optional(T.Integer({ minimum: 0 })),
    store: T.Optional(T.String()),
  },
  { additionalProperties: false },
);

/** The whole config file. Every key is optional: an empty file is a valid (unconfigured) config. */
export const ConfigSchema = T.Object(
  {
    $schema: T.Optional(T.String()),
    meta: T.Optional(OpenObject),
    env: T.Optional(T.Record(T.String(), T.String())),
    gateway: T.Optional(Gateway),
    commands: T.Optional(
      T.Object(
        {
          restart: T.Optional(T.Boolean()),
          ownerAllowFrom: T.Optional(
            T.Array(T.Union([T.String(), T.Number()]), { description: 'Channel senders who own this gateway ("telegram:123", "whatsapp:+15551234567"); they may answer exec approvals in chat.' }),
          ),
        },
        { additionalProperties: true },
      ),
    ),
    canvasHost: T.Optional(
      T.Object(
        {
          enabled: T.Optional(T.Boolean()),
          root: T.Optional(T.String()),
          liveReload: T.Optional(T.Boolean()),
          port: T.Optional(Port),
        },
        { additionalProperties: false },
      ),
    ),
    logging: T.Optional(Logging),
    models: T.Optional(
      T.Object(
        {
          mode: T.Optional(literals(["merge", "replace"] as const)),
          providers: T.Optional(T.Record(T.String(), ModelProvider)),
        },
        { additionalProperties: false },
      ),
    ),
    agents: T.Optional(Agents),
    session: T.Optional(Session),
    // Owned by subsystems that validate their own part (tools, plugins, …).
    agent: T.Optional(OpenObject),
    bindings: T.Optional(T.Array(OpenObject)),
    messages: T.Optional(OpenObject),
    channels: T.Optional(ChannelsConfigSchema),
    web: T.Optional(WebConfigSchema),
    hooks: T.Optional(HooksConfigSchema),
    tools: T.Optional(ToolsConfigSchema),
    browser: T.Optional(BrowserConfigSchema),
    cron: T.Optional(CronConfigSchema),
    plugins: T.Optional(OpenObject),
    skills: T.Optional(SkillsConfigSchema),
    secrets: T.Optional(SecretsConfigSchema),
    identity: T.Optional(OpenObject),
    wizard: T.Optional(OpenObject),
    discovery: T.Optional(OpenObject),
    talk: T.Optional(OpenObject),
    audio: T.Optional(OpenObject),
    routing: T.Optional(OpenObject),
    ui: T.Optional(OpenObject),
  },
  { additionalProperties: false, $id: "OpenClawConfig" },
);

/** A config as read from disk after `${ENV}` substitution and validation. */
export type OpenClawConfig = Static<typeof ConfigSchema>;
