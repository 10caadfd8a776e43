/**
 * Fuzzes the frame path with generated, structure-aware inputs (test/fuzz/_gen.ts): the validators as pure
 * functions (checkRequestFrame, checkParams for every method, authorize), then the real thing over sockets
 * (handleFrame after connect, the handshake as first frame, malformed WebSocket frames). Properties: no
 * throw, no crash, every request answered (or the socket closed, for oversized input), the gateway stays up.
 * A short run (a few thousand inputs, seconds); bench/soak/fuzz.ts runs the same generators for millions.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { authorize } from "../../src/gateway/frames.ts";
import { checkParams, POLICY } from "../../src/protocol/index.ts";
import { type AgentGateway, startAgentGateway } from "../helpers/agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { openRawWs, rawConnect, rawConnectParams, type RawWs, responseTo } from "../security/_helpers.ts";
import { generate, mutateText, mutateValue, paramsDefinitionName, Rng } from "./_gen.ts";
import { ALL_METHODS, checkFrameInput, DEFAULT_SEED, DEFS, generateFrameText } from "./_targets.ts";
import { waitFor } from "../helpers/wait.ts";

const SEED = Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);

describe("validators as pure functions", () => {
  test("checkRequestFrame, checkParams (every method) and authorize never throw on generated and mutated input", () => {
    const rng = new Rng(SEED);
    const outcomes: Record<string, number> = { "not-json": 0, "invalid-frame": 0, "invalid-params": 0, valid: 0 };
    for (let i = 0; i < 4000; i++) outcomes[checkFrameInput(generateFrameText(rng, i))]! += 1;
    // The generator is structure-aware: most inputs parse, most of those are frames, many reach a handler.
    expect(outcomes["not-json"]!).toBeLessThan(1000);
    expect(outcomes["invalid-params"]! + outcomes.valid!).toBeGreaterThan(2000);
    expect(outcomes.valid!).toBeGreaterThan(1000);
  });

  test("unmutated generated params pass their own schema for most methods (the generator reaches the handlers)", () => {
    const rng = new Rng(SEED + 1);
    const failing: string[] = [];
    for (const method of [...ALL_METHODS, "connect"]) {
      let ok = 0;
      for (let i = 0; i < 20; i++) {
        const params = generate(DEFS[paramsDefinitionName(method)], rng, DEFS);
        if (checkParams(method, params).ok) ok += 1;
      }
      if (ok === 0) failing.push(method);
    }
    expect(failing.length).toBeLessThanOrEqual(Math.ceil(ALL_METHODS.length * 0.1));
  });

  test("the scope table cannot be reached through the prototype", () => {
    for (const method of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"]) {
      expect(authorize({ role: "operator", scopes: ["operator.read", "operator.write"] }, method)).toBe("missing scope: operator.admin");
      expect(checkParams(method, {}).ok).toBe(false);
    }
  });
});

describe("over real sockets", () => {
  let fake: FakeProvider;
  let gw: AgentGateway;
  beforeAll(async () => {
    fake = startFakeProvider({ fallback: { text: "fuzz ok" } });
    gw = await startAgentGateway({
      gateway: { mode: "local", auth: { token: TEST_TOKEN } },
      browser: { enabled: false },
      web: { enabled: false },
      models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-fuzz", api: "openai-completions", models: [{ id: "m1" }] } } },
      agents: { defaults: { model: "local/m1" } },
    });
  });
  afterAll(async () => {
    await gw.stop();
    fake.stop();
  });

  async function adminSocket(): Promise<RawWs> {
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: TEST_TOKEN } }));
    expect(res.ok).toBe(true);
    return ws;
  }

  test("handleFrame after connect: every well-formed request is answered, junk is ignored, the socket stays usable", async () => {
    const rng = new Rng(SEED + 2);
    const COUNT = 1500;
    const WAITERS = new Set(["agent.wait", "web.login.wait", "node.invoke", "exec.approval.request"]);
    let ws = await adminSocket();
    let generation = 0;
    const answered = new Set<string>();
    let invalidAnswers = 0;
    let expectedInvalid = 0;
    /** Request ids still owed an answer, by socket generation; a closed socket's debts are void. */
    const owed = new Map<string, { generation: number; slowUntil: number }>();
    const closes: { index: number; code?: number; bytes: number }[] = [];
    const closeCodes = new Map<number, number | undefined>();
    const reader = (sock: RawWs, gen: number) => {
      void (async () => {
        for (;;) {
          const f = await sock.next(120_000);
          if (!f || f.opcode === 8) {
            closeCodes.set(gen, f?.code);
            return;
          }
          if (f.opcode !== 1) continue;
          const frame = JSON.parse(f.text);
          if (frame.type !== "res") continue;
          if (frame.id === "invalid") invalidAnswers += 1;
          answered.add(`${gen}:${frame.id}`);
        }
      })();
    };
    reader(ws, generation);
    for (let i = 0; i < COUNT; i++) {
      let text = generateFrameText(rng, i);
      let value: any;
      let json = true;
      try {
        value = JSON.parse(text);
      } catch {
        json = false;
      }
      // Waiting methods wait 30 s by default: keep this run short by asking for short waits.
      if (json && WAITERS.has(value?.method) && value.params && typeof value.params === "object" && !(typeof value.params.timeoutMs === "number" && value.params.timeoutMs <= 1000)) {
        value.params.timeoutMs = 200;
        text = JSON.stringify(value);
      }
      const bytes = Buffer.byteLength(text);
      if (bytes <= POLICY.maxPayload && json) {
        // The wire carries UTF-8: a raw lone surrogate in an id arrives as U+FFFD, an escaped one (`\udfff`)
        // arrives as is; parsing the UTF-8 round trip of the text gives the id exactly as the server sees it.
        const wire = JSON.parse(Buffer.from(text).toString());
        const id = wire && typeof wire === "object" && typeof wire.id === "string" && wire.id ? wire.id : undefined;
        if (id !== undefined) {
          const p = value.params;
          const waits = WAITERS.has(value.method) && !(p && typeof p.timeoutMs === "number" && p.timeoutMs <= 1000);
          owed.set(`${generation}:${id}`, { generation, slowUntil: waits ? Date.now() + 40_000 : 0 });
        } else expectedInvalid += 1;
      }
      ws.sendText(text);
      if (i % 50 === 49 || bytes > POLICY.maxPayload) {
        // A sentinel proves the socket is alive; an oversized frame must have closed it (1009).
        ws.request("health", {}, `sentinel-${i}`);
        const sock = ws;
        await waitFor(() => answered.has(`${generation}:sentinel-${i}`) || sock.ended, "the sentinel's answer", { timeoutMs: 15_000, intervalMs: 2 }).catch(() => {});
        if (!answered.has(`${generation}:sentinel-${i}`)) {
          await waitFor(() => closeCodes.has(generation), "the close code", { timeoutMs: 2000, intervalMs: 2 }).catch(() => {});
          closes.push({ index: i, code: closeCodes.get(generation), bytes });
          ws.destroy();
          for (const [key, o] of owed) if (o.generation === generation && !answered.has(key)) owed.delete(key);
          generation += 1;
          ws = await adminSocket();
          reader(ws, generation);
        }
      }
    }
    const missing = (now: number) => [...owed].filter(([key, o]) => !answered.has(key) && (o.slowUntil === 0 || now > o.slowUntil)).map(([key]) => key);
    const unanswered = () => [...owed.keys()].filter((key) => !answered.has(key));
    // Whatever is still owed after this is checked below (slow waiters excepted).
    await waitFor(() => unanswered().length === 0, "every owed answer", { timeoutMs: 45_000, intervalMs: 20 }).catch(() => {});
    expect(missing(Date.now() + 60_000)).toEqual([]);
    expect(invalidAnswers).toBeGreaterThanOrEqual(expectedInvalid);
    // Only oversized frames may cost the connection.
    for (const c of closes) expect({ ...c, oversized: c.bytes > POLICY.maxPayload }).toEqual({ ...c, oversized: true, code: 1009 });
    ws.destroy();
  }, 150_000);

  test("the handshake: any first frame gets an answer or a close, and only a valid connect gets in", async () => {
    const rng = new Rng(SEED + 3);
    for (let i = 0; i < 300; i++) {
      const params = generate(DEFS.ConnectParams, rng, DEFS) as Record<string, unknown>;
      if (rng.chance(0.5)) params.auth = { token: TEST_TOKEN };
      let frame: unknown = { type: "req", id: `c${i}`, method: "connect", params };
      for (let m = rng.int(0, 3); m > 0; m--) frame = mutateValue(frame, rng);
      let text = JSON.stringify(frame) ?? "null";
      if (rng.chance(0.2)) text = mutateText(text, rng);
      const ws = await openRawWs({ port: gw.handle.port });
      await ws.nextJson(5000); // challenge
      ws.sendText(text);
      const f = await ws.next(10_000);
      expect({ i, text: text.slice(0, 200), outcome: f === undefined ? "silence" : "answered" }).toEqual({ i, text: text.slice(0, 200), outcome: "answered" });
      if (f!.opcode === 1) {
        const res = JSON.parse(f!.text);
        expect(res.type).toBe("res");
        if (!res.ok) expect((await ws.closed(5000))?.opcode).toBe(8);
        else expect(res.payload.type).toBe("hello-ok");
      } else expect(f!.opcode).toBe(8);
      ws.destroy();
    }
  }, 120_000);

  test("malformed WebSocket frames close only the sender; the gateway keeps serving", async () => {
    const port = gw.handle.port;
    const frames: Buffer[] = [
      textFrame(Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), true), // invalid UTF-8 in a text frame
      textFrame(Buffer.from('{"type":"req"}'), false), // unmasked client frame
      Buffer.concat([Buffer.from([0x83, 0x80]), Buffer.alloc(4)]), // reserved opcode 3
      Buffer.concat([Buffer.from([0xc1, 0x80]), Buffer.alloc(4)]), // RSV1 without an extension
      Buffer.concat([Buffer.from([0x80, 0x80]), Buffer.alloc(4)]), // continuation with nothing to continue
      Buffer.concat([Buffer.from([0x89, 0xfe, 0x00, 0xc8]), Buffer.alloc(4), Buffer.alloc(200)]), // ping > 125 bytes
      Buffer.concat([Buffer.from([0x88, 0x82]), Buffer.alloc(4), Buffer.from([0x03, 0xe7])]), // close code 999
      Buffer.concat([Buffer.from([0x81, 0xff]), Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(4)]), // 2^63 length
      Buffer.concat([Buffer.from([0x01, 0x83]), Buffer.alloc(4), Buffer.from("abc"), Buffer.from([0x81, 0x83]), Buffer.alloc(4), Buffer.from("def")]), // new text frame inside a fragmented one
      Buffer.from("GET / HTTP/1.1\r\n\r\n"), // HTTP inside the socket
    ];
    for (const [i, bytes] of frames.entries()) {
      for (const beforeConnect of [true, false]) {
        const raw = await openRawWs({ port });
        expect((await raw.nextJson(5000))?.event).toBe("connect.challenge");
        if (!beforeConnect) {
          raw.sendBytes(textFrame(Buffer.from(JSON.stringify({ type: "req", id: "connect", method: "connect", params: rawConnectParams({ auth: { token: TEST_TOKEN } }) })), true));
          expect((await raw.nextJson(5000))?.ok).toBe(true);
        }
        raw.sendBytes(bytes);
        // Settle: a ping behind the frame. A pong means the server read past it and kept the socket; a close or
        // EOF means it dropped the sender; silence means it is still waiting for the rest of a frame whose header
        // claimed more bytes. Whichever, it must still serve others.
        raw.sendBytes(Buffer.concat([Buffer.from([0x89, 0x80]), Buffer.alloc(4)]));
        let f = await raw.next(1000);
        while (f?.opcode === 1) f = await raw.next(1000); // events broadcast to a connected client
        const outcome = f === undefined ? (raw.ended ? "closed" : "waiting") : f.opcode === 8 ? "closed" : f.opcode === 10 ? "open" : `frame ${f.opcode}: ${f.text.slice(0, 80)}`;
        raw.destroy();
        expect(["closed", "open", "waiting"]).toContain(outcome);
        const good = await adminSocket();
        good.request("health", {}, `after-${i}`);
        expect((await responseTo(good, `after-${i}`))?.ok).toBe(true);
        good.destroy();
      }
    }
  }, 120_000);
});

function textFrame(payload: Buffer, masked: boolean): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, (masked ? 0x80 : 0) | len]) : Buffer.from([0x81, (masked ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  return masked ? Buffer.concat([head, Buffer.alloc(4), payload]) : Buffer.concat([head, payload]);
}
