/**
 * Shared set-up of the browser tests: a control service on port 0 with a temp state dir, the gateway's
 * constant-time token check, and whether a Chromium-family browser is installed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserControlHandle, detectBrowserExecutable, startBrowserControl } from "../../src/browser/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { safeEqual } from "../../src/gateway/auth.ts";

export const TOKEN = "browser-test-token-0123456789abcdef0123456789";

/** The browser the e2e tests launch, or null when none is installed. */
export const BROWSER = detectBrowserExecutable(process.env.OPENCLAW_TEST_BROWSER);

/**
 * True when the e2e tests must be skipped: no browser and not in CI. In CI (CI=true) .ci/run installs
 * chromium, so a missing browser there is a failure, not a skip.
 */
export function skipWithoutBrowser(): boolean {
  if (BROWSER) return false;
  if (process.env.CI === "true") throw new Error("CI=true but no Chromium-family browser is installed (.ci/run installs chromium)");
  console.warn("skipping browser e2e tests: no Chromium-family browser found (apt-get install chromium)");
  return true;
}

/** A CDP range start unlikely to collide between test files running at once. */
export function randomRangeStart(): number {
  return 20_000 + Math.floor(Math.random() * 400) * 100;
}

/** A running service plus its temp state dir. */
export interface TestControl {
  control: BrowserControlHandle;
  stateDir: string;
  config: OpenClawConfig;
  logs: string[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a control service; `browser` is merged into a headless, no-sandbox test config. */
export async function startTestControl(browser: NonNullable<OpenClawConfig["browser"]> = {}, stateDir = mkdtempSync(join(tmpdir(), "openclaw-browser-"))): Promise<TestControl> {
  const logs: string[] = [];
  const t: TestControl = {
    control: undefined as unknown as BrowserControlHandle,
    stateDir,
    config: { browser: { headless: true, noSandbox: true, cdpPortRangeStart: randomRangeStart(), ...browser } },
    logs,
    async restart() {
      await t.control.stop();
      t.control = await start();
    },
    async stop() {
      await t.control.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  const start = () =>
    startBrowserControl({
      port: 0,
      stateDir,
      config: () => t.config,
      verifyToken: (presented) => safeEqual(presented, TOKEN),
      log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    });
  t.control = await start();
  return t;
}

/** A loopback page with a heading, a button that changes it, a text box and a select. */
export function startTestPage(): { url: string; stop(): void } {
  const html = `<!doctype html><html><head><title>Test page</title></head><body>
<h1 id="h">Hello</h1>
<button onclick="document.getElementById('h').textContent='Clicked ' + document.getElementById('n').value">Press me</button>
<input id="n" aria-label="Name">
<select aria-label="Color"><option>red</option><option>blue</option></select>
<a href="/second">Second page</a>
</body></html>`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/second") return new Response("<!doctype html><title>Second</title><p>Second page</p>", { headers: { "content-type": "text/html" } });
      return new Response(html, { headers: { "content-type": "text/html" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, stop: () => server.stop(true) };
}
