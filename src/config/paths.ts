/**
 * The only module that knows where things live on disk and which ports a profile uses (config.md §1–2).
 * Everything is derived from an explicit environment object so tests never touch the real HOME.
 */
import { existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isLocalTimeUtc } from "../util/local-time.ts";
import type { OpenClawConfig } from "./schema.ts";

/** Default gateway port of the default profile. */
export const DEFAULT_GATEWAY_PORT = 18789;
/** Gateway port of the `dev` profile. */
export const DEV_GATEWAY_PORT = 19001;

type Env = Record<string, string | undefined>;

const PROFILE_RE = /^[A-Za-z0-9_-]+$/;
const LEGACY_STATE_DIRS = [".clawdbot", ".moltbot", ".moldbot"];
const LEGACY_CONFIG_NAMES = ["clawdbot.json", "moltbot.json", "moldbot.json"];

/** True when `name` is a usable profile name: letters, digits, `_`, `-`. */
export function isValidProfileName(name: string): boolean {
  return PROFILE_RE.test(name);
}

/** The user's home, honouring `HOME` in `env` first (tests run with a temp HOME). */
export function resolveHome(env: Env = process.env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

/** Expands a leading `~` to the home directory; other paths are resolved as given. */
export function expandHome(path: string, env: Env = process.env): string {
  if (path === "~") return resolveHome(env);
  if (path.startsWith("~/")) return join(resolveHome(env), path.slice(2));
  return resolve(path);
}

/**
 * Applies `--profile NAME` / `--dev` to an environment the way the upstream CLI does: sets
 * `OPENCLAW_PROFILE`, `OPENCLAW_STATE_DIR` and `OPENCLAW_CONFIG_PATH` unless already set, and for `dev`
 * the default port 19001. Mutates and returns `env`.
 * @throws Error when the name has characters other than letters, digits, `_` and `-`.
 */
export function applyProfileEnv(env: Env, profile: string | undefined, dev = false): Env {
  const name = dev ? "dev" : profile;
  if (name === undefined || name === "default") return env;
  if (!isValidProfileName(name)) throw new Error('Invalid --profile (use letters, numbers, "_", "-" only)');
  env.OPENCLAW_PROFILE ??= name;
  env.OPENCLAW_STATE_DIR ??= join(resolveHome(env), `.openclaw-${name}`);
  env.OPENCLAW_CONFIG_PATH ??= join(env.OPENCLAW_STATE_DIR, "openclaw.json");
  if (name === "dev") env.OPENCLAW_GATEWAY_PORT ??= String(DEV_GATEWAY_PORT);
  return env;
}

/** The state dir: `OPENCLAW_STATE_DIR` > `~/.openclaw` (or an existing legacy dir when that is missing). */
export function resolveStateDir(env: Env = process.env): string {
  const explicit = env.OPENCLAW_STATE_DIR || env.CLAWDBOT_STATE_DIR;
  if (explicit) return expandHome(explicit, env);
  const home = resolveHome(env);
  const main = join(home, ".openclaw");
  if (existsSync(main)) return main;
  for (const legacy of LEGACY_STATE_DIRS) {
    const dir = join(home, legacy);
    if (existsSync(dir)) return dir;
  }
  return main;
}

/** The config file: `OPENCLAW_CONFIG_PATH` > `<stateDir>/openclaw.json` (or a legacy file name that exists). */
export function resolveConfigPath(env: Env = process.env, stateDir = resolveStateDir(env)): string {
  if (env.OPENCLAW_CONFIG_PATH) return expandHome(env.OPENCLAW_CONFIG_PATH, env);
  const main = join(stateDir, "openclaw.json");
  if (existsSync(main)) return main;
  for (const legacy of LEGACY_CONFIG_NAMES) {
    const file = join(stateDir, legacy);
    if (existsSync(file)) return file;
  }
  return main;
}

/** Default agent workspace: `~/.openclaw/workspace`, or `~/.openclaw/workspace-<profile>` for a profile. */
export function resolveDefaultWorkspace(env: Env = process.env): string {
  const profile = env.OPENCLAW_PROFILE;
  const suffix = profile && profile !== "default" ? `-${profile}` : "";
  return join(resolveHome(env), ".openclaw", `workspace${suffix}`);
}

/**
 * The workspace dir of an agent: `agents.list[].workspace` > `agents.defaults.workspace` > `~/.openclaw/workspace`
 * (non-default agents: `~/.openclaw/workspace-<agentId>`).
 */
export function resolveAgentWorkspace(config: OpenClawConfig, agentId: string, isDefault: boolean, env: Env = process.env): string {
  const own = config.agents?.list?.find((a) => a.id === agentId)?.workspace;
  if (own) return expandHome(own, env);
  const shared = config.agents?.defaults?.workspace;
  if (shared) return expandHome(shared, env);
  const base = resolveDefaultWorkspace(env);
  return isDefault ? base : `${base.replace(/workspace(-[^/]*)?$/, "workspace")}-${agentId}`;
}

/** Credentials dir (`OPENCLAW_OAUTH_DIR` override). */
export function resolveCredentialsDir(env: Env = process.env, stateDir = resolveStateDir(env)): string {
  return env.OPENCLAW_OAUTH_DIR ? expandHome(env.OPENCLAW_OAUTH_DIR, env) : join(stateDir, "credentials");
}

/** The state DB (sessions, transcripts, runs, cron, pairing, channel queues): `<stateDir>/state.db`. */
export function resolveStateDbPath(stateDir: string): string {
  return join(stateDir, "state.db");
}

/** Folder of the gateway's single-instance lock: `<tmpdir>/openclaw-<uid>`. */
export function resolveLockDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(tmpdir(), `openclaw-${uid}`);
}

/** Folder of the JSON-lines log files (`/tmp/openclaw` on Unix). */
export function resolveLogDir(): string {
  return process.platform === "win32" ? join(tmpdir(), "openclaw") : "/tmp/openclaw";
}

/**
 * Today's log file (local date): `openclaw-<tag>-YYYY-MM-DD.log`, or `openclaw-YYYY-MM-DD.log` without a tag.
 * Gateways pass {@link gatewayLogTag} so two gateways (profiles, ports, the upstream's own) never share a file.
 */
export function resolveLogFile(dir = resolveLogDir(), date = new Date(), tag?: string): string {
  // The same date either way; in UTC without the engine's time zone load (see local-time.ts).
  const utc = isLocalTimeUtc();
  const y = utc ? date.getUTCFullYear() : date.getFullYear();
  const m = String((utc ? date.getUTCMonth() : date.getMonth()) + 1).padStart(2, "0");
  const d = String(utc ? date.getUTCDate() : date.getDate()).padStart(2, "0");
  return join(dir, `openclaw-${tag ? `${tag}-` : ""}${y}-${m}-${d}.log`);
}

/** The log file tag of a gateway: `<profile>-<port>` (`default-18789`), see {@link resolveLogFile}. */
export function gatewayLogTag(port: number, env: Env = process.env): string {
  const profile = env.OPENCLAW_PROFILE && env.OPENCLAW_PROFILE !== "default" ? env.OPENCLAW_PROFILE : "default";
  return `${profile}-${port}`;
}

/** Client device identity file used by the CLI (`<stateDir>/identity/device.json`). */
export function resolveIdentityPath(env: Env = process.env, stateDir = resolveStateDir(env)): string {
  return join(stateDir, "identity", "device.json");
}

/** Ports derived from the gateway port: browser control = +2, canvas = +4, CDP range = +11 … +110. */
export function derivePorts(gatewayPort: number): { browserControl: number; canvas: number; cdpStart: number; cdpEnd: number } {
  const browserControl = gatewayPort + 2;
  return { browserControl, canvas: gatewayPort + 4, cdpStart: browserControl + 9, cdpEnd: browserControl + 108 };
}

/**
 * Parses a port given as text or number.
 * @returns the port, or undefined when `value` is undefined/empty.
 * @throws Error "Invalid port" naming the source and value when it is not an integer in 1–65535.
 */
export function parsePort(value: string | number | undefined, source: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const text = String(value).trim();
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Invalid port from ${source}: "${text}" (expected an integer from 1 to 65535)`);
  }
  return port;
}

/**
 * The gateway port: `--port` > `OPENCLAW_GATEWAY_PORT` (legacy `CLAWDBOT_GATEWAY_PORT`) > `gateway.port` > 18789.
 * @throws Error "Invalid port …" for a bad value at the winning source.
 */
export function resolveGatewayPort(opts: { flag?: string | number; env?: Env; configPort?: number }): number {
  const env = opts.env ?? process.env;
  return (
    parsePort(opts.flag, "--port") ??
    parsePort(env.OPENCLAW_GATEWAY_PORT, "OPENCLAW_GATEWAY_PORT") ??
    parsePort(env.CLAWDBOT_GATEWAY_PORT, "CLAWDBOT_GATEWAY_PORT") ??
    opts.configPort ??
    DEFAULT_GATEWAY_PORT
  );
}
