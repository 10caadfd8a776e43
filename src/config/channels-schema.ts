/**
 * Config schema of the messaging channels (spec channels.md, config.md §6): `channels.telegram`,
 * `channels.whatsapp` (each with optional per-account overrides under `accounts.<id>`) and the WhatsApp
 * runtime block `web`. Referenced from schema.ts; validators are precompiled by `bun run protocol:gen`.
 *
 * Known keys are strict so a typo is an error; keys upstream accepts that we do not act on yet are listed
 * (and accepted) so an upstream config keeps loading. Other channel plugins under `channels.*` stay open.
 */
import { type Static, Type as T } from "@sinclair/typebox";

const literals = <const L extends readonly string[]>(values: L) => T.Unsafe<L[number]>(T.Union(values.map((v) => T.Literal(v))));

/** Who may DM the bot (channels.md §1). */
export const DM_POLICIES = ["pairing", "allowlist", "open", "disabled"] as const;
/** Which groups the bot answers in. */
export const GROUP_POLICIES = ["open", "allowlist", "disabled"] as const;

/** An allowlist entry: a Telegram numeric id (number or string), `@username`, an E.164 number, or `"*"`. */
const AllowEntry = T.Union([T.String({ minLength: 1 }), T.Integer()]);
const AllowList = T.Array(AllowEntry);
const Open = T.Record(T.String(), T.Unknown());

const TopicEntry = T.Object(
  {
    requireMention: T.Optional(T.Boolean()),
    enabled: T.Optional(T.Boolean()),
    allowFrom: T.Optional(AllowList),
    systemPrompt: T.Optional(T.String()),
    skills: T.Optional(T.Array(T.String())),
  },
  { additionalProperties: false },
);

/** One entry of a `groups` map: group id (or `"*"`) → settings. */
const GroupEntry = T.Object(
  {
    requireMention: T.Optional(T.Boolean()),
    enabled: T.Optional(T.Boolean()),
    allowFrom: T.Optional(AllowList),
    systemPrompt: T.Optional(T.String()),
    skills: T.Optional(T.Array(T.String())),
    tools: T.Optional(Open),
    topics: T.Optional(T.Record(T.String(), TopicEntry)),
  },
  { additionalProperties: false },
);

/** Keys every channel account has. */
const COMMON_ACCOUNT = {
  enabled: T.Optional(T.Boolean()),
  name: T.Optional(T.String()),
  dmPolicy: T.Optional(literals(DM_POLICIES)),
  allowFrom: T.Optional(AllowList),
  groupPolicy: T.Optional(literals(GROUP_POLICIES)),
  groupAllowFrom: T.Optional(AllowList),
  groups: T.Optional(T.Record(T.String(), GroupEntry)),
  textChunkLimit: T.Optional(T.Integer({ minimum: 1 })),
  chunkMode: T.Optional(T.String()),
  mediaMaxMb: T.Optional(T.Number({ exclusiveMinimum: 0 })),
  historyLimit: T.Optional(T.Integer({ minimum: 0 })),
  dmHistoryLimit: T.Optional(T.Integer({ minimum: 0 })),
  blockStreaming: T.Optional(T.Boolean()),
  capabilities: T.Optional(T.Array(T.String())),
  actions: T.Optional(Open),
  configWrites: T.Optional(T.Boolean()),
  markdown: T.Optional(Open),
  heartbeat: T.Optional(Open),
};

const TELEGRAM_ACCOUNT = {
  ...COMMON_ACCOUNT,
  botToken: T.Optional(T.String()),
  tokenFile: T.Optional(T.String()),
  /** Bot API root (default https://api.telegram.org); a self-hosted Bot API server, or a test fake. */
  apiRoot: T.Optional(T.String({ minLength: 1 })),
  webhookUrl: T.Optional(T.String()),
  webhookSecret: T.Optional(T.String()),
  webhookPath: T.Optional(T.String()),
  webhookHost: T.Optional(T.String()),
  webhookPort: T.Optional(T.Integer({ minimum: 0, maximum: 65535 })),
  /** Long-poll `timeout` of getUpdates, seconds (default 30). */
  pollTimeoutSeconds: T.Optional(T.Integer({ minimum: 0, maximum: 50 })),
  timeoutSeconds: T.Optional(T.Integer({ minimum: 1 })),
  streamMode: T.Optional(literals(["partial", "block", "off"] as const)),
  replyToMode: T.Optional(literals(["off", "first", "all"] as const)),
  linkPreview: T.Optional(T.Boolean()),
  proxy: T.Optional(T.String()),
  reactionNotifications: T.Optional(T.String()),
  reactionLevel: T.Optional(T.String()),
  /** Extra entries for the bot's command menu (accepted for upstream compatibility; not registered yet). */
  customCommands: T.Optional(
    T.Array(
      T.Object(
        { command: T.String({ minLength: 1, description: "Command name, without the leading /." }), description: T.String({ description: "Text shown next to it in the menu." }) },
        { additionalProperties: false },
      ),
    ),
  ),
  commands: T.Optional(Open),
  draftChunk: T.Optional(Open),
  retry: T.Optional(Open),
  network: T.Optional(Open),
};

const WHATSAPP_ACCOUNT = {
  ...COMMON_ACCOUNT,
  /** Where this account's Baileys credentials live (default `<stateDir>/credentials/whatsapp/<accountId>`). */
  authDir: T.Optional(T.String()),
  sendReadReceipts: T.Optional(T.Boolean()),
  selfChatMode: T.Optional(T.Boolean()),
  messagePrefix: T.Optional(T.String()),
  ackReaction: T.Optional(Open),
  debounceMs: T.Optional(T.Integer({ minimum: 0 })),
};

const TelegramAccount = T.Object(TELEGRAM_ACCOUNT, { additionalProperties: false });
const WhatsAppAccount = T.Object(WHATSAPP_ACCOUNT, { additionalProperties: false });

/** `channels.telegram`: the default account's settings plus `accounts.<id>` overrides. */
export const TelegramConfigSchema = T.Object(
  { ...TELEGRAM_ACCOUNT, defaultAccount: T.Optional(T.String()), accounts: T.Optional(T.Record(T.String(), TelegramAccount)) },
  { additionalProperties: false },
);

/** `channels.whatsapp`: the default account's settings plus `accounts.<id>` overrides. */
export const WhatsAppConfigSchema = T.Object(
  { ...WHATSAPP_ACCOUNT, defaultAccount: T.Optional(T.String()), accounts: T.Optional(T.Record(T.String(), WhatsAppAccount)) },
  { additionalProperties: false },
);

/** `channels`: Telegram and WhatsApp are checked; other channel plugins' sections pass as objects. */
export const ChannelsConfigSchema = T.Object(
  {
    telegram: T.Optional(TelegramConfigSchema),
    whatsapp: T.Optional(WhatsAppConfigSchema),
    defaults: T.Optional(Open),
  },
  { additionalProperties: Open },
);

/** `web`: the WhatsApp Web runtime (config.md §6). */
export const WebConfigSchema = T.Object(
  {
    enabled: T.Optional(T.Boolean()),
    heartbeatSeconds: T.Optional(T.Integer({ minimum: 1 })),
    reconnect: T.Optional(
      T.Object(
        {
          initialMs: T.Optional(T.Integer({ minimum: 0 })),
          maxMs: T.Optional(T.Integer({ minimum: 0 })),
          factor: T.Optional(T.Number({ minimum: 1 })),
          jitter: T.Optional(T.Number({ minimum: 0, maximum: 1 })),
          maxAttempts: T.Optional(T.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** One Telegram account's settings as written (top level or under `accounts.<id>`). */
export type TelegramAccountConfig = Static<typeof TelegramAccount>;
/** One WhatsApp account's settings as written. */
export type WhatsAppAccountConfig = Static<typeof WhatsAppAccount>;
/** `channels.telegram`. */
export type TelegramConfig = Static<typeof TelegramConfigSchema>;
/** `channels.whatsapp`. */
export type WhatsAppConfig = Static<typeof WhatsAppConfigSchema>;
/** `channels`. */
export type ChannelsConfig = Static<typeof ChannelsConfigSchema>;
/** `web`. */
export type WebConfig = Static<typeof WebConfigSchema>;
