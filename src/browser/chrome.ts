/**
 * Launching and stopping a managed browser process: the command line, the profile decoration (name,
 * color, clean-exit flags), waiting for the DevTools port, and a stop that escalates SIGTERM → SIGKILL
 * on the whole process group.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Subprocess } from "bun";
import { fetchCdpVersion } from "./cdp.ts";
import { BrowserApiError } from "./errors.ts";
import type { BrowserExecutable } from "./executables.ts";
import type { BrowserExit } from "./types.ts";

/** What a launch needs. */
export interface LaunchOptions {
  exe: BrowserExecutable;
  profileName: string;
  color: string;
  userDataDir: string;
  cdpPort: number;
  headless: boolean;
  noSandbox: boolean;
  extraArgs: string[];
  /** How long to wait for the DevTools port (ms). */
  timeoutMs: number;
  /** The browser's stderr goes here (truncated on each launch). */
  logFile: string;
}

/** A browser process this service launched. */
export interface LaunchedBrowser {
  pid: number;
  exe: BrowserExecutable;
  userDataDir: string;
  cdpPort: number;
  cdpUrl: string;
  startedAt: number;
  /** Resolves when the process ends, however it ends. */
  exited: Promise<BrowserExit>;
  proc: Subprocess;
}

/**
 * The command-line flags of a managed browser. Background networking, component updates, sync and QUIC
 * are off: an agent's browser should only talk to the pages it is driven to, and in containers those
 * services flood refused connections.
 */
export function buildLaunchArgs(opts: Pick<LaunchOptions, "userDataDir" | "cdpPort" | "headless" | "noSandbox" | "extraArgs">): string[] {
  const args = [
    `--remote-debugging-port=${opts.cdpPort}`,
    "--remote-debugging-address=127.0.0.1",
    `--user-data-dir=${opts.userDataDir}`,
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--disable-session-crashed-bubble",
    "--hide-crash-restore-bubble",
    "--password-store=basic",
  ];
  if (process.platform === "darwin") args.push("--use-mock-keychain");
  if (opts.headless) args.push("--headless", "--disable-gpu");
  // Chrome refuses to start as root with its sandbox on; the config (or the root default) turns it off.
  if (opts.noSandbox) args.push("--no-sandbox", "--disable-setuid-sandbox");
  args.push(...opts.extraArgs, "about:blank");
  return args;
}

/**
 * Launches the browser and waits until its DevTools port answers.
 * @throws BrowserApiError 503 BROWSER_UNAVAILABLE when it cannot be spawned, exits early, or the port does
 *   not answer in time (the process is killed; the message ends with the tail of its log).
 */
export async function launchBrowser(opts: LaunchOptions): Promise<LaunchedBrowser> {
  mkdirSync(opts.userDataDir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(opts.logFile), { recursive: true, mode: 0o700 });
  decorateProfile(opts.userDataDir, opts.profileName, opts.color);
  let proc: Subprocess;
  try {
    proc = Bun.spawn([opts.exe.path, ...buildLaunchArgs(opts)], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: Bun.file(opts.logFile),
      // Linux Chromium keeps crash reports under its default config dir (~/.config/chromium): keep those
      // next to the profile too, so the managed browser never writes into the user's own browser folders.
      env: { ...process.env, CHROME_CONFIG_HOME: join(dirname(opts.userDataDir), "config") },
      // Own process group: a Ctrl-C on the gateway's terminal does not hit the browser directly, and
      // stop() can signal the browser with all its helpers.
      detached: process.platform !== "win32",
    });
  } catch (err) {
    throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `could not start ${opts.exe.path}: ${(err as Error).message}`, { cause: err });
  }
  const startedAt = Date.now();
  let exit: BrowserExit | undefined;
  const exited: Promise<BrowserExit> = proc.exited.then(() => {
    const ended: BrowserExit = { at: Date.now(), code: proc.exitCode as number | null, signal: (proc.signalCode as string | null) ?? null };
    exit = ended;
    return ended;
  });
  const cdpUrl = `http://127.0.0.1:${opts.cdpPort}`;
  const deadline = startedAt + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (exit) break;
    if (await fetchCdpVersion(cdpUrl, 500)) return { pid: proc.pid, exe: opts.exe, userDataDir: opts.userDataDir, cdpUrl, cdpPort: opts.cdpPort, startedAt, exited, proc };
    await Bun.sleep(50);
  }
  const why = exit ? `exited during start (code ${exit.code ?? exit.signal})` : `did not open DevTools on port ${opts.cdpPort} within ${opts.timeoutMs} ms`;
  if (!exit) await killGroup(proc, exited, 1000);
  const tail = readTail(opts.logFile, 600).trim();
  throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `${opts.exe.kind} (${opts.exe.path}) ${why}${tail ? `; log ${opts.logFile}: ${tail}` : ""}`);
}

/** Stops a launched browser: SIGTERM to its group, SIGKILL after `graceMs`. Safe to call twice. */
export async function stopBrowserProcess(b: LaunchedBrowser, graceMs = 3000): Promise<void> {
  await killGroup(b.proc, b.exited, graceMs);
}

/**
 * Names and colors the profile and marks its last exit clean (so a crash does not leave a "restore
 * pages" bubble in front of the agent). Preference keys vary by browser version; best effort, never throws.
 */
export function decorateProfile(userDataDir: string, name: string, color: string): void {
  const argb = toSignedArgb(color);
  updateJson(join(userDataDir, "Local State"), (s) => {
    const info = ensureObject(ensureObject(ensureObject(s, "profile"), "info_cache"), "Default");
    info.name = name;
    if (argb !== undefined) info.profile_color_seed = argb;
  });
  updateJson(join(userDataDir, "Default", "Preferences"), (p) => {
    ensureObject(p, "profile").name = name;
    ensureObject(p, "profile").exit_type = "Normal";
    p.exit_type = "Normal";
    p.exited_cleanly = true;
    if (argb !== undefined) {
      ensureObject(ensureObject(p, "browser"), "theme").user_color2 = argb;
      ensureObject(ensureObject(p, "autogenerated"), "theme").color = argb;
    }
  });
}

// --- internal ---

async function killGroup(proc: Subprocess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  signal(proc, "SIGTERM");
  const done = await Promise.race([exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!done) {
    signal(proc, "SIGKILL");
    await Promise.race([exited, Bun.sleep(2000)]);
  }
}

function signal(proc: Subprocess, sig: NodeJS.Signals): void {
  try {
    if (process.platform === "win32") proc.kill(sig);
    else process.kill(-proc.pid, sig);
  } catch {
    try {
      proc.kill(sig);
    } catch {
      // already gone
    }
  }
}

function readTail(file: string, bytes: number): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      const len = Math.min(size, bytes);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return buf.toString("utf8").replace(/\s+/g, " ");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

function toSignedArgb(hex: string): number | undefined {
  const m = /^#?([0-9a-fA-F]{6})$/.exec(hex.trim());
  if (!m) return undefined;
  // SkColor: 0xAARRGGBB stored as a signed 32-bit int.
  return (0xff000000 | Number.parseInt(m[1], 16)) | 0;
}

function ensureObject(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = parent[key];
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  parent[key] = fresh;
  return fresh;
}

function updateJson(file: string, change: (obj: Record<string, unknown>) => void): void {
  try {
    let obj: Record<string, unknown> = {};
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, "utf8"));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) obj = parsed;
    }
    change(obj);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(obj));
  } catch {
    // Cosmetic only: a browser that rewrote the file in a shape we do not know still launches.
  }
}
