/**
 * Supervisor integration: install/uninstall/start/stop/status of the gateway as a launchd job, systemd unit
 * or Windows scheduled task. Needs no running daemon; the CLI's `gateway install …` and `doctor` use it.
 */
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { createCommandRunner } from "./_runner.ts";
import { createLaunchdService } from "./launchd/index.ts";
import type { Service, ServiceContext, SupervisorKind } from "./service.ts";
import { createSystemdService } from "./systemd/index.ts";
import { createWindowsService } from "./windows/index.ts";

type Env = Record<string, string | undefined>;

export { type AuditIssue, auditService } from "./audit.ts";
export { createCommandRunner, detailOf } from "./_runner.ts";
export { fileMode } from "./_files.ts";
export {
  buildServiceDefinition,
  type DefinitionInput,
  diffDefinition,
  formatDrift,
  isDefaultProfile,
  redactCommand,
  resolveLaunchdLabel,
  resolveProgramPrefix,
  resolveServiceName,
  resolveSystemdUnit,
  resolveWindowsTaskName,
  SECRET_ENV_KEYS,
  SERVICE_KIND,
  SERVICE_MARKER,
} from "./definition.ts";
export { legacyLaunchdLabels } from "./launchd/index.ts";
export { enableLinger, lingerCommand, readLinger, WSL_NOTE } from "./systemd/index.ts";
export {
  type ActionOutcome,
  type CommandResult,
  type CommandRunner,
  type DriftItem,
  type ExtraService,
  type InstalledCommand,
  type InstallOptions,
  type InstallOutcome,
  isServiceError,
  type RenderedFile,
  type Service,
  type ServiceContext,
  type ServiceDefinition,
  ServiceError,
  type ServiceRuntime,
  type ServiceScope,
  type ServiceState,
  type SupervisorKind,
} from "./service.ts";

/** The supervisor of an OS: launchd on macOS, Task Scheduler on Windows, systemd elsewhere. */
export function supervisorFor(platform: NodeJS.Platform = process.platform): SupervisorKind {
  return platform === "darwin" ? "launchd" : platform === "win32" ? "schtasks" : "systemd";
}

/** The backend for `kind`. */
export function createService(kind: SupervisorKind, ctx: ServiceContext): Service {
  switch (kind) {
    case "launchd":
      return createLaunchdService(ctx);
    case "systemd":
      return createSystemdService(ctx);
    case "schtasks":
      return createWindowsService(ctx);
  }
}

/**
 * The production context: real commands from `env.PATH`, the current user, `/` as root.
 */
export function createServiceContext(env: Env = process.env): ServiceContext {
  const uid = typeof process.getuid === "function" ? process.getuid() : -1;
  let name = resolveUserName(env, uid);
  if (process.platform === "win32" && env.USERDOMAIN && !name.includes("\\")) name = `${env.USERDOMAIN}\\${name}`;
  return { env, run: createCommandRunner(env), uid, user: name, root: "/", isWsl: detectWsl(env), sleep: (ms) => Bun.sleep(ms) };
}

/**
 * The login name: USER / LOGNAME / USERNAME, else the passwd entry for `uid`, else the OS's answer.
 * (Some sandboxes have no USER and an os.userInfo() that says "unknown".)
 */
export function resolveUserName(env: Env, uid: number): string {
  const fromEnv = env.USER || env.LOGNAME || env.USERNAME;
  if (fromEnv) return fromEnv;
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (name && Number(id) === uid) return name;
    }
  } catch {
    // not Unix
  }
  try {
    const name = userInfo().username;
    if (name && name !== "unknown") return name;
  } catch {
    // no passwd entry (containers with arbitrary uids)
  }
  return uid >= 0 ? String(uid) : "user";
}

/** True on WSL (env vars set by WSL, or "microsoft" in the kernel version). */
export function detectWsl(env: Env = process.env): boolean {
  if (process.platform !== "linux") return false;
  if (env.WSL_DISTRO_NAME || env.WSL_INTEROP) return true;
  try {
    return /microsoft|wsl/i.test(readFileSync("/proc/version", "utf8"));
  } catch {
    return false;
  }
}
