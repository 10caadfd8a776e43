import { defineCommand } from "citty";
import { printJson, RPC_ARGS, withGateway } from "./_rpc.ts";

interface Health {
  ok: boolean;
  durationMs?: number;
  defaultAgentId?: string;
  channelOrder?: string[];
  agents?: { agentId: string; sessions?: { count: number } }[];
}

/** `openclaw health` and `openclaw gateway health`: calls `health`; exit 1 when not ok. */
export const healthCommand = defineCommand({
  meta: { name: "health", description: "Ask the running gateway for its health" },
  args: { ...RPC_ARGS },
  async run({ args }) {
    const health = await withGateway(args, (c, timeoutMs) => c.request<Health>("health", {}, { timeoutMs }));
    if (args.json) printJson(health);
    else {
      process.stdout.write(`Gateway: ${health.ok ? "ok" : "NOT OK"} (${health.durationMs ?? 0} ms)\n`);
      process.stdout.write(`Channels: ${health.channelOrder?.length ? health.channelOrder.join(", ") : "none configured"}\n`);
      for (const a of health.agents ?? []) process.stdout.write(`Agent ${a.agentId}: ${a.sessions?.count ?? 0} sessions\n`);
    }
    return health.ok ? 0 : 1;
  },
});
