/**
 * The browser's egress proxy on its own, over real loopback sockets: the credential (407 without it), the
 * public-address rule for CONNECT and plain HTTP (403 with a reason, logged without the query), a name
 * resolved once and the connection made to that checked address, browser.allowPrivate as a pass-through,
 * admin grants and their expiry, the connection bound, idle timeouts and close().
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { type EgressProxy, startEgressProxy } from "../../src/browser/egress-proxy.ts";
import { waitFor } from "../helpers/wait.ts";

const PUBLIC_IP = "93.184.216.34";

/** A loopback HTTP service standing for a site; counts requests. */
const hits: string[] = [];
const site = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req) => {
    const url = new URL(req.url);
    hits.push(url.pathname);
    return new Response(`site ${url.pathname}`, { headers: { "x-seen-host": req.headers.get("host") ?? "", "x-seen-proxy-auth": String(req.headers.has("proxy-authorization")) } });
  },
});
const sitePort = site.port as number;
afterAll(() => site.stop(true));

let proxy: EgressProxy | undefined;
const logs: string[] = [];
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  logs.length = 0;
  hits.length = 0;
});

/** A proxy whose resolver maps `public.test` to a public address, which the "network" (dial) routes to the site. */
async function start(extra: Partial<Parameters<typeof startEgressProxy>[0]> = {}): Promise<{ p: EgressProxy; dialed: string[] }> {
  const dialed: string[] = [];
  const p = await startEgressProxy({
    allowPrivate: () => false,
    resolve: async (host) => (host === "public.test" ? [PUBLIC_IP] : host === "private.test" ? ["10.1.2.3"] : [host]),
    dial: (address, port) => {
      dialed.push(`${address}:${port}`);
      return address === PUBLIC_IP ? { host: "127.0.0.1", port: sitePort } : { host: address, port };
    },
    log: { info: (m) => logs.push(m) },
    ...extra,
  });
  proxy = p;
  return { p, dialed };
}

const authOf = (p: EgressProxy) => `Proxy-Authorization: Basic ${Buffer.from(`${p.username}:${p.password}`).toString("base64")}\r\n`;

/** Opens a client socket to the proxy, sends `text`, and collects what comes back. */
function send(p: EgressProxy, text: string): { sock: Socket; data: () => string; closed: Promise<void>; head: Promise<string> } {
  const sock = connect({ host: "127.0.0.1", port: p.port });
  let buf = "";
  let gotHead: (s: string) => void = () => {};
  const head = new Promise<string>((r) => (gotHead = r));
  sock.on("data", (c) => {
    buf += c.toString("latin1");
    if (buf.includes("\r\n\r\n")) gotHead(buf);
  });
  const closed = new Promise<void>((r) => sock.on("close", () => r()));
  sock.on("error", () => {});
  sock.write(text);
  return { sock, data: () => buf, closed, head };
}

describe("egress proxy", () => {
  test("without the per-launch credential: 407 for CONNECT and plain HTTP, nothing forwarded", async () => {
    const { p } = await start({ allowPrivate: () => true });
    for (const auth of ["", "Proxy-Authorization: Basic b3BlbmNsYXc6d3Jvbmc=\r\n", `Proxy-Authorization: Basic ${Buffer.from(`${p.username}:${p.password}x`).toString("base64")}\r\n`]) {
      const tunnel = send(p, `CONNECT 127.0.0.1:${sitePort} HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\n${auth}\r\n`);
      await tunnel.closed;
      expect(tunnel.data()).toStartWith("HTTP/1.1 407 ");
      expect(tunnel.data()).toContain('Proxy-Authenticate: Basic realm="openclaw-browser"');
      const plain = send(p, `GET http://127.0.0.1:${sitePort}/x HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\n${auth}\r\n`);
      await plain.closed;
      expect(plain.data()).toStartWith("HTTP/1.1 407 ");
    }
    expect(hits).toEqual([]);
    expect(p.server).toBe(`http://127.0.0.1:${p.port}`);
  });

  test("private, loopback and link-local targets get 403 with the reason; the log has no query", async () => {
    const { p, dialed } = await start();
    const targets = [`127.0.0.1:${sitePort}`, "private.test:443", "[::1]:80", "169.254.169.254:80", "localhost:80", "[::ffff:127.0.0.1]:80", "2130706433:80"];
    for (const t of targets) {
      const r = send(p, `CONNECT ${t} HTTP/1.1\r\nHost: ${t}\r\n${authOf(p)}\r\n`);
      await r.closed;
      expect({ t, reply: r.data().split("\r\n")[0] }).toEqual({ t, reply: "HTTP/1.1 403 Forbidden" });
      expect(r.data()).toContain("private, loopback or link-local");
    }
    const plain = send(p, `GET http://127.0.0.1:${sitePort}/admin?token=SECRET-QUERY HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\n${authOf(p)}\r\n`);
    await plain.closed;
    expect(plain.data()).toStartWith("HTTP/1.1 403 ");
    expect(hits).toEqual([]);
    expect(dialed).toEqual([]);
    expect(logs.some((l) => l.includes(`GET http://127.0.0.1:${sitePort}/admin`))).toBe(true);
    expect(logs.join("\n")).not.toContain("SECRET-QUERY");
    expect(logs.some((l) => l.includes("CONNECT private.test:443") && l.includes("10.1.2.3"))).toBe(true);
  });

  test("a public name: CONNECT tunnels and plain HTTP go to the checked address; one request per plain connection", async () => {
    const { p, dialed } = await start();
    const tunnel = send(p, `CONNECT public.test:8080 HTTP/1.1\r\nHost: public.test:8080\r\n${authOf(p)}\r\n`);
    expect(await tunnel.head).toStartWith("HTTP/1.1 200 ");
    tunnel.sock.write("GET /through-tunnel HTTP/1.1\r\nHost: public.test:8080\r\nConnection: close\r\n\r\n");
    await tunnel.closed;
    expect(tunnel.data()).toContain("site /through-tunnel");

    const plain = send(p, `GET http://public.test:8080/plain?q=1 HTTP/1.1\r\nHost: public.test:8080\r\n${authOf(p)}Proxy-Connection: keep-alive\r\n\r\n`);
    await plain.closed;
    expect(plain.data()).toStartWith("HTTP/1.1 200 ");
    expect(plain.data()).toContain("site /plain");
    expect(plain.data()).toMatch(/\r\nConnection: close\r\n/i);
    expect(plain.data()).toMatch(/x-seen-host: public\.test:8080/i);
    // The credential is for the proxy only; it never reaches the site.
    expect(plain.data()).toMatch(/x-seen-proxy-auth: false/i);
    expect(dialed).toEqual([`${PUBLIC_IP}:8080`, `${PUBLIC_IP}:8080`]);
  });

  test("DNS rebinding: each connection resolves once and goes to that address; a flip to private is refused", async () => {
    let calls = 0;
    const { p, dialed } = await start({ resolve: async () => (++calls === 1 ? [PUBLIC_IP] : ["127.0.0.1"]) });
    const first = send(p, `GET http://rebind.test:${sitePort}/one HTTP/1.1\r\nHost: rebind.test:${sitePort}\r\n${authOf(p)}\r\n`);
    await first.closed;
    expect(first.data()).toContain("site /one");
    const second = send(p, `GET http://rebind.test:${sitePort}/two HTTP/1.1\r\nHost: rebind.test:${sitePort}\r\n${authOf(p)}\r\n`);
    await second.closed;
    expect(second.data()).toStartWith("HTTP/1.1 403 ");
    expect(second.data()).toContain("rebind.test resolves to a private, loopback or link-local address (127.0.0.1)");
    expect(calls).toBe(2);
    expect(dialed).toEqual([`${PUBLIC_IP}:${sitePort}`]);
    expect(hits).toEqual(["/one"]);
  });

  test("browser.allowPrivate: a pass-through, still resolved once", async () => {
    const { p, dialed } = await start({ allowPrivate: () => true });
    const r = send(p, `GET http://127.0.0.1:${sitePort}/allowed HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\n${authOf(p)}\r\n`);
    await r.closed;
    expect(r.data()).toContain("site /allowed");
    expect(dialed).toEqual([`127.0.0.1:${sitePort}`]);
  });

  test("an admin grant opens exactly one host:port, and only for a while", async () => {
    const { p } = await start({ grantMs: 300 });
    p.grant(`http://127.0.0.1:${sitePort}/page`);
    const ok = send(p, `CONNECT 127.0.0.1:${sitePort} HTTP/1.1\r\n${authOf(p)}\r\n`);
    expect(await ok.head).toStartWith("HTTP/1.1 200 ");
    ok.sock.destroy();
    const otherPort = send(p, `CONNECT 127.0.0.1:${sitePort + 1 > 65535 ? 1 : sitePort + 1} HTTP/1.1\r\n${authOf(p)}\r\n`);
    await otherPort.closed;
    expect(otherPort.data()).toStartWith("HTTP/1.1 403 ");
    p.grant("wss://localhost/socket");
    const wss = send(p, `CONNECT localhost:443 HTTP/1.1\r\n${authOf(p)}\r\n`);
    expect(await wss.head).not.toStartWith("HTTP/1.1 403 ");
    wss.sock.destroy();
    // Expired: refused again.
    await waitFor(async () => {
      const r = send(p, `CONNECT 127.0.0.1:${sitePort} HTTP/1.1\r\n${authOf(p)}\r\n`);
      const head = await r.head;
      r.sock.destroy();
      return head.startsWith("HTTP/1.1 403 ");
    }, "the grant to expire");
  });

  test("bounded: connections past the limit get 503; idle tunnels are closed; close() ends the rest", async () => {
    const { p } = await start({ maxConnections: 2, idleTimeoutMs: 400 });
    const a = send(p, `CONNECT public.test:80 HTTP/1.1\r\n${authOf(p)}\r\n`);
    const b = send(p, `CONNECT public.test:80 HTTP/1.1\r\n${authOf(p)}\r\n`);
    expect(await a.head).toStartWith("HTTP/1.1 200 ");
    expect(await b.head).toStartWith("HTTP/1.1 200 ");
    expect(p.connections()).toBe(2);
    const c = send(p, `CONNECT public.test:80 HTTP/1.1\r\n${authOf(p)}\r\n`);
    await c.closed;
    expect(c.data()).toStartWith("HTTP/1.1 503 ");
    // Both silent: the idle timeout closes them.
    await Promise.all([a.closed, b.closed]);
    await waitFor(() => p.connections() === 0, "connections to drain");

    const { p: p2 } = await start();
    const held = send(p2, `CONNECT public.test:80 HTTP/1.1\r\n${authOf(p2)}\r\n`);
    expect(await held.head).toStartWith("HTTP/1.1 200 ");
    await p2.close();
    await held.closed;
    await p.close();
  });

  test("an unreachable target is a 502 naming it", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadPort = closed.port as number;
    closed.stop(true);
    const { p } = await start({ allowPrivate: () => true });
    const r = send(p, `CONNECT 127.0.0.1:${deadPort} HTTP/1.1\r\n${authOf(p)}\r\n`);
    await r.closed;
    expect(r.data()).toStartWith("HTTP/1.1 502 ");
    expect(r.data()).toContain(`cannot connect to 127.0.0.1:${deadPort}`);
  });

  test("malformed requests are refused with a reason", async () => {
    const { p } = await start();
    for (const [text, want] of [
      [`CONNECT nohost HTTP/1.1\r\n${authOf(p)}\r\n`, "400"],
      [`CONNECT public.test:99999 HTTP/1.1\r\n${authOf(p)}\r\n`, "400"],
      [`GET /relative HTTP/1.1\r\n${authOf(p)}\r\n`, "400"],
      [`GET ftp://public.test/x HTTP/1.1\r\n${authOf(p)}\r\n`, "400"],
      [`GET http://public.test/ SPDY/3\r\n\r\n`, "400"],
    ] as const) {
      const r = send(p, text);
      await r.closed;
      expect({ text: text.split("\r\n")[0], status: r.data().split(" ")[1] }).toEqual({ text: text.split("\r\n")[0], status: want });
    }
    const big = send(p, `GET http://public.test/ HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}`);
    await big.closed;
    expect(big.data()).toStartWith("HTTP/1.1 431 ");
  });
});
