/**
 * `openclaw gateway`: loads and checks config, takes the single-instance lock, starts the server, and then
 * lives through signals and config changes: hot-applies what it can, restarts in process when it must, and
 * keeps running on the last good config when a new one is invalid. Resolves with the process exit code.
 * Every refusal at start (bad config, no token, port in use, lock held) is one clear message and exit 1.
 */
import { mkdirSync } from "node:fs";
import { type GatewayRunFlags, type GatewaySettings, resolveGatewaySettings } from "../config/gateway-settings.ts";
import { applyConfigEnv, loadConfig, type LoadedConfig } from "../config/load.ts";
import { applyProfileEnv, expandHome, gatewayLogTag, resolveConfigPath, resolveDefaultWorkspace, resolveLockDir, resolveStateDir } from "../config/paths.ts";
import { type ConfigWatcher, watchConfig } from "../config/watch.ts";
import { buildDevConfig, writeConfigFile } from "../config/write.ts";
import { CliError, ConfigError, toErrorMessage } from "../errors.ts";
import { cliInvocation, describePortInUse, describeStopHint } from "./start-messages.ts";
import { Logger, writeOut } from "../logging/logger.ts";
import { VERSION } from "../version.ts";
import { freePort, LsofMissingError } from "./force.ts";
import { acquireGatewayLock, type GatewayLock, LockHeldError } from "./lock.ts";
import { preflightConfig } from "./config-preflight.ts";
import { applyConfigChange, keepLastGood } from "./config-reload.ts";
import { deliverRestartSentinel } from "./restart-sentinel.ts";
import { type GatewayHandle, startGateway } from "./server.ts";

const FORCED_EXIT_MS = 5000;
const RESTART_EXPECTED_MS = 1500;

type DaemonEvent = { kind: "stop"; signal: string } | { kind: "restart"; loaded: LoadedConfig; why: string };

/** Flags of the daemon, plus `force`. */
export type DaemonFlags = GatewayRunFlags;

/**
 * Runs the gateway until SIGTERM/SIGINT.
 * @returns the exit code: 0 after a clean stop, 1 when start-up was refused.
 */
export async function runDaemon(flags: DaemonFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (flags.dev) applyProfileEnv(process.env, undefined, true);
  const stateDir = resolveStateDir();
  const configPath = resolveConfigPath(process.env, stateDir);

  let created: string | undefined;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configPath);
    if (!loaded.exists && process.env.OPENCLAW_PROFILE === "dev") {
      const workspace = resolveDefaultWorkspace();
      const supplied = Boolean(flags.token || flags.password || process.env.OPENCLAW_GATEWAY_TOKEN || process.env.OPENCLAW_GATEWAY_PASSWORD);
      const config = buildDevConfig({ workspace, generateSecret: !supplied });
      writeConfigFile(configPath, config);
      mkdirSync(workspace, { recursive: true, mode: 0o700 });
      created = config.gateway?.auth?.token;
      loaded = loadConfig(configPath);
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Printed on every attempt so a supervisor's log always says why the gateway is down.
    err(`Gateway failed to start: ${e.message}`);
    err("Fix the file (or move it aside) and start again; nothing was changed.");
    return 1;
  }
  applyConfigEnv(loaded.config);

  let settings: GatewaySettings;
  try {
    settings = resolveGatewaySettings({ config: loaded.config, configExists: loaded.exists, flags });
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    err(e.message);
    if (e.hint) err(e.hint);
    return 1;
  }

  const logging = loaded.config.logging;
  const logger = new Logger("gateway", { level: logging?.level, verbose: flags.verbose, file: logging?.file ? expandHome(logging.file) : undefined, fileTag: gatewayLogTag(settings.port) });
  const log = logger.child("gateway");

  if (flags.force) {
    try {
      await freePort(settings.port, (line) => log.info(line));
    } catch (e) {
      if (e instanceof LsofMissingError) {
        err(e.message);
        return 1;
      }
      throw e;
    }
  }

  let lock: GatewayLock;
  try {
    lock = acquireGatewayLock({
      lockDir: resolveLockDir(),
      stateDir,
      port: settings.port,
      supervised: Boolean(process.env.OPENCLAW_SERVICE_MARKER),
      onStale: (owner) => log.info(`reclaimed stale gateway lock (PID ${owner.pid} is gone)`),
    });
  } catch (e) {
    if (!(e instanceof LockHeldError)) throw e;
    err(`Gateway failed to start: ${e.message}`);
    err(describeStopHint(e.owner.pid, e.owner.supervised === true));
    return 1;
  }

  // Events from signals and the config watcher, consumed one at a time by the loop below.
  const queue: DaemonEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (ev: DaemonEvent) => {
    queue.push(ev);
    wake?.();
  };
  const nextEvent = async (): Promise<DaemonEvent> => {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    return queue.shift() as DaemonEvent;
  };
  const onStop = (signal: NodeJS.Signals) => {
    log.info(`received ${signal}; shutting down`);
    setTimeout(() => {
      log.warn(`forced exit after ${FORCED_EXIT_MS} ms`);
      lock.release();
      process.exit(0);
    }, FORCED_EXIT_MS).unref();
    push({ kind: "stop", signal });
  };
  let current = loaded;
  const onUsr1 = () => {
    if (current.config.commands?.restart !== true) {
      log.warn("SIGUSR1 restart ignored (not authorized; enable commands.restart or use gateway tool).");
      return;
    }
    push({ kind: "restart", loaded: reloadOrKeep(configPath, current, log), why: "SIGUSR1" });
  };
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  process.on("SIGUSR1", onUsr1);

  try {
    let first = true;
    // The config and settings that last started: a restart whose new config fails to start falls back here.
    let good = { loaded: current, settings };
    for (;;) {
      let handle: GatewayHandle;
      applyConfigEnv(current.config);
      try {
        handle = await startGateway({ version: VERSION, stateDir, loaded: current, settings, logger });
      } catch (e) {
        if (first || current === good.loaded) {
          if ((e as { code?: string }).code === "EADDRINUSE") {
            err(`Gateway failed to start: ${describePortInUse(settings.port, (e as Error).message)}`);
            err(`Stop it, start with --force to stop it first, or pick another port with --port <port>.`);
          } else {
            err(`Gateway failed to start: ${toErrorMessage(e)}`);
          }
          return 1;
        }
        // A config change never takes the gateway down: serve on the config that worked.
        log.error(`restart with the new config failed (${toErrorMessage(e).split("\n")[0]}); falling back to the last good config`);
        current = good.loaded;
        settings = good.settings;
        continue;
      }
      good = { loaded: current, settings };
      lock.update(handle.port);
      keepLastGood(current, log);
      announce(handle, logger, current, settings, first ? created : undefined);
      first = false;
      deliverRestartSentinel(handle.ctx, log);

      const watcher = startWatcher(configPath, current, handle, log, push, flags);
      // config.apply / config.patch / config.set ask for restarts through this; one pending restart absorbs
      // later requests, and a gateway already on its way down ignores them.
      let restartTimer: ReturnType<typeof setTimeout> | undefined;
      let retired = false;
      handle.ctx.supervisor = {
        requestRestart(why, delayMs) {
          if (retired || restartTimer) return;
          restartTimer = setTimeout(() => {
            restartTimer = undefined;
            if (retired || queue.some((e) => e.kind === "restart")) return;
            push({ kind: "restart", loaded: reloadOrKeep(configPath, handle.ctx.loaded, log), why });
          }, delayMs);
        },
        noteConfigWritten(hash) {
          watcher?.setCurrentHash(hash);
        },
        flags,
      };
      let ev: DaemonEvent;
      let nextSettings: GatewaySettings | undefined;
      for (;;) {
        ev = await nextEvent();
        if (ev.kind === "stop") break;
        // The new env block first: settings read the token and password variables it may set.
        applyConfigEnv(ev.loaded.config);
        try {
          nextSettings = resolveGatewaySettings({ config: ev.loaded.config, configExists: true, flags });
          const issues = preflightConfig(ev.loaded.config, { flags });
          if (issues.length > 0) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
          break;
        } catch (e) {
          // The new config cannot run (no token, bad port): stay up on the one that works.
          applyConfigEnv(current.config);
          log.error(`config reload skipped (${toErrorMessage(e).split("\n")[0]}); still running the previous config`);
        }
      }
      retired = true;
      clearTimeout(restartTimer);
      watcher?.close();
      if (ev.kind === "stop") {
        await handle.stop("gateway stopping");
        return 0;
      }
      log.info(`restarting in process (${ev.why})`);
      await handle.stop("gateway restarting", RESTART_EXPECTED_MS);
      current = ev.loaded;
      settings = nextSettings as GatewaySettings;
    }
  } finally {
    process.off("SIGTERM", onStop);
    process.off("SIGINT", onStop);
    process.off("SIGUSR1", onUsr1);
    lock.release();
  }
}

// --- internal ---

function startWatcher(configPath: string, running: LoadedConfig, handle: GatewayHandle, log: Logger, push: (ev: DaemonEvent) => void, flags: DaemonFlags): ConfigWatcher | undefined {
  const reload = running.config.gateway?.reload;
  try {
    const watcher = watchConfig(configPath, {
      debounceMs: reload?.debounceMs ?? 300,
      currentHash: running.hash,
      onInvalid: (e) => {
        const lines = e.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
        log.error(`config reload skipped (invalid config): ${e.file}: ${lines}`);
      },
      onChange: (next) => {
        const issues = preflightConfig(next.config, { flags });
        if (issues.length > 0) {
          log.error(`config reload skipped (the gateway could not start with it): ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}; still running the previous config`);
          return;
        }
        const { outcome, plan } = applyConfigChange(handle.ctx, next, log);
        if (outcome === "restart") push({ kind: "restart", loaded: next, why: `config change: ${(plan.restart.length > 0 ? plan.restart : plan.changed).join(", ")}` });
      },
    });
    if (reload?.mode === "off") log.info("config reload disabled (gateway.reload.mode=off)");
    return watcher;
  } catch (e) {
    log.warn(`config watch unavailable: ${toErrorMessage(e)}`);
    return undefined;
  }
}

function reloadOrKeep(configPath: string, current: LoadedConfig, log: Logger): LoadedConfig {
  try {
    const loaded = loadConfig(configPath);
    return loaded.exists ? loaded : current;
  } catch (e) {
    log.error(`restart keeps the running config: ${toErrorMessage(e).split("\n")[0]}`);
    return current;
  }
}

function announce(handle: GatewayHandle, logger: Logger, loaded: LoadedConfig, settings: GatewaySettings, createdToken?: string): void {
  const log = logger.child("gateway");
  for (const host of handle.hosts) {
    const shown = host.includes(":") ? `[${host}]` : host;
    log.info(`listening on ws://${shown}:${handle.port}${host === handle.hosts[0] ? ` (PID ${process.pid})` : ""}`);
  }
  if (logger.file) log.info(`log file: ${logger.file}`);
  log.info(`config: ${loaded.exists ? loaded.path : "none (defaults)"}; auth: ${settings.auth.mode}`);
  if (createdToken) {
    // Shown once, on the console only, when the dev config was just created.
    writeOut(`\nCreated ${loaded.path} (dev profile).\nConnect: ws://127.0.0.1:${handle.port}  token: ${createdToken}\nTry:     ${cliInvocation()} --dev gateway call health\n\n`);
  } else if (process.env.OPENCLAW_PROFILE === "dev") {
    // The CLI finds the secret in the config or the environment; one given only as a flag it cannot know.
    const auth = loaded.config.gateway?.auth;
    const inConfig = Boolean(auth?.token || auth?.password);
    const inEnv = Boolean(process.env.OPENCLAW_GATEWAY_TOKEN || process.env.OPENCLAW_GATEWAY_PASSWORD);
    const where = inConfig ? `gateway.auth.${auth?.token ? "token" : "password"} in ${loaded.path}` : inEnv ? "from OPENCLAW_GATEWAY_TOKEN/PASSWORD" : "the one given with --token/--password";
    const secretFlag = inConfig || inEnv ? "" : ` --${settings.auth.mode === "password" ? "password" : "token"} <${settings.auth.mode === "password" ? "password" : "token"}>`;
    writeOut(`\nConnect: ws://127.0.0.1:${handle.port}  (${settings.auth.mode}: ${where})\nTry:     ${cliInvocation()} --dev gateway call health${secretFlag}\n\n`);
  }
}
