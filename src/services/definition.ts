/**
 * Turns "this profile, this port, this token, this binary" into a {@link ServiceDefinition}: the names per
 * supervisor, the program arguments and the environment block. Pure: callers pass the environment, so
 * golden tests render the same bytes on every machine.
 */
import { posix, win32 } from "node:path";
import type { DriftItem, InstalledCommand, ServiceDefinition, ServiceScope, SupervisorKind } from "./service.ts";

type Env = Record<string, string | undefined>;

/** Marker every unit we write carries in its environment; `--deep` scans and doctor look for it. */
export const SERVICE_MARKER = "openclaw";
/** The service kind (upstream also has a `node` kind; this binary only installs gateways). */
export const SERVICE_KIND = "gateway";
/** Env vars that hold secrets: written only to 0600 files, never printed. */
export const SECRET_ENV_KEYS = ["OPENCLAW_GATEWAY_TOKEN"] as const;

/** launchd label: `bot.molt.gateway`, or `bot.molt.<profile>` (`OPENCLAW_LAUNCHD_LABEL` overrides). */
export function resolveLaunchdLabel(profile: string | undefined, env: Env = {}): string {
  return env.OPENCLAW_LAUNCHD_LABEL?.trim() || (isDefaultProfile(profile) ? "bot.molt.gateway" : `bot.molt.${profile}`);
}

/** systemd unit file name: `openclaw-gateway.service` or `openclaw-gateway-<profile>.service`. */
export function resolveSystemdUnit(profile: string | undefined, env: Env = {}): string {
  const override = env.OPENCLAW_SYSTEMD_UNIT?.trim();
  if (override) return override.endsWith(".service") ? override : `${override}.service`;
  return isDefaultProfile(profile) ? "openclaw-gateway.service" : `openclaw-gateway-${profile}.service`;
}

/** Windows task name: `OpenClaw Gateway` or `OpenClaw Gateway (<profile>)`. */
export function resolveWindowsTaskName(profile: string | undefined, env: Env = {}): string {
  return env.OPENCLAW_WINDOWS_TASK_NAME?.trim() || (isDefaultProfile(profile) ? "OpenClaw Gateway" : `OpenClaw Gateway (${profile})`);
}

/** The service name for a supervisor and profile. */
export function resolveServiceName(kind: SupervisorKind, profile: string | undefined, env: Env = {}): string {
  switch (kind) {
    case "launchd":
      return resolveLaunchdLabel(profile, env);
    case "systemd":
      return resolveSystemdUnit(profile, env);
    case "schtasks":
      return resolveWindowsTaskName(profile, env);
  }
}

/**
 * The program the supervisor runs. In the compiled binary that is `process.execPath` itself.
 *
 * Trap: `process.execPath` is the *resolved* file. Installed through a symlink (Homebrew's
 * `/opt/homebrew/bin/openclaw` → `../Cellar/openclaw/<ver>/bin/openclaw`, or install.sh's versioned dir),
 * the unit pins that version's real path; an upgrade that removes the old version leaves the unit pointing
 * at a missing file. `doctor` reports that as `gateway-binary-missing` and `doctor --fix` rewrites the unit.
 * Under `bun run src/main.ts` (development) execPath is Bun, so the entry script is passed too.
 */
export function resolveProgramPrefix(): string[] {
  const main = Bun.main;
  const compiled = main.startsWith("/$bunfs/") || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(main);
  return compiled ? [process.execPath] : [process.execPath, main];
}

/**
 * The minimal PATH a service gets (supervisors do not read shell profiles). Derived from HOME only, so the
 * same user always renders the same unit (no drift from one shell's PATH to another's).
 * @returns undefined on Windows, where the task inherits the user's PATH.
 */
export function resolveServicePath(kind: SupervisorKind, home: string): string | undefined {
  if (kind === "schtasks") return undefined;
  if (kind === "launchd") return "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin";
  return [posix.join(home, ".local/bin"), posix.join(home, ".bun/bin"), posix.join(home, "bin"), "/usr/local/bin", "/usr/bin", "/bin"].join(":");
}

/** Inputs of {@link buildServiceDefinition}. */
export interface DefinitionInput {
  kind: SupervisorKind;
  scope: ServiceScope;
  /** The caller's environment after profile handling (OPENCLAW_PROFILE, OPENCLAW_STATE_DIR …). */
  env: Env;
  home: string;
  stateDir: string;
  port: number;
  /** `--token` > gateway.auth.token > OPENCLAW_GATEWAY_TOKEN; omitted when empty. */
  token?: string;
  /** Program prefix, usually {@link resolveProgramPrefix}. */
  program: string[];
  user: string;
  version: string;
}

/**
 * Builds the definition `install` writes.
 * @returns the definition; empty env values are left out.
 */
export function buildServiceDefinition(input: DefinitionInput): ServiceDefinition {
  const { kind, env } = input;
  const profile = isDefaultProfile(env.OPENCLAW_PROFILE) ? undefined : env.OPENCLAW_PROFILE;
  const name = resolveServiceName(kind, profile, env);
  const path = pathModuleFor(input.stateDir);
  const environment: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== "") environment[key] = value;
  };
  put("HOME", input.home);
  put("PATH", resolveServicePath(kind, input.home));
  put("OPENCLAW_PROFILE", profile);
  put("OPENCLAW_STATE_DIR", env.OPENCLAW_STATE_DIR);
  put("OPENCLAW_CONFIG_PATH", env.OPENCLAW_CONFIG_PATH);
  put("OPENCLAW_GATEWAY_PORT", String(input.port));
  put("OPENCLAW_GATEWAY_TOKEN", input.token);
  if (kind === "launchd") put("OPENCLAW_LAUNCHD_LABEL", name);
  if (kind === "systemd") put("OPENCLAW_SYSTEMD_UNIT", name);
  if (kind === "schtasks") put("OPENCLAW_WINDOWS_TASK_NAME", name);
  put("OPENCLAW_SERVICE_MARKER", SERVICE_MARKER);
  put("OPENCLAW_SERVICE_KIND", SERVICE_KIND);
  put("OPENCLAW_SERVICE_VERSION", input.version);
  return {
    scope: input.scope,
    profile,
    name,
    description: profile ? `OpenClaw Gateway (profile: ${profile}, v${input.version})` : `OpenClaw Gateway (v${input.version})`,
    programArguments: [...input.program, "gateway", "--port", String(input.port)],
    workingDirectory: input.stateDir,
    environment,
    secretKeys: SECRET_ENV_KEYS.filter((k) => k in environment),
    port: input.port,
    stateDir: input.stateDir,
    logDir: path.join(input.stateDir, "logs"),
    user: input.user,
    home: input.home,
    version: input.version,
  };
}

/**
 * Compares an installed definition with the expected one, field by field.
 * Binary, port, token, profile and state dir differences are `error` (the service runs something other
 * than what the config says); PATH, version and other env differences are `recommended`.
 * @returns the differences; empty when they match.
 */
export function diffDefinition(installed: InstalledCommand, expected: ServiceDefinition): DriftItem[] {
  const drift: DriftItem[] = [];
  const have = installed.programArguments;
  const want = expected.programArguments;
  if (have[0] !== want[0]) drift.push({ field: "binary", installed: have[0], expected: want[0], level: "error" });
  const havePort = portOf(have) ?? installed.environment?.OPENCLAW_GATEWAY_PORT;
  if (havePort !== String(expected.port)) drift.push({ field: "port", installed: havePort, expected: String(expected.port), level: "error" });
  if (have.slice(1).join("\u0000") !== want.slice(1).join("\u0000") && havePort === String(expected.port) && have[0] === want[0]) {
    drift.push({ field: "programArguments", installed: have.join(" "), expected: want.join(" "), level: "error" });
  }
  if ((installed.workingDirectory ?? "") !== expected.workingDirectory) {
    drift.push({ field: "workingDirectory", installed: installed.workingDirectory, expected: expected.workingDirectory, level: "recommended" });
  }
  const env = installed.environment ?? {};
  const keys = new Set([...Object.keys(env), ...Object.keys(expected.environment)]);
  for (const key of keys) {
    if (key === "OPENCLAW_GATEWAY_PORT") continue; // reported as "port"
    const a = env[key];
    const b = expected.environment[key];
    if (a === b) continue;
    if (key === "OPENCLAW_GATEWAY_TOKEN") {
      drift.push({ field: "token", installed: a === undefined ? "not set" : "set", expected: b === undefined ? "not set" : a === undefined ? "set" : "a different token", level: "error" });
      continue;
    }
    const level = key === "OPENCLAW_PROFILE" || key === "OPENCLAW_STATE_DIR" || key === "OPENCLAW_CONFIG_PATH" ? "error" : "recommended";
    const field = key === "PATH" ? "path" : key === "OPENCLAW_SERVICE_VERSION" ? "version" : `environment.${key}`;
    drift.push({ field, installed: a, expected: b, level });
  }
  return drift;
}

/** One line per drift item, secrets described, for humans. */
export function formatDrift(item: DriftItem): string {
  return `${item.field}: ${item.installed ?? "(none)"} → ${item.expected ?? "(none)"}`;
}

/** `InstalledCommand` with secret values replaced by `<redacted>`, for status output. */
export function redactCommand(cmd: InstalledCommand | null): InstalledCommand | null {
  if (!cmd?.environment) return cmd;
  const environment = { ...cmd.environment };
  for (const key of SECRET_ENV_KEYS) if (key in environment) environment[key] = "<redacted>";
  return { ...cmd, environment };
}

/**
 * `node:path`'s win32 flavour for Windows-style paths (`C:\…`, `\\server\…`), posix otherwise. Chosen by the
 * path itself, not the host, so Windows definitions render identically in tests on Linux and tests can
 * drive the Windows backend against a POSIX temp dir.
 */
export function pathModuleFor(path: string): typeof posix {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(path) ? win32 : posix;
}

/** True for no profile or the explicit `default`. */
export function isDefaultProfile(profile: string | undefined): boolean {
  return profile === undefined || profile === "" || profile === "default";
}

function portOf(args: string[]): string | undefined {
  const i = args.indexOf("--port");
  return i >= 0 ? args[i + 1] : undefined;
}
