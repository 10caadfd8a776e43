/**
 * Advisory classes: cross-site WebSocket hijacking (a page on another origin drives the local gateway) and
 * brute force from loopback (any local process or user can reach 127.0.0.1). A browser Origin must be the
 * gateway's own or allowlisted, whatever client.id is claimed; failed secrets lock the address out on every
 * surface that takes the secret, while other addresses keep working.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { CLIENT_IDS } from "../../protocol/constants.ts";
import { freePort } from "../helpers/binary.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { openRawWs, rawConnect, rawConnectParams, rawHttp, runBounded } from "./_helpers.ts";

const TOKEN = "brute-force-token-0123456789abcdef012345";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(config: Record<string, unknown> = {}): Promise<TestGateway> {
  const gw = await startTestGateway({
    config: { gateway: { mode: "local", auth: { token: TOKEN }, http: { endpoints: { chatCompletions: { enabled: true } } }, ...(config.gateway as object) }, browser: { enabled: true }, ...(config.canvasHost ? { canvasHost: config.canvasHost } : {}) },
    settings: { auth: { mode: "token", token: TOKEN } },
  });
  cleanup.push(() => gw.stop());
  return gw;
}

const clientFor = (id: string) => ({ id, version: "1.0.0", platform: "linux", mode: id === "node-host" ? "node" : "test" });

describe("Origin allowlist", () => {
  test("a foreign Origin is refused for every client.id, even with the right token", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    const foreign = ["https://evil.example", "http://evil.example:80", "null", `http://127.0.0.1:${port + 1}`, `http://localhost:${port}`, "file://", "chrome-extension://abcdefghijklmnop", `http://127.0.0.1:${port}.evil.example`];
    for (const origin of foreign) {
      for (const id of CLIENT_IDS) {
        const { ws, res } = await rawConnect({ port, headers: { origin } }, rawConnectParams({ client: clientFor(id), auth: { token: TOKEN } }));
        expect({ origin, id, ok: res?.ok, message: res?.error?.message?.slice(0, 18) }).toEqual({ origin, id, ok: false, message: "origin not allowed" });
        expect((await ws.closed())?.code).toBe(1008);
      }
    }
  });

  test("the gateway's own origin and allowlisted origins pass; the allowlist is exact", async () => {
    const gw = await gateway({ gateway: { controlUi: { allowedOrigins: ["https://ui.example"] } } });
    const port = gw.handle.port;
    const client = clientFor("openclaw-control-ui");
    client.mode = "ui";
    for (const origin of [`http://127.0.0.1:${port}`, "https://ui.example"]) {
      const { ws, res } = await rawConnect({ port, headers: { origin } }, rawConnectParams({ client, auth: { token: TOKEN } }));
      expect({ origin, ok: res.ok }).toEqual({ origin, ok: true });
      ws.destroy();
    }
    for (const origin of ["https://ui.example.evil", "https://evil.ui.example", "http://ui.example", "https://ui.example:444", "HTTPS://UI.EXAMPLE.", "https://ui.example/"]) {
      const { res } = await rawConnect({ port, headers: { origin } }, rawConnectParams({ client, auth: { token: TOKEN } }));
      expect({ origin, ok: res.ok }).toEqual({ origin, ok: false });
    }
  });

  test("browser client ids without an Origin are refused (a non-browser cannot pose as the control UI)", async () => {
    const gw = await gateway();
    for (const id of ["openclaw-control-ui", "webchat-ui", "webchat"]) {
      const { res } = await rawConnect({ port: gw.handle.port, headers: { origin: null } }, rawConnectParams({ client: clientFor(id), auth: { token: TOKEN } }));
      expect({ id, ok: res.ok }).toEqual({ id, ok: false });
    }
  });
});

describe("failed-auth rate limit", () => {
  test("10 000 wrong-token handshakes from 127.0.0.2 (50 at a time): all answered, locked out with retryAfterMs, other addresses unaffected", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    const ATTEMPTS = 10_000;
    let stop = false;
    const good = { ok: 0, failed: [] as string[] };
    // A well-behaved client on another loopback address keeps connecting and calling health meanwhile.
    const goodLoop = (async () => {
      while (!stop) {
        try {
          const { ws, res } = await rawConnect({ port, localAddress: "127.0.0.1" }, rawConnectParams({ auth: { token: TOKEN } }));
          if (!res?.ok) throw new Error(`connect: ${JSON.stringify(res?.error)}`);
          ws.request("health", {}, "h");
          for (;;) {
            const f = await ws.nextJson(10_000);
            if (!f) throw new Error("no health answer");
            if (f.type === "res" && f.id === "h") {
              if (!f.ok) throw new Error(`health: ${JSON.stringify(f.error)}`);
              break;
            }
          }
          ws.destroy();
          good.ok += 1;
        } catch (err) {
          good.failed.push(String(err));
        }
      }
    })();

    const started = Date.now();
    const outcomes = await runBounded(ATTEMPTS, 50, async (i) => {
      const { ws, res } = await rawConnect({ port, localAddress: "127.0.0.2" }, rawConnectParams({ client: clientFor("cli"), auth: { token: `wrong-${i}` } }));
      const closed = await ws.closed(10_000);
      ws.destroy();
      if (!res) return { kind: "no-answer", closeCode: closed?.code };
      if (res.ok) return { kind: "accepted" };
      if (/too many failed auth attempts/.test(res.error.message)) return { kind: "locked", retryAfterMs: res.error.retryAfterMs, retryable: res.error.retryable, closeCode: closed?.code };
      return { kind: "mismatch", message: res.error.message, closeCode: closed?.code };
    });
    const elapsedMs = Date.now() - started;
    stop = true;
    await goodLoop;

    const by = (k: string) => outcomes.filter((o) => o.kind === k);
    expect(by("accepted").length).toBe(0);
    expect(by("no-answer").length).toBe(0);
    // Each 60 s window lets at most 10 guesses through; everything else is refused before the secret is looked at.
    expect(by("mismatch").length).toBeGreaterThanOrEqual(10);
    expect(by("mismatch").length).toBeLessThanOrEqual(10 * (1 + Math.floor(elapsedMs / 60_000)));
    expect(by("mismatch").every((o: any) => o.message.startsWith("unauthorized: gateway token mismatch") && o.closeCode === 1008)).toBe(true);
    const locked = by("locked") as { retryAfterMs: number; retryable: boolean; closeCode: number }[];
    expect(locked.length).toBe(ATTEMPTS - by("mismatch").length);
    expect(locked.every((o) => o.retryAfterMs > 0 && o.retryAfterMs <= 60_000 && o.retryable === true && o.closeCode === 1008)).toBe(true);

    expect(good.failed).toEqual([]);
    expect(good.ok).toBeGreaterThan(0);

    // Still locked: even the right token from 127.0.0.2 is refused, with retryAfterMs; 127.0.0.3 is fine.
    const locked2 = await rawConnect({ port, localAddress: "127.0.0.2" }, rawConnectParams({ auth: { token: TOKEN } }));
    expect(locked2.res.ok).toBe(false);
    expect(locked2.res.error.retryAfterMs).toBeGreaterThan(0);
    const other = await rawConnect({ port, localAddress: "127.0.0.3" }, rawConnectParams({ auth: { token: TOKEN } }));
    expect(other.res.ok).toBe(true);
    other.ws.destroy();
  }, 180_000);

  test("every HTTP surface that takes the secret counts failures against the same per-address limiter", async () => {
    const gw = await gateway({ canvasHost: { port: freePort() } });
    const port = gw.handle.port;
    const control = gw.handle.ctx.browserControl;
    const canvasPort = gw.handle.ctx.canvas?.port;
    const surfaces: { name: string; send: (addr: string, secret: string) => Promise<number> }[] = [
      { name: "tools/invoke", send: async (a, s) => (await rawHttp({ port, localAddress: a, method: "POST", path: "/tools/invoke", headers: { authorization: `Bearer ${s}`, "content-type": "application/json", "content-length": "2" } })).status },
      { name: "canvas (gateway port)", send: async (a, s) => (await rawHttp({ port, localAddress: a, path: "/__openclaw__/canvas/", headers: { authorization: `Bearer ${s}` } })).status },
    ];
    if (canvasPort) surfaces.push({ name: "canvas (own port)", send: async (a, s) => (await rawHttp({ port: canvasPort, localAddress: a, path: "/__openclaw__/canvas/", headers: { authorization: `Bearer ${s}` } })).status });
    if (control) {
      const controlPort = Number(new URL(control.url).port);
      surfaces.push({ name: "browser control", send: async (a, s) => (await rawHttp({ port: controlPort, localAddress: a, path: "/", headers: { authorization: `Bearer ${s}` } })).status });
    }
    expect(surfaces.map((s) => s.name)).toContain("canvas (own port)");
    if (!control) console.warn("browser control not running (port taken); its surface is skipped");
    surfaces.forEach((s, i) => ((s as any).addr = `127.0.1.${i + 10}`));
    for (const s of surfaces as (typeof surfaces[number] & { addr: string })[]) {
      for (let i = 0; i < 10; i++) {
        const status = await s.send(s.addr, `wrong-${i}`);
        expect({ surface: s.name, attempt: i, status }).toEqual({ surface: s.name, attempt: i, status: 401 });
      }
      // The 11th try, even with the right secret, is refused while locked out.
      const after = await s.send(s.addr, TOKEN);
      expect({ surface: s.name, status: after }).toEqual({ surface: s.name, status: 429 });
      // The limiter is shared: the WebSocket handshake from that address is locked out too.
      const { res } = await rawConnect({ port, localAddress: s.addr }, rawConnectParams({ auth: { token: TOKEN } }));
      expect({ surface: s.name, retryAfterMs: res.error?.retryAfterMs > 0 }).toEqual({ surface: s.name, retryAfterMs: true });
    }
    // Capabilities are 256-bit HMACs: wrong ones are not counted, so a stale cookie cannot lock the user out.
    for (let i = 0; i < 20; i++) {
      expect((await rawHttp({ port, localAddress: "127.0.1.99", path: "/__openclaw__/canvas/", headers: { cookie: `oc_canvas=stale-${i}` } })).status).toBe(401);
    }
    expect(gw.handle.ctx.rateLimiter.retryAfter("127.0.1.99")).toBe(0);
    // Another address is not affected.
    expect((await rawHttp({ port, localAddress: "127.0.0.1", path: "/__openclaw__/canvas/", headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  test("a socket that never sends connect does not count, and is closed by the handshake timeout", async () => {
    const gw = await startTestGateway({ handshakeTimeoutMs: 200, settings: { auth: { mode: "token", token: TOKEN } }, config: { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false } } });
    cleanup.push(() => gw.stop());
    const socks = await Promise.all(Array.from({ length: 20 }, () => openRawWs({ port: gw.handle.port, localAddress: "127.0.0.5" })));
    for (const s of socks) expect((await s.closed(5000))?.code).toBe(1000);
    expect(gw.handle.ctx.rateLimiter.retryAfter("127.0.0.5")).toBe(0);
  });
});
