/**
 * The upstream OpenClaw 2026.9.6 clients (protocol v4), run against our binary in tests: its CLI, its node
 * host (`openclaw node run`), its TUI in a pty and its Control UI, on the Node 24 the install bundles. The install lives in a cache folder
 * (`test/helpers/install-reference.sh --version 2026.9.6` puts it there; `.ci/run` calls it).
 *
 * As for 2026.2.3 (upstream.ts): when the install is missing the suites that need it are skipped with a
 * message, unless OPENCLAW_REQUIRE_REFERENCE is set (CI sets it); then a missing install fails the run.
 */
import { test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { Browser, Page } from "playwright-core";
import { collectOutput, endProcess, type ReferenceInstall, type UpstreamControlUi, upstreamEnv } from "./upstream.ts";
import { waitFor } from "./wait.ts";

/** The upstream release these helpers run. */
export const REFERENCE_V4_VERSION = "2026.9.6";

/** Where the install is looked for: $OPENCLAW_REFERENCE_V4_DIR, else ~/.cache/openclaw-reference-2026.9.6. */
export function referenceV4Dir(): string {
  return process.env.OPENCLAW_REFERENCE_V4_DIR || join(homedir(), ".cache", `openclaw-reference-${REFERENCE_V4_VERSION}`);
}

/** @returns the install when `dir` holds openclaw REFERENCE_V4_VERSION with its node, else undefined. */
export function locateReferenceV4(dir = referenceV4Dir()): ReferenceInstall | undefined {
  const bin = join(dir, "node_modules", ".bin");
  const pkg = join(dir, "node_modules", "openclaw", "package.json");
  if (!existsSync(join(bin, "openclaw")) || !existsSync(join(bin, "node")) || !existsSync(pkg)) return undefined;
  try {
    if (JSON.parse(readFileSync(pkg, "utf8")).version !== REFERENCE_V4_VERSION) return undefined;
  } catch {
    return undefined;
  }
  return { dir, bin, controlUiDir: join(dir, "node_modules", "openclaw", "dist", "control-ui") };
}

/**
 * The install for a suite, and the `test` function to declare its tests with: `test.skip` (and one warning
 * naming the fix) when the install is missing and not required.
 * @throws Error when it is missing and OPENCLAW_REQUIRE_REFERENCE is set.
 */
export function referenceV4ForSuite(suite: string): { ref: ReferenceInstall | undefined; run: typeof test } {
  const ref = locateReferenceV4();
  if (ref) return { ref, run: test };
  const hint = `upstream openclaw ${REFERENCE_V4_VERSION} not found in ${referenceV4Dir()} (install it with test/helpers/install-reference.sh --version ${REFERENCE_V4_VERSION})`;
  if (process.env.OPENCLAW_REQUIRE_REFERENCE) throw new Error(`${suite}: ${hint}; OPENCLAW_REQUIRE_REFERENCE is set`);
  console.warn(`${suite} skipped: ${hint}`);
  return { ref: undefined, run: test.skip as unknown as typeof test };
}

/** A running upstream node host. */
export interface UpstreamNodeHost {
  /** What it printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `openclaw node run` against ws://`host`:`port` (no TLS) with the gateway token in the environment,
 * in a fresh HOME (its device identity and node config live there; removed by `stop`).
 */
export function startUpstreamNodeHost(ref: ReferenceInstall, opts: { host: string; port: number; token: string; displayName: string }): UpstreamNodeHost {
  const home = mkdtempSync(join(tmpdir(), "openclaw-upstream-node-"));
  const proc = Bun.spawn(
    [join(ref.bin, "openclaw"), "node", "run", "--host", opts.host, "--port", String(opts.port), "--no-tls", "--display-name", opts.displayName],
    { cwd: home, env: upstreamEnv(ref, home, { OPENCLAW_GATEWAY_TOKEN: opts.token }), stdout: "pipe", stderr: "pipe" },
  );
  const { output, drained } = collectOutput(proc);
  return {
    output,
    async stop() {
      await endProcess(proc);
      await drained.catch(() => {});
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** One frame seen by a {@link RecordingProxy}: `in` went client → gateway, `out` gateway → client. */
export interface ProxiedFrame {
  dir: "in" | "out";
  frame: any;
}

/** A WebSocket forwarder between a client and the gateway that keeps every frame. */
export interface RecordingProxy {
  port: number;
  frames: ProxiedFrame[];
  stop(): void;
}

/**
 * Forwards WebSocket connections from 127.0.0.1:<port> to `target`, adding `headers` to the upstream
 * handshake (e.g. `x-forwarded-for`, so the gateway treats the client as remote, as behind a reverse proxy),
 * and records every text frame both ways (parsed JSON).
 */
export function startRecordingProxy(target: string, headers: Record<string, string> = {}): RecordingProxy {
  const frames: ProxiedFrame[] = [];
  type Peer = { up?: WebSocket; queue: string[] };
  const record = (dir: "in" | "out", text: string) => {
    try {
      frames.push({ dir, frame: JSON.parse(text) });
    } catch {
      frames.push({ dir, frame: text });
    }
  };
  const server = Bun.serve<Peer, never>({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      return srv.upgrade(req, { data: { queue: [] } }) ? undefined : new Response("websocket only", { status: 400 });
    },
    websocket: {
      open(ws) {
        const up = new WebSocket(target, { headers } as never);
        ws.data.up = up;
        up.onopen = () => {
          for (const m of ws.data.queue.splice(0)) up.send(m);
        };
        up.onmessage = (e) => {
          const text = String(e.data);
          record("out", text);
          ws.send(text);
        };
        up.onclose = (e) => ws.close(e.code === 1005 || e.code === 1006 ? 1000 : e.code, e.reason);
      },
      message(ws, message) {
        const text = String(message);
        record("in", text);
        const up = ws.data.up;
        if (up?.readyState === WebSocket.OPEN) up.send(text);
        else ws.data.queue.push(text);
      },
      close(ws) {
        ws.data.up?.close();
      },
    },
  });
  return { port: server.port as number, frames, stop: () => server.stop(true) };
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
