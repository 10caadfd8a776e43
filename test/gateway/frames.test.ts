/**
 * Conformance: frame parsing and dispatch after connect (protocol.md §2): junk is ignored, invalid frames,
 * unknown methods and bad params get INVALID_REQUEST with the spec's message formats, requests run
 * concurrently, and a handler that throws answers UNAVAILABLE without hurting the connection.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { validateResponseFrame } from "../../src/protocol/generated/validators.js";
import { connectClient } from "../helpers/ws.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { waitFor } from "../helpers/wait.ts";

const env = useCleanup();

async function connected() {
  const gw = await env.gateway();
  const { sock } = await connectClient(gw.url, gw.token);
  return { gw, sock };
}

describe("after connect", () => {
  test("non-JSON text is ignored: the socket stays open and the next request is answered", async () => {
    const { sock } = await connected();
    sock.send("{not json");
    sock.send("");
    const res = await sock.request("status", {}, "after-junk");
    expect(res).toMatchObject({ type: "res", id: "after-junk", ok: true });
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
  });

  test("binary frames are ignored after connect", async () => {
    const { sock } = await connected();
    sock.ws.send(new Uint8Array([1, 2, 3]));
    expect((await sock.request("status", {}, "after-binary")).ok).toBe(true);
  });

  const INVALID: [string, unknown, string, RegExp][] = [
    ["an array", [1, 2], "invalid", /^invalid request frame: /],
    ["a number", 42, "invalid", /^invalid request frame: /],
    ["an event frame", { type: "event", event: "x" }, "invalid", /^invalid request frame: .*type/],
    ["a req without id", { type: "req", method: "health" }, "invalid", /^invalid request frame: .*'id'/],
    ["a req with an empty id", { type: "req", id: "", method: "health" }, "invalid", /^invalid request frame: .*\/id/],
    ["a req with a numeric id", { type: "req", id: 7, method: "health" }, "invalid", /^invalid request frame: .*\/id/],
    ["a req with an empty method", { type: "req", id: "m1", method: "" }, "m1", /^invalid request frame: .*\/method/],
    ["a req without method", { type: "req", id: "m2" }, "m2", /^invalid request frame: .*'method'/],
    ["a req with an extra property", { type: "req", id: "m3", method: "health", extra: true }, "m3", /^invalid request frame: .*'extra'/],
  ];
  for (const [what, frame, id, message] of INVALID) {
    test(`invalid request frame: ${what} → res id "${id}"`, async () => {
      const { sock } = await connected();
      sock.send(JSON.stringify(frame));
      const res = await sock.nextMatching((f) => f.type === "res");
      expect(validateResponseFrame(res)).toBe(true);
      expect(res.id).toBe(id);
      expect(res.ok).toBe(false);
      expect(res.error.code).toBe("INVALID_REQUEST");
      expect(res.error.message).toMatch(message);
      expect((await sock.request("status")).ok).toBe(true);
    });
  }

  test("unknown method", async () => {
    const { sock } = await connected();
    const res = await sock.request("no.such.method", {}, "u1");
    expect(res).toEqual({ type: "res", id: "u1", ok: false, error: { code: "INVALID_REQUEST", message: "unknown method: no.such.method" } });
  });

  test("bad params: 'invalid <method> params: <errors joined by '; '>'", async () => {
    const { sock } = await connected();
    const cases: [string, unknown, string][] = [
      ["system-event", {}, "invalid system-event params: must have required property 'text'"],
      ["device.token.rotate", {}, "invalid device.token.rotate params: must have required property 'deviceId'; must have required property 'role'"],
      ["logs.tail", { limit: 0 }, "invalid logs.tail params: at /limit: must be >= 1"],
      ["logs.tail", { maxBytes: 2_000_000 }, "invalid logs.tail params: at /maxBytes: must be <= 1000000"],
      ["logs.tail", { cursor: "x" }, "invalid logs.tail params: at /cursor: must be integer"],
    ];
    for (const [method, params, message] of cases) {
      expect((await sock.request(method, params)).error).toEqual({ code: "INVALID_REQUEST", message });
    }
    const extra = await sock.request("config.get", { bogus: 1 });
    expect(extra.error).toEqual({ code: "INVALID_REQUEST", message: "invalid config.get params: at root: unexpected property 'bogus'" });
  });

  test("missing params count as {}", async () => {
    const { sock } = await connected();
    sock.send({ type: "req", id: "no-params", method: "status" });
    expect((await sock.nextMatching((f) => f.id === "no-params")).ok).toBe(true);
  });

  test("concurrent requests are all answered, each once, with its own id", async () => {
    const { sock } = await connected();
    const methods = ["health", "status", "system-presence", "last-heartbeat", "logs.tail", "config.get", "config.schema", "models.list", "agents.list", "sessions.list", "channels.status"];
    const ids = Array.from({ length: 60 }, (_, i) => `c${i}`);
    // The test socket's queue serves one reader at a time, so count responses with a listener of our own.
    const answers = new Map<string, any[]>();
    sock.ws.addEventListener("message", (ev) => {
      const f = JSON.parse(String(ev.data));
      if (f.type === "res") answers.set(f.id, [...(answers.get(f.id) ?? []), f]);
    });
    ids.forEach((id, i) => sock.send({ type: "req", id, method: methods[i % methods.length], params: {} }));
    await waitFor(() => answers.size === ids.length, "all answers", 5000);
    expect([...answers.keys()].sort()).toEqual([...ids].sort());
    expect([...answers.values()].every((list) => list.length === 1 && list[0].ok === true)).toBe(true);
    // Nothing else arrives for these ids.
    expect((await sock.request("status")).ok).toBe(true);
    expect([...answers.values()].every((list) => list.length === 1)).toBe(true);
  });

  test("a handler that throws answers UNAVAILABLE with the error text; the connection keeps working", async () => {
    const { gw, sock } = await connected();
    // logs.tail reads the gateway's log file; make that path a directory so the read fails.
    const file = join(gw.stateDir, "gateway.log");
    await waitFor(() => gw.logs.some((l) => l.includes("client connected")), "a log line", 5000);
    rmSync(file, { force: true });
    mkdirSync(file);
    const res = await sock.request("logs.tail", {}, "boom");
    expect(res).toMatchObject({ type: "res", id: "boom", ok: false, error: { code: "UNAVAILABLE" } });
    expect(res.error.message).toContain("EISDIR");
    expect(gw.logs.some((l) => l.includes("logs.tail failed"))).toBe(true);
    expect((await sock.request("status")).ok).toBe(true);
  });

  test("an error a handler raises on purpose keeps its code (GatewayError)", async () => {
    const { sock } = await connected();
    const res = await sock.request("device.pair.approve", { requestId: "nope" });
    expect(res.error).toEqual({ code: "INVALID_REQUEST", message: "unknown requestId: nope" });
  });
});
