/**
 * `browser.request` over a real gateway socket: proxied in process to the browser control service on
 * gateway port + 2, with path checks, error mapping and WRITE scope.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomRangeStart, skipWithoutBrowser, startTestPage } from "../../helpers/browser.ts";
import { startTestGateway, type TestGateway } from "../../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const SKIP_E2E = skipWithoutBrowser();

describe("browser.request", () => {
  let gw: TestGateway;
  let sock: TestSocket;
  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        gateway: { mode: "local", auth: { token: "test-token-0123456789abcdef0123456789abcdef" } },
        browser: { headless: true, noSandbox: true, cdpPortRangeStart: randomRangeStart() },
      },
    });
    ({ sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.write"] }));
  });
  afterAll(async () => {
    sock?.close();
    await gw?.stop();
  });

  test("the service listens on gateway port + 2 and answers status", async () => {
    const control = gw.handle.ctx.browserControl;
    // Port + 2 of a random test port can be taken; then the gateway runs on without browser control.
    if (!control) return;
    expect(control.port).toBe(gw.handle.port + 2);
    const res = await sock.request("browser.request", { method: "GET", path: "/" });
    expect(res.ok).toBe(true);
    expect(res.payload).toMatchObject({ profile: "openclaw", running: false, enabled: true });
    const byQuery = await sock.request("browser.request", { method: "GET", path: "/", query: { profile: "nope" } });
    expect(byQuery.ok).toBe(false);
    expect(byQuery.error).toMatchObject({ code: "INVALID_REQUEST", details: { status: 404, code: "PROFILE_NOT_FOUND" } });
    expect(byQuery.error.message).toContain('unknown browser profile "nope"');
  });

  test("method and path are checked: no traversal, no other hosts", async () => {
    if (!gw.handle.ctx.browserControl) return;
    for (const params of [
      { method: "PUT", path: "/" },
      { method: "GET" },
      { method: "GET", path: "tabs" },
      { method: "GET", path: "/../etc/passwd" },
      { method: "GET", path: "/tabs/../start" },
      { method: "GET", path: "//example.com/" },
      { method: "GET", path: "/tabs/%2e%2e/x" },
      { method: "GET", path: "/tabs\\x" },
    ]) {
      const res = await sock.request("browser.request", params);
      expect({ params, ok: res.ok, code: res.error?.code }).toEqual({ params, ok: false, code: "INVALID_REQUEST" });
      expect(res.error.message).toStartWith("browser.request:");
    }
    const bad = await sock.request("browser.request", { method: "POST", path: "/tabs/open", body: { url: "file:///etc/passwd" } });
    expect(bad.error).toMatchObject({ code: "INVALID_REQUEST", details: { status: 400, code: "BAD_REQUEST" } });
  });

  test("needs operator.write", async () => {
    const { sock: reader } = await connectClient(gw.url, gw.token, { scopes: ["operator.read"] });
    const res = await reader.request("browser.request", { method: "GET", path: "/" });
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.write" });
    reader.close();
  });

  // The test page is on loopback: only an operator.admin caller may open it (test/security/browser-network.test.ts).
  test.skipIf(SKIP_E2E)("drives chromium: open, snapshot, screenshot as base64 PNG, stop", async () => {
    if (!gw.handle.ctx.browserControl) return;
    const page = startTestPage();
    const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.admin"] });
    try {
      const opened = await sock.request("browser.request", { method: "POST", path: "/tabs/open", body: { url: page.url }, timeoutMs: 30_000 });
      expect(opened.ok).toBe(true);
      const snap = await sock.request("browser.request", { method: "GET", path: "/snapshot", query: { targetId: opened.payload.targetId } });
      expect(snap.payload.snapshot).toContain('button "Press me"');
      const shot = await sock.request("browser.request", { method: "POST", path: "/screenshot" });
      expect(shot.payload).toMatchObject({ contentType: "image/png", encoding: "base64" });
      expect([...Buffer.from(shot.payload.data, "base64").subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      expect((await sock.request("browser.request", { method: "POST", path: "/stop" })).payload).toMatchObject({ stopped: true });
    } finally {
      sock.close();
      page.stop();
    }
  }, 60_000);
});

describe("browser.enabled=false", () => {
  test("no service; browser.request is UNAVAILABLE", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local" }, browser: { enabled: false } } });
    try {
      expect(gw.handle.ctx.browserControl).toBeUndefined();
      const { sock } = await connectClient(gw.url, gw.token);
      const res = await sock.request("browser.request", { method: "GET", path: "/" });
      expect(res.error).toMatchObject({ code: "UNAVAILABLE" });
      expect(res.error.message).toContain("browser.enabled=false");
      sock.close();
    } finally {
      await gw.stop();
    }
  });
});
