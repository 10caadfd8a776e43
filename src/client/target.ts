/**
 * Where a CLI command sends its RPC and with which secret (cli.md). URL: `--url` > `--port` (local) >
 * `gateway.remote.url` (when `gateway.mode=remote`) > the port this profile's running gateway recorded in
 * its lock > `OPENCLAW_GATEWAY_PORT` > `gateway.port` > the default. Secret: `--token`/`--password` > the
 * config (`gateway.remote.*` for a remote URL, `gateway.auth.*` for the local gateway) > environment.
 */
import { existsSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import { parsePort, resolveConfigPath, resolveGatewayPort, resolveLockDir, resolveStateDir } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { CliError, ConfigError } from "../errors.ts";
import { isLockAlive, lockPathFor, readLock } from "../util/lock-file.ts";

type Env = Record<string, string | undefined>;

/** A resolved RPC target. */
export interface CallTarget {
  url: string;
  token?: string;
  password?: string;
  /** Where the URL came from, for messages. */
  source: "--url" | "--port" | "gateway.remote.url" | "lock" | "local";
}

/** Flags every RPC command accepts. */
export interface TargetFlags {
  url?: string;
  port?: string;
  token?: string;
  password?: string;
}

// The config keys the CLI reads to find and authenticate to a gateway; a `${VAR}` anywhere else may stay unset.
const NEEDED_PATHS = /^gateway(\.(mode|port|auth|remote)(\.|$)|$)/;

/**
 * Resolves the target from flags, this profile's lock, the config file and the environment.
 * @throws CliError for `--url` with `--port`, a bad port, a named profile that has no config and no running
 *   gateway, or an unset `${VAR}` in a key the CLI needs; ConfigError when the config is otherwise invalid.
 */
export function resolveCallTarget(flags: TargetFlags, env: Env = process.env, config?: OpenClawConfig): CallTarget {
  if (flags.url && flags.port) throw new CliError("Give --url or --port, not both.");
  let flagPort: number | undefined;
  try {
    flagPort = parsePort(flags.port, "--port");
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const cfg = config ?? loadCliConfig(env);
  const gw = cfg.gateway ?? {};
  const remote = gw.mode === "remote" && gw.remote?.url && flagPort === undefined ? gw.remote : undefined;
  let url = flags.url;
  let source: CallTarget["source"] = "--url";
  if (!url && flagPort !== undefined) [url, source] = [`ws://127.0.0.1:${flagPort}`, "--port"];
  else if (!url && remote?.url) [url, source] = [remote.url, "gateway.remote.url"];
  if (!url) {
    const running = runningGatewayPort(env);
    if (running !== undefined) [url, source] = [`ws://127.0.0.1:${running}`, "lock"];
    else {
      assertProfileExists(env, config !== undefined);
      try {
        url = `ws://127.0.0.1:${resolveGatewayPort({ env, configPort: gw.port })}`;
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      source = "local";
    }
  }
  const envToken = env.OPENCLAW_GATEWAY_TOKEN ?? env.CLAWDBOT_GATEWAY_TOKEN;
  const envPassword = env.OPENCLAW_GATEWAY_PASSWORD;
  const local = { token: gw.auth?.token ?? envToken, password: gw.auth?.password ?? envPassword };
  const bySource = {
    local,
    lock: local,
    "--port": local,
    "gateway.remote.url": { token: gw.remote?.token, password: gw.remote?.password },
    // An explicit --url gets the remote secret, else the local one: the user pointed somewhere on purpose.
    "--url": { token: gw.remote?.token ?? gw.auth?.token ?? envToken, password: gw.remote?.password ?? gw.auth?.password ?? envPassword },
  }[source];
  const token = flags.token ?? bySource.token;
  const password = flags.password ?? bySource.password;
  return { url, token: token || undefined, password: password || undefined, source };
}

/**
 * The port recorded by this state dir's running gateway (its single-instance lock).
 * @returns undefined when no live gateway holds the lock.
 */
export function runningGatewayPort(env: Env = process.env): number | undefined {
  const info = readLock(lockPathFor(resolveLockDir(), resolveStateDir(env)));
  return info && isLockAlive(info) && Number.isInteger(info.port) && info.port > 0 ? info.port : undefined;
}

/**
 * Loads the config for a CLI command. A `${VAR}` that is unset in a key the CLI does not read (a channel's
 * token, a provider key) does not stop the command: only the gateway needs those, and it names them.
 * @throws CliError naming the variable when a key the CLI reads needs it; ConfigError for other problems.
 */
export function loadCliConfig(env: Env = process.env): OpenClawConfig {
  const path = resolveConfigPath(env);
  try {
    return loadConfig(path, env).config;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const missing = e.issues.map((i) => ({ issue: i, name: /^missing env var "([A-Z_][A-Z0-9_]*)"/.exec(i.message)?.[1] }));
    if (missing.some((m) => m.name === undefined)) throw e;
    const needed = missing.find((m) => NEEDED_PATHS.test(m.issue.path));
    if (needed) {
      throw new CliError(`${needed.issue.path} in ${path} uses \${${needed.name}}, which is not set.`, { hint: `Set ${needed.name} in the environment (or the config's env block), or pass --token/--url.`, code: "INVALID_CONFIG" });
    }
    // Stand-ins for the unused variables; the values never leave this process.
    const filled: Env = { ...env };
    for (const m of missing) filled[m.name as string] = "unset";
    try {
      return loadConfig(path, filled).config;
    } catch {
      throw e;
    }
  }
}

// --- internal ---

// `--profile work status` with no such profile would dial the default port and meet someone else's gateway.
function assertProfileExists(env: Env, configGiven: boolean): void {
  const profile = env.OPENCLAW_PROFILE;
  if (configGiven || !profile || profile === "default" || profile === "dev") return;
  const path = resolveConfigPath(env);
  if (existsSync(path)) return;
  throw new CliError(`No config for profile "${profile}" (${path} does not exist) and no gateway of that profile is running.`, {
    hint: `Create it with \`openclaw --profile ${profile} setup\`, or check the name (--profile selects ~/.openclaw-<name>).`,
    code: "NO_PROFILE",
  });
}
