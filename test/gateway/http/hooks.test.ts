/**
 * Hooks: token checks (header forms, query token refused, lockout), /wake, /agent (isolated run, summary
 * system event, session-key prefix rule), mappings with templates, presets and transforms, idempotency
 * keys, the body cap, and the start-up refusal without a token.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveGatewaySettings } from "../../../src/config/gateway-settings.ts";
import { startTestGateway, TEST_TOKEN } from "../../helpers/gateway.ts";
import { type ApiGateway, postJson, startApiGateway } from "../../helpers/http-api.ts";
import { waitFor } from "../../helpers/wait.ts";

const HOOK_TOKEN = "hook-secret-0123456789";
let api: ApiGateway;
let hooks: string;

beforeAll(async () => {
  api = await startApiGateway(() => ({
    hooks: {
      enabled: true,
      token: HOOK_TOKEN,
      path: "/hooks/",
      maxBodyBytes: 2048,
      presets: ["gmail"],
      transformsDir: "transforms",
      mappings: [
        { id: "gh", match: { path: "github" }, name: "GitHub {{repository.name}}", messageTemplate: "Push to {{repository.full_name}}: {{commits[0].message}} via {{path}}" },
        { match: { path: "ping", source: "monitor" }, action: "wake", textTemplate: "Ping from {{source}}: {{payload.status}}" },
        { match: { path: "tx" }, action: "wake", textTemplate: "base text", transform: { module: "t.mjs" } },
      ],
    },
  }));
  hooks = `${api.base}/hooks`;
  // These tests read the queued system events; a heartbeat woken by "now" would drain them (the wake →
  // heartbeat path is covered in test/gateway/heartbeat.test.ts).
  api.gw.handle.ctx.heartbeat.setEnabled(false);
  const dir = join(api.gw.stateDir, "transforms");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "t.mjs"), "export default (ctx) => (ctx.payload.skip ? null : { text: `transformed ${ctx.payload.v} at ${ctx.path}` });\n");
});
afterAll(async () => {
  await api.stop();
});

const events = () => api.gw.handle.ctx.systemEvents;

function hook(path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${HOOK_TOKEN}` }): Promise<Response> {
  return postJson(`${hooks}${path}`, body, { token: null, headers });
}

describe("auth and request checks", () => {
  test("Bearer and X-OpenClaw-Token both work; a wrong token is 401 text", async () => {
    expect((await hook("/wake", { text: "a" })).status).toBe(200);
    expect((await hook("/wake", { text: "b" }, { "x-openclaw-token": HOOK_TOKEN })).status).toBe(200);
    const wrong = await hook("/wake", { text: "c" }, { "x-openclaw-token": "nope" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe("Unauthorized");
    // The gateway token is not the hooks token.
    expect((await hook("/wake", { text: "d" }, { authorization: `Bearer ${TEST_TOKEN}` })).status).toBe(401);
  });

  test("a token in the query string is refused, even the right one, pointing at the header", async () => {
    const res = await postJson(`${hooks}/wake?token=${HOOK_TOKEN}`, { text: "q" }, { token: null });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain("?token=");
    expect(text).toContain("X-OpenClaw-Token");
    expect(events()).not.toContain("q");
  });

  test("order: token before method; no sub-path is 404; over maxBodyBytes is 413; bad JSON 400", async () => {
    expect((await fetch(`${hooks}/wake`)).status).toBe(401);
    const get = await fetch(`${hooks}/wake`, { headers: { authorization: `Bearer ${HOOK_TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await hook("", { text: "x" })).status).toBe(404);
    expect((await hook("/", { text: "x" })).status).toBe(404);
    const big = await hook("/wake", { text: "x".repeat(2048) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ ok: false, error: "payload too large" });
    const bad = await hook("/wake", "{");
    expect(bad.status).toBe(400);
    expect((await bad.json()).ok).toBe(false);
    expect((await hook("/wake", [1, 2])).status).toBe(400);
  });

  test("unknown sub-path without a mapping: 404", async () => {
    expect((await hook("/nothing-here", { a: 1 })).status).toBe(404);
  });
});

describe("/wake", () => {
  test("queues the text as a system event; mode defaults to now", async () => {
    const res = await hook("/wake", { text: "Deploy finished" });
    expect(await res.json()).toEqual({ ok: true, mode: "now" });
    expect(events()).toContain("Deploy finished");
    const later = await hook("/wake", { text: "Later please", mode: "next-heartbeat" });
    expect(await later.json()).toEqual({ ok: true, mode: "next-heartbeat" });
  });

  test("text is required", async () => {
    const res = await hook("/wake", { mode: "now" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: "text required" });
  });
});

describe("/agent", () => {
  test("202 with a runId, an isolated hook session, then 'Hook <name>: <summary>'", async () => {
    api.fake.push({ text: "Build is green." });
    const res = await hook("/agent", { message: "CI result: all tests passed", name: "CI" });
    expect(res.status).toBe(202);
    const { ok, runId } = await res.json();
    expect(ok).toBe(true);
    expect(typeof runId).toBe("string");
    await waitFor(() => events().includes("Hook CI: Build is green."), "the hook summary");
    const run = api.gw.handle.ctx.store.getRun(runId);
    expect(run?.sessionKey).toMatch(/^hook:[0-9a-f-]{36}$/);
    const user = JSON.stringify(api.fake.requests.at(-1)?.body.messages);
    expect(user).toContain("CI result: all tests passed");
    expect(user).toContain("EXTERNAL_UNTRUSTED_CONTENT");
  });

  test("a failed run posts an error summary", async () => {
    api.fake.push({ status: 400, message: "model down" });
    const res = await hook("/agent", { message: "x", name: "Broken" });
    expect(res.status).toBe(202);
    await waitFor(() => events().find((e) => e.startsWith("Hook Broken: error:")), "the error summary");
  });

  test("field checks: message, channel, model, thinking, session key prefix", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, "message required"],
      [{ message: "x", channel: "carrier-pigeon" }, "channel must be last"],
      [{ message: "x", model: "" }, "model required"],
      [{ message: "x", thinking: "galaxy-brain" }, "invalid thinking level"],
      [{ message: "x", sessionKey: "agent:main:main" }, "sessionKey must start with hook:"],
    ];
    for (const [body, error] of cases) {
      const res = await hook("/agent", body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toContain(error);
    }
    api.fake.push({ text: "ok" });
    const keyed = await hook("/agent", { message: "x", sessionKey: "hook:custom-1", deliver: false });
    expect(keyed.status).toBe(202);
    const { runId } = await keyed.json();
    expect(api.gw.handle.ctx.store.getRun(runId)?.sessionKey).toBe("hook:custom-1");
  });

  test("model pins the hook session's model", async () => {
    api.fake.push({ text: "from m2" });
    const res = await hook("/agent", { message: "x", name: "M", model: "local/m2", sessionKey: "hook:model-test" });
    expect(res.status).toBe(202);
    await waitFor(() => events().includes("Hook M: from m2"), "the summary");
    expect(api.fake.requests.at(-1)?.body.model).toBe("m2");
  });
});

describe("mappings", () => {
  test("an agent mapping renders its templates from the payload", async () => {
    api.fake.push({ text: "Noted the push." });
    const res = await hook("/github", { repository: { name: "claw", full_name: "acme/claw" }, commits: [{ message: "fix: all the things" }] });
    expect(res.status).toBe(202);
    await waitFor(() => events().includes("Hook GitHub claw: Noted the push."), "the mapping summary");
    expect(JSON.stringify(api.fake.requests.at(-1)?.body.messages)).toContain("Push to acme/claw: fix: all the things via github");
  });

  test("a wake mapping matches on source", async () => {
    const res = await hook("/ping", { source: "monitor", status: "up" });
    expect(await res.json()).toEqual({ ok: true, mode: "now" });
    expect(events()).toContain("Ping from monitor: up");
    expect((await hook("/ping", { source: "other" })).status).toBe(404);
  });

  test("the gmail preset builds its session key from the message id", async () => {
    api.fake.push({ text: "Mail read." });
    const res = await hook("/gmail", { messages: [{ id: "m-77", from: "ann@example.com", subject: "Hi", snippet: "hello", body: "Hello!" }] });
    const { runId } = await res.json();
    expect(api.gw.handle.ctx.store.getRun(runId)?.sessionKey).toBe("hook:gmail:m-77");
  });

  test("a transform rewrites the action, or drops it with null (204)", async () => {
    const res = await hook("/tx", { v: 5 });
    expect(await res.json()).toEqual({ ok: true, mode: "now" });
    expect(events()).toContain("transformed 5 at tx");
    const skipped = await hook("/tx", { skip: true });
    expect(skipped.status).toBe(204);
  });
});

describe("idempotency", () => {
  test("a repeated Idempotency-Key returns the first answer and starts nothing", async () => {
    api.fake.push({ text: "once" });
    const before = api.fake.requests.length;
    const headers = { authorization: `Bearer ${HOOK_TOKEN}`, "idempotency-key": "delivery-1" };
    const first = await (await hook("/agent", { message: "do it once", name: "Once" }, headers)).json();
    await waitFor(() => events().includes("Hook Once: once"), "the first run");
    const again = await hook("/agent", { message: "do it once", name: "Once" }, headers);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(first);
    // A run the replay started would be active from before the 202 until after its model request.
    await waitFor(() => api.gw.handle.ctx.agents.activeCount === 0, "no run active");
    expect(api.fake.requests.length).toBe(before + 1);
  });

  test("the body's idempotencyKey works the same; errors are not remembered", async () => {
    const count = () => events().filter((e) => e === "dedupe me").length;
    await hook("/wake", { text: "dedupe me", idempotencyKey: "k-2" });
    await hook("/wake", { text: "dedupe me", idempotencyKey: "k-2" });
    expect(count()).toBe(1);
    expect((await hook("/wake", { idempotencyKey: "k-3" })).status).toBe(400);
    expect((await hook("/wake", { text: "fixed", idempotencyKey: "k-3" })).status).toBe(200);
  });
});

describe("configuration", () => {
  test("hooks.enabled without hooks.token refuses to start", () => {
    const config = { gateway: { mode: "local" as const, auth: { token: TEST_TOKEN } }, hooks: { enabled: true } };
    expect(() => resolveGatewaySettings({ config, configExists: true, env: {} })).toThrow("hooks.enabled requires hooks.token");
    expect(() => resolveGatewaySettings({ config: { ...config, hooks: { enabled: true, token: "t", path: "/" } }, configExists: true, env: {} })).toThrow('hooks.path may not be "/"');
    expect(() => resolveGatewaySettings({ config: { ...config, hooks: { enabled: false } }, configExists: true, env: {} })).not.toThrow();
  });

  test("a tokenless hooks config (only possible by hot reload) stays closed: requests fall through to 404", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, hooks: { enabled: true } } });
    try {
      const res = await postJson(`http://127.0.0.1:${gw.handle.port}/hooks/wake`, { text: "x" }, { token: null, headers: { authorization: "Bearer anything" } });
      expect(res.status).toBe(404);
      expect(gw.handle.ctx.systemEvents).toEqual([]);
      expect(gw.logs.some((l) => l.includes("hooks.enabled requires hooks.token"))).toBe(true);
    } finally {
      await gw.stop();
    }
  });

  test("wrong hook tokens count towards the per-address lockout (429 + Retry-After)", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, hooks: { enabled: true, token: HOOK_TOKEN } } });
    try {
      const url = `http://127.0.0.1:${gw.handle.port}/hooks/wake`;
      for (let i = 0; i < 10; i++) expect((await postJson(url, { text: "x" }, { token: `bad-${i}` })).status).toBe(401);
      const locked = await postJson(url, { text: "x" }, { token: HOOK_TOKEN });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await gw.stop();
    }
  });
});
