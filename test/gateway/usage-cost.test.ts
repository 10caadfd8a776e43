/**
 * The usage.cost summarizer on a memory store: the window start, price parsing, odd usage records, shared
 * transcripts, how much of a long transcript it reads, and the scan limits.
 */
import { describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { summarizeUsageCost, toDateKey, windowStart } from "../../src/gateway/usage/usage-cost.ts";
import { createMemoryStore, type Store, type TranscriptMessage } from "../../src/store/index.ts";

const DAY = 86_400_000;
const NOW = new Date(2026, 2, 15, 13, 30).getTime(); // 15 March 2026, 13:30 local

function config(models: Record<string, unknown>[]): OpenClawConfig {
  return { models: { providers: { p: { baseUrl: "http://x", models: models as never } } } };
}

function call(ts: number, model: string, usage: Record<string, unknown>): TranscriptMessage {
  return { role: "assistant", content: [], timestamp: ts, provider: "p", model, usage: usage as never, stopReason: "stop" };
}

function storeWith(sessions: Record<string, { updatedAt: number; messages: TranscriptMessage[] }>): Store {
  const store = createMemoryStore();
  for (const [id, s] of Object.entries(sessions)) {
    store.setSession(`agent:main:${id}`, { sessionId: id, updatedAt: s.updatedAt });
    store.appendMessages(id, s.messages);
  }
  return store;
}

/** Wraps a store to count the messages `readMessages` returns. */
function counting(store: Store): { store: Store; read: () => number } {
  let read = 0;
  const wrapped: Store = {
    ...store,
    readMessages(id, limit, opts) {
      const out = store.readMessages(id, limit, opts);
      read += out.length;
      return out;
    },
  };
  return { store: wrapped, read: () => read };
}

describe("windowStart and toDateKey", () => {
  test("the window starts at local midnight, days - 1 days back", () => {
    expect(windowStart(NOW, 1)).toBe(new Date(2026, 2, 15).getTime());
    expect(windowStart(NOW, 30)).toBe(new Date(2026, 1, 14).getTime());
    expect(toDateKey(new Date(2026, 0, 5, 23, 59).getTime())).toBe("2026-01-05");
  });
});

describe("summarizeUsageCost", () => {
  test("prices: partial cost objects price the kinds they name; malformed ones are no price", async () => {
    const store = storeWith({
      s: {
        updatedAt: NOW,
        messages: [
          call(NOW - 1000, "partial", { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0, totalTokens: 2_000_000 }),
          call(NOW - 900, "bad", { input: 10, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 10 }),
          call(NOW - 800, "free", { input: 10, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 10 }),
        ],
      },
    });
    const cfg = config([{ id: "partial", cost: { input: 2 } }, { id: "bad", cost: { input: "2" } }, { id: "free", cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } }]);
    const { summary } = await summarizeUsageCost(store, cfg, { days: 1, now: NOW });
    expect(summary.totals).toEqual({ input: 1_000_020, output: 1_000_000, cacheRead: 0, cacheWrite: 0, totalTokens: 2_000_020, totalCost: 2, missingCostEntries: 1 });
  });

  test("odd usage records: a `total` key, no total, non-numbers; messages without timestamps are skipped", async () => {
    const store = storeWith({
      s: {
        updatedAt: NOW,
        messages: [
          call(NOW - 3, "m", { input: 1, output: 2, total: 5 }),
          call(NOW - 2, "m", { input: 1, output: 2, cacheRead: 3, cacheWrite: 4 }),
          call(NOW - 1, "m", { input: "x", output: -3, cacheRead: Number.NaN, cacheWrite: 1.6, totalTokens: 2 }),
          { ...call(NOW, "m", { input: 100, output: 0 }), timestamp: undefined as never },
        ],
      },
    });
    const { summary } = await summarizeUsageCost(store, config([]), { days: 1, now: NOW });
    expect(summary.totals).toEqual({ input: 2, output: 4, cacheRead: 3, cacheWrite: 6, totalTokens: 5 + 10 + 2, totalCost: 0, missingCostEntries: 3 });
  });

  test("a transcript two keys point to is counted once; idle sessions are not read", async () => {
    const base = storeWith({
      shared: { updatedAt: NOW, messages: [call(NOW - 10, "m", { input: 5, output: 5, totalTokens: 10 })] },
      idle: { updatedAt: NOW - 5 * DAY, messages: [call(NOW - 5 * DAY, "m", { input: 5, output: 5, totalTokens: 10 })] },
    });
    base.setSession("agent:main:alias", { sessionId: "shared", updatedAt: NOW - 1 });
    const { store, read } = counting(base);
    const { summary } = await summarizeUsageCost(store, config([]), { days: 2, now: NOW });
    expect(summary.totals.totalTokens).toBe(10);
    expect(read()).toBe(1);
  });

  test("a transcript a reset left behind (no session points to it) still counts", async () => {
    const store = storeWith({ main: { updatedAt: NOW, messages: [call(NOW - 10, "m", { input: 5, output: 5, totalTokens: 10 })] } });
    // Yesterday's transcript of the same key, before the daily reset gave it a new sessionId.
    store.appendMessages("before-reset", [call(NOW - DAY, "m", { input: 20, output: 10, totalTokens: 30 })]);
    const { summary } = await summarizeUsageCost(store, config([]), { days: 2, now: NOW });
    expect(summary.totals.totalTokens).toBe(40);
    expect(summary.daily.map((d) => d.totalTokens)).toEqual([30, 10]);
  });

  test("a long transcript is read from its tail only as far back as the window", async () => {
    const old = Array.from({ length: 5000 }, (_, i) => call(NOW - 40 * DAY + i, "m", { input: 1, output: 0, totalTokens: 1 }));
    const recent = Array.from({ length: 10 }, (_, i) => call(NOW - 1000 + i, "m", { input: 1, output: 1, totalTokens: 2 }));
    const { store, read } = counting(storeWith({ long: { updatedAt: NOW, messages: [...old, ...recent] } }));
    const { summary, truncated } = await summarizeUsageCost(store, config([]), { days: 7, now: NOW });
    expect(summary.totals.totalTokens).toBe(20);
    expect(truncated).toBe(false);
    expect(read()).toBe(256);

    const all = counting(storeWith({ long: { updatedAt: NOW, messages: [...old, ...recent] } }));
    const wide = await summarizeUsageCost(all.store, config([]), { days: 60, now: NOW });
    expect(wide.summary.totals.totalTokens).toBe(5020);
    expect(wide.truncated).toBe(false);
  });

  test("scan limits cut the oldest calls and say so", async () => {
    const msgs = Array.from({ length: 10 }, (_, i) => call(NOW - 100 + i, "m", { input: 1, output: 0, totalTokens: 1 }));
    const store = storeWith({ a: { updatedAt: NOW, messages: msgs }, b: { updatedAt: NOW - 1, messages: msgs.slice(0, 3) } });
    const byMessages = await summarizeUsageCost(store, config([]), { days: 1, now: NOW, limits: { messages: 4 } });
    expect(byMessages).toMatchObject({ truncated: true, summary: { totals: { totalTokens: 4 } } });
    const bySessions = await summarizeUsageCost(store, config([]), { days: 1, now: NOW, limits: { sessions: 1, yieldEvery: 1 } });
    expect(bySessions).toMatchObject({ truncated: true, summary: { totals: { totalTokens: 10 } } });
    const all = await summarizeUsageCost(store, config([]), { days: 1, now: NOW, limits: { yieldEvery: 1 } });
    expect(all).toMatchObject({ truncated: false, summary: { days: 1, totals: { totalTokens: 13 } } });
  });
});
