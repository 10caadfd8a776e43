/**
 * The control UI's first-hour fixes in a real browser (Debian's chromium, headless, playwright-core) against
 * an in-process gateway whose model is the local fake provider: nothing but the token form before login,
 * Enter sends, Markdown rendered safely (model HTML stays inert text), a failed run shows its error, tool
 * calls as compact rows, the chat follows the newest message, one presence row per client instance.
 * Each test keeps a screenshot in test-artifacts/.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { agentConfig, connectWebchat, tempWorkspace } from "../helpers/agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
let gw: TestGateway;
let fake: FakeProvider;
let browser: Browser;
let base: string;
/** Pages a test opened; closed after each test even when it fails (an open page stays in presence). */
const pages: Page[] = [];

const run = CHROMIUM || process.env.CI ? test : test.skip;
if (!CHROMIUM && !process.env.CI) console.warn("control UI tests skipped: chromium is not installed (apt-get install chromium)");

beforeAll(async () => {
  if (!CHROMIUM) return;
  fake = startFakeProvider({ fallback: { text: "Fallback reply." } });
  gw = await startTestGateway({ config: agentConfig(fake, tempWorkspace()) });
  base = `http://127.0.0.1:${gw.handle.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close().catch(() => undefined);
});
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  fake?.stop();
});

async function newPage(opts: Parameters<Browser["newPage"]>[0] = {}): Promise<Page> {
  const page = await browser.newPage(opts);
  pages.push(page);
  return page;
}

/** A page logged in with the token (as a returning user: token already in localStorage). */
async function loggedIn(opts: { errors?: string[] } = {}): Promise<Page> {
  const page = await newPage({ viewport: { width: 1100, height: 900 } });
  page.on("pageerror", (e) => opts.errors?.push(e.message));
  page.on("console", (m) => m.type() === "error" && opts.errors?.push(m.text()));
  await page.addInitScript((token) => localStorage.setItem("openclaw.gateway.token", token), gw.token);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  await page.waitForSelector("#messages:not([aria-busy])", { state: "attached" });
  return page;
}

/** Sends a message with the Send button and waits until its run has ended (Send enabled again). */
async function sendAndWait(page: Page, text: string): Promise<void> {
  await page.fill("#chat-input", text);
  await page.click("#send");
  await page.waitForFunction(() => (document.querySelector("#abort") as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
}

/** Messages and tool rows of the conversation, as [kind, text]. */
function conversation(page: Page): Promise<string[][]> {
  return page.$$eval("#messages > *", (els) => els.map((e) => [e.className, (e.textContent ?? "").trim()]));
}

run("before login only the token form shows: no dashboard cards, no chat box", async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector("#login:not([hidden])");
  for (const sel of ["#app", "#chat-input", "#health", "#presence", "#forget"]) expect(await page.isVisible(sel)).toBe(false);
  expect(await page.$eval("#app", (e) => getComputedStyle(e).display)).toBe("none");
  expect(await page.isVisible("#token")).toBe(true);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-login.png"), fullPage: true });
  await page.close();
});

run("a wrong token says where the right one is, and the form to paste it into is the one shown", async () => {
  const page = await newPage();
  await page.goto(`${base}/`);
  await page.fill("#token", "not-the-token");
  await page.click("#token-form button");
  await page.waitForFunction(() => (document.querySelector("#login-error")?.textContent ?? "") !== "");
  const text = (await page.textContent("#login-error")) ?? "";
  expect(text).toStartWith("Wrong token");
  expect(text).toContain("openclaw setup");
  expect(text).toContain("gateway.auth.token");
  expect(text).not.toContain("tokenized dashboard URL");
  expect(text).not.toContain("settings");
  expect(await page.isVisible("#token")).toBe(true);
  expect(await page.isVisible("#app")).toBe(false);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-wrong-token.png"), fullPage: true });
  await page.close();
});

run("Enter sends, Shift+Enter adds a line, Enter during IME composition does not send", async () => {
  const page = await loggedIn();
  const before = fake.requests.length;
  fake.push({ text: "Got both lines." });
  await page.click("#chat-input");
  await page.keyboard.type("line one");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("line two");
  expect(await page.inputValue("#chat-input")).toBe("line one\nline two");
  // an Enter that confirms an IME composition only commits the composed text
  const composingEnterSent = await page.$eval("#chat-input", (el) => {
    const ev = new KeyboardEvent("keydown", { key: "Enter", isComposing: true, bubbles: true, cancelable: true });
    el.dispatchEvent(ev);
    return ev.defaultPrevented;
  });
  expect(composingEnterSent).toBe(false);
  expect(await page.$$(".msg.user")).toHaveLength(0);
  expect(fake.requests.length).toBe(before);

  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector(".msg.assistant")?.textContent === "Got both lines.");
  expect(await page.inputValue("#chat-input")).toBe("");
  expect(await page.textContent(".msg.user")).toBe("line one\nline two");
  expect(fake.requests.at(-1)?.body.messages.at(-1)).toEqual({ role: "user", content: "line one\nline two" });
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-enter-sends.png"), fullPage: true });
  await page.close();
});

const MARKDOWN = [
  "## Plan",
  "",
  "Use **bold**, *italic* and `inline code`.",
  "",
  "1. first",
  "2. second",
  "   - nested",
  "",
  "> a quote",
  "",
  "```ts",
  "const x = 1 < 2;",
  "```",
  "",
  "See [the docs](https://example.com/docs).",
  "",
  "| tool | runs |",
  "|:-----|-----:|",
  "| read | 3 |",
].join("\n");

run("Markdown replies render: headings, emphasis, code, lists, quotes, safe links; live and after a reload", async () => {
  const page = await loggedIn();
  fake.push({ text: MARKDOWN.split(/(?<= )/), delayMs: 25 });
  await page.fill("#chat-input", "format something");
  await page.click("#send");
  // streaming re-renders keep finished blocks: the heading and first paragraph nodes survive to the end
  await page.waitForFunction(() => !!document.querySelector(".msg.streaming ol"), undefined, { timeout: 15_000 });
  await page.$eval(".msg.streaming", (b) => {
    (window as any).__kept = [b.querySelector("h4"), b.querySelector("p")];
  });
  await page.waitForFunction(() => (document.querySelector("#abort") as HTMLButtonElement).disabled, undefined, { timeout: 15_000 });
  expect(await page.$eval(".msg.assistant:last-of-type", (b) => (window as any).__kept.every((n: Node) => n.isConnected && b.contains(n)))).toBe(true);
  const check = async () => {
    const md = await page.$eval(".msg.assistant:last-of-type", (b) => ({
      h: b.querySelector("h4")?.textContent,
      strong: b.querySelector("strong")?.textContent,
      em: b.querySelector("em")?.textContent,
      inline: b.querySelector("p code")?.textContent,
      ol: Array.from(b.querySelectorAll("ol > li")).map((li) => li.firstChild?.textContent),
      nested: b.querySelector("ol ul li")?.textContent,
      quote: b.querySelector("blockquote")?.textContent,
      pre: b.querySelector("pre code")?.textContent,
      lang: b.querySelector("pre code")?.className,
      link: [b.querySelector("a")?.getAttribute("href"), b.querySelector("a")?.getAttribute("rel"), b.querySelector("a")?.getAttribute("target")],
      table: Array.from(b.querySelectorAll("table tr")).map((tr) => Array.from(tr.children).map((c) => `${c.tagName.toLowerCase()}:${c.textContent}`)),
      raw: (b.textContent ?? "").includes("**"),
    }));
    expect(md).toEqual({
      h: "Plan",
      strong: "bold",
      em: "italic",
      inline: "inline code",
      ol: ["first", "second"],
      nested: "nested",
      quote: "a quote",
      pre: "const x = 1 < 2;",
      lang: "language-ts",
      link: ["https://example.com/docs", "noopener noreferrer", "_blank"],
      table: [
        ["th:tool", "th:runs"],
        ["td:read", "td:3"],
      ],
      raw: false,
    });
  };
  await check();
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-markdown.png"), fullPage: true });
  await page.reload();
  await page.waitForSelector(".msg.assistant pre code");
  await check();
  await page.close();
});

const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  "<script>window.__pwned=2</script>",
  "[click me](javascript:window.__pwned=3) and [data](data:text/html,<b>x</b>)",
  '<a href="javascript:window.__pwned=4">raw link</a>',
  "<jAvAsCrIpT:window.__pwned=5>",
  "```html",
  '<img src=y onerror="window.__pwned=6">',
  "```",
].join("\n\n");

run("model output with <img onerror>, <script> and javascript: links renders as inert text", async () => {
  const errors: string[] = [];
  const page = await loggedIn({ errors });
  fake.push({ text: HOSTILE });
  await sendAndWait(page, "be hostile");
  const inspect = () =>
    page.$eval(".msg.assistant:last-of-type", (b) => ({
      elements: Array.from(b.querySelectorAll("*")).map((e) => e.tagName.toLowerCase()).filter((t) => !["p", "br", "pre", "code"].includes(t)),
      hrefs: Array.from(b.querySelectorAll("a")).map((a) => a.getAttribute("href")),
      text: b.textContent,
      pwned: (window as any).__pwned,
    }));
  const check = async () => {
    const r = await inspect();
    expect(r.elements).toEqual([]);
    expect(r.hrefs).toEqual([]);
    expect(r.pwned).toBeUndefined();
    expect(r.text).toContain('<img src=x onerror="window.__pwned=1">');
    expect(r.text).toContain("<script>window.__pwned=2</script>");
    expect(r.text).toContain("click me and data");
    expect(r.text).toContain('<img src=y onerror="window.__pwned=6">');
  };
  await check();
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-hostile-markdown.png"), fullPage: true });
  await page.reload();
  await page.waitForFunction(() => (document.querySelector(".msg.assistant:last-of-type")?.textContent ?? "").includes("__pwned=6"));
  await check();
  expect(errors).toEqual([]);
  await page.close();
});

run("a failed run shows its error in a styled bubble, never an empty one; the same after a reload", async () => {
  const page = await loggedIn();
  fake.push({ status: 400, message: "the model refused <b>this</b>" });
  const bubbles = (await page.$$(".msg.assistant")).length;
  await sendAndWait(page, "fail please");
  const check = async () => {
    const last = await page.$eval(".msg.assistant:last-of-type", (e) => ({ cls: e.className, text: e.textContent, children: e.children.length, color: getComputedStyle(e).color }));
    expect(last.cls).toBe("msg assistant error");
    expect(last.text).toStartWith("Run failed: ");
    expect(last.text).toContain("the model refused <b>this</b>");
    expect(last.children).toBe(0);
    expect(last.color).not.toBe(await page.$eval(".msg.user", (e) => getComputedStyle(e).color));
    const empty = await page.$$eval(".msg", (els) => els.filter((e) => !(e.textContent ?? "").trim() && !e.querySelector("img")).length);
    expect(empty).toBe(0);
  };
  await check();
  expect((await page.$$(".msg.assistant")).length).toBe(bubbles + 1);
  expect(await page.textContent("#chat-error")).toBe("");
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-run-error.png"), fullPage: true });
  await page.reload();
  await page.waitForSelector(".msg.assistant.error");
  await check();
  await page.close();
});

run("an aborted run keeps its partial reply rendered, marked as aborted", async () => {
  const page = await loggedIn();
  fake.push({ hang: true, first: "Partial **answer**" });
  await page.fill("#chat-input", "take your time");
  await page.press("#chat-input", "Enter");
  await page.waitForSelector(".msg.streaming strong");
  await page.click("#abort");
  await page.waitForFunction(() => (document.querySelector("#abort") as HTMLButtonElement).disabled);
  const tail = (await conversation(page)).slice(-2);
  expect(tail).toEqual([
    ["msg assistant", "Partial answer"],
    ["note", "(aborted)"],
  ]);
  expect(await page.$$eval(".msg.assistant", (els) => els.at(-1)?.querySelector("strong")?.textContent)).toBe("answer");
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-aborted.png"), fullPage: true });
});

run("a dropped connection during a run does not leave Send disabled after the page reconnects", async () => {
  const page = await loggedIn();
  fake.push({ hang: true, first: "Still thinking" });
  await page.fill("#chat-input", "slow one");
  await page.press("#chat-input", "Enter");
  await page.waitForSelector(".msg.streaming");
  expect(await page.isDisabled("#send")).toBe(true);
  expect(gw.handle.ctx.connections.closeWhere((c) => c.id === "openclaw-control-ui", 1012, "test drop")).toBe(1);
  await page.waitForFunction(() => document.querySelector("#conn")?.textContent === "disconnected");
  await page.waitForFunction(() => document.querySelector("#conn")?.textContent?.startsWith("connected"), undefined, { timeout: 15_000 });
  await page.waitForFunction(() => !(document.querySelector("#send") as HTMLButtonElement).disabled);
  expect(await page.isDisabled("#abort")).toBe(true);
  // the hanging run is still going on the gateway; stop it so later tests get their own replies
  const sock = await connectWebchat(gw.url, gw.token);
  try {
    expect((await sock.request("chat.abort", { sessionKey: "agent:main:main" })).ok).toBe(true);
  } finally {
    sock.close();
  }
});

test("the bundled app.js has no HTML-parsing sink (innerHTML and friends)", async () => {
  const { APP_JS } = await import("../../src/ui/generated/assets.ts");
  for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser", "createContextualFragment", "srcdoc", "eval(", "new Function"]) {
    expect(APP_JS.includes(sink)).toBe(false);
  }
});

run("tool calls show as compact rows between the reply's parts, live and from history", async () => {
  const page = await loggedIn();
  fake.push(
    { toolCalls: [{ id: "call_list", name: "sessions_list", args: {} }], text: "Let me check your sessions." },
    { toolCalls: [{ id: "call_missing", name: "no_such_tool", args: { query: "x".repeat(300) } }] },
    { text: "You have **some** sessions." },
  );
  await sendAndWait(page, "what sessions do I have?");
  const tail = async () => (await conversation(page)).slice(-4);
  const check = async () => {
    const rows = await tail();
    expect(rows[0]).toEqual(["msg assistant", "Let me check your sessions."]);
    expect(rows[1][0]).toBe("tool ok");
    expect(rows[1][1]).toStartWith("sessions_listdone");
    expect(rows[2][0]).toBe("tool error");
    expect(rows[2][1]).toStartWith("no_such_toolfailed");
    expect(rows[3]).toEqual(["msg assistant", "You have some sessions."]);
    // the preview is one short line
    const preview = await page.$$eval(".tool .tool-preview", (els) => els.map((e) => e.textContent ?? ""));
    for (const p of preview) expect(p.length).toBeLessThanOrEqual(81);
  };
  await check();
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-tool-rows.png"), fullPage: true });
  await page.reload();
  await page.waitForSelector(".tool.error");
  await check();
  await page.close();
});

run("the chat follows the newest message, unless the user scrolled up to read", async () => {
  const page = await loggedIn();
  const long = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join("\n\n");
  fake.push({ text: long });
  await sendAndWait(page, "a long answer please");
  const pos = () => page.$eval("#messages", (b) => ({ top: b.scrollTop, gap: b.scrollHeight - b.scrollTop - b.clientHeight }));
  expect((await pos()).gap).toBeLessThanOrEqual(2);

  // the user scrolls up; a reply from elsewhere (another WebChat client on the same session) arrives
  await page.$eval("#messages", (b) => {
    b.scrollTop = 0;
    b.dispatchEvent(new Event("scroll"));
  });
  const other = await connectWebchat(gw.url, gw.token);
  try {
    fake.push({ text: "From the other client." });
    const count = (await page.$$(".msg.assistant")).length;
    await other.request("chat.send", { sessionKey: "agent:main:main", message: "hello from elsewhere", idempotencyKey: crypto.randomUUID() });
    await page.waitForFunction((n) => document.querySelectorAll(".msg.assistant").length > n && !document.querySelector(".msg.streaming"), count);
    expect((await pos()).top).toBe(0);
  } finally {
    other.close();
  }

  // sending again jumps back to the newest
  fake.push({ text: long });
  await sendAndWait(page, "again");
  expect((await pos()).gap).toBeLessThanOrEqual(2);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-scroll.png") });
  await page.close();
});

run("presence: one row per client instance; reloads and departed tabs do not pile up disconnect rows", async () => {
  const page = await loggedIn();
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  }
  const other = await loggedIn();
  const rows = () => page.$$eval("#presence li", (els) => els.map((e) => e.textContent ?? ""));
  await page.waitForFunction(() => document.querySelectorAll("#presence li").length === 3);
  expect((await rows()).filter((r) => r.includes("(this tab)"))).toHaveLength(1);
  expect((await rows())[0]).toContain("(gateway)");
  await other.close();
  await page.waitForFunction(() => document.querySelectorAll("#presence li").length === 2);
  const list = await rows();
  expect(list.some((r) => r.includes("disconnect"))).toBe(false);
  expect(list[1]).toContain("(this tab)");
  // the gateway's table still has the departed rows for a while; the page just does not show them
  const table = gw.handle.ctx.presence.list();
  expect(table.filter((e: any) => e.reason === "disconnect").length).toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-presence.png"), fullPage: true });
  await page.close();
});
