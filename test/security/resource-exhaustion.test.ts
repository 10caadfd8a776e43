/**
 * Advisory class: unbounded state driven by clients (memory exhaustion over time). Tables keyed by
 * client-chosen values must shrink back or stay capped: agent.wait on unknown run ids (per connection, and
 * gone with the connection), the failed-auth limiter's address table, sockets that never finish the handshake.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { AuthRateLimiter } from "../../src/gateway/auth.ts";
import { MAX_WAITS_PER_CONNECTION } from "../../src/gateway/chat/agent-wait.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { rawConnect, rawConnectParams, responseTo } from "./_helpers.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

describe("client-keyed tables", () => {
  test("agent.wait on thousands of unknown run ids leaves no waiter entries behind", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: "exhaust-token-0123456789abcdef" } }, browser: { enabled: false } } });
    cleanup.push(() => gw.stop());
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: gw.token }, scopes: ["operator.write"] }));
    expect(res.ok).toBe(true);
    cleanup.push(() => ws.destroy());
    for (let i = 0; i < 2000; i++) ws.request("agent.wait", { runId: `unknown-${i}-${crypto.randomUUID()}`, timeoutMs: 1 }, `w${i}`);
    // Pipelined faster than the 1 ms timers fire, some go over the per-connection cap and are refused.
    let answers = 0;
    let timeouts = 0;
    while (answers < 2000) {
      const f = await ws.nextJson(10_000);
      if (!f) throw new Error(`only ${answers} answers`);
      if (f.type !== "res") continue;
      answers += 1;
      if (f.ok && f.payload.status === "timeout") timeouts += 1;
      else expect(f.error.message).toContain("too many pending agent.wait calls");
    }
    expect(timeouts).toBeGreaterThanOrEqual(MAX_WAITS_PER_CONNECTION);
    const waiters = (gw.handle.ctx.agents as unknown as { waiters: Map<string, unknown> }).waiters;
    expect(waiters.size).toBe(0);
  });

  test("agent.wait waiters end with their connection (long timeouts, clients that disconnect)", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: "exhaust-token-0123456789abcdef" } }, browser: { enabled: false } } });
    cleanup.push(() => gw.stop());
    const waiters = (gw.handle.ctx.agents as unknown as { waiters: Map<string, unknown> }).waiters;
    const perClient = 200;
    for (let c = 0; c < 5; c++) {
      const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: gw.token }, scopes: ["operator.write"] }));
      expect(res.ok).toBe(true);
      for (let i = 0; i < perClient; i++) ws.request("agent.wait", { runId: `gone-${c}-${i}`, timeoutMs: 2 ** 31 }, `w${i}`);
      // Frames are handled in order: once `status` answers, every wait above is pending.
      ws.request("status", {}, "s");
      expect((await responseTo(ws, "s")).ok).toBe(true);
      expect(waiters.size).toBe(perClient);
      ws.destroy();
      await waitFor(() => waiters.size === 0, "waiters dropped on disconnect", 5000);
    }
  });

  test("agent.wait is capped per connection with a clear error; the connection keeps working", async () => {
    const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: "exhaust-token-0123456789abcdef" } }, browser: { enabled: false } } });
    cleanup.push(() => gw.stop());
    const { ws, res } = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: gw.token }, scopes: ["operator.write"] }));
    expect(res.ok).toBe(true);
    cleanup.push(() => ws.destroy());
    const extra = 5;
    for (let i = 0; i < MAX_WAITS_PER_CONNECTION + extra; i++) ws.request("agent.wait", { runId: `cap-${i}`, timeoutMs: 600_000 }, `w${i}`);
    ws.request("status", {}, "s");
    const refused: any[] = [];
    for (;;) {
      const f = await ws.nextJson(10_000);
      if (!f) throw new Error("closed");
      if (f.type === "res" && f.id === "s") break;
      if (f.type === "res" && f.ok === false) refused.push(f);
    }
    expect(refused.length).toBe(extra);
    expect(refused.map((f) => f.id)).toEqual(Array.from({ length: extra }, (_, i) => `w${MAX_WAITS_PER_CONNECTION + i}`));
    expect(refused[0].error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(refused[0].error.message).toContain(`max ${MAX_WAITS_PER_CONNECTION}`);
    // Another connection is not affected by this one's waits.
    const other = await rawConnect({ port: gw.handle.port }, rawConnectParams({ auth: { token: gw.token }, scopes: ["operator.write"] }));
    cleanup.push(() => other.ws.destroy());
    other.ws.request("agent.wait", { runId: "cap-other", timeoutMs: 1 }, "o");
    expect((await responseTo(other.ws, "o")).payload.status).toBe("timeout");
  });

  test("the failed-auth limiter keeps at most 10 000 addresses", () => {
    const limiter = new AuthRateLimiter();
    for (let i = 0; i < 25_000; i++) limiter.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect((limiter as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(10_000);
  });

  test("a locked-out address is not unlocked by flooding the table with other addresses", () => {
    let now = 0;
    const limiter = new AuthRateLimiter({ now: () => now });
    for (let i = 0; i < 10; i++) limiter.recordFailure("127.0.0.2");
    expect(limiter.retryAfter("127.0.0.2")).toBeGreaterThan(0);
    // An attacker owning many addresses could evict the locked entry (oldest dropped first); note the bound.
    for (let i = 0; i < 5_000; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    now += 1;
    expect(limiter.retryAfter("127.0.0.2")).toBeGreaterThan(0);
  });
});
