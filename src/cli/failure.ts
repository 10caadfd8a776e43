/**
 * How the CLI reports a failed command: every error becomes one `{code, message, hint?}`, printed as one
 * line (plus a "next step" line) or, with `--json`, as `{"ok":false,"error":{code,message}}`. Expected
 * failures (gateway unreachable, auth refused, invalid config, missing `${VAR}`, unknown profile, bad flags)
 * never print a stack; only an unexpected error does, and only with `--verbose`.
 */
import { GatewayRequestError, GatewayTransportError } from "../client/gateway-client.ts";
import { CliError, ConfigError } from "../errors.ts";

/** A failure as the CLI reports it. */
export interface CliFailure {
  /** Stable UPPER_SNAKE code: the gateway's code, or UNAVAILABLE / INVALID_CONFIG / INVALID_ARGS / INTERNAL. */
  code: string;
  message: string;
  hint?: string;
  /** Only for errors nobody expected: the stack, printed with `--verbose`. */
  stack?: string;
}

/**
 * Turns anything a command threw into a {@link CliFailure}.
 * @example toCliFailure(new GatewayTransportError("cannot reach …")) // { code: "UNAVAILABLE", … }
 */
export function toCliFailure(err: unknown): CliFailure {
  if (err instanceof CliError) return { code: err.code ?? "INVALID_ARGS", message: err.message, ...(err.hint && { hint: err.hint }) };
  if (err instanceof GatewayTransportError) {
    const cli = cliName();
    return { code: "UNAVAILABLE", message: err.message, hint: `Start it with \`${cli} gateway\`, check it with \`${cli} gateway status\`, or pick another with --port / --url.` };
  }
  if (err instanceof GatewayRequestError) return describeRequestError(err);
  if (err instanceof ConfigError) {
    return { code: "INVALID_CONFIG", message: err.message, hint: "Fix the file (`openclaw doctor` lists the problems); nothing was changed." };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: "INTERNAL", message: e.message, stack: e.stack };
}

/** Prints a failure: JSON on stdout with `json`, else lines on stderr; the stack only with `verbose`. */
export function printFailure(f: CliFailure, io: { out: (t: string) => void; err: (t: string) => void }, opts: { json: boolean; verbose: boolean }): void {
  if (opts.json) {
    io.out(JSON.stringify({ ok: false, error: { code: f.code, message: f.message, ...(f.hint && { hint: f.hint }) } }));
    return;
  }
  io.err(`Error: ${f.message}`);
  if (f.hint) io.err(f.hint);
  if (f.stack && opts.verbose) io.err(f.stack);
  else if (f.stack) io.err("Run again with --verbose for the stack trace.");
}

// --- internal ---

/** `openclaw`, `openclaw --dev` or `openclaw --profile <name>`: hints address the profile in use. */
function cliName(): string {
  const profile = process.env.OPENCLAW_PROFILE;
  if (!profile || profile === "default") return "openclaw";
  return profile === "dev" ? "openclaw --dev" : `openclaw --profile ${profile}`;
}

// The gateway's auth message suggests gateway.remote.* (the upstream wording, aimed at remote clients);
// that advice is wrong for the local gateway, so it is replaced unless the CLI really dialled remote mode.
const REMOTE_HINT = / \(set gateway\.remote\.(token|password) to match gateway\.auth\.(?:token|password)\)/;

function describeRequestError(err: GatewayRequestError): CliFailure {
  const url = (err as GatewayRequestError & { url?: string }).url;
  const remote = (err as GatewayRequestError & { remote?: boolean }).remote === true;
  let message = err.message;
  let hint: string | undefined;
  const secret = REMOTE_HINT.exec(message);
  if (secret && !remote) {
    message = message.replace(REMOTE_HINT, "");
    hint = `Pass --${secret[1]}, or set gateway.auth.${secret[1]} in this profile's config; is ${url ?? "that URL"} this profile's gateway?`;
  } else if (secret) {
    hint = `Set gateway.remote.${secret[1]} to the remote gateway's gateway.auth.${secret[1]}.`;
  }
  const where = url && !message.includes(url) ? `gateway at ${url}: ` : "";
  return { code: err.code, message: `${where}${message}`, ...(hint && { hint }) };
}
