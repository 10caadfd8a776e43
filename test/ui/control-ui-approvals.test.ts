/**
 * Pending exec approvals in the control UI (headless chromium, a real in-process gateway): a second client
 * raises `exec.approval.request`; the page shows the command, directory, agent, resolved path and expiry
 * with Allow once / Always / Deny; a click answers the requester with that decision; a request answered
 * elsewhere disappears; the command is shown as text. A connection whose hello grants no operator.approvals
 * shows no approvals at all.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser");
const ARTIFACTS = resolve(import.meta.dir, "../../test-artifacts");
let gw: TestGateway;
let browser: Browser;
let base: string;
const cleanups: (() => unknown)[] = [];

const run = CHROMIUM || process.env.CI ? test : test.skip;
if (!CHROMIUM && !process.env.CI) console.warn("control UI approval tests skipped: chromium is not installed (apt-get install chromium)");

beforeAll(async () => {
  if (!CHROMIUM) return;
  gw = await startTestGateway();
  base = `http://127.0.0.1:${gw.handle.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

async function requester(): Promise<TestSocket> {
  const { sock } = await connectClient(gw.url, gw.token, { role: "operator", scopes: ["operator.approvals"], client: { id: "cli", version: "1.0.0", platform: "linux", mode: "cli" } });
  cleanups.push(() => sock.close());
  return sock;
}

async function openPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  cleanups.push(() => page.close());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  cleanups.push(() => expect(errors).toEqual([]));
  await page.addInitScript((token) => localStorage.setItem("openclaw.gateway.token", token), gw.token);
  return page;
}

const isRes = (id: string) => (f: any) => f.type === "res" && f.id === id;
const isEvent = (name: string) => (f: any) => f.type === "event" && f.event === name;

/** Raises a request without waiting for its answer; returns the frame id to wait on and the approval id. */
async function raise(sock: TestSocket, frameId: string, params: Record<string, unknown>): Promise<string> {
  sock.send({ type: "req", id: frameId, method: "exec.approval.request", params: { timeoutMs: 120_000, ...params } });
  return (await sock.nextMatching(isEvent("exec.approval.requested"))).payload.id;
}

const item = (id: string) => `#approvals li[data-id="${id}"]`;

run("a request from another client: shown with its details; Allow once and Always answer the requester; Deny too", async () => {
  const page = await openPage();
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  expect(await page.isVisible("#approvals-card")).toBe(false);

  const sock = await requester();
  const once = await raise(sock, "r1", { command: "df -h /srv <b>bold</b>", cwd: "/srv/app", agentId: "main", resolvedPath: "/usr/bin/df", host: "gateway", sessionKey: "agent:main:main" });
  await page.waitForSelector(item(once));
  expect(await page.isVisible("#approvals-card")).toBe(true);
  // Shown as text: the markup in the command is not parsed.
  expect(await page.textContent(`${item(once)} .approval-command`)).toBe("df -h /srv <b>bold</b>");
  expect(await page.locator(`${item(once)} b`).count()).toBe(0);
  expect(await page.textContent(`${item(once)} .approval-cwd`)).toBe("/srv/app");
  expect(await page.textContent(`${item(once)} .approval-agent`)).toBe("main");
  expect(await page.textContent(`${item(once)} .approval-path`)).toBe("/usr/bin/df");
  expect(await page.textContent(`${item(once)} .approval-expiry`)).toMatch(/^expires in (2m 0s|1m \d+s)$/);
  await page.screenshot({ path: join(ARTIFACTS, "control-ui-approvals.png"), fullPage: true });

  await page.click(`${item(once)} button:has-text("Allow once")`);
  const answer = await sock.nextMatching(isRes("r1"));
  expect(answer.ok).toBe(true);
  expect(answer.payload).toMatchObject({ id: once, decision: "allow-once" });
  await page.waitForSelector(item(once), { state: "detached" });
  await page.waitForSelector("#approvals-card", { state: "hidden" });

  const always = await raise(sock, "r2", { command: "uptime", resolvedPath: "/usr/bin/uptime" });
  const denied = await raise(sock, "r3", { command: "rm -rf /" });
  await page.waitForSelector(item(denied));
  expect(await page.$$eval("#approvals li", (els) => els.map((e) => (e as HTMLElement).dataset.id))).toEqual([always, denied]);
  // No cwd given: no empty row for it.
  expect(await page.locator(`${item(denied)} .approval-cwd`).count()).toBe(0);
  await page.click(`${item(always)} button:has-text("Always")`);
  expect((await sock.nextMatching(isRes("r2"))).payload).toMatchObject({ id: always, decision: "allow-always" });
  await page.click(`${item(denied)} button:has-text("Deny")`);
  expect((await sock.nextMatching(isRes("r3"))).payload).toMatchObject({ id: denied, decision: "deny" });
  await page.waitForSelector("#approvals-card", { state: "hidden" });
});

run("answered elsewhere: the entry goes away", async () => {
  const page = await openPage();
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  const sock = await requester();
  const id = await raise(sock, "r4", { command: "ls" });
  await page.waitForSelector(item(id));
  const other = await requester();
  expect((await other.request("exec.approval.resolve", { id, decision: "deny" })).ok).toBe(true);
  expect((await sock.nextMatching(isRes("r4"))).payload).toMatchObject({ id, decision: "deny" });
  await page.waitForSelector(item(id), { state: "detached" });
  expect(await page.isVisible("#approvals-card")).toBe(false);
});

run("a connection granted no operator.approvals shows no approvals card", async () => {
  const page = await openPage();
  // Stand in for a paired device whose token grants read only: the hello says which scopes were granted.
  await page.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((msg) => {
      const f = JSON.parse(String(msg));
      if (f.type === "res" && f.id === "connect" && f.ok) f.payload.auth = { deviceToken: "t", role: "operator", scopes: ["operator.read"] };
      ws.send(JSON.stringify(f));
    });
  });
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelector("#health")?.textContent?.startsWith("OK"));
  const sock = await requester();
  const id = await raise(sock, "r5", { command: "whoami" });
  // The page's socket (really admin) got the event too. Frames on one socket arrive in order, so once the
  // presence of a client connected afterwards shows on the page, the approval event has been handled.
  const { sock: later } = await connectClient(gw.url, gw.token, { role: "operator", scopes: ["operator.read"], client: { id: "test", version: "1.0.0", platform: "linux", mode: "test", displayName: "barrier-client" } });
  cleanups.push(() => later.close());
  await page.waitForFunction(() => (document.querySelector("#presence")?.textContent ?? "").includes("barrier-client"));
  expect(await page.locator("#approvals li").count()).toBe(0);
  expect(await page.isVisible("#approvals-card")).toBe(false);
  expect((await sock.request("exec.approval.resolve", { id, decision: "deny" })).ok).toBe(true);
});
