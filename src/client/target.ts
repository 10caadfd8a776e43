/**
 * Where a CLI command sends its RPC and with which secret (cli.md): URL `--url` > `gateway.remote.url` (when
 * `gateway.mode=remote`) > `ws://127.0.0.1:<resolved port>`; secret `--token`/`--password` > the config
 * (`gateway.remote.*` for a remote URL, `gateway.auth.*` for the local gateway) > environment.
 */
import { loadConfig } from "../config/load.ts";
import { resolveConfigPath, resolveGatewayPort } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";

type Env = Record<string, string | undefined>;

/** A resolved RPC target. */
export interface CallTarget {
  url: string;
  token?: string;
  password?: string;
  /** Where the URL came from, for messages. */
  source: "--url" | "gateway.remote.url" | "local";
}

/** Flags every RPC command accepts. */
export interface TargetFlags {
  url?: string;
  token?: string;
  password?: string;
}

/**
 * Resolves the target from flags, the config file and the environment.
 * @throws ConfigError when the config file exists but is invalid.
 */
export function resolveCallTarget(flags: TargetFlags, env: Env = process.env, config?: OpenClawConfig): CallTarget {
  const cfg = config ?? loadConfig(resolveConfigPath(env), env).config;
  const gw = cfg.gateway ?? {};
  const remote = gw.mode === "remote" && gw.remote?.url ? gw.remote : undefined;
  const url = flags.url ?? remote?.url ?? `ws://127.0.0.1:${resolveGatewayPort({ env, configPort: gw.port })}`;
  const source: CallTarget["source"] = flags.url ? "--url" : remote ? "gateway.remote.url" : "local";
  const envToken = env.OPENCLAW_GATEWAY_TOKEN ?? env.CLAWDBOT_GATEWAY_TOKEN;
  const envPassword = env.OPENCLAW_GATEWAY_PASSWORD;
  const bySource = {
    local: { token: gw.auth?.token ?? envToken, password: gw.auth?.password ?? envPassword },
    "gateway.remote.url": { token: gw.remote?.token, password: gw.remote?.password },
    // An explicit --url gets the remote secret, else the local one: the user pointed somewhere on purpose.
    "--url": { token: gw.remote?.token ?? gw.auth?.token ?? envToken, password: gw.remote?.password ?? gw.auth?.password ?? envPassword },
  }[source];
  const token = flags.token ?? bySource.token;
  const password = flags.password ?? bySource.password;
  return { url, token: token || undefined, password: password || undefined, source };
}
