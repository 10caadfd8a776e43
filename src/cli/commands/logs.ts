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
        for (const line of res.lines) process.stdout.write(`${args.json ? toJsonRecord(line) : args.plain ? line : formatLine(line)}\n`);
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

/** A log line as read: what upstream clients read from it too (level, subsystem, message). */
export interface ParsedLogLine {
  time?: string;
  level?: string;
  subsystem?: string;
  message: string;
}

/**
 * Reads a `logs.tail` line the way the upstream clients do: tslog-shaped lines (`_meta.logLevelName`,
 * `_meta.name`, numbered message keys) and our own flat records (`{time, level, subsystem, msg}`).
 * @returns undefined for a line that is neither (printed as is).
 */
export function parseLogLine(line: string): ParsedLogLine | undefined {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!r || typeof r !== "object" || Array.isArray(r)) return undefined;
  const meta = r._meta && typeof r._meta === "object" ? (r._meta as Record<string, unknown>) : undefined;
  if (meta) {
    const name = typeof meta.name === "string" ? meta.name : undefined;
    const subsystem = subsystemOf(name);
    // "0" repeats the logger name for subsystem loggers: not part of the message.
    const parts = Object.keys(r)
      .filter((k) => /^\d+$/.test(k) && !(k === "0" && r[k] === name && subsystem !== undefined))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => formatValue(r[k]));
    const time = typeof r.time === "string" ? r.time : typeof meta.date === "string" ? meta.date : undefined;
    const level = typeof meta.logLevelName === "string" ? meta.logLevelName.toLowerCase() : undefined;
    return { time, level, subsystem: subsystem ?? name, message: parts.filter(Boolean).join(" ") };
  }
  if (typeof r.msg !== "string") return undefined;
  const { time, level, subsystem, msg, ...rest } = r;
  const extra = Object.keys(rest).length > 0 ? ` ${formatValue(rest)}` : "";
  return { time: typeof time === "string" ? time : undefined, level: typeof level === "string" ? level : undefined, subsystem: typeof subsystem === "string" ? subsystem : undefined, message: `${msg}${extra}` };
}

/** One log line as a console line (`time [subsystem] level: message`); anything unreadable as is. */
export function formatLine(line: string): string {
  const p = parseLogLine(line);
  if (!p) return line;
  const head = [p.time, p.subsystem ? `[${p.subsystem}]` : undefined].filter(Boolean).join(" ");
  const level = p.level && p.level !== "info" ? `${p.level}: ` : "";
  return `${head ? `${head} ` : ""}${level}${p.message}`;
}

function subsystemOf(name: string | undefined): string | undefined {
  if (!name?.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(name) as { subsystem?: unknown; module?: unknown };
    return typeof parsed.subsystem === "string" ? parsed.subsystem : typeof parsed.module === "string" ? parsed.module : undefined;
  } catch {
    return undefined;
  }
}

function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${k}=${typeof x === "string" ? x : JSON.stringify(x)}`)
      .join(" ");
  }
  return v === undefined ? "" : JSON.stringify(v);
}

// The upstream CLI's `logs --json` record: `{type:"log", time, level, subsystem, message, raw}`, or `{type:"raw"}`.
function toJsonRecord(line: string): string {
  const p = parseLogLine(line);
  return JSON.stringify(p ? { type: "log", ...p, raw: line } : { type: "raw", raw: line });
}

function positiveInt(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`Invalid ${flag} "${text}" (expected a positive integer)`);
  return n;
}
