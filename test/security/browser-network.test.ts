/**
 * The managed browser is not a way around the network rules (issue 17 §5), with headless Chromium:
 * - through the real gateway, an operator.write client can neither open nor navigate to loopback,
 *   private or link-local addresses, nor file: URLs, nor read (snapshot/screenshot/act) a tab an admin
 *   opened on an internal page; an operator.admin client can;
 * - inside the browser every request is checked: a public page's redirect, link click, iframe, fetch and
 *   popup towards an internal address never reach it (a test resolver maps public.test to a public IP,
 *   while Chromium's host rules send it to a loopback server);
 * - while the managed browser runs, no process of its tree listens on a TCP port (DevTools is a pipe).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserControlHandle, startBrowserControl } from "../../src/browser/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { safeEqual } from "../../src/gateway/auth.ts";
import { skipWithoutBrowser, TOKEN } from "../helpers/browser.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

const SKIP = skipWithoutBrowser();

/** A loopback service standing for an internal one; counts every request. */
function startInternal() {
  const hits: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      hits.push(new URL(req.url).pathname);
      return new Response("<title>internal</title><h1>INTERNAL-SECRET-4711</h1>", { headers: { "content-type": "text/html" } });
    },
  });
  return { hits, port: server.port as number, url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

describe.skipIf(SKIP)("browser.request through the gateway", () => {
  let gw: TestGateway;
  let writer: TestSocket;
  let admin: TestSocket;
  const internal = startInternal();
  beforeAll(async () => {
    gw = await startTestGateway({
      config: { gateway: { mode: "local", auth: { token: "browser-net-token-0123456789abcdef0123" } }, browser: { headless: true, noSandbox: true } },
    });
    ({ sock: writer } = await connectClient(gw.url, gw.token, { scopes: ["operator.write"] }));
    ({ sock: admin } = await connectClient(gw.url, gw.token, { scopes: ["operator.admin"] }));
  });
  afterAll(async () => {
    writer?.close();
    admin?.close();
    await gw?.stop();
    internal.stop();
  });

  const browser = (sock: TestSocket, method: string, path: string, body?: Record<string, unknown>, query?: Record<string, string>) =>
    sock.request("browser.request", { method, path, ...(body && { body }), ...(query && { query }), timeoutMs: 45_000 });

  test("operator.write: loopback, private, link-local and file: URLs are refused; the internal service is never asked", async () => {
    const urls = [
      `${internal.url}/`,
      `http://localhost:${internal.port}/`,
      `http://[::ffff:127.0.0.1]:${internal.port}/`,
      `http://2130706433:${internal.port}/`,
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.1/",
      "http://[::1]/",
    ];
    for (const url of urls) {
      for (const path of ["/tabs/open", "/navigate"]) {
        const res = await browser(writer, "POST", path, { url });
        expect({ url, path, ok: res.ok }).toEqual({ url, path, ok: false });
        expect(res.error.details).toMatchObject({ status: 403, code: "PRIVATE_ADDRESS" });
      }
    }
    for (const url of ["file:///etc/passwd", "chrome://version", "view-source:http://127.0.0.1/"]) {
      const res = await browser(writer, "POST", "/navigate", { url });
      expect({ url, ok: res.ok }).toEqual({ url, ok: false });
    }
    expect(internal.hits).toEqual([]);
  }, 90_000);

  test("an admin's internal tab cannot be read by operator.write; admin can open and read it", async () => {
    const opened = await browser(admin, "POST", "/tabs/open", { url: `${internal.url}/admin-page` });
    expect(opened.error).toBeUndefined();
    const targetId = opened.payload.targetId;
    const snap = await browser(admin, "GET", "/snapshot", undefined, { targetId });
    expect(snap.payload.snapshot).toContain("INTERNAL-SECRET-4711");

    const read = await browser(writer, "GET", "/snapshot", undefined, { targetId });
    expect(read.ok).toBe(false);
    expect(read.error.details).toMatchObject({ status: 403, code: "PRIVATE_ADDRESS" });
    expect(JSON.stringify(read)).not.toContain("INTERNAL-SECRET-4711");
    const shot = await browser(writer, "POST", "/screenshot", { targetId });
    expect(shot.error.details).toMatchObject({ status: 403, code: "PRIVATE_ADDRESS" });
    const act = await browser(writer, "POST", "/act", { kind: "press", key: "F5", targetId });
    expect(act.error.details).toMatchObject({ status: 403, code: "PRIVATE_ADDRESS" });
    await browser(admin, "POST", "/stop");
  }, 90_000);

  test("GET /tabs lists an admin's internal tab (title, URL) to admins only; public tabs to everyone", async () => {
    const internalTab = await browser(admin, "POST", "/tabs/open", { url: `${internal.url}/admin-tabs-page` });
    expect(internalTab.error).toBeUndefined();
    const publicTab = await browser(writer, "POST", "/tabs/open", { url: "about:blank" });
    expect(publicTab.error).toBeUndefined();

    const forAdmin = await browser(admin, "GET", "/tabs");
    expect(forAdmin.payload.tabs).toContainEqual(expect.objectContaining({ targetId: internalTab.payload.targetId, url: `${internal.url}/admin-tabs-page`, title: "internal" }));
    const forWriter = await browser(writer, "GET", "/tabs");
    expect(forWriter.payload.running).toBe(true);
    expect(forWriter.payload.tabs.map((t: { targetId: string }) => t.targetId)).toContain(publicTab.payload.targetId);
    expect(forWriter.payload.tabs.map((t: { targetId: string }) => t.targetId)).not.toContain(internalTab.payload.targetId);
    expect(JSON.stringify(forWriter)).not.toContain("admin-tabs-page");
    expect(JSON.stringify(forWriter)).not.toContain(`127.0.0.1:${internal.port}`);
    await browser(admin, "POST", "/stop");
  }, 90_000);
});

/** The pids of `root` and all its descendants. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return out;
}

/** Ports on which any of `pids` has a listening TCP socket (IPv4 and IPv6). */
function listeningPorts(pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m) inodes.add(m[1] as string);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // gone meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A = LISTEN; column 9 is the inode.
      if (cols[3] === "0A" && inodes.has(cols[9] as string)) ports.push(Number.parseInt((cols[1] as string).split(":")[1] as string, 16));
    }
  }
  return ports;
}

describe.skipIf(SKIP)("inside the browser: every hop is checked; DevTools is not on a port", () => {
  let control: BrowserControlHandle;
  let stateDir: string;
  const internal = startInternal();
  // "public.test" stands for a public site: our resolver says 93.184.216.34, Chromium's host rules send it here.
  const siteHits: string[] = [];
  const site: ReturnType<typeof Bun.serve> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req): Response => {
      const path = new URL(req.url).pathname;
      siteHits.push(path);
      if (path === "/redirect") return Response.redirect(`${internal.url}/via-redirect`, 302);
      if (path === "/redirect-twice") return Response.redirect(`http://public.test:${site.port}/redirect`, 302);
      const html = `<title>public</title><h1>Public page</h1><a href="${internal.url}/via-link">Internal link</a>
<iframe src="${internal.url}/via-iframe"></iframe><img src="${internal.url}/via-img">
<script>fetch("${internal.url}/via-fetch").catch(() => {}); ${path === "/popup" ? `window.open("${internal.url}/via-popup");` : ""}</script>`;
      return new Response(html, { headers: { "content-type": "text/html" } });
    },
  });
  const publicUrl = (path: string) => `http://public.test:${site.port}${path}`;
  const call = async (method: string, path: string, body?: Record<string, unknown>, privileged = false) => {
    const res = await control.fetch(
      new Request(`${control.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, ...(body && { body: JSON.stringify(body) }) }),
      { privileged },
    );
    return { status: res.status, body: (await res.json()) as any };
  };
  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "openclaw-browser-net-"));
    const config: OpenClawConfig = { browser: { headless: true, noSandbox: true, extraArgs: [`--host-resolver-rules=MAP public.test 127.0.0.1`] } };
    control = await startBrowserControl({
      port: 0,
      stateDir,
      config: () => config,
      verifyToken: (p) => safeEqual(p, TOKEN),
      resolveHost: async (host) => (host === "public.test" ? ["93.184.216.34"] : (await import("../../src/util/net.ts")).resolveAll(host)),
      // The browser now reaches sites through the egress proxy: the test's "network" routes that address here.
      egress: { dial: (address, port) => (address === "93.184.216.34" ? { host: "127.0.0.1", port } : { host: address, port }) },
    });
  });
  afterAll(async () => {
    await control?.stop();
    site.stop(true);
    internal.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("redirects, links, frames, subresources and popups of a public page never reach an internal address", async () => {
    for (const path of ["/redirect", "/redirect-twice"]) {
      const nav = await call("POST", "/navigate", { url: publicUrl(path) });
      expect({ path, status: nav.status, code: nav.body.code }).toEqual({ path, status: 403, code: "PRIVATE_ADDRESS" });
    }
    const page = await call("POST", "/navigate", { url: publicUrl("/page") });
    expect({ status: page.status, error: page.body.error }).toEqual({ status: 200, error: undefined });
    // One load: the refused redirects' error pages had committed before it started, so nothing interrupted it
    // (a second load of the same URL raced the first and could fail with "interrupted by another navigation").
    expect(siteHits.filter((p) => p === "/page")).toEqual(["/page"]);
    const snap = await call("GET", "/snapshot");
    expect(snap.body.snapshot).toContain("Public page");
    const ref = Object.entries(snap.body.refs as Record<string, { role: string; name?: string }>).find(([, r]) => r.role === "link" && r.name === "Internal link")?.[0];
    expect(ref).toBeDefined();
    await call("POST", "/act", { kind: "click", ref });
    await call("POST", "/navigate", { url: publicUrl("/popup") });
    const tabs = await call("POST", "/tabs/open", { url: publicUrl("/page") });
    expect(tabs.status).toBe(200);
    // Give the blocked loads every chance to have happened (the page's own load finished above).
    await call("POST", "/act", { kind: "wait", timeMs: 300 });
    expect(internal.hits).toEqual([]);

    // The same page for an admin: the guard lets its tab through, so it is not simply blocking everything.
    const asAdmin = await call("POST", "/navigate", { url: publicUrl("/redirect") }, true);
    expect(asAdmin.status).toBe(200);
    expect(internal.hits).toContain("/via-redirect");
  }, 90_000);

  test("while the managed browser runs, none of its processes listens on a TCP port", async () => {
    const started = await call("POST", "/start", {}, true);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ running: true, transport: "pipe" });
    const pid = started.body.pid as number;
    expect(pid).toBeGreaterThan(0);
    const tree = processTree(pid);
    expect(tree.length).toBeGreaterThan(1);
    expect(listeningPorts(tree)).toEqual([]);
    // And the command line asks for a pipe, not a port.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(cmdline).toContain("--remote-debugging-pipe");
    expect(cmdline.some((a) => a.startsWith("--remote-debugging-port"))).toBe(false);
  }, 90_000);
});
