/**
 * The live state of one profile: the browser process it launched over a pipe (or, as explicit opt-ins,
 * the remote `cdpUrl` it points at or the browser it attaches to with `attachOnly`), crash bookkeeping,
 * the Playwright session with its network guard, the tabs an admin caller navigated (trusted), and the
 * "current" tab. A browser that dies on its own is reported as crashed and launched again on the next call.
 */
import { closeBrowserOverCdp, fetchCdpVersion } from "./cdp.ts";
import { isProxyFlag, type LaunchedBrowser, launchBrowser, stopBrowserProcess } from "./chrome.ts";
import { normalizeCdpUrl, type ResolvedBrowserConfig, type ResolvedProfile } from "./config.ts";
import { badRequest, BrowserApiError, notRunning } from "./errors.ts";
import { type EgressProxy, type EgressProxyOptions, startEgressProxy } from "./egress-proxy.ts";
import { detectBrowserExecutable, missingBrowserHint } from "./executables.ts";
import { checkBrowserRequest, type HostResolver, type NetGuardPolicy, TrustedTabs } from "./net-guard.ts";
import { type ProfilePorts, resolveUserDataDir } from "./profiles.ts";
import { PwSession } from "./pw-session.ts";
import type { BrowserExit, BrowserStatus, BrowserTab } from "./types.ts";

/** Logging sink of the service. */
export interface BrowserLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Test hooks of the egress proxy: its resolver and where a checked address is reached. */
export type EgressHooks = Pick<EgressProxyOptions, "resolve" | "dial">;

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
  private readonly trusted = new TrustedTabs();
  private allowPrivate = false;
  private readonly guard: NetGuardPolicy;
  /** The egress proxy of the browser this runtime launched; closed with it. */
  private egress: EgressProxy | undefined;
  private readonly egressHooks: EgressHooks;

  constructor(name: string, deps: { stateDir: string; ports: ProfilePorts; log: BrowserLog; resolveHost?: HostResolver; egress?: EgressHooks }) {
    this.name = name;
    this.stateDir = deps.stateDir;
    this.ports = deps.ports;
    this.log = deps.log;
    this.egressHooks = { resolve: deps.egress?.resolve ?? deps.resolveHost, dial: deps.egress?.dial };
    this.guard = {
      resolve: deps.resolveHost,
      allowPrivate: () => this.allowPrivate,
      isTrusted: (frameId) => this.trusted.has(frameId),
      onBlocked: (url, why) => this.log.info(`browser for profile ${this.name} refused ${url.slice(0, 200)}: ${why}`),
      onTrusted: (url) => this.egress?.grant(url),
      proxyAuth: () => this.egress && { origin: this.egress.server, username: this.egress.username, password: this.egress.password },
    };
  }

  /**
   * Refuses a page-level call from a caller without operator.admin on a tab that shows a private or
   * non-web address (an admin's internal page must not be read through it).
   * @throws BrowserApiError 403 PRIVATE_ADDRESS.
   */
  async assertPublicTab(session: PwSession, targetId: string): Promise<void> {
    const url = await session.urlOf(targetId);
    const why = await this.whyNotPublicTab(url);
    if (why) throw new BrowserApiError(403, "PRIVATE_ADDRESS", `this tab shows ${url.slice(0, 200)} (${why}); only an operator.admin caller may use it`);
  }

  /** @returns why a tab showing `url` is only for operator.admin callers, or undefined when anyone may see it. */
  private async whyNotPublicTab(url: string): Promise<string | undefined> {
    if (this.allowPrivate) return undefined;
    if (url === "about:blank" || url === "" || url.startsWith("chrome-error:")) return undefined;
    return checkBrowserRequest(url, false, false, this.guard.resolve);
  }

  /**
   * Marks a tab's next document as navigated by an admin (may reach private addresses) or not.
   */
  setTrust(targetId: string, privileged: boolean): void {
    if (privileged) this.trusted.trust(targetId);
    else this.trusted.revoke(targetId);
  }

  /** `GET /` for this profile. Never launches anything. */
  async status(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<BrowserStatus> {
    const ep = this.endpoint(profile, resolved);
    const alive = this.launched !== undefined && !this.launched.isExited();
    const outside = ep.remote || resolved.attachOnly;
    const reachable = alive || (outside && (await fetchCdpVersion(ep.cdpUrl, ep.remote ? resolved.remoteTimeoutMs : 300)) !== null);
    const exe = this.launched?.exe ?? (ep.remote ? null : detectBrowserExecutable(resolved.executablePath));
    return {
      enabled: resolved.enabled,
      profile: this.name,
      running: reachable,
      attached: reachable && !alive,
      pid: alive ? (this.launched as LaunchedBrowser).pid || null : null,
      cdpPort: ep.cdpPort,
      cdpUrl: ep.cdpUrl,
      transport: alive ? "pipe" : "cdp",
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
   * Makes sure the profile's browser runs: launches one over a pipe, or (remote `cdpUrl`, `attachOnly`)
   * checks that the outside browser answers. The network guard is on before this returns.
   * @throws BrowserApiError 409 BROWSER_NOT_RUNNING (remote/attach-only and nothing answers), 503
   *   BROWSER_UNAVAILABLE (no executable, port taken, launch failed).
   */
  async ensureRunning(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<Endpoint> {
    this.allowPrivate = resolved.allowPrivate;
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
        await this.closeEgress();
      }
      this.log.info(`browser for profile ${this.name} stopped (pid ${b.pid})`);
      return { stopped: true };
    }
    if (ep.remote || !resolved.attachOnly) return { stopped: false };
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
    this.trusted.clear();
    const b = this.launched;
    if (!b) return;
    this.stopping = true;
    await stopBrowserProcess(b).catch(() => {});
    this.launched = undefined;
    this.stopping = false;
    await this.closeEgress();
  }

  /**
   * Open tabs; `running:false` when no browser runs (never launches). Without `privileged` (operator.admin)
   * tabs showing a private, loopback, link-local or non-web address are left out.
   */
  async tabs(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, opts: { privileged: boolean }): Promise<{ running: boolean; tabs: BrowserTab[] }> {
    const ep = this.endpoint(profile, resolved);
    const alive = this.launched !== undefined && !this.launched.isExited();
    if (!alive) {
      if (!(ep.remote || resolved.attachOnly)) return { running: false, tabs: [] };
      if (!(await fetchCdpVersion(ep.cdpUrl, ep.remote ? resolved.remoteTimeoutMs : 300))) return { running: false, tabs: [] };
    }
    const tabs = await (await this.sessionFor(profile, resolved)).tabs();
    if (opts.privileged) return { running: true, tabs };
    // An admin's tab on an internal address is not listed for others: its title and URL are what it shows.
    const visible = await Promise.all(tabs.map(async (t) => (await this.whyNotPublicTab(t.url)) === undefined));
    return { running: true, tabs: tabs.filter((_, i) => visible[i]) };
  }

  /**
   * Opens a tab on `url` (launching the browser when needed) and makes it current. A caller with
   * `privileged` (operator.admin) makes the tab trusted; anyone else's URL must be public.
   */
  async openTab(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, url: string, privileged: boolean): Promise<BrowserTab> {
    if (!privileged) await this.assertPublicUrl(url, resolved);
    const session = await this.sessionFor(profile, resolved);
    const tab = await session.openTab(url, (id) => this.setTrust(id, privileged));
    this.current = tab.targetId;
    return tab;
  }

  /**
   * Focuses or closes an existing tab; the browser must already run.
   * @throws BrowserApiError 409 when it does not, 404 TAB_NOT_FOUND for an unknown target.
   */
  async tabCommand(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, op: "focus" | "close", targetId: string): Promise<void> {
    const { running, tabs } = await this.tabs(profile, resolved, { privileged: true });
    if (!running) throw notRunning(this.name, this.crashed ? "it crashed; the next start relaunches it" : undefined);
    if (!tabs.some((t) => t.targetId === targetId)) throw new BrowserApiError(404, "TAB_NOT_FOUND", `no tab with targetId "${targetId}"; GET /tabs lists them`);
    const session = await this.sessionFor(profile, resolved);
    if (op === "focus") {
      await session.focusTab(targetId);
      this.current = targetId;
      return;
    }
    await session.closeTab(targetId);
    this.trusted.revoke(targetId);
    if (this.current === targetId) this.current = undefined;
  }

  /**
   * Refuses a URL a caller without operator.admin may not open.
   * @throws BrowserApiError 403 PRIVATE_ADDRESS naming the reason.
   */
  async assertPublicUrl(url: string, resolved: ResolvedBrowserConfig): Promise<void> {
    if (resolved.allowPrivate || url === "about:blank") return;
    const why = await checkBrowserRequest(url, false, false, this.guard.resolve);
    if (why) throw new BrowserApiError(403, "PRIVATE_ADDRESS", `refused ${url.slice(0, 200)}: ${why} (only operator.admin callers may, unless browser.allowPrivate is set in the config file)`);
  }

  /**
   * The Playwright session and the tab a page-level call works on: `targetId` when given (must exist),
   * else the current tab, else the first one, else a new blank tab. Launches the browser when needed.
   */
  async withPage(profile: ResolvedProfile, resolved: ResolvedBrowserConfig, targetId: string | undefined): Promise<{ session: PwSession; targetId: string }> {
    const session = await this.sessionFor(profile, resolved);
    const tabs = await session.tabs();
    let id: string;
    if (targetId) {
      if (!tabs.some((t) => t.targetId === targetId)) throw new BrowserApiError(404, "TAB_NOT_FOUND", `no tab with targetId "${targetId}"; GET /tabs lists them`);
      id = targetId;
    } else if (this.current && tabs.some((t) => t.targetId === this.current)) {
      id = this.current;
    } else {
      id = tabs[0]?.targetId ?? (await session.openTab("about:blank", () => {})).targetId;
    }
    this.current = id;
    return { session, targetId: id };
  }

  /** The session of the running browser (launching it when needed), guard installed. */
  private async sessionFor(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): Promise<PwSession> {
    const ep = await this.ensureRunning(profile, resolved);
    const want = this.launched ? "pipe:" : ep.cdpUrl;
    if (!this.session || this.session.cdpUrl !== want) {
      await this.dropSession();
      this.session = this.launched
        ? new PwSession(this.launched.browser, { guard: this.guard })
        : new PwSession(ep.cdpUrl, { guard: this.guard, connectTimeoutMs: ep.remote ? Math.max(resolved.remoteTimeoutMs * 4, 5000) : 10_000 });
    }
    await this.session.ready();
    return this.session;
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
    if (b && !b.isExited()) return ep;
    if (ep.remote) {
      if (!(await fetchCdpVersion(ep.cdpUrl, resolved.remoteTimeoutMs))) throw notRunning(this.name, `remote CDP endpoint ${ep.cdpUrl} does not answer`);
      return ep;
    }
    // Attaching to a browser on the profile's DevTools port is an explicit opt-in (attachOnly): a port any
    // local program can open is not trusted by default.
    if (resolved.attachOnly) {
      if (await fetchCdpVersion(ep.cdpUrl, 300)) {
        if (this.attachedUrl !== ep.cdpUrl) this.log.info(`browser for profile ${this.name} listening on ${ep.cdpUrl}; attaching (browser.attachOnly)`);
        this.attachedUrl = ep.cdpUrl;
        return ep;
      }
      throw notRunning(this.name, `browser.attachOnly is set and nothing listens on ${ep.cdpUrl}`);
    }
    this.attachedUrl = undefined;
    const exe = detectBrowserExecutable(resolved.executablePath);
    if (!exe) throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `no Chromium-family browser found: ${missingBrowserHint()}`);
    // Every launch gets its own proxy and credential (see egress-proxy.ts); with browser.allowPrivate it
    // passes everything, so a config edit that clears that flag applies to a running browser at once.
    await this.closeEgress();
    const egress = await startEgressProxy({
      allowPrivate: () => this.allowPrivate,
      ...this.egressHooks,
      log: { info: (m) => this.log.info(`browser for profile ${this.name}: ${m}`) },
    });
    if (resolved.extraArgs.some(isProxyFlag)) this.log.warn(`browser.extraArgs proxy flags are ignored for profile ${this.name}: the browser goes through the gateway's egress proxy`);
    let launched: LaunchedBrowser;
    try {
      launched = await launchBrowser({
        exe,
        profileName: this.name,
        color: profile.color,
        userDataDir: resolveUserDataDir(this.stateDir, this.name),
        headless: resolved.headless,
        noSandbox: resolved.noSandbox,
        extraArgs: resolved.extraArgs,
        timeoutMs: resolved.launchTimeoutMs,
        proxyServer: egress.server,
      });
    } catch (err) {
      await egress.close();
      throw err;
    }
    this.egress = egress;
    this.launched = launched;
    this.launches += 1;
    this.crashed = false;
    this.trusted.clear();
    this.log.info(`browser for profile ${this.name} started: ${exe.kind} pid ${launched.pid || "?"}, DevTools over a pipe (no port)`);
    void launched.exited.then((exit) => this.onExit(launched, exit));
    return ep;
  }

  private onExit(b: LaunchedBrowser, exit: BrowserExit): void {
    if (this.launched !== b) return;
    this.launched = undefined;
    if (this.stopping) return;
    void this.closeEgress();
    this.crashed = true;
    this.lastExit = exit;
    this.current = undefined;
    this.trusted.clear();
    void this.dropSession();
    this.log.warn(`browser for profile ${this.name} exited unexpectedly (${exit.signal ?? `code ${exit.code}`}); it is relaunched on the next call`);
  }

  private async closeEgress(): Promise<void> {
    const e = this.egress;
    this.egress = undefined;
    await e?.close();
  }

  private async dropSession(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.close();
  }
}
