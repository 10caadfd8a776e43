import { defineCommand } from "citty";
import { printJson, RPC_ARGS, withGateway } from "./_rpc.ts";

interface Status {
  heartbeat?: { defaultAgentId?: string; agents?: { agentId: string; enabled: boolean; every: string }[] };
  channelSummary?: string[];
  sessions?: { count: number; defaults?: { model?: string } };
}

/** `openclaw status`: channel health and session summary from the running gateway. */
export const statusCommand = defineCommand({
  meta: { name: "status", description: "Show channel health and sessions of the running gateway" },
  args: { ...RPC_ARGS },
  async run({ args }) {
    const status = await withGateway(args, (c, timeoutMs) => c.request<Status>("status", {}, { timeoutMs }));
    if (args.json) return printJson(status);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`Default agent: ${status.heartbeat?.defaultAgentId ?? "main"}`);
    for (const a of status.heartbeat?.agents ?? []) out(`Heartbeat ${a.agentId}: ${a.enabled ? `every ${a.every}` : "off"}`);
    out(`Channels: ${status.channelSummary?.length ? status.channelSummary.join("; ") : "none configured"}`);
    out(`Sessions: ${status.sessions?.count ?? 0}`);
  },
});
