/**
 * `web_search` against a local fake of the Brave Search API: the query, count and key reach Brave in its
 * format; results come back as title/url/description (HTML stripped); a missing key, a bad key and a bad
 * setting are clear errors; the key comes from the config or BRAVE_API_KEY, never appears in results or
 * errors, and config.get redacts it; `tools.web.search.enabled: false` drops the tool.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { bindTool } from "../../../src/agent/tools/define.ts";
import { buildTools, explainTools } from "../../../src/agent/tools/index.ts";
import { webSearchSettingsOf, webSearchTool, webSearchToolOf } from "../../../src/agent/tools/web-search.ts";
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
