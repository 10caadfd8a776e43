/**
 * The live state of one profile: the browser process it launched (or found already listening on its CDP
 * port, or the remote endpoint it points at), crash bookkeeping, the Playwright session and the "current"
 * tab. A browser that dies on its own is reported as crashed and launched again on the next call.
 */
import { join } from "node:path";
import { activateCdpTab, closeBrowserOverCdp, closeCdpTab, fetchCdpVersion, listCdpTabs, openCdpTab } from "./cdp.ts";
import { type LaunchedBrowser, launchBrowser, stopBrowserProcess } from "./chrome.ts";
import { normalizeCdpUrl, type ResolvedBrowserConfig, type ResolvedProfile } from "./config.ts";
import { badRequest, BrowserApiError, notRunning } from "./errors.ts";
import { detectBrowserExecutable, missingBrowserHint } from "./executables.ts";
import { isPortFree, type ProfilePorts, resolveBrowserStateDir, resolveUserDataDir } from "./profiles.ts";
import { PwSession } from "./pw-session.ts";
import type { BrowserExit, BrowserStatus, BrowserTab } from "./types.ts";

/** Logging sink of the service. */
export interface BrowserLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Where one call's browser is. */
interface Endpoint {
  cdpUrl: string;
  cdpPort: number;
  remote: boolean;
}

/** One profile's runtime. Calls may overlap; starts are serialized. */
export class ProfileRuntime {
  readonly name: string;
  private readonly stateDir: string;
  private readonly ports: ProfilePorts;
  private readonly log: BrowserLog;
  private launched: LaunchedBrowser | undefined;
  private attachedUrl: string | undefined;
  private starting: Promise<Endpoint> | undefined;
  private stopping = false;
  private session: PwSession | undefined;
  private current: string | undefined;
  private crashed = false;
  private lastExit: BrowserExit | null = null;
  private launches = 0;

  constructor(name: string, deps: { stateDir: string; ports: ProfilePorts; log: BrowserLog }) {
    this.name = name;
    this.stateDir = deps.stateDir;
    this.ports = deps.ports;
    this.log = deps.log;
  }

  /** `GET /` for this profile. Never launches anything. */
  async status(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<BrowserStatus> {
    const ep = this.endpoint(profile, resolved);
    const alive = this.launched !== undefined && this.launched.proc.exitCode === null && this.launched.proc.signalCode === null;
    const reachable = alive || (await fetchCdpVersion(ep.cdpUrl, ep.remote ? resolved.remoteTimeoutMs : 300)) !== null;
    const exe = this.launched?.exe ?? (ep.remote ? null : detectBrowserExecutable(resolved.executablePath));
    return {
      enabled: resolved.enabled,
      profile: this.name,
      running: reachable,
      attached: reachable && !alive,
      pid: alive ? (this.launched as LaunchedBrowser).pid : null,
      cdpPort: ep.cdpPort,
      cdpUrl: ep.cdpUrl,
      remote: ep.remote,
      color: profile.color,
      userDataDir: ep.remote ? null : resolveUserDataDir(this.stateDir, this.name),
      executablePath: exe?.path ?? null,
      browser: exe?.kind ?? null,
      headless: resolved.headless,
      crashed: this.crashed,
      lastExit: this.lastExit,
      launches: this.launches,
      profiles: Object.keys(resolved.profiles).sort(),
    };
  }

  /**
   * Makes sure a browser answers on the profile's CDP endpoint: adopts one already listening, else
   * launches one (unless the profile is remote or `attachOnly`).
   * @throws BrowserApiError 409 BROWSER_NOT_RUNNING (remote/attach-only and nothing answers), 503
   *   BROWSER_UNAVAILABLE (no executable, port taken, launch failed).
   */
  async ensureRunning(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<Endpoint> {
    if (profile.driver === "extension") throw badRequest(`profile "${this.name}" uses the Chrome extension driver, which this gateway does not support`);
    while (this.starting) await this.starting.catch(() => {});
    this.starting = this.start(profile, resolved);
    try {
      return await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  /** Stops the browser this profile runs. Remote browsers are only disconnected. */
  async stop(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<{ stopped: boolean }> {
    while (this.starting) await this.starting.catch(() => {});
    const ep = this.endpoint(profile, resolved);
    await this.dropSession();
    this.current = undefined;
    if (this.launched) {
      const b = this.launched;
      this.stopping = true;
      try {
        await stopBrowserProcess(b);
      } finally {
        this.stopping = false;
        if (this.launched === b) this.launched = undefined;
      }
      this.log.info(`browser for profile ${this.name} stopped (pid ${b.pid})`);
      return { stopped: true };
    }
    if (ep.remote) return { stopped: false };
    const version = await fetchCdpVersion(ep.cdpUrl, 300);
    if (version?.webSocketDebuggerUrl) {
      // Found running (e.g. launched by a gateway that was killed): close it through DevTools.
      await closeBrowserOverCdp(version.webSocketDebuggerUrl);
      this.attachedUrl = undefined;
      return { stopped: true };
    }
    return { stopped: false };
  }

  /** Stops only what this runtime launched (gateway shutdown); adopted and remote browsers stay up. */
  async shutdown(): Promise<void> {
    await this.dropSession();
    const b = this.launched;
    if (!b) return;
    this.stopping = true;
    await stopBrowserProcess(b).catch(() => {});
    this.launched = undefined;
    this.stopping = false;
  }

  /** Open tabs; `running:false` when nothing answers (never launches). */
  async tabs(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<{ running: boolean; tabs: BrowserTab[] }> {
    const ep = this.endpoint(profile, resolved);
    if (!(await fetchCdpVersion(ep.cdpUrl, ep.remote ? resolved.remoteTimeoutMs : 300))) return { running: false, tabs: [] };
    return { running: true, tabs: await listCdpTabs(ep.cdpUrl) };
  }

  /** Opens a tab (launching the browser when needed) and makes it current. */
  async openTab(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, url: string): Promise<BrowserTab> {
    const ep = await this.ensureRunning(profile, resolved);
    const tab = await openCdpTab(ep.cdpUrl, url);
    this.current = tab.targetId;
    return tab;
  }

  /**
   * Focuses or closes an existing tab; the browser must already run.
   * @throws BrowserApiError 409 when it does not, 404 TAB_NOT_FOUND for an unknown target.
   */
  async tabCommand(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, op: "focus" | "close", targetId: string): Promise<void> {
    const ep = this.endpoint(profile, resolved);
    if (!(await fetchCdpVersion(ep.cdpUrl, ep.remote ? resolved.remoteTimeoutMs : 300))) throw notRunning(this.name, this.crashed ? "it crashed; the next start relaunches it" : undefined);
    const ok = op === "focus" ? await activateCdpTab(ep.cdpUrl, targetId) : await closeCdpTab(ep.cdpUrl, targetId);
    if (!ok) throw new BrowserApiError(404, "TAB_NOT_FOUND", `no tab with targetId "${targetId}"; GET /tabs lists them`);
    if (op === "focus") {
      this.current = targetId;
      return;
    }
    this.session?.forget(targetId);
    if (this.current === targetId) this.current = undefined;
    // /json/close answers before the tab is gone; wait so a following GET /tabs no longer lists it.
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (await listCdpTabs(ep.cdpUrl)).some((t) => t.targetId === targetId)) await Bun.sleep(25);
  }

  /**
   * The Playwright session and the tab a page-level call works on: `targetId` when given (must exist),
   * else the current tab, else the first one, else a new blank tab. Launches the browser when needed.
   */
  async withPage(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, targetId: string | undefined): Promise<{ session: PwSession; targetId: string }> {
    const ep = await this.ensureRunning(profile, resolved);
    const tabs = await listCdpTabs(ep.cdpUrl);
    let id: string;
    if (targetId) {
      if (!tabs.some((t) => t.targetId === targetId)) throw new BrowserApiError(404, "TAB_NOT_FOUND", `no tab with targetId "${targetId}"; GET /tabs lists them`);
      id = targetId;
    } else if (this.current && tabs.some((t) => t.targetId === this.current)) {
      id = this.current;
    } else {
      id = tabs[0]?.targetId ?? (await openCdpTab(ep.cdpUrl, "about:blank")).targetId;
    }
    this.current = id;
    if (!this.session || this.session.cdpUrl !== ep.cdpUrl) {
      await this.dropSession();
      this.session = new PwSession(ep.cdpUrl, { connectTimeoutMs: ep.remote ? Math.max(resolved.remoteTimeoutMs * 4, 5000) : 10_000 });
    }
    return { session: this.session, targetId: id };
  }

  // --- internal ---

  private endpoint(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Endpoint {
    if (profile.cdpUrl) {
      const cdpUrl = normalizeCdpUrl(profile.cdpUrl, `browser.profiles.${this.name}.cdpUrl`);
      const u = new URL(cdpUrl);
      return { cdpUrl, cdpPort: Number(u.port) || (u.protocol === "https:" ? 443 : 80), remote: true };
    }
    const cdpPort = this.ports.portFor(profile, resolved);
    return { cdpUrl: `http://127.0.0.1:${cdpPort}`, cdpPort, remote: false };
  }

  private async start(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<Endpoint> {
    const ep = this.endpoint(profile, resolved);
    const b = this.launched;
    if (b && b.cdpPort === ep.cdpPort && b.proc.exitCode === null && b.proc.signalCode === null) return ep;
    if (ep.remote) {
      if (!(await fetchCdpVersion(ep.cdpUrl, resolved.remoteTimeoutMs))) throw notRunning(this.name, `remote CDP endpoint ${ep.cdpUrl} does not answer`);
      return ep;
    }
    if (await fetchCdpVersion(ep.cdpUrl, 300)) {
      if (this.attachedUrl !== ep.cdpUrl) this.log.info(`browser for profile ${this.name} already listening on ${ep.cdpUrl}; attaching`);
      this.attachedUrl = ep.cdpUrl;
      return ep;
    }
    this.attachedUrl = undefined;
    if (resolved.attachOnly) throw notRunning(this.name, `browser.attachOnly is set and nothing listens on ${ep.cdpUrl}`);
    const exe = detectBrowserExecutable(resolved.executablePath);
    if (!exe) throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `no Chromium-family browser found: ${missingBrowserHint()}`);
    if (!isPortFree(ep.cdpPort)) throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `CDP port ${ep.cdpPort} of profile "${this.name}" is taken by another program; free it or set browser.profiles.${this.name}.cdpPort`);
    const launched = await launchBrowser({
      exe,
      profileName: this.name,
      color: profile.color,
      userDataDir: resolveUserDataDir(this.stateDir, this.name),
      cdpPort: ep.cdpPort,
      headless: resolved.headless,
      noSandbox: resolved.noSandbox,
      extraArgs: resolved.extraArgs,
      timeoutMs: resolved.launchTimeoutMs,
      logFile: join(resolveBrowserStateDir(this.stateDir), this.name, "browser.log"),
    });
    this.launched = launched;
    this.launches += 1;
    this.crashed = false;
    this.log.info(`browser for profile ${this.name} started: ${exe.kind} pid ${launched.pid}, CDP ${ep.cdpUrl}`);
    void launched.exited.then((exit) => this.onExit(launched, exit));
    return ep;
  }

  private onExit(b: LaunchedBrowser, exit: BrowserExit): void {
    if (this.launched !== b) return;
    this.launched = undefined;
    if (this.stopping) return;
    this.crashed = true;
    this.lastExit = exit;
    this.current = undefined;
    void this.dropSession();
    this.log.warn(`browser for profile ${this.name} exited unexpectedly (${exit.signal ?? `code ${exit.code}`}); it is relaunched on the next call`);
  }

  private async dropSession(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.close();
  }
}
