import { defineCommand } from "citty";
import type { UsageCostResult, UsageStatusResult } from "../../protocol/generated/types.ts";
import { formatCostTable, formatProviderUsage, STATUS_USAGE_DAYS } from "./_usage.ts";
import { printJson, RPC_ARGS, withGateway } from "./_rpc.ts";

interface Status {
  heartbeat?: { defaultAgentId?: string; agents?: { agentId: string; enabled: boolean; every: string }[] };
  channelSummary?: string[];
  sessions?: { count: number; defaults?: { model?: string } };
}

/**
 * `openclaw status`: channel health and session summary from the running gateway. `--usage` adds provider
 * quota windows (`usage.status`) and the token/cost summary of the last 30 days (`usage.cost`); with
 * `--json` they come as `usage` and `cost` beside the status fields.
 */
export const statusCommand = defineCommand({
  meta: { name: "status", description: "Show channel health and sessions of the running gateway" },
  args: {
    ...RPC_ARGS,
    usage: { type: "boolean", description: `Also show provider usage and the model cost of the last ${STATUS_USAGE_DAYS} days` },
  },
  async run({ args }) {
    const { status, usage, cost } = await withGateway(args, async (c, timeoutMs) => ({
      status: await c.request<Status>("status", {}, { timeoutMs }),
      usage: args.usage ? await c.request<UsageStatusResult>("usage.status", {}, { timeoutMs }) : undefined,
      cost: args.usage ? await c.request<UsageCostResult>("usage.cost", { days: STATUS_USAGE_DAYS }, { timeoutMs }) : undefined,
    }));
    if (args.json) return printJson(usage && cost ? { ...status, usage, cost } : status);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`Default agent: ${status.heartbeat?.defaultAgentId ?? "main"}`);
    for (const a of status.heartbeat?.agents ?? []) out(`Heartbeat ${a.agentId}: ${a.enabled ? `every ${a.every}` : "off"}`);
    out(`Channels: ${status.channelSummary?.length ? status.channelSummary.join("; ") : "none configured"}`);
    out(`Sessions: ${status.sessions?.count ?? 0}`);
    if (usage && cost) for (const line of [...formatProviderUsage(usage), ...formatCostTable(cost)]) out(line);
  },
});
