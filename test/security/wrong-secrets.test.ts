/**
 * Advisory class: "a present-but-wrong, empty or placeholder secret is accepted" and "secrets are compared in
 * a way that leaks them". Every surface that takes the gateway secret is tried with the same bad values: the
 * WebSocket handshake (token and password modes), canvas, browser control, the HTTP APIs and hooks.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { resolveGatewaySettings } from "../../src/config/gateway-settings.ts";
import { safeEqual } from "../../src/gateway/auth.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connectParams, openSocket } from "../helpers/ws.ts";
import { rawHttp } from "./_helpers.ts";

const TOKEN = "wrong-secrets-token-0123456789abcdef0123";
const PASSWORD = "correct horse battery staple 42";
const HOOK_TOKEN = "hook-token-0123456789abcdef";
const SRC = join(import.meta.dir, "../../src");

/** The bad values every surface must refuse. */
const BAD = ["", " ", "undefined", "null", "wrong", TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), `${TOKEN}\u0000`, `\u0000${TOKEN}`];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(opts: { password?: boolean; config?: Record<string, unknown> } = {}): Promise<TestGateway> {
  const gw = await startTestGateway({
    config: { gateway: { mode: "local", auth: { token: TOKEN }, http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } }, hooks: { enabled: true, token: HOOK_TOKEN, path: "/hooks" }, browser: { enabled: true }, ...opts.config },
    settings: opts.password ? { auth: { mode: "password", password: PASSWORD } } : { auth: { mode: "token", token: TOKEN } },
  });
  cleanup.push(() => gw.stop());
  return gw;
}

async function tryConnect(url: string, auth: Record<string, unknown> | undefined): Promise<any> {
  const sock = await openSocket(url);
  await sock.next();
  const res = await sock.request("connect", connectParams(auth === undefined ? {} : { auth }), "connect");
  if (!res.ok) expect((await sock.closed).code).toBe(1008);
  else sock.close();
  return res;
}

describe("WebSocket handshake", () => {
  test("token mode: wrong, empty, whitespace, 'undefined', 'null', near-miss and NUL-padded tokens are refused", async () => {
    const gw = await gateway();
    for (const token of BAD) {
      const res = await tryConnect(gw.url, { token });
      expect({ token, ok: res.ok }).toEqual({ token, ok: false });
    }
    // The password field does not stand in for the token, and an empty auth object is no auth.
    expect((await tryConnect(gw.url, { password: TOKEN })).ok).toBe(false);
    expect((await tryConnect(gw.url, {})).ok).toBe(false);
    expect((await tryConnect(gw.url, undefined)).ok).toBe(false);
    // Types other than string never reach the comparison.
    for (const token of [null, 0, false, [], {}, [TOKEN]]) {
      const res = await tryConnect(gw.url, { token });
      expect({ token, ok: res.ok }).toEqual({ token, ok: false });
    }
    // Control: the right token works (the limiter above counted failures; this is within its budget per test).
    gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
    expect((await tryConnect(gw.url, { token: TOKEN })).ok).toBe(true);
  });

  test("password mode: the same bad values, and the token field, are refused", async () => {
    const gw = await gateway({ password: true });
    for (const password of ["", "undefined", "null", "wrong", PASSWORD.slice(0, -1), `${PASSWORD} `]) {
      const res = await tryConnect(gw.url, { password });
      expect({ password, ok: res.ok }).toEqual({ password, ok: false });
    }
    expect((await tryConnect(gw.url, { token: PASSWORD })).ok).toBe(false);
    gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
    expect((await tryConnect(gw.url, { password: PASSWORD })).ok).toBe(true);
  });

  test("a gateway started without a configured secret refuses everyone, even an empty token", async () => {
    const gw = await startTestGateway({ settings: { auth: { mode: "token", token: undefined } } });
    cleanup.push(() => gw.stop());
    for (const auth of [{ token: "" }, { token: "undefined" }, { token: "anything" }, {}]) {
      const res = await tryConnect(gw.url, auth);
      expect(res.ok).toBe(false);
    }
  });
});

describe("start-up refuses empty and placeholder secrets", () => {
  const base = { config: { gateway: { mode: "local" as const } }, configExists: true };
  for (const value of ["", "   ", "undefined", "null", " undefined "]) {
    test(`token ${JSON.stringify(value)} from config, env and flag`, () => {
      expect(() => resolveGatewaySettings({ ...base, config: { gateway: { mode: "local", auth: { token: value } } }, env: {} })).toThrow();
      expect(() => resolveGatewaySettings({ ...base, env: { OPENCLAW_GATEWAY_TOKEN: value } })).toThrow();
      expect(() => resolveGatewaySettings({ ...base, env: {}, flags: { token: value } })).toThrow();
      expect(() => resolveGatewaySettings({ ...base, env: {}, flags: { auth: "password", password: value } })).toThrow();
    });
  }
  test("hooks.enabled with an empty or placeholder hooks.token does not start", () => {
    for (const token of ["", "  ", "undefined", "null"]) {
      const config = { gateway: { mode: "local" as const, auth: { token: TOKEN } }, hooks: { enabled: true, token } };
      expect({ token, threw: threw(() => resolveGatewaySettings({ config, configExists: true, env: {} })) }).toEqual({ token, threw: true });
    }
  });
});

describe("HTTP bearer surfaces", () => {
  const bearers = (secret: string) => [
    undefined,
    "Bearer",
    "Bearer ",
    "Bearer undefined",
    "Bearer null",
    "Bearer wrong",
    `Bearer ${secret.slice(0, -1)}`,
    `Bearer ${secret}x`,
    `Basic ${Buffer.from(`user:${secret}`).toString("base64")}`,
    secret,
    `Token ${secret}`,
  ];

  test("canvas, A2UI and the live-reload socket", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    // Wrong bearers count against the per-address limiter; reset it so each value is judged on its own.
    const reset = () => gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
    for (const auth of bearers(TOKEN)) {
      for (const path of ["/__openclaw__/canvas/", "/__openclaw__/a2ui/"]) {
        reset();
        const res = await rawHttp({ port, path, headers: auth === undefined ? {} : { authorization: auth } });
        expect({ auth, path, status: res.status }).toEqual({ auth, path, status: 401 });
      }
    }
    for (const cap of ["", "undefined", "null", "x"]) {
      const res = await rawHttp({ port, path: `/__openclaw__/canvas/?oc_cap=${cap}`, headers: { cookie: `oc_canvas=${cap || "undefined"}` } });
      expect({ cap, status: res.status }).toEqual({ cap, status: 401 });
      const scoped = await rawHttp({ port, path: `/__openclaw__/cap/${cap}/__openclaw__/a2ui/` });
      expect({ cap, status: scoped.status }).toEqual({ cap, status: 404 });
    }
    // Well-formed but never granted.
    expect((await rawHttp({ port, path: `/__openclaw__/cap/${"u".repeat(24)}/__openclaw__/a2ui/` })).status).toBe(401);
    reset();
    const ws = await rawHttp({ port, path: "/__openclaw__/ws", headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13", authorization: "Bearer undefined" } });
    expect(ws.status).toBe(401);
    reset();
    expect((await rawHttp({ port, path: "/__openclaw__/canvas/", headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  test("browser control service", async () => {
    const gw = await gateway();
    const control = gw.handle.ctx.browserControl;
    if (!control) return console.warn("browser control not running (port taken); skipped");
    for (const auth of bearers(TOKEN)) {
      gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
      const res = await fetch(`${control.url}/`, { headers: auth === undefined ? {} : { authorization: auth } });
      expect({ auth, status: res.status }).toEqual({ auth, status: 401 });
    }
    gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
    expect((await fetch(`${control.url}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  test("/tools/invoke, /v1/chat/completions and /v1/responses", async () => {
    const gw = await gateway();
    const base = `http://127.0.0.1:${gw.handle.port}`;
    const body = { "/tools/invoke": { tool: "sessions_list" }, "/v1/chat/completions": { messages: [{ role: "user", content: "hi" }] }, "/v1/responses": { input: "hi" } };
    for (const [path, json] of Object.entries(body)) {
      for (const auth of bearers(TOKEN)) {
        gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
        const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(auth !== undefined && { authorization: auth }) }, body: JSON.stringify(json) });
        expect({ path, auth, status: res.status }).toEqual({ path, auth, status: 401 });
      }
      // The hooks token is not the gateway secret.
      const hook = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${HOOK_TOKEN}` }, body: JSON.stringify(json) });
      expect({ path, status: hook.status }).toEqual({ path, status: 401 });
    }
    gw.handle.ctx.rateLimiter.recordSuccess("127.0.0.1");
    const ok = await fetch(`${base}/tools/invoke`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body["/tools/invoke"]) });
    expect(ok.status).toBe(200);
  });

  test("hooks: wrong, empty, placeholder tokens, the gateway token, and ?token= are refused", async () => {
    const gw = await gateway();
    const base = `http://127.0.0.1:${gw.handle.port}/hooks/wake`;
    const post = (headers: Record<string, string>, query = "") => fetch(`${base}${query}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ text: "hi" }) });
    for (const auth of bearers(HOOK_TOKEN)) {
      gw.handle.ctx.rateLimiter.reset("127.0.0.1");
      const res = await post(auth === undefined ? {} : { authorization: auth });
      expect({ auth, status: res.status }).toEqual({ auth, status: 401 });
    }
    for (const t of ["", "undefined", "null", TOKEN]) {
      gw.handle.ctx.rateLimiter.reset("127.0.0.1");
      expect((await post({ "x-openclaw-token": t })).status).toBe(401);
    }
    expect((await post({}, `?token=${HOOK_TOKEN}`)).status).toBe(401);
    gw.handle.ctx.rateLimiter.reset("127.0.0.1");
    expect((await post({ authorization: `Bearer ${HOOK_TOKEN}` })).status).toBe(200);
  });

  test("probes take no secret: a proxied or rebinding request is refused even with the right bearer", async () => {
    const gw = await gateway();
    const port = gw.handle.port;
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      expect((await rawHttp({ port, path, headers: { ...auth, "x-forwarded-for": "203.0.113.9" } })).status).toBe(404);
      expect((await rawHttp({ port, path, headers: { ...auth, "x-real-ip": "203.0.113.9" } })).status).toBe(404);
      expect((await rawHttp({ port, path, headers: { ...auth, forwarded: "for=203.0.113.9" } })).status).toBe(404);
      expect((await rawHttp({ port, path })).status).toBe(200);
    }
  });
});

describe("constant-time comparison", () => {
  test("safeEqual: equal, unequal, different lengths, unicode, empty", () => {
    expect(safeEqual(TOKEN, TOKEN)).toBe(true);
    expect(safeEqual(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(safeEqual("", TOKEN)).toBe(false);
    expect(safeEqual("", "")).toBe(true);
    expect(safeEqual("é", "e\u0301")).toBe(false);
    expect(safeEqual("a".repeat(100_000), "a")).toBe(false);
  });

  test("safeEqual and the canvas's compare hash both sides before timingSafeEqual (length never short-circuits)", () => {
    for (const [file, fn] of [["gateway/auth.ts", "export function safeEqual"], ["canvas/host.ts", "function equal("]] as const) {
      const src = readFileSync(join(SRC, file), "utf8");
      const start = src.indexOf(fn);
      expect({ file, found: start >= 0 }).toEqual({ file, found: true });
      const body = src.slice(start, src.indexOf("\n}", start));
      // Either SHA-256 form counts (node:crypto's createHash, or Bun's one-shot hash): twice, one per side.
      expect({ file, hashes: body.match(/createHash\("sha256"\)|Bun\.SHA256\.hash\(/g)?.length }).toEqual({ file, hashes: 2 });
      expect(body).toContain("timingSafeEqual(");
      expect(body).not.toMatch(/\.length/);
    }
  });

  test("no secret is compared with ===, !== or == in the auth and HTTP code", () => {
    const files = ["gateway/auth.ts", "gateway/http.ts", "gateway/handshake.ts", "gateway/devices/devices.ts", "gateway/device-auth.ts", "canvas/host.ts", "browser/server.ts", ...listTs("gateway/http")];
    const secretish = /token|password|secret|bearer|apikey|\bcap\b|cookie/i;
    const literal = /^(["'`].*["'`]|\d+|undefined|null|true|false|"")$/;
    const offenders: string[] = [];
    for (const file of files) {
      readFileSync(join(SRC, file), "utf8").split("\n").forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const m of line.matchAll(/([\w.$?!\]\)]+)\s*(?:===|!==|==|!=)\s*([\w.$?"'`\[\(]+)/g)) {
          const [, left, right] = m as unknown as [string, string, string];
          if (literal.test(left) || literal.test(right) || /typeof/.test(line.slice(Math.max(0, m.index! - 8), m.index))) continue;
          if (/\.(length|size|mode|status|code|kind|type)$/.test(left) || /\.(length|size|mode|status|code|kind|type)$/.test(right)) continue;
          if (secretish.test(left) || secretish.test(right)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    expect(offenders).toEqual([]);
  });
});

function listTs(dir: string): string[] {
  const abs = join(SRC, dir);
  try {
    return readdirSync(abs)
      .filter((n) => n.endsWith(".ts") && statSync(join(abs, n)).isFile())
      .map((n) => relative(SRC, join(abs, n)));
  } catch {
    return [];
  }
}

function threw(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}
