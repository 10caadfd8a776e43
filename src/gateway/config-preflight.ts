/**
 * The start-up checks a new config must pass before it is written over the protocol or applied from a file
 * edit: the gateway's own settings (mode, auth, bind, hooks), a custom bind address that exists on this
 * host, and folders the gateway creates at start (canvas root, agent workspaces) that can be created and
 * written. A config that fails here would stop the next start; it is refused (RPC) or skipped (file edit)
 * and the running config stays.
 */
import { accessSync, constants, mkdirSync, realpathSync, statSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { type GatewayFlags, resolveGatewaySettings } from "../config/gateway-settings.ts";
import { viewConfigEnv } from "../config/load.ts";
import { expandHome, resolveDefaultWorkspace } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { CliError, toErrorMessage } from "../errors.ts";

/** One reason a config cannot start. */
export interface PreflightIssue {
  path: string;
  message: string;
}

/** What the checks need besides the config. */
export interface PreflightOptions {
  /** The daemon's own flags (they override config as at start); none for an embedded gateway. */
  flags?: GatewayFlags;
  /** Default: the process environment as it will be with this config's `env:` block applied. */
  env?: Record<string, string | undefined>;
}

// Kernel pseudo-filesystems: writable-looking for root, but nothing can be created there.
const PSEUDO_FS = /^\/(proc|sys|dev)(\/|$)/;

/**
 * Runs the checks.
 * @returns every problem found; empty when the config can start.
 */
export function preflightConfig(config: OpenClawConfig, opts: PreflightOptions = {}): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  try {
    const settings = resolveGatewaySettings({ config, configExists: true, env: opts.env ?? viewConfigEnv(config), flags: opts.flags });
    if (settings.bind === "custom") {
      const problem = checkBindHost(settings.hosts[0] as string);
      if (problem) issues.push({ path: "gateway.customBindHost", message: problem });
    }
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    issues.push({ path: settingsPath(err.message), message: err.message.replace(/\n/g, " ") });
  }
  const workspace = config.agents?.defaults?.workspace ? expandHome(config.agents.defaults.workspace) : resolveDefaultWorkspace();
  if (config.agents?.defaults?.workspace) pushDir(issues, "agents.defaults.workspace", workspace);
  for (const [i, agent] of (config.agents?.list ?? []).entries()) {
    if (agent.workspace) pushDir(issues, `agents.list.${i}.workspace`, expandHome(agent.workspace));
  }
  if (config.canvasHost?.enabled !== false) {
    const root = config.canvasHost?.root ? expandHome(config.canvasHost.root) : join(workspace, "canvas");
    pushDir(issues, config.canvasHost?.root ? "canvasHost.root" : "agents.defaults.workspace", root);
  }
  return issues;
}

/**
 * Checks that a folder exists or can be created, and is a writable directory outside /proc, /sys, /dev.
 * Creates it when missing (start-up would).
 * @returns a message, or undefined when usable.
 */
export function checkUsableDir(dir: string): string | undefined {
  if (PSEUDO_FS.test(dir)) return `${dir} is inside a kernel pseudo-filesystem`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = realpathSync(dir);
    if (PSEUDO_FS.test(real)) return `${dir} resolves into a kernel pseudo-filesystem (${real})`;
    if (!statSync(real).isDirectory()) return `${dir} is not a directory`;
    accessSync(real, constants.R_OK | constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return `${dir} cannot be used: ${toErrorMessage(err)}`;
  }
}

// --- internal ---

function pushDir(issues: PreflightIssue[], path: string, dir: string): void {
  const problem = checkUsableDir(dir);
  if (problem) issues.push({ path, message: problem });
}

// A listen on port 0 proves the address is on this host (EADDRNOTAVAIL otherwise) without taking a port.
function checkBindHost(host: string): string | undefined {
  if (isIP(host) === 0) return `"${host}" is not an IP address`;
  try {
    const s = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
    s.stop(true);
    return undefined;
  } catch (err) {
    return `cannot listen on ${host}: ${toErrorMessage(err)} (not an address of this host?)`;
  }
}

function settingsPath(message: string): string {
  if (/hooks/i.test(message)) return "hooks";
  if (/password/i.test(message)) return "gateway.auth.password";
  if (/token/i.test(message)) return "gateway.auth.token";
  if (/bind/i.test(message)) return "gateway.bind";
  if (/port/i.test(message)) return "gateway.port";
  return "gateway.mode";
}
