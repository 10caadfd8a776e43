/**
 * The A2UI host page in a real browser (Debian's chromium, headless), loaded the way a node's WebView loads
 * it: from the capability-scoped `canvasHostUrl` of the node's hello-ok, with no other credential. An
 * operator's `node.invoke canvas.a2ui.pushJSONL` goes through the gateway to the node, which applies it in
 * the page; a button click comes back through the native bridge with its resolved context.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
const run = CHROMIUM || process.env.CI ? test : test.skip;
if (!CHROMIUM && !process.env.CI) console.warn("A2UI browser tests skipped: chromium is not installed (apt-get install chromium)");

/** An unsigned node (shared secret only) is named by its instanceId. */
const NODE_ID = "a2ui-webview-node";
let gw: TestGateway;
let browser: Browser;
let node: SimulatedNode;
let operator: TestSocket;
let page: Page;
/** Problems the page reported: uncaught errors, console errors (CSP violations land there). */
const problems: string[] = [];
/** What the page posted to the native bridge, parsed. */
const posted: any[] = [];

const SURFACE = [
  {
    surfaceUpdate: {
      surfaceId: "main",
      components: [
        { id: "root", component: { Column: { children: { explicitList: ["title", "name", "subscribe", "items", "send"] } } } },
        { id: "title", component: { Text: { text: { literalString: "Order **pizza**" }, usageHint: "h1" } } },
        { id: "name", component: { TextField: { label: { literalString: "Your name" }, text: { path: "/form/name" } } } },
        { id: "subscribe", component: { CheckBox: { label: { literalString: "Subscribe" }, value: { path: "/form/subscribe" } } } },
        { id: "items", component: { List: { children: { template: { componentId: "item", dataBinding: "/items" } } } } },
        { id: "item", component: { Text: { text: { path: "label" } } } },
        { id: "send-label", component: { Text: { text: { literalString: "Send" } } } },
        {
          id: "send",
          component: {
            Button: {
              child: "send-label",
              primary: true,
              action: { name: "submit", context: [{ key: "who", value: { path: "/form/name" } }, { key: "subscribed", value: { path: "/form/subscribe" } }, { key: "source", value: { literalString: "a2ui" } }] },
            },
          },
        },
      ],
    },
  },
  {
    dataModelUpdate: {
      surfaceId: "main",
      contents: [
        { key: "form", valueMap: [{ key: "name", valueString: "" }, { key: "subscribe", valueBoolean: false }] },
        { key: "items", valueMap: [{ key: "0", valueMap: [{ key: "label", valueString: "Margherita" }] }, { key: "1", valueMap: [{ key: "label", valueString: "Funghi" }] }] },
      ],
    },
  },
  { beginRendering: { surfaceId: "main", root: "root" } },
];

beforeAll(async () => {
  if (!CHROMIUM) return;
  gw = await startTestGateway();
  operator = (await connectClient(gw.url, gw.token)).sock;
  node = await SimulatedNode.connect(gw.url, {
    token: gw.token,
    identity: null,
    instanceId: NODE_ID,
    displayName: "WebView node",
    caps: ["canvas"],
    commands: ["canvas.a2ui.pushJSONL", "canvas.a2ui.reset"],
    handlers: {
      // The node hands what the gateway sent to its WebView, as a native app does.
      "canvas.a2ui.pushJSONL": (params) =>
        page.evaluate((jsonl) => (globalThis as any).openclawA2UI.applyMessages(jsonl.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l))), (params as { jsonl: string }).jsonl),
      "canvas.a2ui.reset": () => page.evaluate(() => (globalThis as any).openclawA2UI.reset()),
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 480, height: 720 } });
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.exposeFunction("__testBridgePost", (text: string) => posted.push(JSON.parse(text)));
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  operator?.close();
  node?.close();
  await gw?.stop();
});

run("the node's scoped canvasHostUrl opens the page with no other credential; the page runs under its CSP", async () => {
  const scoped = node.hello.canvasHostUrl as string;
  expect(scoped).toContain("/__openclaw__/cap/");
  // Without the capability: refused.
  expect((await fetch(`http://127.0.0.1:${gw.handle.port}/__openclaw__/a2ui/`)).status).toBe(401);
  const res = await page.goto(`${scoped}/__openclaw__/a2ui/?platform=android`);
  expect(res?.status()).toBe(200);
  expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
  await page.waitForFunction(() => typeof (globalThis as any).openclawA2UI?.applyMessages === "function");
  expect(await page.evaluate(() => document.documentElement.dataset.platform)).toBe("android");
  expect(await page.locator("openclaw-a2ui-host").innerText()).toContain("Waiting for A2UI messages");
  expect(await page.evaluate(() => typeof (globalThis as any).__openclaw?.ctx?.fillRect)).toBe("function");
  // The bridge a native app would install (Android's shape: a string message).
  await page.evaluate(() => {
    (globalThis as any).openclawCanvasA2UIAction = { postMessage: (s: string) => (globalThis as any).__testBridgePost(s) };
  });
  expect(problems).toEqual([]);
});

run("an operator's node.invoke reaches the page through the node and renders the surface", async () => {
  const jsonl = SURFACE.map((m) => JSON.stringify(m)).join("\n");
  const res = await operator.request("node.invoke", { nodeId: NODE_ID, command: "canvas.a2ui.pushJSONL", params: { jsonl }, idempotencyKey: crypto.randomUUID() });
  expect(res.error).toBeUndefined();
  expect(res.payload.payload).toEqual({ ok: true, surfaces: ["main"] });
  const host = page.locator("openclaw-a2ui-host");
  await page.waitForSelector('[data-surface-id="main"] [data-a2ui-id="title"]');
  expect(await host.locator('[data-a2ui-id="title"]').innerText()).toBe("Order pizza");
  expect(await host.locator('[data-a2ui-id="title"] strong, [data-a2ui-id="title"] b').innerText()).toBe("pizza");
  expect(await host.locator('[data-a2ui-id="item"]').allInnerTexts()).toEqual(["Margherita", "Funghi"]);
  expect(await page.evaluate(() => (globalThis as any).openclawA2UI.getSurfaces())).toEqual(["main"]);
});

run("typing and ticking write the data model; a click posts the action with its resolved context", async () => {
  const field = page.locator('[data-a2ui-id="name"] input');
  await field.click();
  await field.pressSequentially("Ada");
  // Each keystroke re-renders what depends on the data; the field keeps focus and caret.
  expect(await page.evaluate(() => document.activeElement?.closest("[data-a2ui-id]")?.getAttribute("data-a2ui-id"))).toBe("name");
  expect(await field.inputValue()).toBe("Ada");
  await page.locator('[data-a2ui-id="subscribe"] input[type="checkbox"]').check();
  await page.locator('[data-a2ui-id="send"] button, button[data-a2ui-id="send"]').first().click();
  await page.waitForFunction(() => (globalThis as any).__openclawLastA2UIAction);
  expect(posted).toHaveLength(1);
  const action = posted[0].userAction;
  expect(action).toMatchObject({ name: "submit", surfaceId: "main", sourceComponentId: "send", context: { who: "Ada", subscribed: true, source: "a2ui" } });
  expect(Number.isNaN(Date.parse(action.timestamp))).toBe(false);
  await page.waitForFunction(() => document.querySelector("openclaw-a2ui-host")?.textContent?.includes("Sending: submit"));
  // The native side acknowledges; the chip moves on, and the next update clears it with a toast.
  await page.evaluate((id) => globalThis.dispatchEvent(new CustomEvent("openclaw:a2ui-action-status", { detail: { id, ok: true } })), action.id);
  await page.waitForFunction(() => document.querySelector("openclaw-a2ui-host")?.textContent?.includes("Working: submit"));
  const update = { dataModelUpdate: { surfaceId: "main", path: "/items", contents: [{ key: "2", valueMap: [{ key: "label", valueString: "Diavola" }] }] } };
  const res = await operator.request("node.invoke", { nodeId: NODE_ID, command: "canvas.a2ui.pushJSONL", params: { jsonl: JSON.stringify(update) }, idempotencyKey: crypto.randomUUID() });
  expect(res.ok).toBe(true);
  await page.waitForFunction(() => document.querySelectorAll('openclaw-a2ui-host [data-a2ui-id="item"]').length === 3);
  expect(await page.locator("openclaw-a2ui-host").innerText()).toContain("Updated: submit");
  // The typed value survived the re-render.
  expect(await field.inputValue()).toBe("Ada");
  await page.screenshot({ path: join(ARTIFACTS, "a2ui.png") });
  expect(problems).toEqual([]);
});

run("a bad batch is refused with the message and field named, and the surface stays as it was", async () => {
  const error = await page.evaluate(() => {
    try {
      (globalThis as any).openclawA2UI.applyMessages([{ deleteSurface: { surfaceId: "main" } }, { surfaceUpdate: { surfaceId: "main", components: [{ id: "x", component: {} }] } }]);
      return "no error";
    } catch (err) {
      return (err as Error).message;
    }
  });
  expect(error).toContain("message 1");
  expect(error).toContain("components[0].component");
  expect(await page.evaluate(() => (globalThis as any).openclawA2UI.getSurfaces())).toEqual(["main"]);
  expect(await page.locator('[data-a2ui-id="item"]').count()).toBe(3);
  expect(await page.evaluate(() => (() => { try { (globalThis as any).openclawA2UI.applyMessages("nope"); } catch (e) { return (e as Error).message; } })())).toBe("A2UI: expected messages array");
});

run("a missing bridge is reported on the page; reset clears every surface", async () => {
  await page.evaluate(() => {
    delete (globalThis as any).openclawCanvasA2UIAction;
  });
  await page.locator('[data-a2ui-id="send"] button, button[data-a2ui-id="send"]').first().click();
  await page.waitForFunction(() => document.querySelector("openclaw-a2ui-host")?.textContent?.includes("Failed: missing native bridge"));
  const res = await operator.request("node.invoke", { nodeId: NODE_ID, command: "canvas.a2ui.reset", params: {}, idempotencyKey: crypto.randomUUID() });
  expect(res.ok).toBe(true);
  expect(await page.evaluate(() => (globalThis as any).openclawA2UI.getSurfaces())).toEqual([]);
  await page.waitForFunction(() => document.querySelector("openclaw-a2ui-host")?.textContent?.includes("Waiting for A2UI messages"));
});

run("the capability dies with the node's connection", async () => {
  const scoped = node.hello.canvasHostUrl as string;
  expect((await fetch(`${scoped}/__openclaw__/a2ui/a2ui.bundle.js`)).status).toBe(200);
  node.close();
  await node.closed;
  // The client saw the close; the server revokes the capability in its own close handler.
  await waitFor(async () => (await fetch(`${scoped}/__openclaw__/a2ui/a2ui.bundle.js`)).status === 401, "the capability revoked");
  const res = await page.goto(`${scoped}/__openclaw__/a2ui/`);
  expect(res?.status()).toBe(401);
});
