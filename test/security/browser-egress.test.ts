/**
 * The managed browser's egress proxy closes what the DevTools Fetch guard cannot (headless Chromium):
 * - a public page's WebSocket to a loopback service: the service sees no connection, the page an error
 *   (while a WebSocket to a public host still opens);
 * - DNS rebinding: a name that answered public and then answers loopback is refused at the proxy, which
 *   resolves once per connection and connects to the address it checked; the browser never resolves it;
 * - nothing else on the machine can use the proxy: without the per-launch credential it answers 407, the
 *   credential is not on the browser's command line, and the proxy closes with the browser;
 * - WebRTC: a page's ICE checks send no UDP to a loopback port (WebRTC is kept to the proxy);
 * - an admin-navigated tab still reaches its internal page, WebSocket included.
 *
 * "public.test" and "rebind.test" stand for public sites: the test resolvers say 93.184.216.34, and the
 * proxy's dial hook (the test's "network") routes that address to a loopback server. Chromium's host rules
 * send both names to 127.0.0.1 as well, which is where a browser resolving names itself would go.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserControlHandle, startBrowserControl } from "../../src/browser/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { safeEqual } from "../../src/gateway/auth.ts";
import { resolveAll } from "../../src/util/net.ts";
import { skipWithoutBrowser, TOKEN } from "../helpers/browser.ts";

const SKIP = skipWithoutBrowser();
const PUBLIC_IP = "93.184.216.34";

/** A loopback service standing for an internal one (HTTP and WebSocket); counts every request. */
function startInternal() {
  const hits: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv) => {
      const path = new URL(req.url).pathname;
      hits.push(path);
      if (path === "/ws" && srv.upgrade(req)) return undefined;
      const script = `const w = new WebSocket("ws://" + location.host + "/ws"); w.onopen = () => (document.getElementById("s").textContent = "admin-ws-open"); w.onerror = () => (document.getElementById("s").textContent = "admin-ws-error");`;
      return new Response(`<title>internal</title><h1>INTERNAL-SECRET-4711</h1><p id="s">waiting</p><script>${path === "/ws-page" ? script : ""}</script>`, { headers: { "content-type": "text/html" } });
    },
    websocket: { message() {} },
  });
  return { hits, port: server.port as number, url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** The first `--name=value` of a process's command line. */
function flagOf(pid: number, name: string): string | undefined {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Sends `text` to 127.0.0.1:`port` and returns everything it answers until it closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((done, fail) => {
    const sock = connect({ host: "127.0.0.1", port });
    let buf = "";
    sock.on("data", (c) => (buf += c.toString("latin1")));
    sock.on("close", () => done(buf));
    sock.on("error", fail);
    sock.write(text);
  });
}

describe.skipIf(SKIP)("managed browser egress: WebSockets, DNS rebinding, the proxy itself", () => {
  let control: BrowserControlHandle;
  let stateDir: string;
  const logs: string[] = [];
  const internal = startInternal();
  // A loopback UDP service: counts datagrams.
  let udpPackets = 0;
  const udp = createSocket("udp4");
  udp.on("message", () => udpPackets++);
  let udpBound = 0;
  const udpPort = () => udpBound;
  let proxyLookups = 0;
  let rebindLookups = 0;
  const siteHits: string[] = [];
  // Every "public" address is this server.
  const site: ReturnType<typeof Bun.serve> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv): Response | undefined => {
      const path = new URL(req.url).pathname;
      siteHits.push(`${req.headers.get("host")}${path}`);
      if (path === "/public-ws" && srv.upgrade(req, { data: undefined })) return undefined;
      if (path === "/ws") {
        const script = `const set = (id, t) => (document.getElementById(id).textContent = t);
const a = new WebSocket("ws://127.0.0.1:${internal.port}/ws"); a.onopen = () => set("a", "loopback-ws-open"); a.onerror = () => set("a", "loopback-ws-error");
const b = new WebSocket("ws://localhost:${internal.port}/ws"); b.onopen = () => set("b", "localhost-ws-open"); b.onerror = () => set("b", "localhost-ws-error");
const c = new WebSocket("ws://public.test:${site.port}/public-ws"); c.onopen = () => set("c", "public-ws-open"); c.onerror = () => set("c", "public-ws-error");`;
        return new Response(`<title>public</title><p id="a">a</p><p id="b">b</p><p id="c">c</p><script>${script}</script>`, { headers: { "content-type": "text/html" } });
      }
      if (path === "/rtc") {
        // ICE connectivity checks towards a loopback UDP port named by the page.
        const script = `(async () => {
  const pc = new RTCPeerConnection(); pc.createDataChannel("x");
  const udp = [];
  const gathered = new Promise((done) => (pc.onicecandidate = (e) => (e.candidate ? e.candidate.protocol === "udp" && udp.push(e.candidate) : done())));
  const offer = await pc.createOffer(); await pc.setLocalDescription(offer);
  const sdp = offer.sdp.replace(/a=setup:actpass/g, "a=setup:active").replace(/a=ice-ufrag:.*/g, "a=ice-ufrag:abcd").replace(/a=ice-pwd:.*/g, "a=ice-pwd:abcdefghijklmnopqrstuvwx");
  await pc.setRemoteDescription({ type: "answer", sdp });
  await pc.addIceCandidate({ candidate: "candidate:1 1 udp 2122260223 127.0.0.1 " + ${udpPort()} + " typ host", sdpMid: "0", sdpMLineIndex: 0 });
  await gathered;
  document.getElementById("r").textContent = "rtc-gathered udp=" + udp.length;
})().catch((e) => (document.getElementById("r").textContent = "rtc-failed " + e.message));`;
        return new Response(`<title>rtc</title><p id="r">pending</p><script>${script}</script>`, { headers: { "content-type": "text/html" } });
      }
      if (path === "/first") {
        // The rebinding page: once the name points at loopback, read "its own" origin again.
        const script = `fetch("/secret").then((r) => r.text()).then((t) => (document.getElementById("r").textContent = "got: " + t)).catch((e) => (document.getElementById("r").textContent = "fetch failed"));`;
        return new Response(`<title>rebind</title><h1>Rebinding page</h1><p id="r">pending</p><script>${script}</script>`, { headers: { "content-type": "text/html" } });
      }
      return new Response("<title>public</title><h1>Public page</h1>", { headers: { "content-type": "text/html" } });
    },
    websocket: { message() {} },
  });
  const call = async (method: string, path: string, body?: Record<string, unknown>, privileged = false) => {
    const res = await control.fetch(
      new Request(`${control.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, ...(body && { body: JSON.stringify(body) }) }),
      { privileged },
    );
    return { status: res.status, body: (await res.json()) as any };
  };
  const waitText = async (text: string, privileged = false) => {
    const r = await call("POST", "/act", { kind: "wait", text, timeoutMs: 20_000 }, privileged);
    return r.status === 200 ? text : ((await call("GET", "/snapshot", undefined, privileged)).body.snapshot ?? r.body.error);
  };

  beforeAll(async () => {
    await new Promise<void>((ok) => udp.bind(0, "127.0.0.1", () => ok()));
    udpBound = udp.address().port;
    stateDir = mkdtempSync(join(tmpdir(), "openclaw-browser-egress-"));
    const config: OpenClawConfig = { browser: { headless: true, noSandbox: true, extraArgs: ["--host-resolver-rules=MAP public.test 127.0.0.1, MAP rebind.test 127.0.0.1"] } };
    control = await startBrowserControl({
      port: 0,
      stateDir,
      config: () => config,
      verifyToken: (p) => safeEqual(p, TOKEN),
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
      // What the Fetch guard sees: both names public.
      resolveHost: async (host) => (host === "public.test" || host === "rebind.test" ? [PUBLIC_IP] : resolveAll(host)),
      egress: {
        // What the proxy sees: rebind.test answers public once, then loopback.
        resolve: async (host) => {
          proxyLookups += 1;
          if (host === "public.test") return [PUBLIC_IP];
          if (host === "rebind.test") return ++rebindLookups === 1 ? [PUBLIC_IP] : ["127.0.0.1"];
          return resolveAll(host);
        },
        dial: (address, port) => (address === PUBLIC_IP ? { host: "127.0.0.1", port: site.port as number } : { host: address, port }),
      },
    });
  });
  afterAll(async () => {
    await control?.stop();
    site.stop(true);
    internal.stop();
    udp.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test("a public page's WebSocket to a loopback service never connects; one to a public host does", async () => {
    const nav = await call("POST", "/navigate", { url: `http://public.test:${site.port}/ws` });
    expect({ status: nav.status, error: nav.body.error }).toEqual({ status: 200, error: undefined });
    expect(await waitText("public-ws-open")).toBe("public-ws-open");
    expect(await waitText("loopback-ws-error")).toBe("loopback-ws-error");
    expect(await waitText("localhost-ws-error")).toBe("localhost-ws-error");
    expect(internal.hits).toEqual([]);
    expect(logs.some((l) => l.includes(`refused CONNECT 127.0.0.1:${internal.port}`))).toBe(true);
    expect(proxyLookups).toBeGreaterThan(0);
  }, 90_000);

  test("DNS rebinding: after the name turns to loopback, the page's request is refused and the internal service never asked", async () => {
    const nav = await call("POST", "/navigate", { url: `http://rebind.test:${internal.port}/first` });
    expect({ status: nav.status, error: nav.body.error }).toEqual({ status: 200, error: undefined });
    // The first load went to the address the proxy checked (the public site), not where the name pointed later.
    expect(siteHits).toContain(`rebind.test:${internal.port}/first`);
    expect(await waitText("refused by the browser's egress proxy")).toBe("refused by the browser's egress proxy");
    expect(internal.hits).toEqual([]);
    expect(rebindLookups).toBeGreaterThanOrEqual(2);
    expect(logs.some((l) => l.includes(`refused GET http://rebind.test:${internal.port}/secret`))).toBe(true);
  }, 90_000);

  test("WebRTC: a public page's ICE checks never reach a loopback UDP port", async () => {
    const nav = await call("POST", "/navigate", { url: `http://public.test:${site.port}/rtc` });
    expect(nav.status).toBe(200);
    // Gathering done with no UDP candidate: the browser holds no UDP socket a check could leave from.
    expect(await waitText("rtc-gathered udp=0")).toBe("rtc-gathered udp=0");
    expect(udpPackets).toBe(0);
  }, 90_000);

  test("an admin-navigated tab still reaches its internal page and that page's WebSocket", async () => {
    const nav = await call("POST", "/navigate", { url: `${internal.url}/ws-page` }, true);
    expect(nav.status).toBe(200);
    expect(await waitText("admin-ws-open", true)).toBe("admin-ws-open");
    expect(internal.hits.slice(0, 2)).toEqual(["/ws-page", "/ws"]);
  }, 90_000);

  test("another local process cannot use the proxy: 407 without the credential, none on the command line; it closes with the browser", async () => {
    const started = await call("POST", "/start", {}, true);
    expect(started.status).toBe(200);
    const pid = started.body.pid as number;
    expect(pid).toBeGreaterThan(0);
    const server = flagOf(pid, "--proxy-server");
    expect(server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(flagOf(pid, "--proxy-bypass-list")).toBe("<-loopback>");
    const port = Number(new URL(server as string).port);
    const guesses = ["", `Proxy-Authorization: Basic ${Buffer.from("openclaw:").toString("base64")}\r\n`, `Proxy-Authorization: Basic ${Buffer.from(`openclaw:${TOKEN}`).toString("base64")}\r\n`];
    for (const auth of guesses) {
      expect(await rawExchange(port, `CONNECT 127.0.0.1:${internal.port} HTTP/1.1\r\nHost: 127.0.0.1:${internal.port}\r\n${auth}\r\n`)).toStartWith("HTTP/1.1 407 ");
      expect(await rawExchange(port, `GET ${internal.url}/via-proxy HTTP/1.1\r\nHost: 127.0.0.1:${internal.port}\r\n${auth}\r\n`)).toStartWith("HTTP/1.1 407 ");
      expect(await rawExchange(port, `CONNECT public.test:80 HTTP/1.1\r\n${auth}\r\n`)).toStartWith("HTTP/1.1 407 ");
    }
    expect(internal.hits).not.toContain("/via-proxy");

    const stopped = await call("POST", "/stop", {}, true);
    expect(stopped.status).toBe(200);
    await expect(rawExchange(port, "CONNECT public.test:80 HTTP/1.1\r\n\r\n")).rejects.toThrow();
  }, 90_000);
});
