/**
 * Config schema of the heartbeat (`agents.defaults.heartbeat`, `agents.list[].heartbeat`): a periodic agent
 * turn on the agent's main session whose reply is delivered only when it says something. Referenced from
 * schema.ts; validators are precompiled by `bun run protocol:gen`.
 */
import { type Static, Type as T } from "@sinclair/typebox";
import { DURATION_PATTERN } from "../util/duration.ts";

/** Default `heartbeat.every`. */
export const DEFAULT_HEARTBEAT_EVERY = "30m";
/** Default `heartbeat.target`. */
export const DEFAULT_HEARTBEAT_TARGET = "last";
/** Default `heartbeat.ackMaxChars`. */
export const DEFAULT_HEARTBEAT_ACK_MAX_CHARS = 300;

/** One heartbeat block; an agent's block is merged over the defaults key by key. */
export const HeartbeatConfigSchema = T.Object(
  {
    every: T.Optional(
      T.String({ pattern: DURATION_PATTERN, description: 'How often the heartbeat runs: "30m" (default), "1h", "90s"; "0" turns it off.' }),
    ),
    prompt: T.Optional(T.String({ minLength: 1, description: "The message the heartbeat turn sends to the agent (replaces the built-in one)." })),
    target: T.Optional(
      T.String({ minLength: 1, description: '"last" (default): the chat the session last talked to; "none": never deliver; or a channel id such as "telegram".' }),
    ),
    to: T.Optional(T.String({ minLength: 1, description: "Recipient on the target channel (chat id, E.164 number); default: the session's last one." })),
    accountId: T.Optional(T.String({ minLength: 1, description: "Channel account to deliver from (default: the session's last one, else the channel's default)." })),
    ackMaxChars: T.Optional(T.Integer({ minimum: 0, description: "Text allowed next to HEARTBEAT_OK before the reply counts as a message (default 300)." })),
    model: T.Optional(T.String({ minLength: 1, description: "Model ref (provider/model) for heartbeat turns only." })),
    session: T.Optional(T.String({ minLength: 1, description: 'Session the heartbeat runs on: "main" (default) or a session key.' })),
    activeHours: T.Optional(
      T.Object(
        {
          start: T.Optional(T.String({ pattern: "^([01]\\d|2[0-3]):[0-5]\\d$", description: 'Start of the window, "HH:MM" (24 h).' })),
          end: T.Optional(T.String({ pattern: "^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$", description: 'End of the window, "HH:MM" (24 h; "24:00" allowed).' })),
          timezone: T.Optional(
            T.String({ minLength: 1, description: '"user" (default: agents.defaults.userTimezone, else the host\'s), "local" (the host\'s) or an IANA zone like "Europe/Berlin".' }),
          ),
        },
        { additionalProperties: false, description: "Heartbeats run only inside this daily window (outside it they are skipped as quiet-hours and queued events wait); a window that ends before it starts spans midnight." },
      ),
    ),
    includeReasoning: T.Optional(T.Boolean({ description: "Accepted for compatibility; this gateway's heartbeat replies carry no separate reasoning." })),
  },
  { additionalProperties: false },
);

/** A heartbeat block as written in the config file. */
export type HeartbeatConfig = Static<typeof HeartbeatConfigSchema>;
