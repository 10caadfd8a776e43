/**
 * The checks behind `openclaw doctor`: each looks at one thing on this machine and, where a repair is
 * safe and mechanical, knows how to do it (remove a stale lock, rewrite a drifted unit, tighten a mode).
 * Nothing here talks to a running gateway.
 */
import { chmodSync, existsSync, statSync, unlinkSync } from "node:fs";
import { loadConfig } from "../../config/load.ts";
import { resolveConfigPath, resolveLockDir, resolveStateDbPath, resolveStateDir } from "../../config/paths.ts";
import { ConfigError, toErrorMessage } from "../../errors.ts";
import { auditService, enableLinger, lingerCommand, readLinger } from "../../services/index.ts";
import { isLockAlive, isPidAlive, lockPathFor, readLock } from "../../util/lock-file.ts";
import { listPortListeners } from "../../util/port-listeners.ts";
import { sandboxStatus } from "../../util/sandbox.ts";
import { cliPrefix, resolveServiceTarget } from "./_service.ts";

/** One finding of `doctor`. */
export interface DoctorCheck {
  id: string;
  level: "ok" | "info" | "warn" | "error";
  message: string;
  /** What `--fix` would do (or did). */
  fix?: string;
  fixed?: boolean;
  fixError?: string;
}

/** A check plus its repair, run only with `--fix`. */
interface Finding extends DoctorCheck {
  repair?: () => Promise<void> | void;
}

/**
 * Runs every check; with `fix`, runs each available repair once and marks the finding `fixed`.
 * @returns the checks in display order. Never throws: a failing check becomes an `error` finding.
 */
export async function runDoctor(opts: { fix: boolean }): Promise<DoctorCheck[]> {
  const findings: Finding[] = [];
  for (const check of [checkConfig, checkStateDir, checkService, checkLocks, checkStateDb, checkPort, checkSandbox]) {
    try {
      findings.push(...(await check()));
    } catch (e) {
      findings.push({ id: check.name.replace(/^check/, "").toLowerCase(), level: "error", message: `check failed: ${toErrorMessage(e)}` });
    }
  }
  if (opts.fix) {
    const done = new Set<unknown>();
    for (const f of findings) {
      if (!f.repair) continue;
      try {
        // Several findings may share one repair (one reinstall fixes every drift); run it once.
        if (!done.has(f.repair)) await f.repair();
        done.add(f.repair);
        f.fixed = true;
      } catch (e) {
        f.fixError = toErrorMessage(e);
      }
    }
  }
  return findings.map(({ repair: _repair, ...c }) => c);
}

// --- checks ---

async function checkConfig(): Promise<Finding[]> {
  const path = resolveConfigPath();
  try {
    const loaded = loadConfig(path);
    if (!loaded.exists) return [{ id: "config", level: "info", message: `No config at ${path}; run \`${cliPrefix()} setup\`.` }];
  } catch (e) {
    const detail = e instanceof ConfigError ? e.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ") : toErrorMessage(e);
    return [{ id: "config", level: "error", message: `Config ${path} is invalid: ${detail}` }];
  }
  const out: Finding[] = [{ id: "config", level: "ok", message: `Config ${path} is valid.` }];
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    out.push({ id: "config-mode", level: "warn", message: `Config ${path} holds secrets but is mode ${octal(mode)}.`, fix: "chmod 0600", repair: () => chmodSync(path, 0o600) });
  }
  return out;
}

async function checkStateDir(): Promise<Finding[]> {
  const dir = resolveStateDir();
  if (!existsSync(dir) || process.platform === "win32") return [];
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return [{ id: "state-dir", level: "ok", message: `State dir ${dir} is private (${octal(mode)}).` }];
  return [{ id: "state-dir", level: "warn", message: `State dir ${dir} is readable by others (${octal(mode)}).`, fix: "chmod 0700", repair: () => chmodSync(dir, 0o700) }];
}

async function checkService(): Promise<Finding[]> {
  const t = resolveServiceTarget();
  const state = await t.service.runtime(t.def);
  const out: Finding[] = [];
  const where = `${t.kind} ${t.def.scope} service ${t.def.name}`;
  if (!state.installed) {
    out.push({ id: "service", level: "info", message: `No ${where} installed (\`${cliPrefix()} gateway install\` runs the gateway at login/boot).` });
  } else {
    const rt = state.runtime;
    const running = rt.status === "running" ? `running${rt.pid ? ` (pid ${rt.pid})` : ""}` : rt.status;
    out.push({ id: "service", level: state.loaded ? "ok" : "warn", message: `${where}: ${state.loaded ? t.service.loadedText : t.service.notLoadedText}, ${running}${rt.lastExitStatus ? `, last exit ${rt.lastExitStatus}` : ""}.` });
    const reinstall = async () => {
      await t.service.install(t.def, { force: true });
    };
    for (const issue of auditService(t.service, state.command, t.def)) {
      const repair = issue.fix === "reinstall" ? reinstall : issue.fix === "chmod" && issue.path ? () => chmodSync(issue.path as string, issue.mode ?? 0o600) : undefined;
      out.push({
        id: issue.code,
        level: issue.level === "error" ? "error" : "warn",
        message: issue.message,
        ...(repair ? { fix: issue.fix === "reinstall" ? `rewrite the ${t.kind} definition (${cliPrefix()} gateway install --force)` : `chmod ${octal(issue.mode ?? 0o600)} ${issue.path}` } : {}),
        ...(repair ? { repair } : {}),
      });
    }
    if (t.kind === "systemd" && t.def.scope === "user") {
      const linger = await readLinger(t.ctx.run, t.def.user);
      if (linger === "no") {
        out.push({
          id: "linger",
          level: "warn",
          message: `Lingering is off for ${t.def.user}: the gateway stops at logout and does not start at boot.`,
          fix: `loginctl enable-linger ${t.def.user} (or: ${lingerCommand(t.def.user)})`,
          repair: async () => {
            const r = await enableLinger(t.ctx.run, t.def.user, t.ctx.uid);
            if (!r.ok) throw new Error(`${r.detail}; run: ${lingerCommand(t.def.user)}`);
          },
        });
      } else if (linger === "yes") out.push({ id: "linger", level: "ok", message: `Lingering is on for ${t.def.user}.` });
    }
  }
  for (const x of await t.service.scan(t.def)) {
    if (x.ours) out.push({ id: "other-service", level: "info", message: `Also installed: ${x.label} (${x.detail}).` });
    else out.push({ id: "other-service", level: "warn", message: `Gateway-like ${x.scope} service ${x.label}${x.path ? ` (${x.path})` : ""}: ${x.detail}. Two gateways on one state dir or port will fight; remove it if unused.` });
  }
  return out;
}

// Only this state dir's lock: other profiles' and other users' gateways share the lock folder, and their
// locks are theirs to judge (a temp-HOME test run must not be reported as this profile's problem).
async function checkLocks(): Promise<Finding[]> {
  const stateDir = resolveStateDir();
  const path = lockPathFor(resolveLockDir(), stateDir);
  if (!existsSync(path)) return [{ id: "stale-lock", level: "ok", message: `No gateway lock for ${stateDir}.` }];
  const info = readLock(path);
  if (info && isLockAlive(info)) return [{ id: "stale-lock", level: "ok", message: `Gateway lock for ${stateDir} is held by PID ${info.pid} (port ${info.port}).` }];
  const why = info ? `PID ${info.pid} is ${isPidAlive(info.pid) ? "a different process now" : "gone"}` : "unreadable";
  return [{ id: "stale-lock", level: "warn", message: `Stale gateway lock ${path} for ${stateDir}: ${why}.`, fix: "remove it", repair: () => unlinkSync(path) }];
}

async function checkStateDb(): Promise<Finding[]> {
  // A read-only connection of its own: the gateway may be running and holds the writing one.
  const path = resolveStateDbPath(resolveStateDir());
  if (!existsSync(path)) return [];
  const { Database } = await import("bun:sqlite");
  try {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.query("PRAGMA integrity_check").all() as { integrity_check: string }[];
      const problems = rows.map((r) => r.integrity_check).filter((r) => r !== "ok");
      if (problems.length === 0) return [{ id: "state-db", level: "ok", message: `State DB ${path}: integrity ok.` }];
      return [{ id: "state-db", level: "error", message: `State DB ${path} is damaged: ${problems.slice(0, 3).join("; ")}. Stop the gateway and restore a backup, or move it aside to start fresh.` }];
    } finally {
      db.close();
    }
  } catch (e) {
    return [{ id: "state-db", level: "error", message: `State DB ${path} cannot be read: ${toErrorMessage(e)}.` }];
  }
}

async function checkPort(): Promise<Finding[]> {
  const t = resolveServiceTarget();
  const port = t.def.port;
  const listeners = listPortListeners(port);
  if (listeners === undefined) return [{ id: "port", level: "info", message: `Cannot check port ${port}: lsof is not installed.` }];
  if (listeners.length === 0) return [{ id: "port", level: "ok", message: `Port ${port} is free.` }];
  const ours = new Set<number>();
  const lock = readLock(lockPathFor(resolveLockDir(), t.def.stateDir));
  if (lock && isLockAlive(lock)) ours.add(lock.pid);
  const rt = (await t.service.runtime(t.def)).runtime;
  if (rt.pid) ours.add(rt.pid);
  const foreign = listeners.filter((l) => !ours.has(l.pid));
  if (foreign.length === 0) return [{ id: "port", level: "ok", message: `Port ${port} is served by this profile's gateway (pid ${listeners.map((l) => l.pid).join(", ")}).` }];
  return [{ id: "port-conflict", level: "warn", message: `Port ${port} is taken by ${foreign.map((l) => `pid ${l.pid} (${l.command})`).join(", ")}; the gateway cannot listen there. Stop it or choose another gateway.port.` }];
}

/**
 * Whether the agent's `exec` has its bubblewrap sandbox here, and why not. Without one, exec runs on the
 * gateway host under the exec approvals (info); a config that pins `tools.exec.host: "sandbox"` then
 * gets a warning, since every exec call would fail.
 */
async function checkSandbox(): Promise<Finding[]> {
  const status = sandboxStatus();
  if (status.available) return [{ id: "sandbox", level: "ok", message: `Exec sandbox available: ${status.reason} (${status.bwrapPath}); the agent's exec runs there by default.` }];
  let pinned = false;
  try {
    const tools = loadConfig(resolveConfigPath()).config.tools as { exec?: { host?: unknown } } | undefined;
    pinned = tools?.exec?.host === "sandbox";
  } catch {
    // An invalid config is reported by the config check.
  }
  const fallback = pinned
    ? 'tools.exec.host is "sandbox", so the agent\'s exec calls will fail until it works.'
    : "The agent's exec runs on the gateway host under exec approvals (ask on a miss, deny when nobody answers).";
  return [{ id: "sandbox", level: pinned ? "warn" : "info", message: `No exec sandbox: ${status.reason}. ${fallback}` }];
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}
