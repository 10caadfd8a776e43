import { describe, expect, test } from "bun:test";
import { PARAMS_VALIDATORS } from "../../src/protocol/generated/validators.js";
import {
  checkConfig,
  checkEventPayload,
  checkParams,
  checkRequestFrame,
  checkResult,
  EVENTS,
  formatValidationErrors,
  isKnownMethod,
  METHOD_SCOPES,
  METHODS,
  POLICY,
  PROTOCOL_VERSION,
  UNADVERTISED_METHODS,
  UNADVERTISED_V4_METHODS,
  V4_METHODS,
  METHOD_SCOPES_V4_CHANGES,
} from "../../src/protocol/index.ts";

const goodConnect = {
  minProtocol: 3,
  maxProtocol: 3,
  client: { id: "cli", version: "1.0.0", platform: "linux", mode: "cli" },
  auth: { token: "t" },
};

describe("checkRequestFrame", () => {
  test("accepts a request with and without params", () => {
    expect(checkRequestFrame({ type: "req", id: "1", method: "health" })).toEqual({
      ok: true,
      frame: { type: "req", id: "1", method: "health" },
    });
    expect(checkRequestFrame({ type: "req", id: "1", method: "send", params: { a: 1 } }).ok).toBe(true);
  });

  test("rejects extra props, empty id and wrong type; message is the error list the reply appends", () => {
    const result = checkRequestFrame({ type: "req", id: "", method: "x", extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(
      "at root: unexpected property 'extra'; at /id: must NOT have fewer than 1 characters",
    );
    expect(result.errors.map((e) => e.keyword).sort()).toEqual(["additionalProperties", "minLength"]);
    expect(checkRequestFrame({ type: "res", id: "1", method: "x" })).toMatchObject({
      ok: false,
      message: "at /type: must be equal to constant",
    });
    expect(checkRequestFrame("nope")).toMatchObject({ ok: false, message: "must be object" });
  });
});

describe("checkParams", () => {
  test("send without message and idempotencyKey gives the spec's exact text", () => {
    expect(checkParams("send", { to: "+15551234567" })).toMatchObject({
      ok: false,
      message: "invalid send params: must have required property 'message'; must have required property 'idempotencyKey'",
    });
  });

  test("a bad client.id gives the spec's exact connect text", () => {
    const params = { ...goodConnect, client: { ...goodConnect.client, id: "not-a-client" } };
    expect(checkParams("connect", params)).toMatchObject({
      ok: false,
      message:
        "invalid connect params: at /client/id: must be equal to constant; at /client/id: must match a schema in anyOf",
    });
  });

  test("valid connect params pass and come back typed", () => {
    const result = checkParams("connect", goodConnect);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.params.client.mode).toBe("cli");
  });

  test("client.platform is free text, client.mode is an enum", () => {
    expect(checkParams("connect", { ...goodConnect, client: { ...goodConnect.client, platform: "plan9" } }).ok).toBe(true);
    expect(checkParams("connect", { ...goodConnect, client: { ...goodConnect.client, mode: "daemon" } })).toMatchObject({
      ok: false,
      message: "invalid connect params: at /client/mode: must be equal to constant; at /client/mode: must match a schema in anyOf",
    });
  });

  test("extra props are rejected at every level of connect", () => {
    expect(checkParams("connect", { ...goodConnect, extra: true })).toMatchObject({
      ok: false,
      message: "invalid connect params: at root: unexpected property 'extra'",
    });
    expect(checkParams("connect", { ...goodConnect, client: { ...goodConnect.client, x: 1 } })).toMatchObject({
      message: "invalid connect params: at /client: unexpected property 'x'",
    });
    expect(checkParams("connect", { ...goodConnect, auth: { token: "t", user: "u" } })).toMatchObject({
      message: "invalid connect params: at /auth: unexpected property 'user'",
    });
  });

  test("connect params are validated as sent; other methods treat missing params as {}", () => {
    expect(checkParams("connect", undefined)).toMatchObject({ ok: false, message: "invalid connect params: must be object" });
    expect(checkParams("models.list", undefined)).toEqual({ ok: true, params: {} });
    expect(checkParams("chat.send", undefined)).toMatchObject({
      ok: false,
      message:
        "invalid chat.send params: must have required property 'sessionKey'; must have required property 'message'; must have required property 'idempotencyKey'",
    });
  });

  test("extra props are rejected by strict methods and ignored where upstream ignores params", () => {
    expect(checkParams("chat.send", { sessionKey: "main", message: "", idempotencyKey: "k", bogus: 1 })).toMatchObject({
      ok: false,
      message: "invalid chat.send params: at root: unexpected property 'bogus'",
    });
    expect(checkParams("models.list", { x: 1 }).ok).toBe(false);
    expect(checkParams("health", { probe: true, anything: 1 }).ok).toBe(true);
    expect(checkParams("health", { probe: "yes" })).toMatchObject({ message: "invalid health params: at /probe: must be boolean" });
  });

  test("types and ranges are checked", () => {
    expect(checkParams("logs.tail", { limit: 0 })).toMatchObject({ message: "invalid logs.tail params: at /limit: must be >= 1" });
    expect(checkParams("chat.history", { sessionKey: "main", limit: 1.5 })).toMatchObject({
      message: "invalid chat.history params: at /limit: must be integer",
    });
    expect(checkParams("wake", { mode: "now", text: "hi" }).ok).toBe(true);
    expect(checkParams("exec.approval.resolve", { id: "a", decision: "allow-once" }).ok).toBe(true);
    expect(checkParams("sessions.patch", { key: "k", label: null, sendPolicy: "deny" }).ok).toBe(true);
    expect(checkParams("cron.remove", { jobId: "j" }).ok).toBe(true);
  });

  test("unknown methods are reported", () => {
    expect(checkParams("nope.method", {})).toEqual({ ok: false, message: "unknown method: nope.method", errors: [] });
    expect(isKnownMethod("nope.method")).toBe(false);
    expect(isKnownMethod("connect")).toBe(false);
    expect(isKnownMethod("chat.send")).toBe(true);
    expect(isKnownMethod("poll")).toBe(true);
  });
});

describe("method and event tables", () => {
  test("constants match the spec", () => {
    expect(PROTOCOL_VERSION).toBe(3);
    expect(POLICY).toEqual({ maxPayload: 524288, maxBufferedBytes: 1572864, tickIntervalMs: 30000 });
    expect(METHODS.length).toBe(83);
    expect(METHODS.slice(0, 3)).toEqual(["health", "logs.tail", "channels.status"]);
    expect(METHODS.slice(-3)).toEqual(["chat.history", "chat.abort", "chat.send"]);
    expect(new Set(METHODS).size).toBe(METHODS.length);
    expect(EVENTS.length).toBe(18);
  });

  test("every method in METHODS has a params validator", () => {
    for (const method of [...METHODS, ...UNADVERTISED_METHODS]) {
      expect(typeof (PARAMS_VALIDATORS as Record<string, unknown>)[method]).toBe("function");
      expect(isKnownMethod(method)).toBe(true);
    }
  });

  test("the scope table covers every method and follows §4", () => {
    const all = [...METHODS, ...UNADVERTISED_METHODS, ...V4_METHODS, ...UNADVERTISED_V4_METHODS];
    for (const method of all) expect(METHOD_SCOPES[method]).toBeDefined();
    expect(Object.keys(METHOD_SCOPES).length).toBe(all.length);
    expect(METHOD_SCOPES.health).toBe("read");
    expect(METHOD_SCOPES["chat.send"]).toBe("write");
    expect(METHOD_SCOPES["system-event"]).toBe("admin");
    expect(METHOD_SCOPES["agents.files.get"]).toBe("admin");
    expect(METHOD_SCOPES["config.patch"]).toBe("admin");
    expect(METHOD_SCOPES["exec.approval.resolve"]).toBe("approvals");
    expect(METHOD_SCOPES["exec.approval.list"]).toBe("approvals");
    expect(METHOD_SCOPES["exec.approvals.get"]).toBe("admin");
    expect(METHOD_SCOPES["node.rename"]).toBe("pairing");
    expect(METHOD_SCOPES["device.token.rotate"]).toBe("pairing");
    expect(METHOD_SCOPES["skills.bins"]).toBe("node");
    expect(METHOD_SCOPES["node.invoke.result"]).toBe("node");
    expect(METHOD_SCOPES["node.canvas.capability.refresh"]).toBe("node");
    expect(METHOD_SCOPES["node.invoke"]).toBe("write");
    expect(METHOD_SCOPES.poll).toBe("admin");
    expect(METHOD_SCOPES["tools.effective"]).toBe("read");
    expect(METHOD_SCOPES["memory.search"]).toBe("read");
    expect(METHOD_SCOPES["memory.status"]).toBe("read");
    expect(METHOD_SCOPES["memory.reindex"]).toBe("admin");
    const count = (scope: string) => Object.values(METHOD_SCOPES).filter((s) => s === scope).length;
    // v3's 23 read, 14 write and 2 approvals methods, ours (tools.effective, memory.search/status, exec.approval.list)
    // and the v4 ones (11 read, message.action, 2 approval lists, question.list).
    expect([count("read"), count("write"), count("approvals"), count("pairing"), count("questions"), count("node")]).toEqual([37, 15, 5, 11, 1, 4]);
    expect(METHOD_SCOPES["update.status"]).toBe("admin");
    expect(METHOD_SCOPES_V4_CHANGES).toEqual({ "config.get": "read", "config.schema": "read" });
  });
});

describe("checkResult / checkEventPayload", () => {
  test("documented results and payloads are checked; undocumented ones pass", () => {
    expect(checkResult("node.list", { ts: 1, nodes: [] })).toEqual({ ok: true });
    expect(checkResult("node.list", { nodes: [] })).toMatchObject({
      ok: false,
      message: "invalid node.list result: must have required property 'ts'",
    });
    expect(checkResult("last-heartbeat", null)).toEqual({ ok: true });
    expect(checkResult("system-presence", [{ ts: 1, mode: "gateway", reason: "self" }])).toEqual({ ok: true });
    expect(checkResult("skills.install", { anything: true })).toEqual({ ok: true });
    expect(checkResult("cron.add", { anything: true })).toMatchObject({ ok: false });
    expect(checkEventPayload("tick", { ts: 5 })).toEqual({ ok: true });
    expect(checkEventPayload("tick", {})).toMatchObject({ ok: false });
    expect(checkEventPayload("health", {})).toEqual({ ok: true });
    expect(checkEventPayload("plugin.custom", 42)).toEqual({ ok: true });
  });
});

describe("formatValidationErrors", () => {
  test("formats, dedupes and handles empty input", () => {
    expect(formatValidationErrors(null)).toBe("unknown validation error");
    expect(
      formatValidationErrors([
        { instancePath: "/a", schemaPath: "#/x", keyword: "const", params: {}, message: "must be equal to constant" },
        { instancePath: "/a", schemaPath: "#/y", keyword: "const", params: {}, message: "must be equal to constant" },
        { instancePath: "", schemaPath: "#/required", keyword: "required", params: { missingProperty: "b" }, message: "must have required property 'b'" },
      ]),
    ).toBe("at /a: must be equal to constant; must have required property 'b'");
  });
});

describe("checkConfig", () => {
  test("an empty config is valid", () => {
    expect(checkConfig({})).toEqual({ ok: true, config: {} });
  });

  test("issues are per key and readable", () => {
    const result = checkConfig({
      gateway: { port: 70000, bind: "everywhere", foo: 1, auth: { mode: 3 } },
      agents: { list: [{ name: "a" }, { id: "b", model: { primary: 5 } }, { id: "c", model: 5 }] },
      models: { providers: { "my.host": { baseUrl: 1 } } },
      logging: { level: "loud" },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: "gateway.foo", message: 'unknown key "foo"' },
      { path: "gateway.port", message: "must be <= 65535" },
      { path: "gateway.bind", message: "must be one of: loopback, lan, tailnet, auto, custom" },
      { path: "gateway.auth.mode", message: "must be one of: token, password" },
      { path: "logging.level", message: "must be one of: silent, fatal, error, warn, info, debug, trace" },
      { path: 'models.providers["my.host"].baseUrl', message: "must be string" },
      { path: "agents.list[0].id", message: "is required" },
      { path: "agents.list[1].model.primary", message: "must be string" },
      { path: "agents.list[2].model", message: "must be string or object" },
    ]);
  });

  test("type errors and root errors", () => {
    expect(checkConfig({ gateway: { port: "x" } })).toEqual({ ok: false, issues: [{ path: "gateway.port", message: "must be integer" }] });
    expect(checkConfig({ gateway: { port: 0 } })).toEqual({ ok: false, issues: [{ path: "gateway.port", message: "must be >= 1" }] });
    expect(checkConfig([])).toEqual({ ok: false, issues: [{ path: "(root)", message: "must be object" }] });
    expect(checkConfig({ nope: 1 })).toEqual({ ok: false, issues: [{ path: "nope", message: 'unknown key "nope"' }] });
  });
});
