/**
 * The whole A2UI loop, every hop real: an agent run's `canvas` tool pushes a form through the gateway to a
 * node, whose WebView (headless chromium on the node's capability URL) renders it; the user types and
 * clicks; the page's action goes over the native bridge to the node, which sends `node.event agent.request`;
 * the gateway runs the agent with it, and that run pushes the next surface back to the same page.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { type AgentGateway, agentConfig, collectUntil, connectOperator, startAgentGateway, tempWorkspace } from "../helpers/agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import type { TestSocket } from "../helpers/ws.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
const run = CHROMIUM || process.env.CI ? test : test.skip;
const NODE_ID = "loop-webview-node";

const jsonl = (...messages: unknown[]) => messages.map((m) => JSON.stringify(m)).join("\n");
const FORM = jsonl(
  {
    surfaceUpdate: {
      surfaceId: "main",
      components: [
        { id: "root", component: { Column: { children: { explicitList: ["ask", "name", "send"] } } } },
        { id: "ask", component: { Text: { text: { literalString: "What is your name?" } } } },
        { id: "name", component: { TextField: { label: { literalString: "Name" }, text: { path: "/name" } } } },
        { id: "send-label", component: { Text: { text: { literalString: "Send" } } } },
        { id: "send", component: { Button: { child: "send-label", action: { name: "greet", context: [{ key: "name", value: { path: "/name" } }] } } } },
      ],
    },
  },
  { beginRendering: { surfaceId: "main", root: "root" } },
);
const THANKS = jsonl(
  { deleteSurface: { surfaceId: "main" } },
  { surfaceUpdate: { surfaceId: "thanks", components: [{ id: "t", component: { Text: { text: { literalString: "Nice to meet you, Ada." }, usageHint: "h2" } } }] } },
  { beginRendering: { surfaceId: "thanks", root: "t" } },
);

let fake: FakeProvider;
let gw: AgentGateway;
let workspace: string;
let operator: TestSocket;
let node: SimulatedNode;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!CHROMIUM) return;
  fake = startFakeProvider();
  workspace = tempWorkspace();
  gw = await startAgentGateway(agentConfig(fake, workspace));
  operator = await connectOperator(gw.url);
  node = await SimulatedNode.connect(gw.url, {
    token: TEST_TOKEN,
    identity: null,
    instanceId: NODE_ID,
    caps: ["canvas"],
    commands: ["canvas.a2ui.pushJSONL", "canvas.a2ui.reset"],
    handlers: {
      "canvas.a2ui.pushJSONL": (params) =>
        page.evaluate((text) => (globalThis as any).openclawA2UI.applyMessages(text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l))), (params as { jsonl: string }).jsonl),
    },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  page = await browser.newPage();
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  // The native side of the bridge: what a node app does with a user action.
  await page.exposeFunction("__nativeBridge", async (text: string) => {
    const { userAction } = JSON.parse(text);
    const res = await node.request("node.event", {
      event: "agent.request",
      payload: { message: `A2UI action ${userAction.name} on ${userAction.surfaceId}: ${JSON.stringify(userAction.context)}`, key: userAction.id },
    });
    await page.evaluate(([id, ok]) => globalThis.dispatchEvent(new CustomEvent("openclaw:a2ui-action-status", { detail: { id, ok } })), [userAction.id, res.ok] as const);
  });
  await page.goto(`${node.hello.canvasHostUrl}/__openclaw__/a2ui/`);
  await page.waitForFunction(() => typeof (globalThis as any).openclawA2UI?.applyMessages === "function");
  await page.evaluate(() => {
    (globalThis as any).openclawCanvasA2UIAction = { postMessage: (s: string) => (globalThis as any).__nativeBridge(s) };
  });
});
afterAll(async () => {
  await browser?.close();
  node?.close();
  operator?.close();
  await gw?.stop();
  fake?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

run("agent → canvas tool → node → page, then page → node event → agent → page", async () => {
  // 1. An operator's run shows the form on the node.
  fake.push({ toolCalls: [{ id: "call-form", name: "canvas", args: { action: "a2ui_push", jsonl: FORM } }] }, { text: "The form is on your screen." });
  operator.send({ type: "req", id: "show-form", method: "agent", params: { message: "Ask me for my name on the canvas", idempotencyKey: "show-form" } });
  const frames = await collectUntil(operator, (f) => f.type === "res" && f.id === "show-form" && f.payload?.status !== "accepted", 20_000);
  expect(frames.at(-1).payload.status).toBe("ok");
  await page.waitForSelector('[data-a2ui-id="name"] input');
  expect(await page.locator('[data-a2ui-id="ask"]').innerText()).toBe("What is your name?");

  // 2. The user answers on the page; the action's context reaches the model through the node.
  fake.push({ toolCalls: [{ id: "call-thanks", name: "canvas", args: { action: "a2ui_push", jsonl: THANKS } }] }, { text: "Greeted." });
  const before = fake.requests.length;
  await page.locator('[data-a2ui-id="name"] input').fill("Ada");
  await page.locator('[data-a2ui-id="send"] button, button[data-a2ui-id="send"]').first().click();

  // 3. That run pushes the next surface to the same page.
  await page.waitForSelector('[data-surface-id="thanks"] [data-a2ui-id="t"]', { timeout: 20_000 });
  expect(await page.locator('[data-a2ui-id="t"]').innerText()).toBe("Nice to meet you, Ada.");
  expect(await page.evaluate(() => (globalThis as any).openclawA2UI.getSurfaces())).toEqual(["thanks"]);
  const prompt = JSON.stringify(fake.requests.slice(before)[0]?.body.messages);
  expect(prompt).toContain("A2UI action greet on main");
  expect(prompt).toContain('\\"name\\":\\"Ada\\"');
  // The node's run is kept in the node's own session.
  const sessions = await operator.request("sessions.list", {});
  expect(sessions.payload.sessions.map((s: { key: string }) => s.key)).toContain(`agent:main:node-${NODE_ID}`);
  expect(problems).toEqual([]);
});
