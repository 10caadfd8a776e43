/**
 * `openclaw browser [--browser-profile P] <command>`: drives the gateway's browser control service over
 * HTTP (http://127.0.0.1:<gateway port + 2>, gateway token from config/env/--token). Each command is one
 * call of src/browser/client.ts and a print.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { BrowserApiError, BrowserTransportError } from "../../browser/errors.ts";
import { type BrowserClient, browserControlUrl, createBrowserClient } from "../../browser/client.ts";
import type { BrowserStatus } from "../../browser/types.ts";
import { resolveCallTarget } from "../../client/target.ts";
import { loadConfig } from "../../config/load.ts";
import { resolveConfigPath, resolveGatewayPort } from "../../config/paths.ts";
import { CliError } from "../../errors.ts";
import { parseTimeout, printJson } from "./_rpc.ts";

/** Flags every browser command takes (also accepted before the command word). */
const BROWSER_ARGS = {
  browserProfile: { type: "string", description: "Browser profile (default: browser.defaultProfile, else openclaw)" },
  controlUrl: { type: "string", description: "Browser control URL (default http://127.0.0.1:<gateway port + 2>)" },
  token: { type: "string", description: "Gateway token (default: gateway.auth.token / OPENCLAW_GATEWAY_TOKEN)" },
  timeout: { type: "string", description: "Timeout in ms", default: "60000" },
  json: { type: "boolean", description: "Print JSON" },
} as const;
const TARGET_ARG = { targetId: { type: "string", description: "Tab (default: the current one)" } } as const;

type BrowserArgs = { browserProfile?: string; controlUrl?: string; token?: string; timeout?: string; json?: boolean };

const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** `openclaw browser`: the command group. */
export const browserCommand = defineCommand({
  meta: { name: "browser", description: "Drive the agent's browser (a dedicated Chromium profile run by the gateway)" },
  args: BROWSER_ARGS,
  subCommands: {
    status: leaf("status", "Show the profile's browser state", {}, async (b, a) => {
      const s = await b.status();
      if (a.json) return printJson(s);
      printStatus(s);
    }),
    start: leaf("start", "Start the profile's browser", {}, async (b, a) => {
      const s = await b.start();
      if (a.json) return printJson(s);
      out(`Browser for profile ${s.profile} running: ${s.browser ?? "browser"} ${s.pid ? `pid ${s.pid}` : "(attached)"}, ${devtools(s)}`);
    }),
    stop: leaf("stop", "Stop the profile's browser", {}, async (b, a) => {
      const r = await b.stop();
      if (a.json) return printJson(r);
      out(r.stopped ? `Stopped the browser of profile ${r.profile}.` : `The browser of profile ${r.profile} was not running.`);
    }),
    tabs: leaf("tabs", "List open tabs", {}, async (b, a) => {
      const r = await b.tabs();
      if (a.json) return printJson(r);
      if (!r.running) return out("Browser not running (openclaw browser start).");
      if (r.tabs.length === 0) out("No tabs.");
      for (const t of r.tabs) out(`${t.targetId}  ${t.title || "(untitled)"}  ${t.url}`);
    }),
    open: leaf("open", "Open a URL in a new tab", { url: { type: "positional", required: true, description: "http(s) URL" } }, async (b, a) => {
      const tab = await b.openTab(String(a.url));
      if (a.json) return printJson(tab);
      out(`Opened ${tab.targetId}: ${tab.url}`);
    }),
    focus: leaf("focus", "Bring a tab to the front", { targetId: { type: "positional", required: true, description: "Tab id (see tabs)" } }, async (b, a) => {
      await b.focusTab(String(a.targetId));
      out(`Focused ${a.targetId}.`);
    }),
    close: leaf("close", "Close a tab", { targetId: { type: "positional", required: true, description: "Tab id (see tabs)" } }, async (b, a) => {
      await b.closeTab(String(a.targetId));
      out(`Closed ${a.targetId}.`);
    }),
    navigate: leaf("navigate", "Load a URL in the current tab", { url: { type: "positional", required: true, description: "http(s) URL" }, ...TARGET_ARG }, async (b, a) => {
      const r = await b.navigate(String(a.url), { targetId: a.targetId as string | undefined });
      if (a.json) return printJson(r);
      out(`${r.targetId}: ${r.title || "(untitled)"}  ${r.url}`);
    }),
    snapshot: leaf("snapshot", "Print the accessibility snapshot with element refs", { ...TARGET_ARG, maxChars: { type: "string", description: "Cut the snapshot after N characters" } }, async (b, a) => {
      const maxChars = a.maxChars === undefined ? undefined : parseTimeout(String(a.maxChars));
      const s = await b.snapshot({ targetId: a.targetId as string | undefined, maxChars });
      if (a.json) return printJson(s);
      out(`# ${s.title || "(untitled)"}  ${s.url}  [tab ${s.targetId}]`);
      out(s.snapshot);
    }),
    screenshot: leaf(
      "screenshot",
      "Save a PNG of the current tab",
      { ...TARGET_ARG, out: { type: "string", description: "File to write (default ./openclaw-screenshot-<time>.png)" }, fullPage: { type: "boolean", description: "The whole page, not just the viewport" }, ref: { type: "string", description: "Only this element (a ref from snapshot)" } },
      async (b, a) => {
        const png = await b.screenshot({ targetId: a.targetId as string | undefined, fullPage: a.fullPage === true, ref: a.ref as string | undefined });
        const file = resolve(String(a.out ?? `openclaw-screenshot-${new Date().toISOString().replace(/[:.]/g, "-")}.png`));
        writeFileSync(file, png);
        if (a.json) return printJson({ ok: true, path: file, bytes: png.length });
        out(`Saved ${file} (${png.length} bytes)`);
      },
    ),
    click: leaf("click", "Click an element by ref", { ref: { type: "positional", required: true, description: "Ref from snapshot, e.g. e12" }, double: { type: "boolean", description: "Double-click" }, ...TARGET_ARG }, async (b, a) => {
      const r = await b.act({ kind: "click", ref: String(a.ref), doubleClick: a.double === true, targetId: a.targetId as string | undefined });
      if (a.json) return printJson(r);
      out(`Clicked ${a.ref}.`);
    }),
    type: leaf(
      "type",
      "Type text into an element by ref",
      { ref: { type: "positional", required: true, description: "Ref from snapshot" }, text: { type: "positional", required: true, description: "Text to type" }, submit: { type: "boolean", description: "Press Enter afterwards" }, slowly: { type: "boolean", description: "Key by key instead of filling" }, ...TARGET_ARG },
      async (b, a) => {
        const r = await b.act({ kind: "type", ref: String(a.ref), text: String(a.text), submit: a.submit === true, slowly: a.slowly === true, targetId: a.targetId as string | undefined });
        if (a.json) return printJson(r);
        out(`Typed into ${a.ref}.`);
      },
    ),
    press: leaf("press", "Press a key (e.g. Enter, Control+A)", { key: { type: "positional", required: true, description: "Key name" }, ...TARGET_ARG }, async (b, a) => {
      await b.act({ kind: "press", key: String(a.key), targetId: a.targetId as string | undefined });
      out(`Pressed ${a.key}.`);
    }),
  },
});

// --- internal ---

type LeafArgs = Record<string, { type: "string" | "boolean" | "positional"; description: string; required?: boolean }>;

function leaf(name: string, description: string, args: LeafArgs, fn: (client: BrowserClient, args: BrowserArgs & Record<string, unknown>) => Promise<void>) {
  return defineCommand({
    meta: { name, description },
    args: { ...args, ...BROWSER_ARGS },
    async run({ args: parsed }) {
      const a = parsed as unknown as BrowserArgs & Record<string, unknown>;
      const client = createClient(a);
      try {
        await fn(client, a);
      } catch (err) {
        throw toCliError(err, client.baseUrl);
      }
    },
  });
}

function createClient(a: BrowserArgs): BrowserClient {
  const env = process.env;
  const config = loadConfig(resolveConfigPath(env), env).config;
  const target = resolveCallTarget({ token: a.token }, env, config);
  const baseUrl = a.controlUrl ?? browserControlUrl(resolveGatewayPort({ env, configPort: config.gateway?.port }));
  return createBrowserClient({ baseUrl, token: target.token ?? target.password, profile: a.browserProfile, timeoutMs: parseTimeout(a.timeout, 60_000) });
}

function toCliError(err: unknown, baseUrl: string): unknown {
  if (err instanceof BrowserTransportError) {
    return new CliError(`Browser control not reachable at ${baseUrl}.`, {
      hint: "Is the gateway running? Start it with `openclaw gateway` (browser control listens on gateway port + 2 unless browser.enabled=false).",
      cause: err,
    });
  }
  if (err instanceof BrowserApiError) {
    const hint =
      err.code === "UNAUTHORIZED"
        ? "Set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN, or pass --token) to the gateway's token."
        : err.code === "REF_NOT_FOUND"
          ? "Run `openclaw browser snapshot` and use a ref from its output."
          : undefined;
    return new CliError(`Browser: ${err.message}`, { hint, cause: err });
  }
  return err;
}

/** How the gateway talks to the running browser: a launched one over a pipe (no port), else at its CDP URL. */
function devtools(s: BrowserStatus): string {
  return s.transport === "pipe" ? "DevTools over a pipe (no port)" : `CDP ${s.cdpUrl}`;
}

function printStatus(s: BrowserStatus): void {
  const state = s.running
    ? `yes (${s.pid ? `pid ${s.pid}` : s.remote ? "remote" : "attached"})`
    : s.crashed
      ? `no: crashed (${s.lastExit?.signal ?? `exit ${s.lastExit?.code}`}); the next command relaunches it`
      : "no";
  out(`Profile:   ${s.profile} (color ${s.color})${s.enabled ? "" : " [browser control disabled]"}`);
  out(`Running:   ${state}`);
  out(s.running && s.transport === "pipe" ? "DevTools:  over a pipe (no port)" : `CDP:       ${s.cdpUrl}`);
  out(`Browser:   ${s.browser ? `${s.browser} ${s.executablePath}` : s.remote ? "remote" : "none found (set browser.executablePath)"}${s.headless ? " (headless)" : ""}`);
  if (s.userDataDir) out(`User data: ${s.userDataDir}`);
  out(`Profiles:  ${s.profiles.join(", ")}`);
}
