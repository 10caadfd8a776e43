/**
 * The control UI in a real browser (Debian's chromium, headless, driven by playwright-core): token entry,
 * health and presence, strict CSP, and that the token never comes from the URL.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { agentConfig, tempWorkspace } from "../helpers/agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
let gw: TestGateway;
let fake: FakeProvider;
let browser: Browser;
let base: string;

const run = CHROMIUM || process.env.CI ? test : test.skip;
if (!CHROMIUM && !process.env.CI) console.warn("control UI tests skipped: chromium is not installed (apt-get install chromium)");

beforeAll(async () => {
  if (!CHROMIUM) return;
  fake = startFakeProvider({ fallback: { text: "Hello from the fake model, streamed in pieces.", delayMs: 40 } });
  gw = await startTestGateway({ config: agentConfig(fake, tempWorkspace()) });
  base = `http://127.0.0.1:${gw.handle.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  fake?.stop();
});

run("served with a strict Content-Security-Policy", async () => {
  const res = await fetch(`${base}/`);
  expect(res.status).toBe(200);
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect((await fetch(`${base}/app.js`)).headers.get("content-type")).toContain("javascript");
  // client-side routes get the page too
  expect(await (await fetch(`${base}/sessions/x`)).text()).toContain('src="/app.js"');
});

run("paste the token once, see health and presence; a wrong token is refused", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${base}/`);
  await page.fill("#token", "wrong-token");
  await page.click("#token-form button");
  await page.waitForFunction(() => document.querySelector("#login-error")?.textContent?.includes("unauthorized"));
  expect(await page.evaluate(() => localStorage.getItem("openclaw.gateway.token"))).toBeNull();

  await page.fill("#token", gw.token);
  await page.click("#token-form button");
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  expect(await page.textContent("#conn")).toContain("connected");
  await page.waitForFunction(() => (document.querySelector("#presence")?.textContent ?? "").includes("ui"));
  await page.screenshot({ path: join(ARTIFACTS, "control-ui.png"), fullPage: true });

  // The token is remembered: a reload connects without asking.
  await page.reload();
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  expect(errors.filter((e) => !e.includes("unauthorized") && !e.includes("401"))).toEqual([]);
  await page.close();
});

run("a token in the URL is ignored", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/?token=${gw.token}`);
  await page.waitForSelector("#login:not([hidden])");
  expect(await page.evaluate(() => localStorage.getItem("openclaw.gateway.token"))).toBeNull();
  await page.close();
});

run("WebChat: send a message, watch the reply stream in, see it in history after a reload", async () => {
  const page = await browser.newPage();
  await page.addInitScript((token) => localStorage.setItem("openclaw.gateway.token", token), gw.token);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  await page.fill("#chat-input", "Hi there");
  await page.click("#send");
  // The assistant bubble shows partial text while streaming, then the whole answer.
  await page.waitForSelector(".msg.assistant.streaming", { timeout: 10_000 });
  await page.waitForFunction(() => {
    const bubbles = Array.from(document.querySelectorAll(".msg.assistant"));
    const last = bubbles[bubbles.length - 1];
    return last && !last.classList.contains("streaming") && last.textContent?.includes("streamed in pieces.");
  }, undefined, { timeout: 10_000 });
  expect(await page.textContent("#chat-error")).toBe("");
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-webchat.png"), fullPage: true });
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll("#messages .msg").length >= 2);
  const texts = await page.$$eval("#messages .msg", (els) => els.map((e) => e.textContent));
  expect(texts.slice(-2)).toEqual(["Hi there", "Hello from the fake model, streamed in pieces."]);
  await page.close();
});
