/**
 * The upstream 2026.2.3 Control UI, served from its own loopback origin, against our compiled binary in
 * headless Chromium: the Config view's schema form renders every section (Agents → Defaults included)
 * without "Unsupported schema node", the Sessions table shows "total / context" tokens, and the Skills tab
 * lists the skills from our skills.status (the bundled ones included) and stays connected.
 */
import { afterAll, beforeAll, describe, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { controlUiSettingsScript, referenceForSuite, serveUpstreamControlUi } from "../helpers/upstream.ts";
import { connectClient } from "../helpers/ws.ts";
import { ARTIFACTS, CHROMIUM, startUpstreamUiEnv, type UpstreamUiEnv, waitConnected } from "./_setup.ts";
import { waitFor } from "../helpers/wait.ts";

const { ref, run } = referenceForSuite("upstream Control UI e2e");
if (ref && !CHROMIUM && !process.env.CI) console.warn("upstream Control UI e2e: chromium is not installed (apt-get install chromium)");
const runUi = ref && !CHROMIUM && !process.env.CI ? (run.skip as typeof run) : run;
let env: UpstreamUiEnv;

beforeAll(async () => {
  if (!ref || (!CHROMIUM && !process.env.CI)) return;
  env = await startUpstreamUiEnv(ref, {
    // the string form of a model ref, which the form edits in its object form
    agents: { defaults: { model: "local/m1" } },
    channels: { telegram: { enabled: false, botToken: "123:not-used", customCommands: [{ command: "ping", description: "Ping the bot" }] } },
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

/** Text of the whole app (the upstream UI renders into the light DOM). */
async function appText(page: import("playwright-core").Page): Promise<string> {
  return page.locator("openclaw-app").innerText();
}

describe("upstream Control UI against our gateway", () => {
  runUi("Config form: every section renders, Agents → Defaults is editable, no unsupported nodes", async () => {
    const page = await env.page("/config");
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await waitConnected(page);
    await page.waitForSelector(".config-nav");
    // The "All Settings" view renders every section of the schema.
    await page.waitForFunction(() => document.querySelector(".config-nav__item.active")?.textContent?.includes("All Settings"));
    await page.waitForFunction(() => (document.querySelector("openclaw-app")?.textContent ?? "").includes("Primary Model"), undefined, { timeout: 20_000 });
    const all = await appText(page);
    expect(all).not.toContain("Unsupported schema node");
    expect(all).not.toContain("Unsupported type");
    expect(all).not.toContain("Unsupported array schema");
    expect(all).not.toContain("can't safely edit");

    await page.locator(".config-nav__item", { hasText: "Agents" }).first().click();
    await page.waitForFunction(() => (document.querySelector("openclaw-app")?.textContent ?? "").includes("Model Fallbacks"));
    expect(await page.locator(".config-subnav__item.active").innerText()).toContain("Defaults");
    expect(await appText(page)).not.toContain("Unsupported schema node");
    // The model written as a string shows in the object form's Primary field, and an edit saves.
    const primary = page.locator(".cfg-field", { has: page.locator(".cfg-field__label", { hasText: /^Primary Model$/ }) }).first().locator("input");
    expect(await primary.inputValue()).toBe("local/m1");
    await primary.fill("local/m2");
    await primary.press("Tab");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const file = join(env.home, ".openclaw", "openclaw.json");
    await waitFor(() => JSON5.parse(readFileSync(file, "utf8")).agents?.defaults?.model?.primary === "local/m2", "the form's save to reach the config file", 20_000);
    const saved = JSON5.parse(readFileSync(file, "utf8"));
    expect(saved.agents.defaults.model).toEqual({ primary: "local/m2" });
    // secrets the UI only saw redacted are written back unchanged
    expect(saved.gateway.auth.token).toBe(env.token);
    expect(saved.models.providers.local.apiKey).toBe("sk-compat");

    await page.locator(".config-subnav__item", { hasText: "List" }).first().click();
    await page.waitForFunction(() => document.querySelector(".config-subnav__item.active")?.textContent?.includes("List"));
    expect(await appText(page)).not.toContain("Unsupported schema node");

    await page.locator(".config-nav__item", { hasText: "Channels" }).first().click();
    await page.locator(".config-subnav__item", { hasText: "Telegram" }).first().click();
    await page.waitForFunction(() => (document.querySelector("openclaw-app")?.textContent ?? "").includes("Telegram Custom Commands"));
    const channels = await appText(page);
    expect(channels).not.toContain("Unsupported schema node");
    expect(channels).toMatch(/Telegram Custom Commands\s*1 item/);
    // Secrets are password fields (uiHints sensitive).
    const tokenInput = page.locator(".cfg-field", { has: page.locator(".cfg-field__label", { hasText: /^Telegram Bot Token$/ }) }).first().locator("input");
    expect(await tokenInput.getAttribute("type")).toBe("password");

    await page.screenshot({ path: join(ARTIFACTS, "upstream-control-ui-config.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  runUi('Sessions table: a session that ran shows "total / context" tokens', async () => {
    const { sock } = await connectClient(env.url, env.token, { scopes: ["operator.admin"] });
    try {
      const res = await sock.request("agent", { message: "hello", sessionKey: "main", idempotencyKey: crypto.randomUUID() });
      expect(res.ok).toBe(true);
      const final = await sock.nextMatching((f) => f.type === "res" && f.id === res.id && f.payload?.status !== "accepted", 30_000);
      expect(final.ok).toBe(true);
    } finally {
      sock.close();
    }
    const page = await env.page("/sessions");
    await waitConnected(page);
    const row = page.locator(".table-row", { hasText: "agent:main:main" }).first();
    await row.waitFor({ timeout: 20_000 });
    // fake usage: 4 in + 1 out; m1 has no configured window → the 200k default, as upstream
    expect(await row.innerText()).toContain("5 / 200000");
    await page.screenshot({ path: join(ARTIFACTS, "upstream-control-ui-sessions.png"), fullPage: true });
    await page.close();
  }, 60_000);

  runUi("Skills tab: lists the skills from skills.status (bundled ones included); the app stays connected", async () => {
    const { sock, hello } = await connectClient(env.url, env.token);
    sock.close();
    expect(hello.features.methods).toContain("skills.status");
    const page = await env.page("/skills");
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await waitConnected(page);
    await page.waitForFunction(() => /summarize-url/.test(document.querySelector("openclaw-app")?.textContent ?? ""), undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => (document.querySelector("openclaw-app") as any).connected)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  runUi("the same UI served from an origin not in gateway.controlUi.allowedOrigins is refused", async () => {
    const other = serveUpstreamControlUi(ref!);
    const page = await env.browser.newPage();
    try {
      await page.addInitScript(controlUiSettingsScript({ url: env.url, token: env.token }));
      const before = env.gateway.output().length;
      await page.goto(`${other.origin}/overview`);
      await page.waitForFunction(() => /origin not allowed/i.test(document.querySelector("openclaw-app")?.textContent ?? ""), undefined, { timeout: 20_000 });
      expect(await page.evaluate(() => (document.querySelector("openclaw-app") as any).connected)).toBe(false);
      expect(env.gateway.output().slice(before)).not.toContain("client connected");
    } finally {
      await page.close();
      other.stop();
    }
  }, 60_000);
});
