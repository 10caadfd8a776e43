/**
 * The upstream OpenClaw 2026.9.6 clients (protocol v4) run against our binary: where the install is, the
 * Control UI's remote-gateway handoff, and the TUI in a pseudo-terminal. The install is the one
 * `REF_VERSION=2026.9.6 reference-gateway.sh install` makes (~/.cache/openclaw-reference-2026.9.6, or
 * $OPENCLAW_REFERENCE_V4_DIR). Suites that need it skip with a message when it is missing, unless
 * OPENCLAW_REQUIRE_REFERENCE is set: then a missing install fails the run.
 */
import { test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { ReferenceInstall, UpstreamControlUi } from "./upstream.ts";
import { waitFor } from "./wait.ts";

/** The v4 upstream release these helpers run. */
export const REFERENCE_V4_VERSION = "2026.9.6";

/** Where the v4 install is looked for. */
export function referenceV4Dir(): string {
  return process.env.OPENCLAW_REFERENCE_V4_DIR || join(homedir(), ".cache", `openclaw-reference-${REFERENCE_V4_VERSION}`);
}

/** @returns the install when `dir` holds openclaw 2026.9.6 with its node and Control UI, else undefined. */
export function locateReferenceV4(dir = referenceV4Dir()): ReferenceInstall | undefined {
  const bin = join(dir, "node_modules", ".bin");
  const pkg = join(dir, "node_modules", "openclaw", "package.json");
  const controlUiDir = join(dir, "node_modules", "openclaw", "dist", "control-ui");
  if (!existsSync(join(bin, "openclaw")) || !existsSync(join(bin, "node")) || !existsSync(join(controlUiDir, "index.html"))) return undefined;
  try {
    return JSON.parse(readFileSync(pkg, "utf8")).version === REFERENCE_V4_VERSION ? { dir, bin, controlUiDir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The v4 install for a suite and the `test` to declare its tests with (`test.skip` plus one warning naming the
 * fix when the install is missing). @throws Error when it is missing and OPENCLAW_REQUIRE_REFERENCE is set.
 */
export function referenceV4ForSuite(suite: string): { ref: ReferenceInstall | undefined; run: typeof test } {
  const ref = locateReferenceV4();
  if (ref) return { ref, run: test };
  const hint = `upstream openclaw ${REFERENCE_V4_VERSION} not found in ${referenceV4Dir()} (install it with REF_VERSION=${REFERENCE_V4_VERSION} reference-gateway.sh install)`;
  if (process.env.OPENCLAW_REQUIRE_REFERENCE) throw new Error(`${suite}: ${hint}; OPENCLAW_REQUIRE_REFERENCE is set`);
  console.warn(`${suite} skipped: ${hint}`);
  return { ref: undefined, run: test.skip as unknown as typeof test };
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/**
 * Serves the v4 Control UI's static files on 127.0.0.1:0. Its document loads assets by relative URL, so on a
 * nested route (`/settings/channels`) they are asked for under that route (`/settings/assets/…`): a path is
 * served from the first of its suffixes that names a file; extensionless paths (client routes) get index.html.
 */
export function serveControlUiV4(ref: ReferenceInstall): UpstreamControlUi {
  const root = resolve(ref.controlUiDir);
  const fileFor = (path: string): string | undefined => {
    const parts = path.split("/").filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const file = normalize(join(root, ...parts.slice(i)));
      if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) return file;
    }
    return undefined;
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = decodeURIComponent(new URL(req.url).pathname);
      const file = fileFor(path);
      if (file) return new Response(Bun.file(file), { headers: { "content-type": MIME[extname(file)] ?? "application/octet-stream" } });
      if (extname(path)) return new Response("not found", { status: 404 });
      return new Response(Bun.file(join(root, "index.html")), { headers: { "content-type": MIME[".html"]! } });
    },
  });
  return { origin: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/**
 * Opens the v4 Control UI (served from `uiOrigin`) on `path` and points it at `gatewayUrl` with the remote
 * handoff link (`?gatewayUrl=…#token=…`), confirming the "switch to a different Gateway" prompt, then waits
 * until it is connected. Later `page.goto`s on the same page keep that gateway.
 */
export async function openControlUiV4(browser: Browser, uiOrigin: string, gatewayUrl: string, token: string, path = "/chat"): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${uiOrigin}${path}?gatewayUrl=${encodeURIComponent(gatewayUrl)}#token=${encodeURIComponent(token)}`);
  const host = new URL(gatewayUrl.replace(/^ws/, "http")).host.replaceAll(".", "\\.");
  await page.getByRole("button", { name: new RegExp(`^Switch to ${host}`) }).click({ timeout: 20_000 });
  await waitConnectedV4(page);
  return page;
}

/** Waits until the v4 Control UI's sidebar reports a live gateway connection ("Connected"). */
export async function waitConnectedV4(page: Page): Promise<void> {
  await page.waitForFunction(() => /\bConnected\b/.test(document.body.innerText) && !/Gateway unreachable/.test(document.body.innerText), undefined, { timeout: 30_000 });
}

/** The visible text of the page. */
export function pageText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

/** The upstream TUI running in a pseudo-terminal. */
export interface TuiSession {
  /** Everything drawn so far, escape sequences removed. */
  screen(): string;
  /** Types `text` (a trailing "\r" presses Enter). */
  type(text: string): void;
  /** Waits until the drawn text since `from` (a `screen().length`) matches `re`. */
  waitFor(re: RegExp, timeoutMs: number, from?: number): Promise<void>;
  stop(): Promise<void>;
}

const ANSI = /\x1b\[[0-9;?>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

/**
 * Starts `openclaw tui --url … --token …` of the v4 install in a 120×40 pty with a temp HOME (`home`), as a
 * user at a terminal would.
 */
export function startTui(ref: ReferenceInstall, home: string, gatewayUrl: string, token: string): TuiSession {
  let raw = "";
  const decoder = new TextDecoder();
  const proc = Bun.spawn([join(ref.bin, "openclaw"), "tui", "--url", gatewayUrl, "--token", token], {
    cwd: home,
    env: { PATH: `${ref.bin}:/usr/bin:/bin`, HOME: home, NO_COLOR: "1", OPENCLAW_DISABLE_BONJOUR: "1", TERM: "xterm-256color" },
    terminal: {
      cols: 120,
      rows: 40,
      data(_t: unknown, chunk: Uint8Array) {
        raw += decoder.decode(chunk, { stream: true });
      },
    },
  } as Parameters<typeof Bun.spawn>[1] & { terminal: unknown });
  const terminal = (proc as unknown as { terminal: { write(s: string): void } }).terminal;
  const screen = () => raw.replace(ANSI, "");
  return {
    screen,
    type: (text) => terminal.write(text),
    async waitFor(re, timeoutMs, from = 0) {
      await waitFor(() => re.test(screen().slice(from)), `the TUI to show ${re}`, timeoutMs);
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
