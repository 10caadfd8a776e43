/**
 * The control UI served by the compiled binary (temp HOME, model = the local fake provider), in headless
 * chromium: only the token form before login, a wrong token says where the right one is, Enter sends, the
 * reply renders as Markdown with model HTML left inert, a tool call shows as a row, a failed run shows its
 * error. Screenshot in test-artifacts/.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
const TOKEN = "ui-e2e-token-0123456789abcdef0123456789abcdef";
let fake: FakeProvider;
let browser: Browser;
let home: string;
let gw: Awaited<ReturnType<typeof startBinaryGateway>> | undefined;

const run = CHROMIUM || process.env.CI ? test : test.skip;
if (!CHROMIUM && !process.env.CI) console.warn("control UI e2e skipped: chromium is not installed (apt-get install chromium)");

beforeAll(async () => {
  if (!CHROMIUM) return;
  await ensureBinary();
  fake = startFakeProvider();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  gw?.proc.kill("SIGKILL");
  fake?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

run("compiled binary: login, Enter sends, Markdown reply with inert HTML, a tool row, a failed run", async () => {
  home = tempHome();
  const port = freePort();
  const workspace = join(home, "workspace");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  writeFileSync(
    join(home, ".openclaw", "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local", port, auth: { token: TOKEN } },
      models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
      agents: { defaults: { model: "local/m1", workspace } },
    }),
  );
  gw = await startBinaryGateway(["gateway"], { home });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);

  // before login: the token form only
  await page.waitForSelector("#login:not([hidden])");
  expect(await page.isVisible("#app")).toBe(false);
  expect(await page.isVisible("#chat-input")).toBe(false);

  await page.fill("#token", "wrong");
  await page.press("#token", "Enter");
  await page.waitForFunction(() => (document.querySelector("#login-error")?.textContent ?? "").startsWith("Wrong token"));
  expect(await page.textContent("#login-error")).toContain("openclaw setup");

  await page.fill("#token", TOKEN);
  await page.press("#token", "Enter");
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  await page.waitForSelector("#messages:not([aria-busy])", { state: "attached" });
  expect(await page.isVisible("#login")).toBe(false);

  fake.push(
    { toolCalls: [{ id: "call_1", name: "sessions_list", args: {} }], text: "Checking." },
    { text: 'Here is **bold** and `code`.\n\n- one\n- two\n\n<img src=x onerror="window.__pwned=1"> [x](javascript:window.__pwned=2)' },
  );
  await page.fill("#chat-input", "hello");
  await page.press("#chat-input", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".msg.assistant").length === 2 && !document.querySelector(".msg.streaming") && (document.querySelector("#abort") as HTMLButtonElement).disabled);
  const convo = await page.$$eval("#messages > *", (els) => els.map((e) => [e.className, (e.textContent ?? "").trim()]));
  expect(convo[0]).toEqual(["msg user", "hello"]);
  expect(convo[1]).toEqual(["msg assistant", "Checking."]);
  expect(convo[2][0]).toBe("tool ok");
  expect(convo[2][1]).toStartWith("sessions_listdone");
  expect(convo[3][1]).toContain('<img src=x onerror="window.__pwned=1"> x');
  const reply = await page.$eval(".msg.assistant:last-of-type", (b) => ({
    strong: b.querySelector("strong")?.textContent,
    code: b.querySelector("code")?.textContent,
    items: b.querySelectorAll("ul > li").length,
    img: b.querySelectorAll("img").length,
    links: b.querySelectorAll("a").length,
    pwned: (window as any).__pwned,
  }));
  expect(reply).toEqual({ strong: "bold", code: "code", items: 2, img: 0, links: 0, pwned: undefined });

  fake.push({ status: 400, message: "model said no" });
  await page.fill("#chat-input", "now fail");
  await page.press("#chat-input", "Enter");
  await page.waitForSelector(".msg.assistant.error");
  expect(await page.textContent(".msg.assistant.error")).toBe("Run failed: local returned HTTP 400: model said no");
  expect(await page.$$eval(".msg", (els) => els.filter((e) => !(e.textContent ?? "").trim()).length)).toBe(0);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-e2e-binary.png"), fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
  gw = undefined;
});
