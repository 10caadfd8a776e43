/**
 * Advisory class: DNS rebinding / "loopback is trusted". A request that arrives on a loopback socket but
 * names a non-loopback Host (a rebinding page, a tunnel) or carries proxy headers is treated as remote:
 * devices need pairing, the control UI needs a device identity, probes are not served.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { newIdentity } from "../helpers/protocol.ts";
import { rawConnect, rawConnectParams, rawDeviceConnect, rawHttp } from "./_helpers.ts";

const TOKEN = "rebinding-token-0123456789abcdef0123";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(config: Record<string, unknown> = {}): Promise<TestGateway> {
  const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false }, ...config }, settings: { auth: { mode: "token", token: TOKEN } } });
  cleanup.push(() => gw.stop());
  return gw;
}

/** Host headers a rebinding or tunnelled request may carry; none of them is loopback. */
const FOREIGN_HOSTS = (port: number) => [`evil.example:${port}`, "evil.example", `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `0x7f000001:${port}`, `2130706433:${port}`, `[::ffff:127.0.0.1]:${port}`, `192.168.1.10:${port}`];
const PROXY_HEADERS: Record<string, string>[] = [{ "x-forwarded-for": "203.0.113.7" }, { "x-real-ip": "203.0.113.7" }, { forwarded: "for=203.0.113.7" }];

describe("WebSocket", () => {
  test("a device with the right token from loopback but a foreign Host must pair; with a loopback Host it is auto-approved", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    for (const host of FOREIGN_HOSTS(port)) {
      const { ws, res } = await rawDeviceConnect({ port, headers: { host } }, newIdentity(), { token: TOKEN });
      expect({ host, code: res.error?.code, message: res.error?.message }).toEqual({ host, code: "NOT_PAIRED", message: "pairing required" });
      expect((await ws.closed())?.code).toBe(1008);
    }
    for (const headers of PROXY_HEADERS) {
      const { res } = await rawDeviceConnect({ port, headers }, newIdentity(), { token: TOKEN });
      expect({ headers, message: res.error?.message }).toEqual({ headers, message: "pairing required" });
    }
    // Nothing above was paired; every attempt is waiting for an operator.
    const list = gw.handle.ctx.devices.listPairing();
    expect(list.paired).toEqual([]);
    expect(list.pending.length).toBe(FOREIGN_HOSTS(port).length + PROXY_HEADERS.length);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const { ws, res } = await rawDeviceConnect({ port, headers: { host } }, newIdentity(), { token: TOKEN });
      expect({ host, ok: res.ok }).toEqual({ host, ok: true });
      ws.destroy();
    }
  });

  test("a remote-looking device may not skip the nonce (v1 payloads are loopback-only)", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    const { signDeviceAuth } = await import("../../src/client/device-identity.ts");
    const id = newIdentity();
    const client = { id: "test", version: "1.0.0", platform: "linux", mode: "test" };
    const device = signDeviceAuth(id, { clientId: "test", clientMode: "test", role: "operator", scopes: [], token: TOKEN });
    const { res } = await rawConnect({ port, headers: { host: `evil.example:${port}` } }, rawConnectParams({ client, auth: { token: TOKEN }, device }));
    expect(res.error?.message).toBe("device nonce required");
  });

  test("the control UI without a device identity is refused from a rebinding host, even same-origin and with the token", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    const client = { id: "openclaw-control-ui", version: "ui", platform: "web", mode: "ui" };
    for (const host of FOREIGN_HOSTS(port).slice(0, 4)) {
      const { ws, res } = await rawConnect({ port, headers: { host, origin: `http://${host}` } }, rawConnectParams({ client, auth: { token: TOKEN } }));
      expect({ host, message: res.error?.message }).toEqual({ host, message: "control ui requires HTTPS or localhost (secure context)" });
      expect((await ws.closed())?.code).toBe(1008);
    }
    // A loopback Host with its own origin is the real control UI and works.
    const { res } = await rawConnect({ port, headers: { origin: `http://127.0.0.1:${port}` } }, rawConnectParams({ client, auth: { token: TOKEN } }));
    expect(res.ok).toBe(true);
  });

  test("without the token a rebinding page gets nothing, device or not", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    const host = `evil.example:${port}`;
    const { res: a } = await rawDeviceConnect({ port, headers: { host, origin: `http://${host}` } }, newIdentity(), { client: { id: "webchat", version: "1", platform: "web", mode: "webchat" } });
    expect(a.ok).toBe(false);
    const { res: b } = await rawConnect({ port, headers: { host, origin: `http://${host}` } }, rawConnectParams({ client: { id: "webchat", version: "1", platform: "web", mode: "webchat" } }));
    expect(b.ok).toBe(false);
    expect(gw.handle.ctx.devices.listPairing().paired).toEqual([]);
  });
});

describe("HTTP", () => {
  test("probes answer loopback Host only: a rebinding host or proxy header gets 404", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      for (const host of FOREIGN_HOSTS(port)) {
        const res = await rawHttp({ port, path, headers: { host } });
        expect({ path, host, status: res.status }).toEqual({ path, host, status: 404 });
      }
      for (const headers of PROXY_HEADERS) {
        const res = await rawHttp({ port, path, headers });
        expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 404 });
      }
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        expect((await rawHttp({ port, path, headers: { host } })).status).toBe(200);
      }
    }
  });

  test("canvas and the HTTP APIs never trust the Host or the peer address: no secret, no access", async () => {
    const gw = await gateway({ gateway: { mode: "local", auth: { token: TOKEN }, http: { endpoints: { chatCompletions: { enabled: true } } } } });
    const port = gw.handle.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `evil.example:${port}`]) {
      expect((await rawHttp({ port, path: "/__openclaw__/canvas/", headers: { host } })).status).toBe(401);
      expect((await rawHttp({ port, method: "POST", path: "/tools/invoke", headers: { host, "content-type": "application/json", "content-length": "2" } })).status).toBe(401);
    }
  });
});
