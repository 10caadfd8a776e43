/** Helpers of the `nodes` and `devices` commands: one RPC with a readable error, tables, ages. */
import { GatewayRequestError } from "../../client/gateway-client.ts";
import { CliError } from "../../errors.ts";
import { withGateway } from "./_rpc.ts";

/** Sends one request on an open connection; errors from the gateway become CliErrors. */
export type Call = <T>(method: string, params: unknown, timeoutMs?: number) => Promise<T>;

/**
 * Connects once and runs `fn` with a `call` function. A gateway error answer becomes a CliError
 * ("<message> (<CODE>)"); `timeoutMs` overrides `--timeout` for one request (long invokes).
 */
export async function withCalls<R>(args: { url?: string; port?: string; token?: string; password?: string; timeout?: string }, fn: (call: Call) => Promise<R>): Promise<R> {
  try {
    return await withGateway(args, (c, defaultMs) => fn((method, params, timeoutMs) => c.request(method, params, { timeoutMs: timeoutMs ?? defaultMs })));
  } catch (err) {
    // A refused connect keeps its URL and advice (see cli/failure.ts); a refused request names its code.
    if (err instanceof GatewayRequestError && err.url === undefined) throw new CliError(`${err.message} (${err.code})`, { code: err.code });
    throw err;
  }
}

/** One request on its own connection; see {@link withCalls}. */
export function callGateway<T>(args: Parameters<typeof withCalls>[0], method: string, params: unknown): Promise<T> {
  return withCalls(args, (call) => call<T>(method, params));
}

/** Prints rows under a header, columns padded to their widest cell. Prints `empty` when there are no rows. */
export function printTable(header: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; "-" when unknown. */
export function formatAge(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return "-";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** Shortens a 64-hex id for tables. */
export function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? `${id.slice(0, 12)}…` : id;
}
