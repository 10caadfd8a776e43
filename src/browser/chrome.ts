/**
 * Launching and stopping a managed browser process: the command line, the profile decoration (name,
 * color, clean-exit flags), and a stop that closes the browser and then SIGKILLs its process group.
 *
 * The browser is driven over a pipe (`--remote-debugging-pipe`, via Playwright's launcher): it opens no
 * DevTools port, so no other local process can drive it (open file:// tabs, read pages, run script).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BrowserApiError } from "./errors.ts";
import type { BrowserExecutable } from "./executables.ts";
import { type Browser, type BrowserContext, loadPlaywright } from "./pw-session.ts";
import type { BrowserExit } from "./types.ts";

/** What a launch needs. */
export interface LaunchOptions {
  exe: BrowserExecutable;
  profileName: string;
  color: string;
  userDataDir: string;
  headless: boolean;
  noSandbox: boolean;
  extraArgs: string[];
  /** How long the launch may take (ms). */
  timeoutMs: number;
  /** The egress proxy every request goes through (`http://127.0.0.1:<port>`), loopback included. */
  proxyServer?: string;
}

/** A browser process this service launched. */
export interface LaunchedBrowser {
  /** The browser's main process; 0 when it could not be found (not Linux). */
  pid: number;
  exe: BrowserExecutable;
  userDataDir: string;
  startedAt: number;
  /** Resolves when the browser goes away, however it ends. */
  exited: Promise<BrowserExit>;
  /** True once `exited` resolved. */
  isExited(): boolean;
  browser: Browser;
  context: BrowserContext;
}

/**
 * The command-line flags of a managed browser (Playwright adds `--remote-debugging-pipe` and
 * `--user-data-dir`). Background networking, component updates, sync and QUIC are off: an agent's
 * browser should only talk to the pages it is driven to, and in containers those services flood refused
 * connections.
 */
export function buildLaunchArgs(opts: Pick<LaunchOptions, "headless" | "noSandbox" | "extraArgs" | "proxyServer">): string[] {
  const args = [
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
  if (opts.headless) args.push("--disable-gpu");
  // Chrome refuses to start as root with its sandbox on; the config (or the root default) turns it off.
  if (opts.noSandbox) args.push("--no-sandbox", "--disable-setuid-sandbox");
  if (!opts.proxyServer) {
    args.push(...opts.extraArgs);
    return args;
  }
  // The egress proxy is the browser's only way out: extra proxy flags cannot replace it, and `<-loopback>`
  // removes Chromium's implicit bypass of localhost, 127.0.0.1 and [::1].
  args.push(...opts.extraArgs.filter((a) => !isProxyFlag(a)));
  args.push(`--proxy-server=${opts.proxyServer}`, "--proxy-bypass-list=<-loopback>");
  return args;
}

/** True for a command-line flag that would change or switch off the browser's proxy. */
export function isProxyFlag(arg: string): boolean {
  return /^--(proxy-server|proxy-pac-url|proxy-auto-detect|no-proxy-server|proxy-bypass-list|winhttp-proxy-resolver)(=|$)/.test(arg);
}

/**
 * Launches the browser over a pipe with its persistent profile.
 * @throws BrowserApiError 503 BROWSER_UNAVAILABLE when it cannot be started in time (the message carries
 *   the browser's own output).
 */
export async function launchBrowser(opts: LaunchOptions): Promise<LaunchedBrowser> {
  mkdirSync(opts.userDataDir, { recursive: true, mode: 0o700 });
  decorateProfile(opts.userDataDir, opts.profileName, opts.color);
  if (opts.proxyServer) keepWebRtcOnProxy(opts.userDataDir);
  const { chromium } = await loadPlaywright();
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(opts.userDataDir, {
      executablePath: opts.exe.path,
      headless: opts.headless,
      args: buildLaunchArgs(opts),
      // Playwright's own flag would show an "automated" infobar; the sandbox is decided by our flags.
      ignoreDefaultArgs: ["--enable-automation"],
      chromiumSandbox: !opts.noSandbox,
      timeout: opts.timeoutMs,
      viewport: null,
      // The gateway handles its own signals; the browser is closed by stop() on the way down.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      // Linux Chromium keeps crash reports under its default config dir (~/.config/chromium): keep those
      // next to the profile too, so the managed browser never writes into the user's own browser folders.
      env: { ...process.env, CHROME_CONFIG_HOME: join(dirname(opts.userDataDir), "config") } as Record<string, string>,
    });
  } catch (err) {
    const msg = String((err as Error)?.message ?? err).replace(/\s+/g, " ").slice(0, 800);
    throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `${opts.exe.kind} (${opts.exe.path}) could not start: ${msg}`, { cause: err });
  }
  const browser = context.browser() as Browser;
  const startedAt = Date.now();
  let done = false;
  const exited = new Promise<BrowserExit>((resolve) => {
    browser.on("disconnected", () => {
      done = true;
      resolve({ at: Date.now(), code: null, signal: null });
    });
  });
  return { pid: findBrowserPid(opts.userDataDir) ?? 0, exe: opts.exe, userDataDir: opts.userDataDir, startedAt, exited, isExited: () => done, browser, context };
}

/** Stops a launched browser: a clean close, then SIGKILL to its process group after `graceMs`. Safe to call twice. */
export async function stopBrowserProcess(b: LaunchedBrowser, graceMs = 3000): Promise<void> {
  if (!b.isExited()) await Promise.race([b.context.close().catch(() => {}), Bun.sleep(graceMs)]);
  if (b.pid > 0 && isAlive(b.pid)) {
    try {
      process.kill(-b.pid, "SIGKILL");
    } catch {
      try {
        process.kill(b.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await Promise.race([b.exited, Bun.sleep(2000)]);
}

/**
 * The main process of the browser using `userDataDir` (Linux: found through /proc; helpers carry `--type=`).
 * @returns its pid, or undefined when not found.
 */
export function findBrowserPid(userDataDir: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const flag = `--user-data-dir=${userDataDir}`;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (args.includes(flag) && !args.some((a) => a.startsWith("--type="))) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
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

/**
 * Sets the profile's WebRTC policy to `disable_non_proxied_udp`: WebRTC does not go through an HTTP proxy,
 * so without it a page's ICE checks send UDP straight to any address it names (loopback included). Best
 * effort like {@link decorateProfile}: a Preferences file that is not JSON is left alone.
 */
export function keepWebRtcOnProxy(userDataDir: string): void {
  updateJson(join(userDataDir, "Default", "Preferences"), (p) => {
    ensureObject(p, "webrtc").ip_handling_policy = "disable_non_proxied_udp";
  });
}

// --- internal ---

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
