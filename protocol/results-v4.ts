/**
 * Results of the protocol v4 methods this gateway implements (spec protocol-v4.md §4 step 8): the shapes the
 * 2026.9.6 clients accepted live. Open objects: v4 clients ignore what they do not know.
 */
import { type TSchema, Type as T } from "@sinclair/typebox";
import { METHOD_RESULTS } from "./results.ts";
import { AnyValue, defineClosed, defineLiterals, defineOpen, LooseRecord, nullable } from "./_schema-helpers.ts";

const Subscribed = defineOpen({ subscribed: T.Boolean() });

/** One `commands.list` entry: a chat slash command the gateway understands. */
export const CommandEntry = defineOpen(
  {
    name: T.String(),
    textAliases: T.Optional(T.Array(T.String())),
    description: T.String(),
    category: T.Optional(T.String()),
    source: defineLiterals(["native", "skill", "plugin"] as const),
    scope: defineLiterals(["text", "native", "both"] as const),
    acceptsArgs: T.Boolean(),
    args: T.Optional(T.Array(defineOpen({ name: T.String(), description: T.String(), type: T.String(), required: T.Optional(T.Boolean()) }))),
  },
  { $id: "CommandEntry", description: "A chat slash command: its name, aliases as typed, what it does and whether it takes text after it." },
);

/** Result schemas of the v4 methods. */
export const V4_RESULTS = {
  "chat.startup": METHOD_RESULTS["chat.history"],
  "sessions.subscribe": defineOpen({ subscribed: T.Boolean(), list: T.Optional(METHOD_RESULTS["sessions.list"]) }),
  "sessions.unsubscribe": Subscribed,
  "sessions.describe": defineOpen({ session: nullable(LooseRecord) }),
  "sessions.messages.subscribe": defineOpen({ subscribed: T.Boolean(), key: T.String(), agentId: T.Optional(T.String()) }),
  "sessions.messages.unsubscribe": defineOpen({ subscribed: T.Boolean(), key: T.String(), agentId: T.Optional(T.String()) }),
  "question.list": defineOpen({ questions: T.Array(AnyValue) }),
  "message.action": defineOpen({ ok: T.Boolean(), channel: T.String(), action: T.String() }),
  "commands.list": defineClosed({ commands: T.Array(CommandEntry) }),
  "update.status": defineOpen({ sentinel: AnyValue, updateAvailable: nullable(LooseRecord) }),
  "users.prefs.get": defineOpen({ status: T.Literal("ok"), entries: LooseRecord }),
  "plugins.controlUi.list": defineOpen({ revision: T.String(), plugins: T.Array(AnyValue), diagnostics: T.Array(AnyValue) }),
  "tasks.list": defineOpen({ tasks: T.Array(AnyValue), nextCursor: T.Optional(T.String()) }),
  "plugin.approval.list": T.Array(AnyValue),
  "openclaw.approval.list": T.Array(AnyValue),
  "diagnostics.lanes": defineOpen({
    ts: T.Integer({ minimum: 0 }),
    lanes: T.Array(
      defineOpen({
        lane: T.String(),
        queuedCount: T.Integer({ minimum: 0 }),
        activeCount: T.Integer({ minimum: 0 }),
        maxConcurrent: T.Integer({ minimum: 0 }),
      }),
    ),
    dynamic: T.Null(),
  }),
} satisfies Record<string, TSchema>;
