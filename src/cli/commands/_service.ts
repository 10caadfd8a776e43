/**
 * Plumbing shared by `gateway install|uninstall|start|stop|restart|status` and `doctor`: resolve the
 * expected service definition from config + env + flags, pick the scope, print outcomes in the cli.md §3
 * shapes. No supervisor logic here; that is src/services.
 */
import { loadConfig } from "../../config/load.ts";
import { resolveConfigPath, resolveGatewayPort, resolveHome, resolveLockDir, resolveStateDir } from "../../config/paths.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { CliError, ConfigError, toErrorMessage } from "../../errors.ts";
import {
  type ActionOutcome,
  auditService,
  buildServiceDefinition,
  createService,
  createServiceContext,
  formatDrift,
  type InstallOutcome,
  isDefaultProfile,
  isServiceError,
  redactCommand,
  resolveProgramPrefix,
  type Service,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceScope,
  type SupervisorKind,
  supervisorFor,
} from "../../services/index.ts";
import { isLockAlive, lockPathFor, readLock } from "../../util/lock-file.ts";
import { VERSION } from "../../version.ts";
import { printJson } from "./_rpc.ts";

/** `--json --system`, common to the service commands. */
export const SERVICE_ARGS = {
  json: { type: "boolean", description: "Print JSON" },
  system: { type: "boolean", description: "Machine-wide unit (systemd system unit / LaunchDaemon); default: detected, else per-user" },
} as const;

/** The expected service for this profile, and the backend that manages it. */
export interface ServiceTarget {
  kind: SupervisorKind;
  service: Service;
  def: ServiceDefinition;
  ctx: ServiceContext;
  config: OpenClawConfig;
  /** Set when the config could not be loaded (the definition then uses env/defaults). */
  configError?: string;
}

/**
 * Resolves the target. Port: `--port` > env > config > default; token: `--token` > gateway.auth.token >
 * OPENCLAW_GATEWAY_TOKEN. Scope: `--system`, else whichever scope has this profile's service installed,
 * else per-user.
 * @throws CliError for an invalid config when `strictConfig`, a bad port, or `--system` on Windows.
 */
export function resolveServiceTarget(opts: { port?: string; token?: string; system?: boolean; strictConfig?: boolean; env?: Record<string, string | undefined> } = {}): ServiceTarget {
  const env = opts.env ?? process.env;
  const ctx = createServiceContext(env);
  const kind = supervisorFor();
  const service = createService(kind, ctx);
  let config: OpenClawConfig = {};
  let configError: string | undefined;
  try {
    config = loadConfig(resolveConfigPath(env), env).config;
  } catch (e) {
    configError = e instanceof ConfigError ? e.message : toErrorMessage(e);
    if (opts.strictConfig) throw new CliError(configError, { hint: "Fix the config first (see `openclaw doctor`); the service would not start with it." });
  }
  if (opts.system && kind === "schtasks") throw new CliError("--system is not supported on Windows (the gateway runs as a per-user scheduled task).");
  let port: number;
  try {
    port = resolveGatewayPort({ flag: opts.port, env, configPort: config.gateway?.port });
  } catch (e) {
    throw new CliError(toErrorMessage(e));
  }
  const token = opts.token || config.gateway?.auth?.token || env.OPENCLAW_GATEWAY_TOKEN || env.CLAWDBOT_GATEWAY_TOKEN || undefined;
  const build = (scope: ServiceScope) =>
    buildServiceDefinition({
      kind,
      scope,
      env,
      home: resolveHome(env),
      stateDir: resolveStateDir(env),
      port,
      token,
      program: resolveProgramPrefix(),
      // `sudo openclaw gateway install --system` is for the user who ran sudo, not root.
      user: scope === "system" && ctx.uid === 0 && env.SUDO_USER ? env.SUDO_USER : ctx.user,
      version: VERSION,
    });
  let def = build(opts.system ? "system" : "user");
  if (!opts.system && kind !== "schtasks" && !service.readInstalled(def)) {
    const system = build("system");
    if (service.readInstalled(system)) def = system;
  }
  return { kind, service, def, ctx, config, ...(configError ? { configError } : {}) };
}

/** `openclaw [--profile p] ` prefix for hints, so they target the same profile. */
export function cliPrefix(env: Record<string, string | undefined> = process.env): string {
  const profile = env.OPENCLAW_PROFILE;
  if (isDefaultProfile(profile)) return "openclaw";
  return profile === "dev" ? "openclaw --dev" : `openclaw --profile ${profile}`;
}

/** The `service` object of the JSON outputs. */
export function serviceSummary(t: ServiceTarget, loaded: boolean) {
  return {
    label: t.kind,
    name: t.def.name,
    scope: t.def.scope,
    path: t.service.definitionPath(t.def),
    loaded,
    loadedText: t.service.loadedText,
    notLoadedText: t.service.notLoadedText,
  };
}

/** Prints an install outcome (JSON per cli.md §3, or lines). */
export function printInstall(t: ServiceTarget, o: InstallOutcome, json: boolean): void {
  const prefix = cliPrefix();
  const driftLines = o.drift.map(formatDrift);
  let message: string | undefined;
  if (o.result === "already-installed") {
    message = `Gateway service already ${t.service.loadedText}.`;
  }
  const reinstall = `Reinstall with: ${prefix} gateway install --force${t.def.scope === "system" ? " --system" : ""}`;
  if (json) {
    printJson({
      action: "install",
      ok: true,
      result: o.result,
      ...(message ? { message } : {}),
      service: serviceSummary(t, o.loaded),
      ...(o.drift.length > 0 ? { drift: o.drift } : {}),
      ...(o.result === "dry-run" ? { dryRun: true, files: o.files, commands: o.commands } : {}),
      ...(o.messages.length > 0 ? { messages: o.messages } : {}),
      ...(o.warnings.length > 0 ? { warnings: o.warnings } : {}),
    });
    return;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (o.result === "dry-run") {
    out(`Dry run: nothing was written. ${t.kind} ${t.def.scope} service ${t.def.name}`);
    for (const f of o.files) {
      out("");
      out(`--- ${f.path} (mode ${f.mode.toString(8).padStart(4, "0")})`);
      out(f.content.replace(/\r\n/g, "\n").trimEnd());
    }
    out("");
    out("Would run:");
    for (const c of o.commands) out(`  ${c.join(" ")}`);
    if (driftLines.length > 0) out(`Changes from the installed service:\n  ${driftLines.join("\n  ")}`);
    return;
  }
  if (message) out(message);
  for (const m of o.messages) out(m);
  if (o.result === "already-installed") {
    if (driftLines.length > 0) out(`Drift (installed → now):\n  ${driftLines.join("\n  ")}`);
    out(reinstall);
  }
  for (const w of o.warnings) process.stderr.write(`Warning: ${w}\n`);
}

/** Prints a start/stop/restart/uninstall outcome. */
export function printAction(t: ServiceTarget, action: string, o: ActionOutcome, json: boolean, loaded: boolean): void {
  const prefix = cliPrefix();
  const hints: string[] = [];
  if (o.result === "not-loaded" && action !== "stop") hints.push(`Start with: ${prefix} gateway install${t.def.scope === "system" ? " --system" : ""}`);
  if (json) {
    printJson({
      action,
      ok: true,
      result: o.result,
      message: o.messages[0],
      service: serviceSummary(t, loaded),
      ...(hints.length > 0 ? { hints } : {}),
      ...(o.warnings.length > 0 ? { warnings: o.warnings } : {}),
    });
    return;
  }
  for (const m of o.messages) process.stdout.write(`${m}\n`);
  for (const h of hints) process.stdout.write(`${h}\n`);
  for (const w of o.warnings) process.stderr.write(`Warning: ${w}\n`);
}

/**
 * Runs a service action with the CLI's error contract: ServiceError → `{ok:false, error, hint}` (JSON)
 * or a CliError (message + hint), exit 1.
 */
export async function runServiceAction(action: string, json: boolean, fn: () => Promise<number | undefined>): Promise<number> {
  try {
    return (await fn()) ?? 0;
  } catch (e) {
    if (!isServiceError(e) && !(e instanceof CliError)) throw e;
    if (json) {
      printJson({ action, ok: false, error: e.message, ...(e.hint ? { hint: e.hint } : {}) });
      return 1;
    }
    throw new CliError(e.message, { hint: e.hint });
  }
}

/**
 * `gateway stop|restart` found no service to act on: says what runs for this state dir instead (a
 * foreground gateway's PID and port, and how to stop it), so "nothing was done" is never silent.
 * @returns 1 (nothing was stopped or restarted).
 */
export function reportNoService(t: ServiceTarget, action: "stop" | "restart", json: boolean): number {
  const lock = readLock(lockPathFor(resolveLockDir(), t.def.stateDir));
  const running = lock && isLockAlive(lock) ? lock : undefined;
  const none = `No gateway service is installed for ${t.def.stateDir}, so nothing was ${action === "stop" ? "stopped" : "restarted"}.`;
  const detail = running
    ? `A foreground gateway runs for it (PID ${running.pid}, port ${running.port}): stop it with Ctrl-C in its terminal, or \`kill ${running.pid}\`${action === "restart" ? ", then start it again" : ""}.`
    : `No gateway runs for it either (no live lock).`;
  const hint = `To run it as a service: ${cliPrefix()} gateway install`;
  if (json) {
    printJson({
      action,
      ok: false,
      result: "not-loaded",
      error: { code: running ? "NOT_SUPERVISED" : "NOT_RUNNING", message: `${none} ${detail}` },
      service: serviceSummary(t, false),
      ...(running && { running: { pid: running.pid, port: running.port, foreground: true } }),
      hints: [hint],
    });
    return 1;
  }
  process.stderr.write(`${none}\n${detail}\n${hint}\n`);
  return 1;
}

/** OPENCLAW_NIX_MODE=1: the package manager owns the service. @throws CliError */
export function assertNotNixMode(env: Record<string, string | undefined> = process.env): void {
  if (env.OPENCLAW_NIX_MODE === "1") throw new CliError("Service install/uninstall is disabled in Nix mode (OPENCLAW_NIX_MODE=1); the Nix module manages the service.");
}

/** `gateway status`'s supervisor side: `service.*` and, with `deep`, `extraServices`. */
export async function readServiceStatus(deep: boolean) {
  const t = resolveServiceTarget();
  const state = await t.service.runtime(t.def);
  const issues = auditService(t.service, state.command, t.def);
  return {
    service: {
      label: t.kind,
      name: t.def.name,
      scope: t.def.scope,
      path: t.service.definitionPath(t.def),
      loaded: state.loaded,
      loadedText: t.service.loadedText,
      notLoadedText: t.service.notLoadedText,
      command: redactCommand(state.command),
      runtime: state.runtime,
      configAudit: { ok: issues.length === 0, issues: issues.map(({ code, message, level }) => ({ code, message, level })) },
    },
    extraServices: deep ? await t.service.scan(t.def) : [],
  };
}
