/**
 * Advisory class: unbounded state driven by clients (memory exhaustion over time). Tables keyed by
 * client-chosen values must shrink back or stay capped: agent.wait on unknown run ids, the failed-auth
 * limiter's address table, sockets that never finish the handshake.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { AuthRateLimiter } from "../../src/gateway/auth.ts";
import { startTestGateway } from "../helpers/gateway.ts";
import { rawConnect, rawConnectParams } from "./_helpers.ts";

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
    let timeouts = 0;
    while (timeouts < 2000) {
      const f = await ws.nextJson(10_000);
      if (!f) throw new Error(`only ${timeouts} answers`);
      if (f.type === "res" && f.ok && f.payload.status === "timeout") timeouts += 1;
    }
    const waiters = (gw.handle.ctx.agents as unknown as { waiters: Map<string, unknown> }).waiters;
    expect(waiters.size).toBe(0);
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
