/**
 * Turns config + environment + `openclaw gateway` flags into the settings the server runs with, applying
 * the start-up checks (mode, auth, bind, hooks) with the messages users know from the upstream gateway.
 */
import { CliError } from "../errors.ts";
import { checkHooksConfig } from "./hooks-schema.ts";
import { resolveGatewayPort } from "./paths.ts";
import { BIND_MODES, type OpenClawConfig } from "./schema.ts";

type Env = Record<string, string | undefined>;

/** Flags of `openclaw gateway` that override config. */
export interface GatewayFlags {
  port?: string;
  bind?: string;
  token?: string;
  password?: string;
  auth?: string;
  allowUnconfigured?: boolean;
}

/**
 * Everything `openclaw gateway run` hands the daemon: the config overrides plus how to run. Declared here,
 * below both, so the CLI and the gateway share it without importing each other.
 */
export interface GatewayRunFlags extends GatewayFlags {
  dev?: boolean;
  force?: boolean;
  verbose?: boolean;
}

/** Shared-secret auth the gateway enforces. */
export interface AuthSettings {
  mode: "token" | "password";
  token?: string;
  password?: string;
}

/** Everything the server needs to listen and authenticate. */
export interface GatewaySettings {
  port: number;
  bind: (typeof BIND_MODES)[number];
  /** Addresses to listen on; the first is the primary. */
  hosts: string[];
  auth: AuthSettings;
}

/**
 * Resolves and checks the gateway's settings.
 * @throws CliError with the user-facing message when the gateway must not start.
 */
export function resolveGatewaySettings(opts: {
  config: OpenClawConfig;
  configExists: boolean;
  env?: Env;
  flags?: GatewayFlags;
}): GatewaySettings {
  const { config, configExists } = opts;
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  const gw = config.gateway ?? {};

  if (!flags.allowUnconfigured && gw.mode !== "local") {
    if (!configExists) {
      throw new CliError(
        "Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).",
      );
    }
    throw new CliError(
      `Gateway start blocked: set gateway.mode=local (current: ${gw.mode ?? "unset"}) or pass --allow-unconfigured.`,
    );
  }

  let port: number;
  try {
    port = resolveGatewayPort({ flag: flags.port, env, configPort: gw.port });
  } catch (err) {
    throw new CliError((err as Error).message);
  }

  const bind = flags.bind ?? gw.bind ?? "loopback";
  if (!(BIND_MODES as readonly string[]).includes(bind)) {
    throw new CliError('Invalid --bind (use "loopback", "lan", "tailnet", "auto", or "custom")');
  }
  if (flags.auth !== undefined && flags.auth !== "token" && flags.auth !== "password") {
    throw new CliError('Invalid --auth (use "token" or "password")');
  }

  const token = pickSecret(flags.token, "--token", gw.auth?.token, "gateway.auth.token", env.OPENCLAW_GATEWAY_TOKEN ?? env.CLAWDBOT_GATEWAY_TOKEN, "OPENCLAW_GATEWAY_TOKEN");
  const password = pickSecret(flags.password, "--password", gw.auth?.password, "gateway.auth.password", env.OPENCLAW_GATEWAY_PASSWORD, "OPENCLAW_GATEWAY_PASSWORD");
  const mode = (flags.auth as AuthSettings["mode"] | undefined) ?? gw.auth?.mode ?? (password ? "password" : "token");

  if (mode === "token" && !token) {
    throw new CliError(
      "Gateway auth is set to token, but no token is configured.\nSet gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or pass --token.",
      { hint: misplacedTokenHint(config) },
    );
  }
  if (mode === "password" && !password) {
    throw new CliError(
      "Gateway auth is set to password, but no password is configured.\nSet gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.",
    );
  }

  const hooksProblem = checkHooksConfig(config.hooks);
  if (hooksProblem) throw new CliError(hooksProblem);

  return { port, bind: bind as GatewaySettings["bind"], hosts: bindHosts(bind, gw.customBindHost), auth: { mode, token, password } };
}

/** The listen addresses for a bind mode (loopback listens on both 127.0.0.1 and ::1). */
export function bindHosts(bind: string, customHost?: string): string[] {
  switch (bind) {
    case "loopback":
    case "tailnet": // no Tailscale integration: stay on loopback, the documented fallback
      return ["127.0.0.1", "::1"];
    case "lan":
      return ["0.0.0.0"];
    case "auto":
      return ["127.0.0.1", "::1"];
    case "custom":
      return [customHost || "0.0.0.0"];
    default:
      return ["127.0.0.1", "::1"];
  }
}

// --- internal ---

function pickSecret(...candidates: (string | undefined)[]): string | undefined {
  for (let i = 0; i < candidates.length; i += 2) {
    const value = candidates[i];
    const source = candidates[i + 1];
    if (value === undefined) continue;
    const trimmed = value.trim();
    // An empty secret or the literal "undefined" (a shell or template accident) must never open the door.
    if (trimmed === "" || trimmed === "undefined" || trimmed === "null") {
      throw new CliError(`Refusing an empty or placeholder secret from ${source} ("${trimmed}"); set a real value.`);
    }
    return value;
  }
  return undefined;
}

function misplacedTokenHint(config: OpenClawConfig): string | undefined {
  const gw = config.gateway as Record<string, unknown> | undefined;
  if (gw && "token" in gw) return 'Found gateway.token: use "gateway.auth.token" instead.';
  if (config.gateway?.remote?.token) return "gateway.remote.token is for calling a remote gateway; set gateway.auth.token to secure this one.";
  return undefined;
}
