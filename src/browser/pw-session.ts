/**
 * Page-level control with playwright-core (no browser download): accessibility snapshots with element
 * refs, actions by ref, screenshots, navigation, and the tabs of a browser the gateway launched over a
 * pipe. The session drives either that browser (handed over as a Playwright `Browser`) or an outside one
 * at a DevTools URL (`chromium.connectOverCDP`, the explicit cdpUrl / attachOnly opt-in). Either way the
 * network guard (net-guard.ts) is installed on the browser before any call uses it. playwright-core is
 * imported on first use only, so the gateway starts without paying for it.
 */
import type { Browser, Locator, Page } from "playwright-core";

export type { Browser, BrowserContext, CDPSession } from "playwright-core";
import { badRequest, BrowserApiError } from "./errors.ts";
import { installNetGuard, type NetGuardPolicy } from "./net-guard.ts";
import type { BrowserAction, BrowserTab, SnapshotRef } from "./types.ts";

type Playwright = typeof import("playwright-core");

const REF_RE = /^(?:f\d+)?e\d+$/;
const PAGE_APPEAR_MS = 3000;
const MAX_WAIT_MS = 60_000;
/** How long a navigation waits for the error pages of a tab's refused loads to commit first. */
const ERROR_PAGE_MS = 5000;

let loading: Promise<Playwright> | undefined;

/**
 * Loads playwright-core once.
 * @throws BrowserApiError 503 when the module is not available.
 */
export function loadPlaywright(): Promise<Playwright> {
  loading ??= import("playwright-core").catch((err: unknown) => {
    loading = undefined;
    throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `playwright-core could not be loaded: ${(err as Error).message}`, { cause: err });
  });
  return loading;
}

/** What a snapshot returns before the route adds the envelope. */
export interface PageSnapshot {
  snapshot: string;
  refs: Record<string, SnapshotRef>;
  truncated: boolean;
  url: string;
  title: string;
}

/**
 * One Playwright connection to one browser's CDP endpoint, plus the refs of the last snapshot of each
 * tab. Calls may overlap; the connection is made once and remade after a disconnect.
 */
export class PwSession {
  /** The outside browser's DevTools URL, or `pipe:` for a browser this gateway launched. */
  readonly cdpUrl: string;
  private browser: Promise<Browser> | undefined;
  private readonly launched: Browser | undefined;
  private readonly targetIds = new WeakMap<Page, string>();
  private readonly refs = new Map<string, Map<string, SnapshotRef>>();
  private readonly connectTimeoutMs: number;
  private readonly onDisconnect?: () => void;
  private readonly guard: NetGuardPolicy;
  /**
   * Per tab: loads of its main frame the guard refused whose error page has not committed yet, and the
   * navigations waiting for them. Chromium commits that page a moment after the refusal, and a
   * navigation started in between is cut off by it ("interrupted by another navigation") while its own
   * load goes on; a second attempt then races the first. So navigations wait for these pages instead.
   */
  private readonly errorPages = new Map<string, { due: number; wake: (() => void)[] }>();

  constructor(source: string | Browser, opts: { guard: NetGuardPolicy; connectTimeoutMs?: number; onDisconnect?: () => void }) {
    this.cdpUrl = typeof source === "string" ? source : "pipe:";
    this.launched = typeof source === "string" ? undefined : source;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.onDisconnect = opts.onDisconnect;
    this.guard = opts.guard;
  }

  /**
   * Connects (once) and installs the network guard.
   * @throws BrowserApiError 503 when the browser cannot be reached or refuses the guard.
   */
  async ready(): Promise<void> {
    await this.connect();
  }

  /** Open page targets (tabs), in the browser's order. */
  async tabs(): Promise<BrowserTab[]> {
    const browser = await this.connect();
    const out: BrowserTab[] = [];
    for (const ctx of browser.contexts()) {
      for (const page of ctx.pages()) {
        const targetId = await this.targetIdOf(page);
        if (targetId) out.push({ targetId, title: await page.title().catch(() => ""), url: page.url(), type: "page" });
      }
    }
    return out;
  }

  /**
   * Opens a tab; `beforeLoad` runs with its target id before `url` starts loading (the caller marks it
   * trusted or not), and a load the guard refuses fails the call.
   * @throws BrowserApiError 502 NAVIGATION_FAILED when the URL cannot be loaded (the tab stays, blank).
   */
  async openTab(url: string, beforeLoad: (targetId: string) => void): Promise<BrowserTab> {
    const browser = await this.connect();
    const ctx = browser.contexts()[0] ?? (await browser.newContext());
    const page = await ctx.newPage();
    const targetId = await this.targetIdOf(page);
    if (!targetId) throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", "the new tab has no target id");
    beforeLoad(targetId);
    if (url !== "about:blank") {
      try {
        await page.goto(url, { waitUntil: "commit", timeout: 30_000 });
      } catch (err) {
        if (/ERR_BLOCKED_BY_CLIENT/.test(firstLine(err))) {
          await this.errorPagesCommitted(targetId);
          throw blockedNavigation(url, err);
        }
        throw new BrowserApiError(502, "NAVIGATION_FAILED", `navigation to ${url} failed: ${firstLine(err)}`, { cause: err });
      }
    }
    return { targetId, title: await page.title().catch(() => ""), url: page.url(), type: "page" };
  }

  /** Brings a tab to the front. @throws BrowserApiError 404 TAB_NOT_FOUND. */
  async focusTab(targetId: string): Promise<void> {
    await (await this.page(targetId)).bringToFront();
  }

  /** Closes a tab. @throws BrowserApiError 404 TAB_NOT_FOUND. */
  async closeTab(targetId: string): Promise<void> {
    await (await this.page(targetId)).close();
    this.refs.delete(targetId);
  }

  /** The URL a tab shows now. @throws BrowserApiError 404 TAB_NOT_FOUND. */
  async urlOf(targetId: string): Promise<string> {
    return (await this.page(targetId)).url();
  }

  /**
   * The Page of a target.
   * @throws BrowserApiError 404 TAB_NOT_FOUND when no page has that target id after a short wait (tabs
   *   opened over HTTP take a moment to reach Playwright).
   */
  async page(targetId: string): Promise<Page> {
    const browser = await this.connect();
    const deadline = Date.now() + PAGE_APPEAR_MS;
    for (;;) {
      for (const ctx of browser.contexts()) {
        for (const page of ctx.pages()) {
          if ((await this.targetIdOf(page)) === targetId) return page;
        }
      }
      if (Date.now() > deadline) throw new BrowserApiError(404, "TAB_NOT_FOUND", `no tab with targetId "${targetId}"; GET /tabs lists them`);
      await Bun.sleep(50);
    }
  }

  /** Takes an AI-mode aria snapshot and remembers its refs for later actions on this tab. */
  async snapshot(targetId: string, opts: { maxChars: number; timeoutMs: number }): Promise<PageSnapshot> {
    const page = await this.page(targetId);
    const text = await guard("snapshot", () => page.ariaSnapshot({ mode: "ai", timeout: opts.timeoutMs }));
    const refs = parseRefs(text);
    this.refs.set(targetId, new Map(Object.entries(refs)));
    const truncated = text.length > opts.maxChars;
    return { snapshot: truncated ? `${text.slice(0, opts.maxChars)}\n… (truncated)` : text, refs, truncated, url: page.url(), title: await page.title().catch(() => "") };
  }

  /**
   * Runs one action.
   * @throws BrowserApiError 400 for a malformed ref or action, 404 REF_NOT_FOUND for a ref the last
   *   snapshot of this tab did not contain, 408 TIMEOUT when the element never became actionable.
   */
  async act(targetId: string, action: BrowserAction, timeoutMs: number): Promise<{ url: string; title: string }> {
    const page = await this.page(targetId);
    const timeout = action.timeoutMs ?? timeoutMs;
    const loc = (ref: string | undefined) => (ref === undefined ? undefined : this.locator(page, targetId, ref));
    switch (action.kind) {
      case "click": {
        const l = loc(action.ref) as Locator;
        await guard(`click ${action.ref}`, () => (action.doubleClick ? l.dblclick({ timeout, button: action.button }) : l.click({ timeout, button: action.button })));
        break;
      }
      case "type": {
        const l = loc(action.ref) as Locator;
        await guard(`type into ${action.ref}`, () => (action.slowly ? l.pressSequentially(action.text, { timeout, delay: 40 }) : l.fill(action.text, { timeout })));
        if (action.submit) await guard(`submit ${action.ref}`, () => l.press("Enter", { timeout }));
        break;
      }
      case "press": {
        const l = loc(action.ref);
        await guard(`press ${action.key}`, () => (l ? l.press(action.key, { timeout }) : page.keyboard.press(action.key)));
        break;
      }
      case "hover": {
        const l = loc(action.ref) as Locator;
        await guard(`hover ${action.ref}`, () => l.hover({ timeout }));
        break;
      }
      case "select": {
        const l = loc(action.ref) as Locator;
        await guard(`select in ${action.ref}`, () => l.selectOption(action.values, { timeout }));
        break;
      }
      case "wait": {
        const limit = Math.min(action.timeoutMs ?? Math.max(timeoutMs, 10_000), MAX_WAIT_MS);
        if (action.timeMs !== undefined) await Bun.sleep(Math.min(action.timeMs, MAX_WAIT_MS));
        if (action.text) await guard(`wait for text`, () => page.getByText(action.text as string).first().waitFor({ state: "visible", timeout: limit }));
        if (action.textGone) await guard(`wait for text to go`, () => page.getByText(action.textGone as string).first().waitFor({ state: "hidden", timeout: limit }));
        if (action.ref) {
          const l = loc(action.ref) as Locator;
          await guard(`wait for ${action.ref}`, () => l.waitFor({ state: "visible", timeout: limit }));
        }
        break;
      }
    }
    return { url: page.url(), title: await page.title().catch(() => "") };
  }

  /** A PNG (or JPEG) of the tab, the full page, or one element by ref. */
  async screenshot(targetId: string, opts: { fullPage?: boolean; ref?: string; type: "png" | "jpeg"; timeoutMs: number }): Promise<Uint8Array> {
    const page = await this.page(targetId);
    if (opts.ref) {
      const l = this.locator(page, targetId, opts.ref);
      return guard(`screenshot ${opts.ref}`, () => l.screenshot({ type: opts.type, timeout: opts.timeoutMs }));
    }
    return guard("screenshot", () => page.screenshot({ type: opts.type, fullPage: opts.fullPage === true, timeout: opts.timeoutMs }));
  }

  /**
   * Loads `url` in the tab and waits for DOMContentLoaded.
   * @throws BrowserApiError 502 NAVIGATION_FAILED when the page cannot be loaded.
   */
  async navigate(targetId: string, url: string, timeoutMs: number): Promise<{ url: string; title: string }> {
    const page = await this.page(targetId);
    this.refs.delete(targetId);
    // An earlier refused load (a click, a redirect) must not cut this one off with its error page.
    await this.errorPagesCommitted(targetId);
    try {
      await page.goto(url, { timeout: timeoutMs, waitUntil: "domcontentloaded" });
    } catch (err) {
      if (/ERR_BLOCKED_BY_CLIENT/.test(firstLine(err))) {
        await this.errorPagesCommitted(targetId);
        throw blockedNavigation(url, err);
      }
      throw new BrowserApiError(502, "NAVIGATION_FAILED", `navigation to ${url} failed: ${firstLine(err)}`, { cause: err });
    }
    return { url: page.url(), title: await page.title().catch(() => "") };
  }

  /** Forgets the refs of a tab (closed or reloaded). */
  forget(targetId: string): void {
    this.refs.delete(targetId);
  }

  /** Drops the connection; the browser and its tabs keep running. Safe to call twice. */
  async close(): Promise<void> {
    const pending = this.browser;
    this.browser = undefined;
    this.refs.clear();
    this.releaseErrorPageWaits();
    // A launched browser is closed by its owner (the profile runtime), never as a side effect here.
    if (!pending || this.launched) return;
    try {
      await (await pending).close();
    } catch {
      // never connected, or already gone
    }
  }

  // --- internal ---

  private connect(): Promise<Browser> {
    this.browser ??= (async () => {
      let browser: Browser;
      if (this.launched) {
        browser = this.launched;
      } else {
        const { chromium } = await loadPlaywright();
        try {
          browser = await chromium.connectOverCDP(this.cdpUrl, { timeout: this.connectTimeoutMs });
        } catch (err) {
          throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `could not attach to ${this.cdpUrl}: ${firstLine(err)}`, { cause: err });
        }
      }
      browser.on("disconnected", () => {
        this.browser = undefined;
        this.refs.clear();
        this.releaseErrorPageWaits();
        this.onDisconnect?.();
      });
      try {
        await installNetGuard(await browser.newBrowserCDPSession(), {
          resolve: this.guard.resolve,
          allowPrivate: () => this.guard.allowPrivate(),
          isTrusted: (frameId) => this.guard.isTrusted(frameId),
          onTrusted: this.guard.onTrusted && ((url) => this.guard.onTrusted?.(url)),
          proxyAuth: this.guard.proxyAuth && (() => this.guard.proxyAuth?.()),
          onBlocked: (url, why, request) => {
            // A tab's main frame id is its target id.
            const state = request.resourceType === "Document" && request.frameId ? this.errorPages.get(request.frameId) : undefined;
            if (state) state.due += 1;
            this.guard.onBlocked?.(url, why, request);
          },
        });
      } catch (err) {
        // Without the guard no page may load: refuse rather than run unguarded.
        if (!this.launched) await browser.close().catch(() => {});
        throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `could not install the browser's network guard: ${firstLine(err)}`, { cause: err });
      }
      return browser;
    })();
    const attempt = this.browser;
    attempt.catch(() => {
      if (this.browser === attempt) this.browser = undefined;
    });
    return attempt;
  }

  private async targetIdOf(page: Page): Promise<string | undefined> {
    const known = this.targetIds.get(page);
    if (known) return known;
    try {
      const session = await page.context().newCDPSession(page);
      const info = (await session.send("Target.getTargetInfo")) as { targetInfo: { targetId: string } };
      await session.detach().catch(() => {});
      const id = info.targetInfo.targetId;
      this.targetIds.set(page, id);
      // A new document has none of the old elements: its refs are gone with it.
      page.on("domcontentloaded", () => this.refs.delete(id));
      const errorPages = { due: 0, wake: [] as (() => void)[] };
      this.errorPages.set(id, errorPages);
      page.on("framenavigated", (frame) => {
        if (frame !== page.mainFrame() || !frame.url().startsWith("chrome-error:") || errorPages.due === 0) return;
        errorPages.due -= 1;
        for (const wake of errorPages.wake.splice(0)) wake();
      });
      page.on("close", () => {
        this.refs.delete(id);
        this.errorPages.delete(id);
        for (const wake of errorPages.wake.splice(0)) wake();
      });
      return id;
    } catch {
      return undefined;
    }
  }

  /**
   * Resolves once the error pages of the tab's refused loads have committed, or after {@link ERROR_PAGE_MS}
   * (a refused load that another navigation superseded never shows one; it is then forgotten).
   */
  private async errorPagesCommitted(targetId: string): Promise<void> {
    const state = this.errorPages.get(targetId);
    if (!state || state.due === 0) return;
    const deadline = Date.now() + ERROR_PAGE_MS;
    while (state.due > 0 && this.errorPages.get(targetId) === state) {
      const left = deadline - Date.now();
      if (left <= 0) {
        state.due = 0;
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        state.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Lets every navigation waiting for an error page go (the connection is gone). */
  private releaseErrorPageWaits(): void {
    for (const state of this.errorPages.values()) {
      state.due = 0;
      for (const wake of state.wake.splice(0)) wake();
    }
  }

  private locator(page: Page, targetId: string, ref: string): Locator {
    if (!REF_RE.test(ref)) throw badRequest(`invalid ref "${ref.slice(0, 40)}" (refs look like e12; take them from GET /snapshot)`);
    const known = this.refs.get(targetId);
    if (!known) throw new BrowserApiError(404, "REF_NOT_FOUND", `unknown ref "${ref}": no snapshot of this tab yet (or the page changed); GET /snapshot first`);
    if (!known.has(ref)) throw new BrowserApiError(404, "REF_NOT_FOUND", `unknown ref "${ref}": not in the last snapshot of this tab; take a new snapshot`);
    return page.getByRef(ref);
  }
}

/**
 * Collects `[ref=…]` entries of an AI-mode aria snapshot with their role and accessible name.
 * @example parseRefs('- button "Save" [ref=e3]') // { e3: { role: "button", name: "Save" } }
 */
export function parseRefs(snapshot: string): Record<string, SnapshotRef> {
  const refs: Record<string, SnapshotRef> = {};
  for (const line of snapshot.split("\n")) {
    const ref = /\[ref=([A-Za-z0-9]+)\]/.exec(line)?.[1];
    if (!ref) continue;
    const m = /^\s*-\s+([A-Za-z]+)(?:\s+"((?:[^"\\]|\\.)*)")?/.exec(line);
    refs[ref] = { role: m?.[1] ?? "generic", ...(m?.[2] !== undefined && { name: m[2].replace(/\\(.)/g, "$1") }) };
  }
  return refs;
}

// --- internal ---

async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BrowserApiError) throw err;
    const name = (err as Error)?.name;
    const msg = firstLine(err);
    if (name === "TimeoutError") throw new BrowserApiError(408, "TIMEOUT", `${what} timed out: ${msg} (element hidden or disabled, or the ref is stale: take a new snapshot)`, { cause: err });
    if (/has been closed|Target closed|Browser closed/i.test(msg)) throw new BrowserApiError(409, "BROWSER_NOT_RUNNING", `${what} failed: the tab or browser closed (${msg})`, { cause: err });
    throw new BrowserApiError(422, "ACTION_FAILED", `${what} failed: ${msg}`, { cause: err });
  }
}

// The network guard refused the page or a redirect hop on the way to it.
function blockedNavigation(url: string, err: unknown): BrowserApiError {
  return new BrowserApiError(403, "PRIVATE_ADDRESS", `navigation to ${url.slice(0, 200)} was refused: it (or a redirect on the way) leads to a private, loopback, link-local or non-web address, which only operator.admin callers may open`, { cause: err });
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0].slice(0, 300);
}
