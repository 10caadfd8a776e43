/** Flags and plumbing shared by the commands that call a running gateway. */
import { GatewayRequestError, type GatewayClient } from "../../client/gateway-client.ts";
import { connectAsOwner } from "../../client/owner-connect.ts";
import { resolveCallTarget } from "../../client/target.ts";
import { resolveIdentityPath } from "../../config/paths.ts";
import { CliError } from "../../errors.ts";
import { VERSION } from "../../version.ts";

/** `--url --port --token --password --timeout --json`. */
export const RPC_ARGS = {
  url: { type: "string", description: "Gateway WebSocket URL (default: from config, else ws://127.0.0.1:<port>)" },
  port: { type: "string", description: "Port of a local gateway (default: this profile's running gateway, else config, else 18789)" },
  token: { type: "string", description: "Gateway token" },
  password: { type: "string", description: "Gateway password" },
  timeout: { type: "string", description: "Timeout in ms", default: "10000" },
  json: { type: "boolean", description: "Print JSON" },
} as const;

/**
 * Connects with the command's flags, runs `fn`, closes.
 * @throws CliError for a bad --timeout; the client's errors otherwise.
 */
export async function withGateway<T>(args: { url?: string; port?: string; token?: string; password?: string; timeout?: string }, fn: (client: GatewayClient, timeoutMs: number) => Promise<T>): Promise<T> {
  const timeoutMs = parseTimeout(args.timeout);
  const target = resolveCallTarget({ url: args.url, port: args.port, token: args.token, password: args.password });
  // A local gateway is reached as this machine's paired device (its token survives a lockout of the secret).
  const client = await connectAsOwner({ url: target.url, token: target.token, password: target.password, clientVersion: VERSION, timeoutMs }, { identityPath: resolveIdentityPath() }).catch((err) => {
    if (err instanceof GatewayRequestError) err.remote = target.source === "gateway.remote.url";
    throw err;
  });
  try {
    return await fn(client, timeoutMs);
  } finally {
    client.close();
  }
}

/** Parses `--timeout` (ms, positive integer). */
export function parseTimeout(text: string | undefined, fallback = 10_000): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`Invalid --timeout "${text}" (expected milliseconds, a positive integer)`);
  return n;
}

/** Prints a value as pretty JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
