/**
 * usage.cost and usage.status over WS: real runs through the fake provider (OpenAI and Anthropic usage with
 * cache tokens) priced from `models.providers.*.models[].cost`, a model without prices, messages written
 * with old timestamps straight into the store (days window, daily buckets, idle sessions), the 30 s cache,
 * the result schemas, and who may call them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { checkResult } from "../../../src/protocol/index.ts";
import type { TranscriptMessage } from "../../../src/store/index.ts";
import { type AgentGateway, agentConfig, connectOperator, startAgentGateway, tempWorkspace } from "../../helpers/agent-gateway.ts";
import { type FakeProvider, type FakeUsage, startFakeProvider } from "../../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const DAY = 86_400_000;
/** USD per 1M tokens. */
const M1_PRICE = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const C1_PRICE = { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 };

let fake: FakeProvider;
let gw: AgentGateway;
let op: TestSocket;
let workspace: string;
let now: number;

/** The fake's config with prices on local/m1 and claude/c1; local/m2 stays unpriced. */
function pricedConfig(): OpenClawConfig {
  const config = agentConfig(fake, workspace);
  const providers = config.models!.providers!;
  providers.local!.models = [{ id: "m1", contextWindow: 32000, cost: M1_PRICE }, { id: "m2" }] as never;
  providers.claude!.models = [{ id: "c1", cost: C1_PRICE }] as never;
  return config;
}

async function run(sessionKey: string, usage: FakeUsage) {
  fake.push({ text: "answer", usage });
  const res = await op.request("agent", { message: "question", sessionKey, idempotencyKey: crypto.randomUUID() });
  expect(res.payload.status).toBe("accepted");
  const final = await op.nextMatching((f) => f.type === "res" && f.id === res.id && f.payload?.status !== "accepted");
  expect(final.ok).toBe(true);
}

async function call(method: string, params: Record<string, unknown> = {}) {
  const res = await op.request(method, params);
  if (!res.ok) throw new Error(`${method}: ${res.error.message}`);
  return res.payload;
}

function assistant(ts: number, provider: string, model: string, usage: { input: number; output: number; cost?: number }): TranscriptMessage {
  const { cost, ...tokens } = usage;
  return {
    role: "assistant",
    content: [{ type: "text", text: "old answer" }],
    timestamp: ts,
    provider,
    model,
    usage: { ...tokens, cacheRead: 0, cacheWrite: 0, totalTokens: tokens.input + tokens.output, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: cost ?? 0 } },
    stopReason: "stop",
  };
}

const localDate = (ts: number) => new Date(ts).toLocaleDateString("en-CA");
const perM = (tokens: number, usdPerM: number) => (tokens * usdPerM) / 1_000_000;

// Today's runs, as the transcripts record them.
const RUN_M1 = { input: 1000, output: 200, cacheRead: 500, cacheWrite: 0 };
const RUN_C1 = { input: 100, output: 40, cacheRead: 20, cacheWrite: 1000 };
const RUN_M2 = { input: 7, output: 3, cacheRead: 0, cacheWrite: 0 };
const COST_M1 = perM(1000, 3) + perM(200, 15) + perM(500, 0.3);
const COST_C1 = perM(100, 15) + perM(40, 75) + perM(20, 1.5) + perM(1000, 18.75);

beforeAll(async () => {
  fake = startFakeProvider();
  workspace = tempWorkspace();
  gw = await startAgentGateway(pricedConfig());
  op = await connectOperator(gw.url);

  await run("main", RUN_M1);
  await call("sessions.patch", { key: "agent:main:claude", model: "claude/c1" });
  await run("agent:main:claude", RUN_C1);
  await call("sessions.patch", { key: "agent:main:unpriced", model: "local/m2" });
  await run("agent:main:unpriced", RUN_M2);

  // Older history, written straight into the store.
  now = Date.now();
  const store = gw.handle.ctx.store;
  store.setSession("agent:main:history", { sessionId: "history-1", updatedAt: now });
  store.appendMessages("history-1", [
    assistant(now - 45 * DAY, "local", "m1", { input: 2_000_000, output: 0 }), // $6, outside 30 days
    { role: "user", content: [{ type: "text", text: "hi" }], timestamp: now - 3 * DAY },
    assistant(now - 3 * DAY, "local", "m1", { input: 1_000_000, output: 100_000 }), // $3 + $1.5
    assistant(now - 3 * DAY + 1, "local", "m2", { input: 10, output: 10, cost: 0.25 }), // recorded cost wins
    assistant(now - 3 * DAY + 2, "local", "m2", { input: 0, output: 0 }), // no tokens: not an entry
  ]);
  // A session idle for 90 days: outside every window below 91 days.
  store.setSession("agent:main:idle", { sessionId: "idle-1", updatedAt: now - 90 * DAY });
  store.appendMessages("idle-1", [assistant(now - 90 * DAY, "claude", "c1", { input: 1_000_000, output: 0 })]); // $15
});

afterAll(async () => {
  op.close();
  await gw.stop();
  fake.stop();
  rmSync(workspace, { recursive: true, force: true });
});

describe("usage.cost", () => {
  test("today's runs: exact tokens and cost per model, unpriced calls counted, daily buckets", async () => {
    const cost = await call("usage.cost", { days: 1 });
    expect(checkResult("usage.cost", cost)).toEqual({ ok: true });
    expect(cost.days).toBe(1);
    const { totalCost, ...totals } = cost.totals;
    expect(totals).toEqual({
      input: 1000 + 100 + 7,
      output: 200 + 40 + 3,
      cacheRead: 500 + 20,
      cacheWrite: 1000,
      totalTokens: 1700 + 1160 + 10,
      missingCostEntries: 1,
    });
    expect(totalCost).toBeCloseTo(COST_M1 + COST_C1, 12);
    expect(cost.daily).toHaveLength(1);
    expect(cost.daily[0]).toMatchObject({ date: localDate(Date.now()), ...totals });
    expect(cost.daily[0].totalCost).toBeCloseTo(COST_M1 + COST_C1, 12);
  });

  test("days window: older messages land in their own day; beyond the window and idle sessions are left out", async () => {
    const cost = await call("usage.cost", { days: 30 });
    expect(checkResult("usage.cost", cost)).toEqual({ ok: true });
    expect(cost.daily.map((d: any) => d.date)).toEqual([localDate(now - 3 * DAY), localDate(Date.now())]);
    const old = cost.daily[0];
    expect(old).toMatchObject({ input: 1_000_010, output: 100_010, cacheRead: 0, cacheWrite: 0, totalTokens: 1_100_020, missingCostEntries: 0 });
    expect(old.totalCost).toBeCloseTo(3 + 1.5 + 0.25, 12);
    expect(cost.totals.missingCostEntries).toBe(1);
    expect(cost.totals.totalCost).toBeCloseTo(4.75 + COST_M1 + COST_C1, 12);

    const sixty = await call("usage.cost", { days: 60 });
    expect(sixty.daily.map((d: any) => d.date)).toEqual([localDate(now - 45 * DAY), localDate(now - 3 * DAY), localDate(Date.now())]);
    expect(sixty.totals.totalCost).toBeCloseTo(6 + 4.75 + COST_M1 + COST_C1, 12);

    const hundred = await call("usage.cost", { days: 100 });
    expect(hundred.daily[0]).toMatchObject({ date: localDate(now - 90 * DAY), input: 1_000_000, totalCost: 15 });
    expect(hundred.totals.totalCost).toBeCloseTo(15 + 6 + 4.75 + COST_M1 + COST_C1, 12);
  });

  test("days defaults to 30; answers are cached for 30 s per days value", async () => {
    const first = await call("usage.cost", {});
    expect(first.days).toBe(30);
    const again = await call("usage.cost", { days: 30 });
    expect(again).toEqual(first);
    // A new call within the TTL does not see it; another days value computes afresh and does.
    await run("main", { input: 1, output: 1 });
    expect((await call("usage.cost", { days: 30 })).totals.totalTokens).toBe(first.totals.totalTokens);
    expect((await call("usage.cost", { days: 2 })).totals.totalTokens).toBe(first.totals.totalTokens - 1_100_020 + 2);
  });

  test("days must be a positive integer", async () => {
    for (const days of [0, -1, 1.5, "7"]) {
      const res = await op.request("usage.cost", { days });
      expect(res.ok).toBe(false);
      expect(res.error.code).toBe("INVALID_REQUEST");
    }
  });
});

describe("usage.status", () => {
  test("no provider logins: an empty provider list", async () => {
    const before = Date.now();
    const status = await call("usage.status");
    expect(checkResult("usage.status", status)).toEqual({ ok: true });
    expect(status.providers).toEqual([]);
    expect(status.updatedAt).toBeGreaterThanOrEqual(before);
  });
});

describe("scopes", () => {
  test("operator.read may call both; a node may not", async () => {
    const reader = await connectOperator(gw.url, { scopes: ["operator.read"] });
    try {
      for (const method of ["usage.status", "usage.cost"]) expect((await reader.request(method, {})).ok).toBe(true);
    } finally {
      reader.close();
    }
    const { sock: node } = await connectClient(gw.url, TEST_TOKEN, { role: "node", scopes: [] });
    try {
      for (const method of ["usage.status", "usage.cost"]) {
        const res = await node.request(method, {});
        expect(res.ok).toBe(false);
        expect(res.error.message).toBe("unauthorized role: node");
      }
    } finally {
      node.close();
    }
  });
});
