/**
 * `POST /tools/invoke`: allowed tools run and answer `{ok:true, result}`, unknown and denied ones (agent
 * policy, gateway.tools.deny, the default HTTP deny list) answer the same 404, tool errors are 400.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { type ApiGateway, postJson, startApiGateway } from "../../helpers/http-api.ts";
import { DEFAULT_HTTP_TOOL_DENY, httpDenyList } from "../../../src/gateway/http/tools-invoke.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";

let api: ApiGateway;
let url: string;

beforeAll(async () => {
  api = await startApiGateway(() => ({ gateway: { mode: "local", auth: { token: TEST_TOKEN }, tools: { deny: ["sessions_history"] } } }));
  url = `${api.base}/tools/invoke`;
});
afterAll(async () => {
  await api.stop();
});

/** Swaps the running config as a hot reload would. */
function withConfig(patch: (c: OpenClawConfig) => OpenClawConfig): () => void {
  const ctx = api.gw.handle.ctx;
  const before = ctx.loaded;
  ctx.loaded = { ...before, config: patch(before.config) };
  return () => {
    ctx.loaded = before;
  };
}

describe("/tools/invoke", () => {
  test("an allowed tool runs and returns its text result", async () => {
    const res = await postJson(url, { tool: "sessions_list", args: { limit: 5 }, sessionKey: "main" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.result.content[0].type).toBe("text");
    expect(JSON.parse(body.result.content[0].text)).toEqual({ count: 0, sessions: [] });
  });

  test("unknown tool: 404 not_found", async () => {
    const res = await postJson(url, { tool: "no_such_tool" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: { type: "not_found", message: "Tool not available: no_such_tool" } });
  });

  test("gateway.tools.deny hides a tool the agent has", async () => {
    const res = await postJson(url, { tool: "sessions_history", args: { sessionKey: "main" } });
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toBe("Tool not available: sessions_history");
  });

  test("the agent's own tools.deny applies too (read live)", async () => {
    const restore = withConfig((c) => ({ ...c, tools: { deny: ["web_fetch"] } }));
    try {
      expect((await postJson(url, { tool: "web_fetch", args: { url: "https://example.com" } })).status).toBe(404);
    } finally {
      restore();
    }
  });

  test("a tool that throws: 400 tool_error with its message", async () => {
    const res = await postJson(url, { tool: "web_fetch", args: { url: "ftp://example.com/file" } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.ok).toBe(false);
    expect(body.error.type).toBe("tool_error");
    expect(body.error.message).toContain("only http and https");
  });

  test("body checks: tool required, args must be an object", async () => {
    const none = await postJson(url, { args: {} });
    expect(none.status).toBe(400);
    expect(await none.json()).toEqual({ error: { message: "tools.invoke requires body.tool", type: "invalid_request_error" } });
    expect((await postJson(url, { tool: "sessions_list", args: [1] })).status).toBe(400);
  });
});

describe("default HTTP deny list", () => {
  test("dangerous tools are denied unless gateway.tools.allow names them; deny adds", () => {
    for (const t of ["sessions_spawn", "exec", "gateway", "cron", "config"]) expect(DEFAULT_HTTP_TOOL_DENY).toContain(t);
    const def = httpDenyList(undefined);
    expect(def.has("sessions_spawn")).toBe(true);
    const tuned = httpDenyList({ allow: ["sessions_spawn"], deny: ["web_fetch"] });
    expect(tuned.has("sessions_spawn")).toBe(false);
    expect(tuned.has("exec")).toBe(true);
    expect(tuned.has("web_fetch")).toBe(true);
  });
});
