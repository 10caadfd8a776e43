/**
 * `openclaw tools list [--agent A] [--session KEY]`: which agent tools a run gets and why, as the running
 * gateway decides it (`tools.effective`).
 */
import { defineCommand } from "citty";
import type { ToolsEffectiveResult } from "../../protocol/generated/types.ts";
import { callGateway, printTable } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

const list = defineCommand({
  meta: { name: "list", description: "List the agent's tools: on or off, and why" },
  args: {
    agent: { type: "string", description: "Agent id (default: the default agent, or the session's)" },
    session: { type: "string", description: "Session key (default: the agent's main session)" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    const params = { ...(args.agent !== undefined && { agentId: args.agent }), ...(args.session !== undefined && { sessionKey: args.session }) };
    const res = await callGateway<ToolsEffectiveResult>(args, "tools.effective", params);
    if (args.json) return printJson(res);
    process.stdout.write(formatToolsHeader(res));
    printTable(["TOOL", "GROUP", "ON", "HTTP", "WHY"], toToolRows(res), "No tools registered.");
  },
});

/** `openclaw tools`. */
export const toolsCommand = defineCommand({
  meta: { name: "tools", description: "Agent tools and the policy that picks them" },
  subCommands: { list },
});

/** "Agent main · session agent:main:main · profile coding (3 of 10 tools on)\n". */
export function formatToolsHeader(res: ToolsEffectiveResult): string {
  const on = res.tools.filter((t) => t.included).length;
  const profile = res.profile ? `profile ${res.profile}` : "no tools.profile (default tool set)";
  return `Agent ${res.agentId} · session ${res.sessionKey} · ${profile} (${on} of ${res.tools.length} tools on)\n`;
}

/** One row per tool: name, group, on/off, whether /tools/invoke may call it (the tool's own flag), the reason. */
export function toToolRows(res: ToolsEffectiveResult): string[][] {
  return res.tools.map((t) => [t.name, t.group ?? "-", t.included ? "on" : "off", t.http ? "yes" : "no", t.reason]);
}
