/**
 * Canvas host: files on the gateway port and on the canvas port, access by token or a node's capability,
 * traversal refused, live reload on change.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/binary.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { connectClient } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

let gw: TestGateway;
let root: string;
let canvasPort: number;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "openclaw-canvas-"));
  const outside = mkdtempSync(join(tmpdir(), "openclaw-outside-"));
  writeFileSync(join(outside, "secret.txt"), "outside");
  mkdirSync(join(root, "sub"));
  writeFileSync(join(root, "sub", "page.html"), "<html><body><p>hello canvas</p></body></html>");
  writeFileSync(join(root, "data.json"), '{"a":1}');
  symlinkSync(join(outside, "secret.txt"), join(root, "link.txt"));
  canvasPort = freePort();
  gw = await startTestGateway({
    config: { gateway: { mode: "local" }, canvasHost: { root, port: canvasPort, liveReload: true } },
  });
  base = `http://127.0.0.1:${gw.handle.port}`;
  auth = { authorization: `Bearer ${gw.token}` };
});
afterAll(async () => {
  await gw.stop();
});

test("files are served on the gateway port and on the canvas port, with the token", async () => {
  for (const origin of [base, `http://127.0.0.1:${canvasPort}`]) {
    const page = await fetch(`${origin}/__openclaw__/canvas/sub/page.html`, { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain("hello canvas");
    expect(html).toContain("/__openclaw__/ws"); // live-reload script injected
    const json = await fetch(`${origin}/__openclaw__/canvas/data.json`, { headers: auth });
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(await json.json()).toEqual({ a: 1 });
  }
  const index = await fetch(`${base}/__openclaw__/canvas/`, { headers: auth });
  expect(await index.text()).toContain("Canvas"); // default index.html created in the root
});

test("no token, no access; a node's capability opens it (path or query + cookie) and dies with its connection", async () => {
  expect((await fetch(`${base}/__openclaw__/canvas/data.json`)).status).toBe(401);
  expect((await fetch(`${base}/__openclaw__/canvas/data.json`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  const node = await SimulatedNode.connect(gw.url, { token: gw.token, identity: null, instanceId: "canvas-node" });
  const scoped = node.hello.canvasHostUrl as string;
  expect(scoped).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${gw.handle.port}/__openclaw__/cap/[A-Za-z0-9_-]{24}$`));
  const cap = scoped.split("/").pop() as string;

  // Path form: relative links below it keep the capability.
  const viaPath = await fetch(`${scoped}/__openclaw__/canvas/sub/page.html`);
  expect(viaPath.status).toBe(200);
  const html = await viaPath.text();
  expect(html).toContain("hello canvas");
  expect(html).toContain(`/__openclaw__/cap/${cap}/__openclaw__/ws`); // the reload socket is scoped too
  // Query form, then a path-scoped cookie.
  const withCap = await fetch(`${base}/__openclaw__/canvas/data.json?oc_cap=${cap}`);
  expect(withCap.status).toBe(200);
  const cookie = withCap.headers.get("set-cookie") as string;
  expect(cookie).toContain("Path=/__openclaw__/");
  expect(cookie).toContain("HttpOnly");
  expect((await fetch(`${base}/__openclaw__/canvas/sub/page.html`, { headers: { cookie: cookie.split(";")[0] } })).status).toBe(200);
  // The scoped live-reload socket opens with nothing but the URL.
  const reload = new WebSocket(`${scoped.replace("http", "ws")}/__openclaw__/ws`);
  expect(await new Promise((r) => ((reload.onopen = () => r("open")), (reload.onerror = () => r("refused"))))).toBe("open");
  reload.close();

  // A refresh replaces the capability: the new one works, the old one is gone.
  const refreshed = await node.request("node.canvas.capability.refresh", {});
  expect(refreshed.ok).toBe(true);
  expect(refreshed.payload.canvasHostUrl).toBe(`${base}/__openclaw__/cap/${refreshed.payload.canvasCapability}`);
  expect(refreshed.payload.canvasCapabilityExpiresAtMs).toBeGreaterThan(Date.now() + 9 * 60_000);
  expect((await fetch(`${scoped}/__openclaw__/canvas/data.json`)).status).toBe(401);
  const next = refreshed.payload.canvasHostUrl as string;
  expect((await fetch(`${next}/__openclaw__/canvas/data.json`)).status).toBe(200);

  // Gone with the connection: path, query and cookie.
  node.close();
  await node.closed;
  // The client saw the close; the server revokes the capability in its own close handler.
  await waitFor(async () => (await fetch(`${next}/__openclaw__/canvas/data.json`)).status === 401, "the capability revoked");
  expect((await fetch(`${base}/__openclaw__/canvas/data.json?oc_cap=${refreshed.payload.canvasCapability}`)).status).toBe(401);
  expect((await fetch(`${base}/__openclaw__/canvas/sub/page.html`, { headers: { cookie: `oc_canvas=${refreshed.payload.canvasCapability}` } })).status).toBe(401);
  // Being on loopback is not a credential; nor is a made-up capability.
  expect((await fetch(`${base}/__openclaw__/canvas/sub/page.html`, { headers: { cookie: "oc_canvas=forged" } })).status).toBe(401);
  expect((await fetch(`${base}/__openclaw__/cap/AAAAAAAAAAAAAAAAAAAAAAAA/__openclaw__/canvas/data.json`, { headers: auth })).status).toBe(401);
  expect((await fetch(`${base}/__openclaw__/cap/short/__openclaw__/canvas/data.json`, { headers: auth })).status).toBe(404);
});

test("operators get the plain origin; only nodes may refresh a capability", async () => {
  const { sock, hello } = await connectClient(gw.url, gw.token);
  expect(hello.canvasHostUrl).toBe(`http://127.0.0.1:${gw.handle.port}`);
  sock.close();
  const op = await connectClient(gw.url, gw.token);
  const res = await op.sock.request("node.canvas.capability.refresh", {});
  expect(res.ok).toBe(false);
  expect(res.error.message).toBe("unauthorized role: operator");
  op.sock.close();
});

test("traversal and symlinks are refused; only GET/HEAD", async () => {
  // "..", "%2e%2e" are normalized away by the URL parser before they reach us: they leave the canvas and
  // serve no file from outside it.
  for (const path of ["/__openclaw__/canvas/../package.json", "/__openclaw__/canvas/%2e%2e/%2e%2e/etc/passwd"]) {
    const body = await (await fetch(`${base}${path}`, { headers: auth })).text();
    expect(body).not.toContain('"dependencies"');
    expect(body).not.toContain("root:");
  }
  // Encoded slashes survive URL parsing and reach the canvas resolver, which refuses them.
  for (const path of ["/__openclaw__/canvas/sub/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/__openclaw__/canvas/%2e%2e%2fpackage.json", "/__openclaw__/canvas/link.txt"]) {
    const res = await fetch(`${base}${path}`, { headers: auth });
    expect([403, 404]).toContain(res.status);
    expect(await res.text()).not.toContain("outside");
  }
  expect((await fetch(`${base}/__openclaw__/canvas/link.txt`, { headers: auth })).status).toBe(403);
  expect((await fetch(`${base}/__openclaw__/canvas/missing.txt`, { headers: auth })).status).toBe(404);
  const post = await fetch(`${base}/__openclaw__/canvas/data.json`, { method: "POST", headers: auth });
  expect(post.status).toBe(405);
  expect((await fetch(`${base}/__openclaw__/ws`)).status).toBe(426);
});

test("live reload: a file change sends 'reload' on both ports' sockets", async () => {
  const sockets = [base, `http://127.0.0.1:${canvasPort}`].map((origin) => new WebSocket(`${origin.replace("http", "ws")}/__openclaw__/ws`, { headers: auth } as never));
  await Promise.all(sockets.map((ws) => new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)))));
  const got: string[] = [];
  for (const ws of sockets) ws.onmessage = (ev) => got.push(String(ev.data));
  writeFileSync(join(root, "sub", "page.html"), "<html><body><p>changed</p></body></html>");
  await waitFor(() => got.length >= 2, () => `a message on both sockets (got ${JSON.stringify(got)})`);
  expect(got).toEqual(["reload", "reload"]);
  for (const ws of sockets) ws.close();
  // An unauthenticated page cannot listen in.
  const anon = new WebSocket(`${base.replace("http", "ws")}/__openclaw__/ws`);
  const outcome = await new Promise((r) => ((anon.onopen = () => r("open")), (anon.onerror = () => r("refused"))));
  expect(outcome).toBe("refused");
});

