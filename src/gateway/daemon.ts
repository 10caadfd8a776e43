/**
 * `openclaw gateway`: loads and checks config, starts the server, handles signals, and resolves with the
 * process exit code. Every refusal (bad config, no token, port in use) is one clear message and exit 1.
 */
import { mkdirSync } from "node:fs";
import type { GatewayRunFlags } from "../cli/commands/gateway-run.ts";
import { VERSION } from "../version.ts";
import { resolveGatewaySettings } from "../config/gateway-settings.ts";
import { applyConfigEnv, loadConfig, type LoadedConfig } from "../config/load.ts";
import { applyProfileEnv, expandHome, resolveConfigPath, resolveDefaultWorkspace, resolveStateDir } from "../config/paths.ts";
import { buildDevConfig, writeConfigFile } from "../config/write.ts";
import { CliError, ConfigError } from "../errors.ts";
import { Logger } from "../logging/logger.ts";
import { startGateway } from "./server.ts";

const FORCED_EXIT_MS = 5000;

/**
 * Runs the gateway until SIGTERM/SIGINT.
 * @returns the exit code: 0 after a clean stop, 1 when start-up was refused.
 */
export async function runDaemon(flags: GatewayRunFlags): Promise<number> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (flags.dev) applyProfileEnv(process.env, undefined, true);
  const stateDir = resolveStateDir();
  const configPath = resolveConfigPath(process.env, stateDir);

  let created: string | undefined;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configPath);
    if (!loaded.exists && (flags.dev || process.env.OPENCLAW_PROFILE === "dev")) {
      const workspace = resolveDefaultWorkspace();
      const config = buildDevConfig({ workspace });
      writeConfigFile(configPath, config);
      mkdirSync(workspace, { recursive: true, mode: 0o700 });
      created = config.gateway?.auth?.token;
      loaded = loadConfig(configPath);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`Gateway failed to start: ${e.message}`);
      err("Fix the file (or move it aside) and start again; nothing was changed.");
      return 1;
    }
    throw e;
  }
  applyConfigEnv(loaded.config);

  let settings: ReturnType<typeof resolveGatewaySettings>;
  try {
    settings = resolveGatewaySettings({ config: loaded.config, configExists: loaded.exists, flags });
  } catch (e) {
    if (e instanceof CliError) {
      err(e.message);
      if (e.hint) err(e.hint);
      return 1;
    }
    throw e;
  }

  const logging = loaded.config.logging;
  const logger = new Logger("gateway", {
    level: logging?.level,
    verbose: flags.verbose,
    file: logging?.file ? expandHome(logging.file) : undefined,
  });
  const log = logger.child("gateway");

  let handle: Awaited<ReturnType<typeof startGateway>>;
  try {
    handle = await startGateway({ version: VERSION, stateDir, loaded, settings, logger });
  } catch (e) {
    if ((e as { code?: string }).code === "EADDRINUSE") {
      err(`Gateway failed to start: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }

  for (const host of handle.hosts) {
    const shown = host.includes(":") ? `[${host}]` : host;
    log.info(`listening on ws://${shown}:${handle.port}${host === handle.hosts[0] ? ` (PID ${process.pid})` : ""}`);
  }
  if (logger.file) log.info(`log file: ${logger.file}`);
  log.info(`config: ${loaded.exists ? configPath : "none (defaults)"}; auth: ${settings.auth.mode}`);
  if (created) {
    // Shown once, on the console only, when the dev config was just created.
    process.stdout.write(`\nCreated ${configPath} (dev profile).\nConnect: ws://127.0.0.1:${handle.port}  token: ${created}\nTry:     openclaw --dev gateway call health\n\n`);
  } else if (process.env.OPENCLAW_PROFILE === "dev") {
    process.stdout.write(`\nConnect: ws://127.0.0.1:${handle.port}  (token: gateway.auth.token in ${configPath})\n\n`);
  }

  return await new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info(`received ${signal}; shutting down`);
      setTimeout(() => {
        log.warn(`forced exit after ${FORCED_EXIT_MS} ms`);
        resolve(0);
      }, FORCED_EXIT_MS).unref();
      handle.stop("gateway stopping").then(() => resolve(0));
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
}
