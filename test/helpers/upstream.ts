/**
 * The upstream OpenClaw 2026.2.3 clients, run against our binary in tests: its CLI (npm `openclaw`, on the
 * Node 22 it bundles) and its static Control UI. The install lives in a cache folder
 * (`test/helpers/install-reference.sh` puts it there; `.ci/run` calls it).
 *
 * When the install is missing the suites that need it are skipped with a message, unless
 * OPENCLAW_REQUIRE_REFERENCE is set (CI sets it): then a missing install fails the run.
 */
import { test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { waitFor } from "./wait.ts";

/** The upstream release these helpers run. */
export const REFERENCE_VERSION = "2026.2.3";

/** A located upstream install. */
export interface ReferenceInstall {
  dir: string;
  /** `node_modules/.bin`: holds `openclaw` and the bundled `node`. */
  bin: string;
  /** The upstream's built Control UI (static files). */
  controlUiDir: string;
}

/** Where the install is looked for: $OPENCLAW_REFERENCE_DIR, else ~/.cache/openclaw-reference. */
export function referenceDir(): string {
  return process.env.OPENCLAW_REFERENCE_DIR || join(homedir(), ".cache", "openclaw-reference");
}

/** @returns the install when `dir` holds openclaw REFERENCE_VERSION with its node, else undefined. */
export function locateReference(dir = referenceDir()): ReferenceInstall | undefined {
  const bin = join(dir, "node_modules", ".bin");
  const pkg = join(dir, "node_modules", "openclaw", "package.json");
  const controlUiDir = join(dir, "node_modules", "openclaw", "dist", "control-ui");
  if (!existsSync(join(bin, "openclaw")) || !existsSync(join(bin, "node")) || !existsSync(pkg)) return undefined;
  try {
    if (JSON.parse(readFileSync(pkg, "utf8")).version !== REFERENCE_VERSION) return undefined;
  } catch {
    return undefined;
  }
  if (!existsSync(join(controlUiDir, "index.html"))) return undefined;
  return { dir, bin, controlUiDir };
}

/**
 * The install for a suite, and the `test` function to declare its tests with: `test.skip` (and one warning
 * naming the fix) when the install is missing and not required.
 * @throws Error when it is missing and OPENCLAW_REQUIRE_REFERENCE is set.
 */
export function referenceForSuite(suite: string): { ref: ReferenceInstall | undefined; run: typeof test } {
  const ref = locateReference();
  if (ref) return { ref, run: test };
  const hint = `upstream openclaw ${REFERENCE_VERSION} not found in ${referenceDir()} (install it with test/helpers/install-reference.sh)`;
  if (process.env.OPENCLAW_REQUIRE_REFERENCE) throw new Error(`${suite}: ${hint}; OPENCLAW_REQUIRE_REFERENCE is set`);
  console.warn(`${suite} skipped: ${hint}`);
  return { ref: undefined, run: test.skip as unknown as typeof test };
}

/** Where a client should reach a gateway. */
export interface GatewayTarget {
  url: string;
  token: string;
}

/** The outcome of one upstream CLI run. */
export interface UpstreamCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the upstream CLI with `args` against `target`. It gets a fresh HOME whose config is remote mode
 * pointing at the gateway (this version's `--url/--token` flags are unreliable: the parent command takes
 * `--token`), and PATH led by the install's bin so its own Node runs it.
 */
export async function runUpstreamCli(ref: ReferenceInstall, target: GatewayTarget, args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<UpstreamCliResult> {
  const home = mkdtempSync(join(tmpdir(), "openclaw-upstream-cli-"));
  try {
    mkdirSync(join(home, ".openclaw"), { recursive: true });
    writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { mode: "remote", remote: { url: target.url, token: target.token } } }));
    const proc = Bun.spawn([join(ref.bin, "openclaw"), ...args], { cwd: home, env: upstreamEnv(ref, home, opts.env), stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    clearTimeout(timer);
    return { code, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Parses the JSON document a `--json` run printed (the upstream may print log lines before it). */
export function parseCliJson(stdout: string): any {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`no JSON in output: ${stdout.slice(0, 400)}`);
  return JSON.parse(stdout.slice(start));
}

/** A running upstream gateway (for recording fixtures; tests run our binary). */
export interface UpstreamGateway extends GatewayTarget {
  home: string;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts the upstream gateway on 127.0.0.1:`port` in a fresh HOME, `--dev` profile, with `config` written to
 * that profile's config file. Resolves once it logs that it listens.
 * @throws Error with its log when it exits or does not start within `timeoutMs` (90 s).
 */
export async function startUpstreamGateway(ref: ReferenceInstall, opts: { port: number; token: string; config?: Record<string, unknown>; timeoutMs?: number }): Promise<UpstreamGateway> {
  const home = mkdtempSync(join(tmpdir(), "openclaw-upstream-gw-"));
  if (opts.config) {
    mkdirSync(join(home, ".openclaw-dev"), { recursive: true });
    writeFileSync(join(home, ".openclaw-dev", "openclaw.json"), JSON.stringify(opts.config, null, 2));
  }
  const proc = Bun.spawn([join(ref.bin, "openclaw"), "--dev", "gateway", "--allow-unconfigured", "--port", String(opts.port)], {
    cwd: home,
    env: upstreamEnv(ref, home, { OPENCLAW_GATEWAY_TOKEN: opts.token }),
    stdout: "pipe",
    stderr: "pipe",
  });
  const { output } = collectOutput(proc);
  const stop = async () => {
    await endProcess(proc);
    rmSync(home, { recursive: true, force: true });
  };
  const started = await waitFor(() => (/listening on ws:\/\//.test(output()) ? "listening" : proc.exitCode !== null && "exited"), "the upstream gateway's listening line", {
    timeoutMs: opts.timeoutMs ?? 90_000,
    intervalMs: 50,
  }).catch(async () => {
    await stop();
    throw new Error(`upstream gateway did not start: ${output()}`);
  });
  if (started === "exited") throw new Error(`upstream gateway exited: ${output()}`);
  return { url: `ws://127.0.0.1:${opts.port}`, token: opts.token, port: opts.port, home, log: output, stop };
}

/** The environment an upstream process runs with: its own bin first on PATH, `home` as HOME, no colours, no Bonjour. */
export function upstreamEnv(ref: ReferenceInstall, home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${ref.bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: home, TMPDIR: tmpdir(), NO_COLOR: "1", OPENCLAW_DISABLE_BONJOUR: "1", ...extra };
}

/** Collects what a spawned process prints on stdout and stderr; `drained` settles when both streams end. */
export function collectOutput(proc: { stdout: ReadableStream<Uint8Array>; stderr: ReadableStream<Uint8Array> }): { output: () => string; drained: Promise<unknown> } {
  let out = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    const reader = s.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out += dec.decode(value, { stream: true });
    }
  };
  const drained = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  drained.catch(() => {});
  return { output: () => out, drained };
}

/** Ends a spawned process: SIGTERM, then SIGKILL when it is still running 5 s later. Resolves once it exited. */
export async function endProcess(proc: { kill(signal?: NodeJS.Signals): void; exited: Promise<number> }): Promise<void> {
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
  await proc.exited;
  clearTimeout(timer);
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
};

/** The upstream Control UI served as static files. */
export interface UpstreamControlUi {
  /** `http://127.0.0.1:<port>`: also the Origin its WebSocket carries (add it to gateway.controlUi.allowedOrigins). */
  origin: string;
  stop(): void;
}

/**
 * Serves the upstream Control UI's static files on 127.0.0.1:0 (client-side routes get index.html). The page
 * takes its gateway URL and token from localStorage (`openclaw.control.settings.v1`); see
 * {@link controlUiSettingsScript}. Our gateway accepts its socket once `origin` is in
 * gateway.controlUi.allowedOrigins (a page from another origin is refused otherwise).
 */
export function serveUpstreamControlUi(ref: ReferenceInstall): UpstreamControlUi {
  const root = resolve(ref.controlUiDir);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = decodeURIComponent(new URL(req.url).pathname);
      const file = normalize(join(root, path));
      if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
        return new Response(Bun.file(file), { headers: { "content-type": MIME[extname(file)] ?? "application/octet-stream" } });
      }
      if (extname(path)) return new Response("not found", { status: 404 });
      return new Response(Bun.file(join(root, "index.html")), { headers: { "content-type": MIME[".html"] } });
    },
  });
  return { origin: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/**
 * A script for playwright's `page.addInitScript`: stores the gateway URL and token where the upstream Control UI
 * reads its settings, so it connects to `target` on load.
 */
export function controlUiSettingsScript(target: GatewayTarget): string {
  const settings = { gatewayUrl: target.url, token: target.token, sessionKey: "main", lastActiveSessionKey: "main", theme: "dark" };
  return `localStorage.setItem("openclaw.control.settings.v1", ${JSON.stringify(JSON.stringify(settings))});`;
}
