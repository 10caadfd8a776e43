/**
 * The control API's HTTP surface without launching a browser: loopback listener, token auth, routing,
 * input checks and error bodies. A profile that points at a CDP port nobody listens on stands in for a
 * stopped browser.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestControl, type TestControl, TOKEN } from "../helpers/browser.ts";

let t: TestControl;
beforeAll(async () => {
  // attachOnly: nothing here may launch a browser.
  t = await startTestControl({ attachOnly: true, profiles: { work: {}, remote: { cdpUrl: "http://127.0.0.1:9" } } });
});
afterAll(() => t.stop());

async function call(method: string, path: string, opts: { token?: string | null; body?: string } = {}) {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${t.control.url}${path}`, { method, headers, body: opts.body });
  return { status: res.status, body: (await res.json()) as any };
}

describe("browser control HTTP API", () => {
  test("listens on 127.0.0.1 only", () => {
    expect(t.control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("requests without the token, or with a wrong one, are refused with 401", async () => {
    for (const token of [null, "wrong", `${TOKEN}x`, ""]) {
      const r = await call("GET", "/", { token });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe("UNAUTHORIZED");
    }
    expect((await call("POST", "/start", { token: null })).status).toBe(401);
    const basic = await fetch(`${t.control.url}/`, { headers: { authorization: `Basic ${btoa(`x:${TOKEN}`)}` } });
    expect(basic.status).toBe(401);
  });

  test("status of a stopped profile, with its port, dirs and profile list", async () => {
    const r = await call("GET", "/?profile=work");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: true, profile: "work", running: false, crashed: false, remote: false, profiles: ["openclaw", "remote", "work"] });
    expect(r.body.cdpUrl).toBe(`http://127.0.0.1:${r.body.cdpPort}`);
  });

  test("unknown profile 404, traversal in the profile name 400", async () => {
    const unknown = await call("GET", "/?profile=nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ code: "PROFILE_NOT_FOUND", error: 'unknown browser profile "nope" (known: openclaw, remote, work); add it under browser.profiles' });
    for (const p of ["..%2F..%2Fetc", "../x", "a/b", "A"]) {
      const r = await call("GET", `/tabs?profile=${p}`);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe("BAD_REQUEST");
    }
  });

  test("unknown routes 404, wrong methods 405", async () => {
    expect(await call("GET", "/nope")).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    expect(await call("GET", "/start")).toMatchObject({ status: 405, body: { code: "METHOD_NOT_ALLOWED" } });
    expect(await call("POST", "/tabs/x/y")).toMatchObject({ status: 404 });
  });

  test("bad input is a 400 naming the problem", async () => {
    const cases: [string, string, string | undefined, RegExp][] = [
      ["POST", "/tabs/open", "{}", /url is required/],
      ["POST", "/tabs/open", JSON.stringify({ url: "file:///etc/passwd" }), /scheme file: is not allowed/],
      ["POST", "/tabs/open", JSON.stringify({ url: "javascript:alert(1)" }), /not allowed/],
      ["POST", "/tabs/open", "{nope", /not valid JSON/],
      ["POST", "/tabs/open", "[1]", /JSON object/],
      ["POST", "/tabs/focus", "{}", /targetId is required/],
      ["POST", "/tabs/focus", JSON.stringify({ targetId: "../../x" }), /invalid targetId/],
      ["DELETE", "/tabs/..%2F..%2Fetc", undefined, /invalid targetId/],
      ["POST", "/act", "{}", /kind must be one of/],
      ["POST", "/act", JSON.stringify({ kind: "click" }), /ref is required/],
      ["POST", "/act", JSON.stringify({ kind: "type", ref: "e1" }), /text is required/],
      ["POST", "/act", JSON.stringify({ kind: "select", ref: "e1", values: [] }), /values is required/],
      ["POST", "/act", JSON.stringify({ kind: "wait" }), /wait needs one of/],
      ["POST", "/act", JSON.stringify({ kind: "click", ref: "e1", button: "side" }), /button must be/],
      ["POST", "/navigate", JSON.stringify({ url: "chrome://settings" }), /not allowed/],
      ["POST", "/screenshot", JSON.stringify({ type: "gif" }), /png/],
      ["GET", "/snapshot?format=html", undefined, /format must be/],
      ["GET", "/snapshot?maxChars=-1", undefined, /maxChars must be/],
    ];
    for (const [method, path, body, re] of cases) {
      const r = await call(method, path, { body });
      expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 400, code: "BAD_REQUEST" });
      expect(r.body.error).toMatch(re);
    }
  });

  test("a stopped browser: tabs say running:false; focus/close are 409; attachOnly does not launch", async () => {
    expect(await call("GET", "/tabs")).toEqual({ status: 200, body: { running: false, tabs: [] } });
    const focus = await call("POST", "/tabs/focus", { body: JSON.stringify({ targetId: "ABC" }) });
    expect(focus.status).toBe(409);
    expect(focus.body.code).toBe("BROWSER_NOT_RUNNING");
    expect(focus.body.error).toContain('browser not running for profile "openclaw"');
    expect((await call("DELETE", "/tabs/ABC")).status).toBe(409);
    const start = await call("POST", "/start");
    expect(start.status).toBe(409);
    expect(start.body.error).toContain("attachOnly");
    expect(await call("POST", "/stop")).toEqual({ status: 200, body: { ok: true, profile: "openclaw", stopped: false } });
  });

  test("a remote profile that does not answer is 409, never launched", async () => {
    const r = await call("POST", "/start?profile=remote");
    expect(r.status).toBe(409);
    expect(r.body.error).toContain("remote CDP endpoint http://127.0.0.1:9 does not answer");
    expect((await call("GET", "/?profile=remote")).body).toMatchObject({ remote: true, running: false, cdpPort: 9, userDataDir: null });
  });

  test("in-process fetch applies the same auth", async () => {
    const res = await t.control.fetch(new Request(`${t.control.url}/`));
    expect(res.status).toBe(401);
    const ok = await t.control.fetch(new Request(`${t.control.url}/`, { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(ok.status).toBe(200);
  });

  test("browser.enabled=false at runtime answers 503 DISABLED", async () => {
    const before = t.config;
    t.config = { browser: { ...before.browser, enabled: false } };
    try {
      expect(await call("GET", "/")).toMatchObject({ status: 503, body: { code: "DISABLED" } });
    } finally {
      t.config = before;
    }
    expect((await call("GET", "/")).status).toBe(200);
  });
});

describe("tryStartBrowserControl", () => {
  test("a taken port is logged and returns undefined (the gateway runs on)", async () => {
    const { tryStartBrowserControl } = await import("../../src/browser/index.ts");
    const warnings: string[] = [];
    const taken = await tryStartBrowserControl({
      port: t.control.port,
      stateDir: t.stateDir,
      config: () => ({}),
      verifyToken: () => false,
      log: { info() {}, warn: (m) => warnings.push(m) },
    });
    expect(taken).toBeUndefined();
    expect(warnings[0]).toContain(`browser control not started on 127.0.0.1:${t.control.port}`);
  });
});
