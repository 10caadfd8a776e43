/**
 * Advisory class: "HTTP tool invocation reaches dangerous tools" (the upstream /tools/invoke findings). Tools
 * that run programs, write files, change config or reach other sessions are denied over HTTP by default,
 * unknown and denied tools look the same, the agent's own tool policy applies too, tool-level guards (SSRF)
 * hold over HTTP, and the HTTP caller passes the same scope gate as a WebSocket caller.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toolDefinitions } from "../../src/agent/tools/index.ts";
import { DEFAULT_HTTP_TOOL_DENY, HTTP_BEARER_SCOPES, httpInvokable } from "../../src/gateway/http/index.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const TOKEN = "tools-invoke-token-0123456789abcdef0123";
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(extra: Record<string, unknown> = {}): Promise<TestGateway> {
  const { gateway: gwExtra, ...rest } = extra as { gateway?: object };
  const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: TOKEN }, ...gwExtra }, browser: { enabled: false }, ...rest }, settings: { auth: { mode: "token", token: TOKEN } } });
  cleanup.push(() => gw.stop());
  return gw;
}

async function invoke(gw: TestGateway, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${gw.handle.port}/tools/invoke`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

/** Tool names that must never be invokable over HTTP by default, implemented or not. */
const DANGEROUS = ["exec", "bash", "process", "sessions_spawn", "sessions_send", "gateway", "config", "nodes", "cron", "write", "edit", "apply_patch"];

describe("/tools/invoke", () => {
  test("dangerous tools are on the default HTTP deny list", () => {
    for (const t of DANGEROUS) expect({ t, denied: DEFAULT_HTTP_TOOL_DENY.includes(t) }).toEqual({ t, denied: true });
  });

  test("denied and unknown tools answer the same 404; a harmless tool works", async () => {
    const gw = await gateway();
    const notFound = (name: string) => ({ ok: false, error: { type: "not_found", message: `Tool not available: ${name}` } });
    for (const tool of [...DANGEROUS, "no_such_tool", "__proto__", "constructor", "toString", "WEB_FETCH", "EXEC", " exec "]) {
      const r = await invoke(gw, { tool, args: { command: "id" } });
      expect({ tool, status: r.status, json: r.json }).toEqual({ tool, status: 404, json: notFound(tool.trim()) });
    }
    const ok = await invoke(gw, { tool: "sessions_list", args: {} });
    expect(ok.status).toBe(200);
    expect(ok.json.ok).toBe(true);
  });

  test("the deny list and the agent's own tool policy both apply; allow can only re-enable what the agent allows", async () => {
    const denied = await gateway({ gateway: { tools: { deny: ["sessions_list"] } } });
    expect((await invoke(denied, { tool: "sessions_list" })).status).toBe(404);
    const agentDenied = await gateway({ tools: { deny: ["sessions_list"] }, gateway: { tools: { allow: ["sessions_list"] } } });
    expect((await invoke(agentDenied, { tool: "sessions_list" })).status).toBe(404);
    const fetchOff = await gateway({ tools: { web: { fetch: { enabled: false } } } });
    expect((await invoke(fetchOff, { tool: "web_fetch", args: { url: "https://example.com/" } })).status).toBe(404);
  });

  test("tool guards hold over HTTP: web_fetch refuses loopback and private targets", async () => {
    const gw = await gateway();
    for (const url of [`http://127.0.0.1:${gw.handle.port}/healthz`, `http://localhost:${gw.handle.port}/`, "http://[::1]/", "http://169.254.169.254/latest/meta-data/", "http://2130706433/", "file:///etc/passwd"]) {
      const r = await invoke(gw, { tool: "web_fetch", args: { url } });
      expect({ url, status: r.status, type: r.json?.error?.type }).toEqual({ url, status: 400, type: "tool_error" });
    }
  });

  test("the HTTP caller passes the same scope gate as a WebSocket caller running tools (authorize(…, 'agent'))", () => {
    const src = readFileSync(join(import.meta.dir, "../../src/gateway/http/tools-invoke.ts"), "utf8");
    expect(src).toMatch(/import \{ authorize \} from "\.\.\/frames\.ts"/);
    expect(src).toMatch(/authorize\(\{ role: "operator", scopes: \[\.\.\.HTTP_BEARER_SCOPES\] \}, "agent"\)/);
    // The bearer is the shared secret, so the caller is the owner: admin, like a WS client on the secret.
    expect([...HTTP_BEARER_SCOPES]).toEqual(["operator.admin"]);
  });

  test("only POST, only with the bearer", async () => {
    const gw = await gateway();
    const url = `http://127.0.0.1:${gw.handle.port}/tools/invoke`;
    for (const method of ["GET", "PUT", "DELETE"]) expect((await fetch(url, { method, headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    expect((await fetch(url, { method: "POST", body: JSON.stringify({ tool: "sessions_list" }) })).status).toBe(401);
  });

  test("workspace file tools: never over HTTP, even with tools.profile full and gateway.tools.allow naming them", async () => {
    const gw = await gateway({ tools: { profile: "full" }, gateway: { tools: { allow: ["write", "edit", "apply_patch", "read"] } } });
    for (const [tool, args] of [
      ["write", { path: "pwned.txt", content: "x" }],
      ["edit", { path: "AGENTS.md", oldText: "a", newText: "b" }],
      ["apply_patch", { patch: "*** Begin Patch\n*** Add File: pwned.txt\n+x\n*** End Patch" }],
      ["read", { path: "AGENTS.md" }],
    ] as const) {
      const r = await invoke(gw, { tool, args });
      expect({ tool, status: r.status }).toEqual({ tool, status: 404 });
    }
  });

  test("exec and process: never over HTTP, even with tools.profile full and gateway.tools.allow naming them", async () => {
    const gw = await gateway({ tools: { profile: "full" }, gateway: { tools: { allow: ["exec", "process"] } } });
    for (const [tool, args] of [
      ["exec", { command: "touch /tmp/pwned" }],
      ["process", { action: "list" }],
    ] as const) {
      const r = await invoke(gw, { tool, args });
      expect({ tool, status: r.status }).toEqual({ tool, status: 404 });
    }
    const defs = toolDefinitions({});
    expect(defs.filter((d) => d.group === "runtime").map((d) => [d.name, d.http === true, DEFAULT_HTTP_TOOL_DENY.includes(d.name)])).toEqual([
      ["exec", false, true],
      ["process", false, true],
    ]);
  });

  test("the writing file tools are not HTTP-invokable by definition and are on the default deny list; only the four read-only originals are", () => {
    const defs = toolDefinitions({});
    for (const d of defs) {
      if (d.group === "fs" && d.name !== "read") expect({ tool: d.name, http: d.http === true, denied: DEFAULT_HTTP_TOOL_DENY.includes(d.name) }).toEqual({ tool: d.name, http: false, denied: true });
    }
    expect(defs.filter((d) => d.http === true).map((d) => d.name)).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", "canvas"]);
  });

  test("a tool that is not marked http-safe is refused over HTTP unless gateway.tools.allow names it, deny list or not", () => {
    for (const d of toolDefinitions({})) {
      const tool = { name: d.name, http: d.http === true };
      expect({ tool: d.name, byDefault: httpInvokable(tool, undefined) }).toEqual({ tool: d.name, byDefault: d.http === true });
      expect(httpInvokable(tool, { allow: [d.name] })).toBe(true);
      expect(httpInvokable(tool, { allow: ["some_other_tool"] })).toBe(d.http === true);
    }
    expect(httpInvokable({ name: "future_sender", http: false }, { allow: [] })).toBe(false);
  });
});
