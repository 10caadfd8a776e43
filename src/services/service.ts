/**
 * The one interface every supervisor backend (launchd, systemd, Windows Task Scheduler) implements, and
 * the value types that cross it. `render` is pure; everything else reaches the OS only through the
 * {@link ServiceContext}'s command runner and the file system, so tests swap in fakes.
 */

type Env = Record<string, string | undefined>;

/** Which supervisor: the value `gateway status --json` reports as `service.label`. */
export type SupervisorKind = "launchd" | "systemd" | "schtasks";

/** Per-user unit (LaunchAgent, systemd --user, logon task) or machine-wide (LaunchDaemon, system unit). */
export type ServiceScope = "user" | "system";

/** What an external command did. `missing` when it is not on PATH (then `code` is 127). */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

/** Runs `cmd args…` to completion. The default spawns from PATH; tests record calls instead. */
export type CommandRunner = (cmd: string, args: string[]) => Promise<CommandResult>;

/** Everything a backend may touch besides the definition: replaceable in tests. */
export interface ServiceContext {
  /** Environment for path lookups (HOME, XDG_CONFIG_HOME, USERPROFILE …). */
  env: Env;
  run: CommandRunner;
  /** Numeric user id (launchd's `gui/<uid>` domain; 0 = root decides sudo). */
  uid: number;
  /** Login name (systemd `User=`, `loginctl`, the Windows task principal). */
  user: string;
  /** Root prefix for machine-wide dirs (`/etc/systemd/system`, `/Library/LaunchDaemons`); `/` in production. */
  root: string;
  /** True on WSL2: systemd works only when enabled in /etc/wsl.conf, and the distro stops when idle. */
  isWsl: boolean;
  /** Waits between retries (launchd bootstrap after bootout); tests make it instant. */
  sleep: (ms: number) => Promise<void>;
}

/**
 * A fully resolved service definition: the pure input of `render`. Built by `buildServiceDefinition`
 * from the caller's environment and config; no field is looked up again later.
 */
export interface ServiceDefinition {
  scope: ServiceScope;
  /** Profile name, undefined for the default profile. */
  profile?: string;
  /** launchd label, systemd unit file name (`….service`) or Windows task name. */
  name: string;
  description: string;
  /** `[<binary>, "gateway", "--port", "<port>"]` (or `[<bun>, <entry>, …]` when not compiled). */
  programArguments: string[];
  workingDirectory: string;
  /** Every variable the service gets, secrets included; insertion order is render order. */
  environment: Record<string, string>;
  /** Names in `environment` that are secrets: never printed, only written to 0600 files. */
  secretKeys: string[];
  port: number;
  stateDir: string;
  /** `<stateDir>/logs`: launchd stdout/stderr, the Windows script's redirects. */
  logDir: string;
  /** Login name the service runs as (`User=` / `UserName` for system scope; the task principal on Windows). */
  user: string;
  home: string;
  version: string;
}

/** One file a definition becomes. */
export interface RenderedFile {
  path: string;
  content: string | Uint8Array;
  /** POSIX mode; 0600 when the file carries a secret. */
  mode: number;
  /** True when `content` holds a secret value (printed redacted). */
  secret: boolean;
}

/** A definition read back from disk (`gateway status --json`'s `service.command`). */
export interface InstalledCommand {
  programArguments: string[];
  workingDirectory?: string;
  environment?: Record<string, string>;
  /** The unit/plist/script it was read from. */
  sourcePath: string;
}

/** The supervisor's view of the service. */
export interface ServiceRuntime {
  status: "running" | "stopped" | "unknown";
  state?: string;
  subState?: string;
  pid?: number;
  lastExitStatus?: number;
  lastExitReason?: string;
  lastRunTime?: string;
  detail?: string;
  missingUnit?: boolean;
}

/** Loaded state + runtime + what is on disk. */
export interface ServiceState {
  /** Registered with the supervisor (launchd: `print` works; systemd: enabled; schtasks: task exists). */
  loaded: boolean;
  /** A definition file exists (even when not loaded). */
  installed: boolean;
  command: InstalledCommand | null;
  runtime: ServiceRuntime;
}

/** One difference between what is installed and what `install` would write now. */
export interface DriftItem {
  field: string;
  /** Shown to the user; secrets are described ("set"/"differs"), never printed. */
  installed?: string;
  expected?: string;
  level: "error" | "recommended";
}

/** Result of `install`. */
export interface InstallOutcome {
  result: "installed" | "already-installed" | "dry-run";
  /** Loaded after the call; always false for a dry run (the supervisor is not asked). */
  loaded: boolean;
  /** Files written (or that would be written on dry-run), secrets redacted in `content`. */
  files: { path: string; mode: number; content: string }[];
  /** Commands run (or that would be run on dry-run). */
  commands: string[][];
  drift: DriftItem[];
  /** Human lines (what was done, where the logs are). */
  messages: string[];
  warnings: string[];
}

/** Result of start/stop/restart/uninstall. */
export interface ActionOutcome {
  result: "started" | "stopped" | "restarted" | "uninstalled" | "not-loaded" | "not-installed";
  messages: string[];
  warnings: string[];
}

/** A gateway-like service that is not the one this profile manages (`gateway status --deep`). */
export interface ExtraService {
  /** launchd label, unit name or task name. */
  label: string;
  scope: ServiceScope;
  path?: string;
  /** A label/unit from an older release (`com.openclaw.*`, `ai.openclaw.*`, clawdbot units …). */
  legacy: boolean;
  /** True when it is this implementation's install for another profile: no warning. */
  ours: boolean;
  profile?: string;
  detail: string;
}

/** Options of `install`. */
export interface InstallOptions {
  force?: boolean;
  dryRun?: boolean;
}

/**
 * A supervisor backend. Every method with side effects is idempotent: stopping a stopped service or
 * uninstalling a missing one succeeds with `not-loaded` / `not-installed`.
 */
export interface Service {
  readonly kind: SupervisorKind;
  /** How `loaded` reads for this supervisor (`enabled`, `loaded`, `registered`). */
  readonly loadedText: string;
  readonly notLoadedText: string;
  /** The files `def` becomes. Pure: no I/O. */
  render(def: ServiceDefinition): RenderedFile[];
  /** Where the main definition file lives (unit, plist or script). */
  definitionPath(def: ServiceDefinition): string;
  /**
   * Writes the definition and starts it; a no-op when the same definition is already loaded, drift is
   * reported (not applied) without `force`.
   * @throws ServiceError when the supervisor refuses (messages carry the tool's own text).
   */
  install(def: ServiceDefinition, opts?: InstallOptions): Promise<InstallOutcome>;
  /** Stops, unregisters and deletes the files. @throws ServiceError when it is still loaded afterwards. */
  uninstall(def: ServiceDefinition): Promise<ActionOutcome>;
  start(def: ServiceDefinition): Promise<ActionOutcome>;
  stop(def: ServiceDefinition): Promise<ActionOutcome>;
  restart(def: ServiceDefinition): Promise<ActionOutcome>;
  /** Loaded/running state and the definition on disk. Never throws for "not installed". */
  runtime(def: ServiceDefinition): Promise<ServiceState>;
  /** Reads the installed definition back (files only). @returns null when nothing is installed. */
  readInstalled(def: ServiceDefinition): InstalledCommand | null;
  /** Other gateway-like services on this machine (`--deep`), this definition's own service excluded. */
  scan(def: ServiceDefinition): Promise<ExtraService[]>;
}

/** A supervisor refused or is unusable; `message` carries the tool's text, `hint` what to run instead. */
export class ServiceError extends Error {
  readonly hint?: string;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "ServiceError";
    this.hint = opts.hint;
  }
}

/** True for a {@link ServiceError}. */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}
