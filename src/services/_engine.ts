/**
 * The parts of install/uninstall every supervisor shares: compare what is on disk with what would be
 * written, decide no-op / drift / rewrite, write files with safe modes, verify after uninstall. A backend
 * supplies a {@link Driver} with the supervisor-specific steps.
 */
import { diffDefinition } from "./definition.ts";
import { chownLike, isFileCurrent, redactContent, removeFiles, writeRenderedFile } from "./_files.ts";
import { recordingRunner } from "./_runner.ts";
import {
  type ActionOutcome,
  type CommandRunner,
  type DriftItem,
  type ExtraService,
  type InstallOptions,
  type InstallOutcome,
  type InstalledCommand,
  type RenderedFile,
  type Service,
  type ServiceContext,
  type ServiceDefinition,
  ServiceError,
  type ServiceRuntime,
  type ServiceState,
  type SupervisorKind,
} from "./service.ts";

/** Where a driver reports what it did. */
export interface Sink {
  messages: string[];
  warnings: string[];
}

/** Supervisor-specific steps. `run` is the context's runner (recording during install). */
export interface Driver {
  kind: SupervisorKind;
  loadedText: string;
  notLoadedText: string;
  render(def: ServiceDefinition): RenderedFile[];
  definitionPath(def: ServiceDefinition): string;
  readInstalled(def: ServiceDefinition): InstalledCommand | null;
  /** Files the installed definition refers to that uninstall also removes (systemd's gateway.env). */
  installedFiles(def: ServiceDefinition): string[];
  isLoaded(def: ServiceDefinition, run: CommandRunner): Promise<boolean>;
  /** Checks the supervisor is usable before anything is written. @throws ServiceError */
  preflight(def: ServiceDefinition, run: CommandRunner): Promise<void>;
  /** The commands `activate` runs on the happy path, for `--dry-run`. */
  plan(def: ServiceDefinition): string[][];
  /** After the files are written: register and start. `wasLoaded`: an older definition was running. */
  activate(def: ServiceDefinition, run: CommandRunner, sink: Sink, wasLoaded: boolean): Promise<void>;
  /** Stop and unregister (uninstall), before files are deleted. */
  deactivate(def: ServiceDefinition, run: CommandRunner, sink: Sink): Promise<void>;
  /** After files are deleted (systemd: daemon-reload). */
  afterRemove(def: ServiceDefinition, run: CommandRunner, sink: Sink): Promise<void>;
  /** Removes units older releases installed for the same profile. */
  cleanupLegacy(def: ServiceDefinition, run: CommandRunner, sink: Sink): Promise<void>;
  start(def: ServiceDefinition, run: CommandRunner): Promise<ActionOutcome>;
  stop(def: ServiceDefinition, run: CommandRunner): Promise<ActionOutcome>;
  restart(def: ServiceDefinition, run: CommandRunner): Promise<ActionOutcome>;
  runtime(def: ServiceDefinition, run: CommandRunner): Promise<{ loaded: boolean; runtime: ServiceRuntime }>;
  scan(def: ServiceDefinition, run: CommandRunner): Promise<ExtraService[]>;
  /** The "Installed …" lines. */
  installedMessages(def: ServiceDefinition): string[];
}

/** Wraps a driver into the public {@link Service}. */
export function createService(driver: Driver, ctx: ServiceContext): Service {
  const run = ctx.run;
  return {
    kind: driver.kind,
    loadedText: driver.loadedText,
    notLoadedText: driver.notLoadedText,
    render: (def) => driver.render(def),
    definitionPath: (def) => driver.definitionPath(def),
    readInstalled: (def) => driver.readInstalled(def),
    install: (def, opts) => install(driver, ctx, def, opts ?? {}),
    uninstall: (def) => uninstall(driver, run, def),
    start: (def) => driver.start(def, run),
    stop: (def) => driver.stop(def, run),
    restart: (def) => driver.restart(def, run),
    async runtime(def): Promise<ServiceState> {
      const command = driver.readInstalled(def);
      const { loaded, runtime } = await driver.runtime(def, run);
      return { loaded, installed: command !== null, command, runtime };
    },
    scan: (def) => driver.scan(def, run),
  };
}

/** The `not-loaded` outcome of start/stop/restart: "Gateway service disabled." (systemd), "… not loaded." (launchd). */
export function notLoaded(notLoadedText: string): ActionOutcome {
  return { result: "not-loaded", messages: [`Gateway service ${notLoadedText}.`], warnings: [] };
}

// --- internal ---

async function install(driver: Driver, ctx: ServiceContext, def: ServiceDefinition, opts: InstallOptions): Promise<InstallOutcome> {
  const files = driver.render(def);
  const secrets = def.secretKeys.map((k) => def.environment[k]).filter(Boolean);
  const shown = files.map((f) => ({ path: f.path, mode: f.mode, content: redactContent(f, secrets) }));
  const installed = driver.readInstalled(def);
  const current = files.every(isFileCurrent);
  const drift: DriftItem[] = installed ? diffDefinition(installed, def) : [];
  if (installed && !current && drift.length === 0) {
    drift.push({ field: "definition", installed: "an older layout", expected: "this version's layout", level: "recommended" });
  }
  const sink: Sink = { messages: [], warnings: [] };
  if (opts.dryRun) {
    return { result: "dry-run", loaded: false, files: shown, commands: driver.plan(def), drift, messages: [], warnings: [] };
  }

  const commands: string[][] = [];
  const run = recordingRunner(ctx.run, commands);
  await driver.preflight(def, run);
  const loaded = await driver.isLoaded(def, run);
  if (installed && loaded && !opts.force) {
    if (drift.length > 0) {
      sink.warnings.push("The installed service differs from what install would write now; it was left unchanged. Reinstall with --force to apply.");
    }
    return { result: "already-installed", loaded: true, files: shown, commands, drift, ...sink };
  }
  await driver.cleanupLegacy(def, run, sink);
  for (const f of files) writeRenderedFile(f);
  await driver.activate(def, run, sink, loaded);
  if (def.scope === "system" && ctx.uid === 0) {
    for (const p of [...files.map((f) => f.path), def.logDir]) if (isInside(p, def.stateDir)) chownLike(p, def.stateDir);
  }
  const loadedAfter = await driver.isLoaded(def, run);
  if (!loadedAfter) throw new ServiceError(`Gateway service was written but is not ${driver.loadedText}.`, { hint: `Check with: openclaw gateway status` });
  return { result: "installed", loaded: true, files: shown, commands, drift, messages: [...driver.installedMessages(def), ...sink.messages], warnings: sink.warnings };
}

async function uninstall(driver: Driver, run: CommandRunner, def: ServiceDefinition): Promise<ActionOutcome> {
  const sink: Sink = { messages: [], warnings: [] };
  const installed = driver.readInstalled(def);
  const loaded = await driver.isLoaded(def, run);
  if (!installed && !loaded) {
    await driver.cleanupLegacy(def, run, sink);
    return { result: "not-installed", messages: ["Gateway service not installed; nothing to remove.", ...sink.messages], warnings: sink.warnings };
  }
  await driver.deactivate(def, run, sink);
  if (await driver.isLoaded(def, run)) {
    // Files stay in place so a second attempt (or the user) can still address the unit.
    throw new ServiceError("Gateway service still loaded after uninstall.", { hint: `The supervisor still has ${def.name}; see \`openclaw gateway status\`.` });
  }
  const paths = [...new Set([...driver.render(def).map((f) => f.path), ...(installed ? [installed.sourcePath] : []), ...driver.installedFiles(def)])];
  removeFiles(paths);
  await driver.afterRemove(def, run, sink);
  await driver.cleanupLegacy(def, run, sink);
  return { result: "uninstalled", messages: [`Removed ${def.name}: ${paths.join(", ")}`, ...sink.messages], warnings: sink.warnings };
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") || dir.endsWith("\\") ? dir : `${dir}/`) || path.startsWith(`${dir}\\`);
}
