import type { ChatHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import type { P } from "../../protocol/index.ts";

/**
 * The chat slash commands the agent understands (`parseResetCommand` and `isStopCommand` in src/agent; a
 * channel's `/stop` is handled by its router): typed at the start of a message on any channel, WebChat and
 * the TUI included. No channel registers them as native bot commands.
 */
const COMMANDS: readonly P.CommandEntry[] = [
  {
    name: "new",
    textAliases: ["/new"],
    description: "Start a new session; text after the command is sent to it.",
    category: "session",
    source: "native",
    scope: "text",
    acceptsArgs: true,
    args: [{ name: "message", description: "First message of the new session.", type: "string", required: false }],
  },
  {
    name: "reset",
    textAliases: ["/reset"],
    description: "Start the session over (same as /new); text after the command is sent to it.",
    category: "session",
    source: "native",
    scope: "text",
    acceptsArgs: true,
    args: [{ name: "message", description: "First message after the reset.", type: "string", required: false }],
  },
  {
    name: "stop",
    textAliases: ["/stop"],
    description: "Stop the session's running turn and the sub-agents it started (a message that is only /stop).",
    category: "session",
    source: "native",
    scope: "text",
    acceptsArgs: false,
  },
];

/**
 * `commands.list {scope?, includeArgs?}` (v4): the slash commands above. `scope: "native"` lists none (no
 * native command menus here); `args` only with `includeArgs: true`. The session, agent and provider
 * filters change nothing: every agent and channel understands the same commands.
 */
export const commandsList: MethodHandler<"commands.list", ChatHost> = (_ctx, params) => {
  const scope = params.scope ?? "both";
  const commands = COMMANDS.filter((c) => scope === "both" || c.scope === "both" || c.scope === scope).map(({ args, ...c }) =>
    params.includeArgs === true && args ? { ...c, args } : c,
  );
  return { commands };
};
