/**
 * Error types shared by the gateway, the client and the CLI. A `code` is part of the protocol (error frames
 * carry it) and never changes; messages may.
 */

/** Error codes a gateway sends in error frames (protocol.md §9). */
export const ERROR_CODES = ["INVALID_REQUEST", "UNAVAILABLE", "NOT_LINKED", "NOT_PAIRED", "AGENT_TIMEOUT"] as const;
/** One of the protocol's error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error that maps to a protocol error frame `{code, message, details?, retryable?, retryAfterMs?}`. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: unknown; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "GatewayError";
    this.code = code;
    this.details = opts.details;
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** True for a {@link GatewayError}. */
export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}

/** A problem the user caused on the command line or in config: printed without a stack, exit 1. */
export class CliError extends Error {
  readonly hint?: string;
  /** Stable code for `--json` error output (default INVALID_ARGS). */
  readonly code?: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown; code?: string } = {}) {
    super(message, { cause: opts.cause });
    this.name = "CliError";
    this.hint = opts.hint;
    this.code = opts.code;
  }
}

/** One bad place in a config file: a dotted path (`gateway.port`) and what was expected there. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** An unreadable or invalid config file; lists every issue found. */
export class ConfigError extends Error {
  readonly file: string;
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[], opts: { cause?: unknown } = {}) {
    const lines = issues.map((i) => `  - ${i.path || "<root>"}: ${i.message}`).join("\n");
    super(`Invalid config at ${file}:\n${lines}`, { cause: opts.cause });
    this.name = "ConfigError";
    this.file = file;
    this.issues = issues;
  }
}

/** Turns anything thrown into a message string (Error message, else String()). */
export function toErrorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Marks a branch the type checker proves unreachable. */
export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
