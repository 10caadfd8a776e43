/**
 * `web_search` against a local fake of the Brave Search API: the query, count and key reach Brave in its
 * format; results come back as title/url/description (HTML stripped); a missing key, a bad key and a bad
 * setting are clear errors; the key comes from the config or BRAVE_API_KEY, never appears in results or
 * errors, and config.get redacts it; `tools.web.search.enabled: false` drops the tool. Answers are cached per
 * process (counted as calls reaching the fake): a repeat within the TTL makes no call, any result-changing
 * parameter does, the TTL (injected clock) ends reuse, `cacheTtlMinutes: 0` disables it, and bounds hold.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { bindTool } from "../../../src/agent/tools/define.ts";
import { buildTools, explainTools } from "../../../src/agent/tools/index.ts";
import { SearchCache } from "../../../src/agent/tools/_search-cache.ts";
import { type CachedSearch, webSearchCache, webSearchSettingsOf, webSearchTool, webSearchToolOf } from "../../../src/agent/tools/web-search.ts";
import { checkConfig } from "../../../src/protocol/index.ts";
import { REDACTED_SENTINEL, redactConfigValue } from "../../../src/config/redact.ts";
import { createMemoryStore } from "../../../src/store/index.ts";
import { startFakeBrave } from "../../helpers/fake-brave.ts";

const KEY = "BSA-test-key-0123456789";
const brave = startFakeBrave(KEY);
afterAll(() => brave.stop());
const run = { config: {}, agentId: "main", sessionKey: "agent:main:main" };
const signal = new AbortController().signal;

function tool(search: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  return bindTool(webSearchTool(webSearchSettingsOf({ baseUrl: brave.url, ...search }), env), run, {});
}

describe("web_search (Brave)", () => {
  test("sends the query in Brave's format and returns title/url/description", async () => {
    const out = await tool({ apiKey: KEY }).run({ query: "bun sqlite", count: 3, country: "DE" }, { signal });
    const req = brave.requests.at(-1);
    expect(req).toEqual({ path: "/res/v1/web/search", query: { q: "bun sqlite", count: "3", country: "DE" }, token: KEY });
    const body = JSON.parse(out.text);
    expect(body).toMatchObject({ query: "bun sqlite", provider: "brave", count: 3 });
    expect(body.results[0]).toEqual({ title: "Result 1 about bun sqlite", url: "https://example1.org/page?q=bun%20sqlite", description: "The bun sqlite page number 1 & more", published: "1 days ago", siteName: "Example 1" });
    expect(out.text).not.toContain(KEY);
  });

  test("count defaults to tools.web.search.maxResults; BRAVE_API_KEY is used when the config has no key", async () => {
    const out = await tool({ maxResults: 2 }, { BRAVE_API_KEY: KEY }).run({ query: "x" }, { signal });
    expect(JSON.parse(out.text).count).toBe(2);
    expect(brave.requests.at(-1)?.query.count).toBe("2");
  });

  test("no key, a wrong key and bad settings are clear errors that never show the key", async () => {
    const before = brave.requests.length;
    await expect(tool({}).run({ query: "x" }, { signal })).rejects.toThrow("web_search needs a Brave Search API key: set tools.web.search.apiKey in the config or BRAVE_API_KEY");
    expect(brave.requests.length).toBe(before);
    const wrong = await tool({ apiKey: "BSA-wrong-secret" }).run({ query: "x" }, { signal }).then(() => new Error("resolved"), (e: Error) => e);
    expect(wrong.message).toBe("Brave Search API error (422): SUBSCRIPTION_TOKEN_INVALID: The provided subscription token is invalid.");
    expect(wrong.message).not.toContain("BSA-wrong-secret");
    await expect(tool({ apiKey: KEY }).run({ query: "x", count: 50 }, { signal })).rejects.toThrow('"count" must be <= 10');
    const broken = bindTool(webSearchToolOf({ tools: { web: { search: { apiKey: 42 } } } }), run, {});
    await expect(broken.run({ query: "x" }, { signal })).rejects.toThrow("web_search is misconfigured: tools.web.search.apiKey must be a string");
    expect(() => webSearchSettingsOf({ provider: "perplexity" })).toThrow('tools.web.search.provider "perplexity" is not supported here');
  });

  test("offered by default (group:web), dropped by tools.web.search.enabled=false; the key is redacted by config.get", () => {
    const names = (config: Record<string, unknown>) => buildTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "s" }).map((t) => t.name);
    expect(names({})).toContain("web_search");
    const off = { tools: { web: { search: { enabled: false } } } };
    expect(names(off)).not.toContain("web_search");
    expect(explainTools({ config: off, store: createMemoryStore(), agentId: "main", sessionKey: "s" }).find((t) => t.name === "web_search")).toMatchObject({ name: "web_search", included: false, reason: "tools.web.search.enabled is false" });
    expect(redactConfigValue({ tools: { web: { search: { apiKey: KEY, baseUrl: brave.url } } } })).toEqual({ tools: { web: { search: { apiKey: REDACTED_SENTINEL, baseUrl: brave.url } } } });
  });
});

describe("web_search cache", () => {
  // A cache with an injected clock, so the TTL is crossed without waiting.
  function cached(search: Record<string, unknown> = {}) {
    const clock = { now: 1_000_000 };
    const cache = new SearchCache<CachedSearch>({ now: () => clock.now });
    const make = (extra: Record<string, unknown> = {}) => bindTool(webSearchTool(webSearchSettingsOf({ baseUrl: brave.url, apiKey: KEY, ...search, ...extra }), {}, cache), run, {});
    return { clock, cache, t: make(), make };
  }
  const calls = () => brave.requests.length;

  test("a repeat within the TTL makes no provider call and says cached; another count or filter does", async () => {
    const { t } = cached();
    const before = calls();
    const first = JSON.parse((await t.run({ query: "cache me", count: 3 }, { signal })).text);
    expect(calls()).toBe(before + 1);
    expect(first.cached).toBeUndefined();
    const again = JSON.parse((await t.run({ query: "  cache   me ", count: 3 }, { signal })).text);
    expect(calls()).toBe(before + 1);
    expect(again).toMatchObject({ provider: "brave", count: 3, cached: true });
    expect(again.results).toEqual(first.results);
    await t.run({ query: "cache me", count: 4 }, { signal });
    expect(calls()).toBe(before + 2);
    await t.run({ query: "cache me", count: 3, country: "DE" }, { signal });
    await t.run({ query: "cache me", count: 3, freshness: "pw" }, { signal });
    await t.run({ query: "cache me", count: 3, search_lang: "de" }, { signal });
    await t.run({ query: "cache me", count: 3, ui_lang: "de-DE" }, { signal });
    await t.run({ query: "Cache me", count: 3 }, { signal });
    expect(calls()).toBe(before + 7);
    await t.run({ query: "cache me", count: 3, country: "DE" }, { signal });
    expect(calls()).toBe(before + 7);
  });

  test("the default TTL is 15 minutes: just before it the answer is reused, at it the provider is called again", async () => {
    const { t, clock } = cached();
    const before = calls();
    await t.run({ query: "ttl", count: 2 }, { signal });
    clock.now += 15 * 60_000 - 1;
    await t.run({ query: "ttl", count: 2 }, { signal });
    expect(calls()).toBe(before + 1);
    clock.now += 1;
    const fresh = JSON.parse((await t.run({ query: "ttl", count: 2 }, { signal })).text);
    expect(fresh.cached).toBeUndefined();
    expect(calls()).toBe(before + 2);
  });

  test("cacheTtlMinutes sets the TTL; a shorter one limits reuse of older entries, a longer one does not extend them", async () => {
    const { make, clock } = cached({ cacheTtlMinutes: 1 });
    const before = calls();
    await make().run({ query: "short", count: 2 }, { signal });
    clock.now += 60_000;
    await make().run({ query: "short", count: 2 }, { signal });
    expect(calls()).toBe(before + 2);
    // Stored with 1 min at t0; read with 10 min at t0 + 61 s: its own deadline has passed.
    clock.now += 61_000;
    await make({ cacheTtlMinutes: 10 }).run({ query: "short", count: 2 }, { signal });
    expect(calls()).toBe(before + 3);
    // Stored with 10 min; read with 1 min after 2 min: too old for the reader.
    clock.now += 120_000;
    await make({ cacheTtlMinutes: 1 }).run({ query: "short", count: 2 }, { signal });
    expect(calls()).toBe(before + 4);
  });

  test("cacheTtlMinutes: 0 turns the cache off (no reads, no writes)", async () => {
    const { t, make, cache } = cached({ cacheTtlMinutes: 0 });
    const before = calls();
    await t.run({ query: "off", count: 2 }, { signal });
    await t.run({ query: "off", count: 2 }, { signal });
    expect(calls()).toBe(before + 2);
    expect(cache.size).toBe(0);
    await make({ cacheTtlMinutes: 5 }).run({ query: "off", count: 2 }, { signal });
    await t.run({ query: "off", count: 2 }, { signal });
    expect(calls()).toBe(before + 4);
  });

  test("errors are not cached, a missing key is still an error on a cached query, and another endpoint is another entry", async () => {
    const { t, cache } = cached();
    const before = calls();
    const wrong = bindTool(webSearchTool(webSearchSettingsOf({ baseUrl: brave.url, apiKey: "BSA-wrong" }), {}, cache), run, {});
    await expect(wrong.run({ query: "err", count: 2 }, { signal })).rejects.toThrow("Brave Search API error (422)");
    await expect(wrong.run({ query: "err", count: 2 }, { signal })).rejects.toThrow("Brave Search API error (422)");
    expect(calls()).toBe(before + 2);
    await t.run({ query: "err", count: 2 }, { signal });
    const keyless = bindTool(webSearchTool(webSearchSettingsOf({ baseUrl: brave.url }), {}, cache), run, {});
    await expect(keyless.run({ query: "err", count: 2 }, { signal })).rejects.toThrow("web_search needs a Brave Search API key");
    const other = bindTool(webSearchTool(webSearchSettingsOf({ baseUrl: `${brave.url}/`.replace("127.0.0.1", "localhost"), apiKey: KEY }), {}, cache), run, {});
    await other.run({ query: "err", count: 2 }, { signal });
    expect(calls()).toBe(before + 4);
  });

  test("bounded in entries and bytes: the least recently used entry goes first", () => {
    const cache = new SearchCache<string>({ maxEntries: 3, maxBytes: 100, now: () => 0 });
    cache.set("a", "A", 10, 60_000);
    cache.set("b", "B", 10, 60_000);
    cache.set("c", "C", 10, 60_000);
    expect(cache.get("a", 60_000)).toBe("A");
    cache.set("d", "D", 10, 60_000);
    expect([cache.get("a", 60_000), cache.get("b", 60_000), cache.get("c", 60_000), cache.get("d", 60_000)]).toEqual(["A", undefined, "C", "D"]);
    cache.set("big", "X", 90, 60_000);
    expect([cache.size, cache.bytes]).toEqual([2, 100]);
    expect([cache.get("a", 60_000), cache.get("c", 60_000), cache.get("d", 60_000)]).toEqual([undefined, undefined, "D"]);
    cache.set("huge", "H", 101, 60_000);
    expect(cache.get("huge", 60_000)).toBeUndefined();
    expect(cache.get("big", 60_000)).toBe("X");
  });

  test("the gateway's tool shares one process-wide cache across runs", async () => {
    webSearchCache.clear();
    const config = { tools: { web: { search: { baseUrl: brave.url, apiKey: KEY } } } };
    const before = calls();
    await bindTool(webSearchToolOf(config), run, {}).run({ query: "shared", count: 2 }, { signal });
    const out = await bindTool(webSearchToolOf(config), run, {}).run({ query: "shared", count: 2 }, { signal });
    expect(JSON.parse(out.text).cached).toBe(true);
    expect(calls()).toBe(before + 1);
    webSearchCache.clear();
  });

  test("the config schema checks tools.web.search (cacheTtlMinutes >= 0, types of the known keys) and keeps other keys", () => {
    expect(checkConfig({ tools: { web: { search: { cacheTtlMinutes: 0, maxResults: 3, perplexity: { apiKey: "x" } } } } }).ok).toBe(true);
    const bad = checkConfig({ tools: { web: { search: { cacheTtlMinutes: -1, apiKey: 42 } } } });
    expect(bad.ok ? [] : bad.issues.map((e) => e.path).sort()).toEqual(["tools.web.search.apiKey", "tools.web.search.cacheTtlMinutes"]);
    expect(() => webSearchSettingsOf({ cacheTtlMinutes: "15" })).toThrow("tools.web.search.cacheTtlMinutes must be a number >= 0");
  });
});
