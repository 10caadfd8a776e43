/**
 * Advisory class: "a URL or query parameter redirects a client's credentials elsewhere" (the upstream
 * `?gatewayUrl=` one-click token theft). The control UI reads nothing from the URL, talks only to the origin
 * it was served from, and the CLI never follows a URL the server hands it (upgrade redirects, hello-ok URLs).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { BINARY, binaryEnv, ensureBinary, tempHome } from "../helpers/binary.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { rmSync } from "node:fs";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(): Promise<TestGateway> {
  const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: "redirect-token-0123456789abcdef" } }, browser: { enabled: false } } });
  cleanup.push(() => gw.stop());
  return gw;
}

describe("control UI", () => {
  const EVIL = "evil.example";
  const params = [
    `?token=stolen&gatewayUrl=ws://${EVIL}:1/`,
    `?gatewayUrl=wss%3A%2F%2F${EVIL}%2F`,
    `?url=ws://${EVIL}/&password=x`,
    `#token=abc&gatewayUrl=ws://${EVIL}/`,
  ];

  test("query and fragment parameters change nothing in what is served", async () => {
    const gw = await gateway();
    const base = `http://127.0.0.1:${gw.handle.port}`;
    const plain = await fetch(`${base}/`);
    const plainHtml = await plain.text();
    for (const p of params) {
      const res = await fetch(`${base}/${p}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(plainHtml);
      // The CSP pins sockets to the serving host: nothing from the URL can widen it.
      expect(res.headers.get("content-security-policy")).toBe(plain.headers.get("content-security-policy"));
      expect(res.headers.get("content-security-policy")).not.toContain(EVIL);
    }
    const csp = plain.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(plain.headers.get("referrer-policy")).toBe("no-referrer");
  });

  test("app.js never reads a URL, token or gateway address from location, referrer, window.name or messages", async () => {
    const gw = await gateway();
    const js = await (await fetch(`http://127.0.0.1:${gw.handle.port}/app.js?gatewayUrl=ws://x/`)).text();
    expect(js.length).toBeGreaterThan(1000);
    for (const forbidden of ["location.search", "location.hash", "location.href", "URLSearchParams", "document.referrer", "window.name", "document.URL", "postMessage", '"message"', "'message'", "document.cookie", "eval(", "new Function"]) {
      expect({ forbidden, found: js.includes(forbidden) }).toEqual({ forbidden, found: false });
    }
    // Exactly one socket, built from the page's own host.
    const sockets = js.match(/new WebSocket\(/g) ?? [];
    expect(sockets.length).toBe(1);
    const call = js.slice(js.indexOf("new WebSocket("), js.indexOf("new WebSocket(") + 120);
    expect(call).toContain("location.host");
    // The token comes from localStorage or the form, nowhere else.
    expect(js).toContain("localStorage");
  });

  test("index.html has no inline script, no <base>, and loads only its own assets", async () => {
    const gw = await gateway();
    const html = await (await fetch(`http://127.0.0.1:${gw.handle.port}/?token=x`)).text();
    expect(html).not.toMatch(/<base\b/i);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBe(1);
    expect(scripts[0]![2]!.trim()).toBe("");
    expect(scripts[0]![1]).toMatch(/src="\/app\.js"/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });
});

describe("CLI client (compiled binary)", () => {
  const TOKEN = "cli-secret-token-do-not-leak-0123456789";

  /** A listener that records every request and frame it sees (the place a leak would land). */
  function trap() {
    const seen: string[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req, srv) {
        seen.push(`${req.method} ${new URL(req.url).pathname}`);
        if (srv.upgrade(req)) return undefined;
        return new Response("trap");
      },
      websocket: {
        message(_ws, m) {
          seen.push(String(m));
        },
      },
    });
    cleanup.push(() => server.stop(true));
    return { port: server.port as number, seen };
  }

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const home = tempHome();
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    const p = Bun.spawn([BINARY, ...args], { env: binaryEnv(home), cwd: home, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { code, stdout, stderr };
  }

  test("an HTTP redirect on the upgrade is not followed: the token never reaches the redirect target", async () => {
    await ensureBinary();
    const target = trap();
    const redirector = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response(null, { status: 307, headers: { location: `ws://127.0.0.1:${target.port}/` } }),
    });
    cleanup.push(() => redirector.stop(true));
    const r = await cli(["gateway", "call", "health", "--url", `ws://127.0.0.1:${redirector.port}/`, "--token", TOKEN, "--timeout", "3000"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach the gateway");
    expect(target.seen).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  test("URLs in hello-ok and events are never dialled", async () => {
    await ensureBinary();
    const target = trap();
    const elsewhere = `http://127.0.0.1:${target.port}`;
    const fake = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no")),
      websocket: {
        open(ws) {
          ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: crypto.randomUUID(), ts: Date.now() } }));
        },
        message(ws, m) {
          const f = JSON.parse(String(m));
          if (f.method === "connect") {
            ws.send(JSON.stringify({
              type: "res",
              id: f.id,
              ok: true,
              payload: {
                type: "hello-ok",
                protocol: 3,
                server: { version: "evil", connId: "c", url: `ws://127.0.0.1:${target.port}/` },
                features: { methods: ["health"], events: [] },
                snapshot: { presence: [], health: {}, stateVersion: { presence: 1, health: 1 }, uptimeMs: 1 },
                canvasHostUrl: elsewhere,
                policy: { maxPayload: 524288, maxBufferedBytes: 1572864, tickIntervalMs: 30000 },
              },
            }));
            ws.send(JSON.stringify({ type: "event", event: "shutdown", payload: { reason: "moved", url: `ws://127.0.0.1:${target.port}/` }, seq: 1 }));
            return;
          }
          ws.send(JSON.stringify({ type: "res", id: f.id, ok: true, payload: { ok: true, redirect: `ws://127.0.0.1:${target.port}/` } }));
        },
      },
    });
    cleanup.push(() => fake.stop(true));
    const r = await cli(["gateway", "call", "health", "--url", `ws://127.0.0.1:${fake.port}/`, "--token", TOKEN, "--timeout", "3000"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    // Settle: the CLI has exited, so anything it sent the target is already queued there, ahead of this probe.
    await fetch(`http://127.0.0.1:${target.port}/probe`);
    expect(target.seen).toEqual(["GET /probe"]);
  });
});
