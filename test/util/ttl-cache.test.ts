import { describe, expect, test } from "bun:test";
import { TtlCache } from "../../src/util/ttl-cache.ts";

function clocked(ttlMs = 100, maxEntries = 10) {
  const clock = { t: 1_000 };
  return { clock, cache: new TtlCache<string, unknown>({ ttlMs, maxEntries, now: () => clock.t }) };
}

describe("TtlCache", () => {
  test("serves a value until ttlMs have passed, then forgets it", () => {
    const { clock, cache } = clocked(100);
    cache.set("a", 1);
    clock.t += 99;
    expect(cache.get("a")).toBe(1);
    expect(cache.has("a")).toBe(true);
    clock.t += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.has("a")).toBe(false);
    expect(cache.size).toBe(0);
  });

  test("setting again restarts the TTL and moves the entry to the young end", () => {
    const { clock, cache } = clocked(100);
    cache.set("a", 1);
    clock.t += 50;
    cache.set("b", 2);
    cache.set("a", 3);
    clock.t += 60;
    expect(cache.get("a")).toBe(3);
    expect(cache.get("b")).toBe(2);
    clock.t += 45;
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeUndefined();
  });

  test("holds at most maxEntries: the oldest goes first", () => {
    const { cache } = clocked(1_000, 3);
    for (const k of ["a", "b", "c", "d"]) cache.set(k, k);
    expect(cache.size).toBe(3);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("d")).toBe("d");
  });

  test("a rejected promise is forgotten; the caller still sees the rejection", async () => {
    const cache = new TtlCache<string, Promise<number>>({ ttlMs: 1_000, maxEntries: 10 });
    const failing = cache.set("k", Promise.reject(new Error("boom")));
    expect(cache.get("k")).toBe(failing);
    await expect(failing).rejects.toThrow("boom");
    expect(cache.get("k")).toBeUndefined();
    const ok = cache.set("k", Promise.resolve(7));
    await ok;
    expect(cache.get("k")).toBe(ok);
  });

  test("keep decides whether a resolved value stays", async () => {
    const cache = new TtlCache<string, Promise<{ status: number }>>({ ttlMs: 1_000, maxEntries: 10 });
    const keep = (r: { status: number }) => r.status < 300;
    await cache.set("bad", Promise.resolve({ status: 500 }), keep);
    await cache.set("good", Promise.resolve({ status: 200 }), keep);
    expect(cache.get("bad")).toBeUndefined();
    expect(await cache.get("good")).toEqual({ status: 200 });
  });

  test("a late rejection does not remove a newer entry for the same key", async () => {
    const cache = new TtlCache<string, Promise<number>>({ ttlMs: 1_000, maxEntries: 10 });
    let fail!: (e: Error) => void;
    const first = cache.set("k", new Promise<number>((_, reject) => (fail = reject)));
    const second = cache.set("k", Promise.resolve(2));
    fail(new Error("late"));
    await expect(first).rejects.toThrow("late");
    expect(cache.get("k")).toBe(second);
  });

  test("delete, clear and bad options", () => {
    const { cache } = clocked();
    cache.set("a", 1);
    expect(cache.delete("a")).toBe(true);
    expect(cache.delete("a")).toBe(false);
    cache.set("b", 1);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => new TtlCache({ ttlMs: 0, maxEntries: 1 })).toThrow(RangeError);
    expect(() => new TtlCache({ ttlMs: 1, maxEntries: 0 })).toThrow(RangeError);
  });
});
