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
  await page.waitForFunction(() => document.querySelector("#login-error")?.textContent?.startsWith("Wrong token"));
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

run("WebChat: attach an image, send it without text, see thumbnails now and after a reload", async () => {
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
  const page = await browser.newPage();
  await page.addInitScript((token) => localStorage.setItem("openclaw.gateway.token", token), gw.token);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  // client-side checks: not an image, over 5 MB
  await page.setInputFiles("#attach-file", { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hi") });
  await page.waitForFunction(() => document.querySelector("#chat-error")?.textContent === "notes.txt is not an image");
  await page.setInputFiles("#attach-file", { name: "huge.png", mimeType: "image/png", buffer: Buffer.alloc(5_000_001) });
  await page.waitForFunction(() => document.querySelector("#chat-error")?.textContent === "huge.png is larger than 5 MB");
  expect(await page.$$("#picked .chip")).toHaveLength(0);

  const before = fake.requests.length;
  const replies = (await page.$$(".msg.assistant")).length;
  await page.setInputFiles("#attach-file", { name: "dot.png", mimeType: "image/png", buffer: png });
  await page.waitForSelector("#picked .chip img.thumb");
  await page.click("#send");
  await page.waitForSelector(".msg.user img.thumb");
  expect(await page.$$("#picked .chip")).toHaveLength(0);
  await page.waitForFunction((n) => {
    const bubbles = Array.from(document.querySelectorAll(".msg.assistant"));
    const last = bubbles[bubbles.length - 1];
    return bubbles.length > n && !last.classList.contains("streaming") && last.textContent?.includes("streamed in pieces.");
  }, replies, { timeout: 10_000 });
  expect(await page.textContent("#chat-error")).toBe("");
  const sent = fake.requests.slice(before).at(-1)?.body.messages.filter((m: any) => m.role === "user").at(-1);
  expect(sent.content).toEqual([{ type: "image_url", image_url: { url: `data:image/png;base64,${png.toString("base64")}` } }]);

  await page.reload();
  await page.waitForSelector(".msg.user img.thumb");
  // user bubble with the image, then the reply
  expect(await page.$$eval("#messages .msg", (els) => els.slice(-2).map((e) => [e.className, e.querySelectorAll("img.thumb").length, e.textContent]))).toEqual([
    ["msg user", 1, ""],
    ["msg assistant", 0, "Hello from the fake model, streamed in pieces."],
  ]);
  const src = await page.$eval(".msg.user img.thumb", (img) => (img as HTMLImageElement).src);
  expect(src).toBe(`data:image/png;base64,${png.toString("base64")}`);
  // the thumbnail really decodes under the page's CSP
  expect(await page.$eval(".msg.user img.thumb", (img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-webchat-image.png"), fullPage: true });
  await page.close();
});
