import { defineCommand } from "citty";
import { GatewayTransportError } from "../../client/gateway-client.ts";
import { CliError } from "../../errors.ts";
import { RPC_ARGS, withGateway } from "./_rpc.ts";

interface TailResult {
  file: string | null;
  cursor: number;
  size: number;
  lines: string[];
  truncated?: boolean;
  reset?: boolean;
}

/** `openclaw logs`: the gateway's file log through `logs.tail`; `--follow` keeps polling with the cursor. */
export const logsCommand = defineCommand({
  meta: { name: "logs", description: "Show the gateway's log (through the running gateway)" },
  args: {
    ...RPC_ARGS,
    timeout: { type: "string", description: "Timeout in ms", default: "30000" },
    limit: { type: "string", description: "Lines to show first (default 200)", default: "200" },
    "max-bytes": { type: "string", description: "Bytes to read at most per call", default: "250000" },
    follow: { type: "boolean", description: "Keep printing new lines" },
    interval: { type: "string", description: "Poll interval in ms with --follow", default: "1000" },
    plain: { type: "boolean", description: "Print lines as stored (JSON records)" },
  },
  async run({ args }) {
    const limit = positiveInt(args.limit, "--limit");
    const maxBytes = positiveInt(args["max-bytes"], "--max-bytes");
    const interval = positiveInt(args.interval, "--interval");
    await withGateway(args, async (client, timeoutMs) => {
      let cursor: number | undefined;
      for (;;) {
        const res = await client.request<TailResult>("logs.tail", { ...(cursor === undefined ? { limit } : { cursor }), maxBytes }, { timeoutMs });
        if (res.reset) process.stderr.write("(log file was rotated or truncated; starting over)\n");
        for (const line of res.lines) process.stdout.write(`${args.json || args.plain ? line : formatLine(line)}\n`);
        cursor = res.cursor;
        if (!args.follow) return;
        await Bun.sleep(interval);
      }
    }).catch((e) => {
      if (e instanceof GatewayTransportError && args.follow) throw new CliError(`log stream ended: ${e.message}`);
      throw e;
    });
  },
});

/** One JSON log record as a console line; anything else as is. */
export function formatLine(line: string): string {
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    const { time, level, subsystem, msg, ...rest } = r;
    const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
    return `${time} [${subsystem}] ${level === "info" ? "" : `${level}: `}${msg}${extra ? ` ${extra}` : ""}`;
  } catch {
    return line;
  }
}

function positiveInt(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`Invalid ${flag} "${text}" (expected a positive integer)`);
  return n;
}
