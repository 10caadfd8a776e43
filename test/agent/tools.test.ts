/**
 * The tool set and its policy: which tools a run gets, web_fetch's address policy and caps, and the
 * session tools' scoping to the run's own agent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildTools, checkFetchUrl, isNonPublicAddress } from "../../src/agent/tools/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createMemoryStore } from "../../src/store/index.ts";

let server: ReturnType<typeof Bun.serve>;
let base: string;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/html") return new Response("<html><head><style>x{}</style><script>evil()</script></head><body><h1>Title</h1><p>Hello &amp; welcome</p></body></html>", { headers: { "content-type": "text/html; charset=utf-8" } });
      if (path === "/json") return Response.json({ ok: true });
      if (path === "/big") return new Response("y".repeat(100_000), { headers: { "content-type": "text/plain" } });
      if (path === "/bin") return new Response(new Uint8Array([0, 1, 2]), { headers: { "content-type": "application/octet-stream" } });
      if (path === "/redirect") return Response.redirect(`${base}/json`, 302);
      if (path === "/slow") {
        await Bun.sleep(2000);
        return new Response("late");
      }
      return new Response("nope", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

function tools(config: OpenClawConfig = {}) {
  const store = createMemoryStore();
  store.setSession("agent:main:main", { sessionId: "s1", updatedAt: Date.now(), label: "Main" });
  store.appendMessages("s1", [{ role: "user", content: [{ type: "text", text: "hello there" }], timestamp: 1 }]);
  store.setSession("agent:ops:main", { sessionId: "s2", updatedAt: Date.now() });
  return Object.fromEntries(buildTools({ config, store, agentId: "main", sessionKey: "agent:main:main" }).map((t) => [t.name, t]));
}
const signal = new AbortController().signal;

describe("policy", () => {
  test("default set; deny, allow and web.fetch.enabled", () => {
    expect(Object.keys(tools())).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", "session_status", "agents_list"]);
    expect(Object.keys(tools({ tools: { deny: ["web_fetch"] } }))).toEqual(["sessions_list", "sessions_history", "web_search", "session_status", "agents_list"]);
    expect(Object.keys(tools({ tools: { allow: ["sessions_list"] } }))).toEqual(["sessions_list"]);
    expect(Object.keys(tools({ tools: { web: { fetch: { enabled: false } } } }))).toEqual(["sessions_list", "sessions_history", "web_search", "session_status", "agents_list"]);
  });
});

describe("session tools", () => {
  test("list and history see only the run's agent", async () => {
    const t = tools();
    const list = JSON.parse(await t.sessions_list.execute({}, { signal }));
    expect(list.sessions).toEqual([expect.objectContaining({ key: "agent:main:main", current: true, label: "Main", messages: 1 })]);
    expect(await t.sessions_history.execute({ sessionKey: "main" }, { signal })).toContain("user: hello there");
    await expect(t.sessions_history.execute({ sessionKey: "agent:ops:main" }, { signal })).rejects.toThrow("belongs to another agent");
    await expect(t.sessions_history.execute({ sessionKey: "agent:main:none" }, { signal })).rejects.toThrow("no session");
  });
});

describe("web_fetch", () => {
  test("address classification", () => {
    for (const ip of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"]) {
      expect([ip, isNonPublicAddress(ip)]).toEqual([ip, true]);
    }
    for (const ip of ["1.1.1.1", "8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect([ip, isNonPublicAddress(ip)]).toEqual([ip, false]);
  });

  test("refused by default: other schemes, loopback, localhost, private and link-local", async () => {
    const t = tools();
    for (const [url, msg] of [
      ["file:///etc/passwd", "only http and https"],
      ["ftp://example.com/", "only http and https"],
      [`${base}/json`, "private, loopback or link-local"],
      ["http://localhost/", "private, loopback or link-local"],
      ["http://[::1]/", "private, loopback or link-local"],
      ["http://169.254.169.254/latest/meta-data/", "private, loopback or link-local"],
      ["http://10.0.0.1/", "private, loopback or link-local"],
      ["http://user:pw@example.com/", "credentials"],
      ["not a url", "invalid URL"],
    ]) {
      await expect(t.web_fetch.execute({ url }, { signal })).rejects.toThrow(msg);
    }
    await expect(checkFetchUrl(`${base}/json`, true)).resolves.toBeInstanceOf(URL);
  });

  test("with tools.web.fetch.allowPrivate: HTML to text, JSON, redirects, caps, binary refused, timeout", async () => {
    const t = tools({ tools: { web: { fetch: { allowPrivate: true, maxBytes: 50_000, maxChars: 1000, timeoutSeconds: 0.3 } } } });
    const html = await t.web_fetch.execute({ url: `${base}/html` }, { signal });
    expect(html).toContain("Status: 200");
    expect(html).toContain("Title\nHello & welcome");
    expect(html).not.toContain("evil");
    expect(await t.web_fetch.execute({ url: `${base}/redirect` }, { signal })).toContain('{"ok":true}');
    const big = await t.web_fetch.execute({ url: `${base}/big`, maxChars: 10 }, { signal });
    expect(big).toContain("body cut at 50000 bytes; text cut at 10 chars");
    expect(big.endsWith("\n\nyyyyyyyyyy")).toBe(true);
    await expect(t.web_fetch.execute({ url: `${base}/bin` }, { signal })).rejects.toThrow("unsupported content type application/octet-stream");
    await expect(t.web_fetch.execute({ url: `${base}/slow` }, { signal })).rejects.toThrow("timed out");
  });
});
