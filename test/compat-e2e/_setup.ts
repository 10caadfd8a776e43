/**
 * Shared setup of the upstream-client end-to-end suites: our compiled binary as the gateway (temp HOME,
 * loopback, token auth, the fake model provider), the upstream 2026.2.3 Control UI served from another
 * loopback origin that the gateway config allows, and headless Chromium driving it.
 */
import { afterAll, beforeAll, describe, type test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { controlUiSettingsScript, type ReferenceInstall, referenceForSuite, serveUpstreamControlUi, type UpstreamControlUi } from "../helpers/upstream.ts";

export const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
export const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
export const TOKEN = "compat-e2e-token-0123456789abcdef01234567";

/** Everything a suite started; `stop()` undoes it. */
export interface UpstreamUiEnv {
  url: string;
  token: string;
  home: string;
  ui: UpstreamControlUi;
  fake: FakeProvider;
  browser: Browser;
  gateway: Awaited<ReturnType<typeof startBinaryGateway>>;
  /** A new page with the gateway URL and token stored where the upstream UI reads them. */
  page(path: string): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * Starts the UI server first (its origin goes into gateway.controlUi.allowedOrigins), then our binary with
 * `config` deep-merged over a base config (fake provider `local` with models m1/m2, default model local/m1),
 * then Chromium.
 */
export async function startUpstreamUiEnv(ref: ReferenceInstall, config: Record<string, any> = {}): Promise<UpstreamUiEnv> {
  await ensureBinary();
  if (!CHROMIUM) throw new Error("chromium not installed (apt-get install chromium)");
  const fake = startFakeProvider({ fallback: { text: "Hello from the fake model.", usage: { input: 4, output: 1 } } });
  const ui = serveUpstreamControlUi(ref);
  const home = tempHome();
  const port = freePort();
  const workspace = join(home, "workspace");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const base = {
    gateway: { mode: "local", port, auth: { token: TOKEN }, controlUi: { allowedOrigins: [ui.origin] } },
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-compat", api: "openai-completions", models: [{ id: "m1" }, { id: "m2" }] } } },
    agents: { defaults: { workspace, model: { primary: "local/m1" } } },
    // Inside the temp HOME, not the shared default log folder.
    logging: { file: join(home, "logs", "openclaw.log") },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(mergeConfig(base, config), null, 2));
  let gateway: UpstreamUiEnv["gateway"] | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    gateway?.proc.kill("SIGTERM");
    await gateway?.proc.exited;
    ui.stop();
    fake.stop();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    gateway = await startBinaryGateway(["gateway"], { home, timeoutMs: 20_000 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  } catch (err) {
    await stop();
    throw err;
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const url = `ws://127.0.0.1:${port}`;
  const b = browser;
  return {
    url,
    token: TOKEN,
    home,
    ui,
    fake,
    browser: b,
    gateway,
    async page(path) {
      const page = await b.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.addInitScript(controlUiSettingsScript({ url, token: TOKEN }));
      await page.goto(`${ui.origin}${path}`);
      return page;
    },
    stop,
  };
}

/** `over` merged into `base`: plain objects key by key, anything else replaced. */
function mergeConfig(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b) ? mergeConfig(b, v) : v;
  }
  return out;
}

/** Waits until the upstream UI reports a live gateway connection (its status pill reads "OK"/"Connected"). */
export async function waitConnected(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = document.querySelector("openclaw-app") as any;
    return app?.connected === true;
  }, undefined, { timeout: 20_000 });
}

/**
 * Registers a suite's shared environment: the upstream Control UI against our binary, started once before the
 * suite's tests and stopped after. `describeUi` skips the suite where chromium is missing outside CI; `run` is the
 * reference's test function (skips, or fails under OPENCLAW_REQUIRE_REFERENCE, when the upstream is not installed).
 */
export function useUpstreamUiSuite(name: string, config: Record<string, any> = {}): { describeUi: typeof describe; run: typeof test; env: () => UpstreamUiEnv } {
  const { ref, run } = referenceForSuite(name);
  const enabled = ref !== undefined && (CHROMIUM !== null || process.env.CI !== undefined);
  let env: UpstreamUiEnv | undefined;
  beforeAll(async () => {
    if (enabled && ref) env = await startUpstreamUiEnv(ref, config);
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });
  return {
    describeUi: enabled ? describe : (describe.skip as typeof describe),
    run,
    env: () => {
      if (!env) throw new Error(`${name}: the environment did not start`);
      return env;
    },
  };
}
