/**
 * `web_search`: searches the web through one provider interface; Brave Search API is the first (and
 * default) provider. Config `tools.web.search.{enabled, provider, apiKey, baseUrl, maxResults,
 * timeoutSeconds, cacheTtlMinutes}`; the key may also come from `BRAVE_API_KEY`. The key is a secret: it is sent only in
 * Brave's `X-Subscription-Token` header, never logged, and `config.get` redacts it (`apiKey` is a secret
 * key name in config/redact.ts). Results are `{title, url, description}` (the snippet, HTML stripped) as
 * upstream names them. Answers are cached per gateway process for `cacheTtlMinutes` (default 15, `0` turns the
 * cache off), keyed by provider, endpoint, query and every parameter that changes the results; a cache hit
 * is marked `cached: true` and makes no provider call.
 */
import { Type as T } from "@sinclair/typebox";
import { DEFAULT_SEARCH_CACHE_TTL_MINUTES, SearchCache } from "./_search-cache.ts";
import { defineTool } from "./define.ts";

/** Default Brave endpoint host (`<baseUrl>/res/v1/web/search`). */
export const BRAVE_DEFAULT_BASE_URL = "https://api.search.brave.com";
/** Results per query at most (Brave's limit for web results in one page is 20; upstream caps at 10). */
export const WEB_SEARCH_MAX_COUNT = 10;

/** One search result. */
export interface WebSearchResult {
  title: string;
  url: string;
  /** The provider's snippet, as plain text. */
  description: string;
  /** How old the page is, as the provider words it ("2 days ago"), when given. */
  published?: string;
  siteName?: string;
}

/** A search query as providers get it. */
export interface WebSearchQuery {
  query: string;
  count: number;
  country?: string;
  search_lang?: string;
  ui_lang?: string;
  freshness?: string;
}

/** A search provider. `search` may run concurrently; it throws an Error naming the provider and status. */
export interface WebSearchProvider {
  name: string;
  search(q: WebSearchQuery, signal: AbortSignal): Promise<WebSearchResult[]>;
}

/** Resolved `tools.web.search` settings. */
export interface WebSearchSettings {
  enabled: boolean;
  provider: "brave";
  /** From the config; the environment is read at call time when this is absent. */
  apiKey?: string;
  baseUrl: string;
  maxResults: number;
  timeoutMs: number;
  /** How long an answer is reused; 0 = never cached. */
  cacheTtlMs: number;
}

/** A cached answer: the results as the provider gave them. */
export type CachedSearch = { provider: string; results: WebSearchResult[] };

/** The cache every `web_search` of this gateway process shares (see {@link SearchCache} for its bounds). */
export const webSearchCache = new SearchCache<CachedSearch>();

/**
 * Reads `tools.web.search` (loose in the config schema: upstream has many provider keys).
 * @throws Error naming the key when a value has the wrong type or an unknown provider is set.
 */
export function webSearchSettingsOf(raw: unknown): WebSearchSettings {
  const s = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const str = (k: string) => {
    const v = s[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new Error(`tools.web.search.${k} must be a string`);
    return v.trim() || undefined;
  };
  const num = (k: string, d: number, max: number) => {
    const v = s[k];
    if (v === undefined || v === null) return d;
    if (typeof v !== "number" || !(v > 0)) throw new Error(`tools.web.search.${k} must be a positive number`);
    return Math.min(v, max);
  };
  const ttl = s.cacheTtlMinutes;
  if (ttl !== undefined && ttl !== null && (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0)) throw new Error("tools.web.search.cacheTtlMinutes must be a number >= 0 (0 turns the cache off)");
  const provider = (str("provider") ?? "brave").toLowerCase();
  if (provider !== "brave") throw new Error(`tools.web.search.provider "${provider}" is not supported here (use "brave")`);
  const baseUrl = str("baseUrl") ?? BRAVE_DEFAULT_BASE_URL;
  if (!/^https?:\/\//i.test(baseUrl)) throw new Error("tools.web.search.baseUrl must be an http(s) URL");
  return {
    enabled: s.enabled !== false,
    provider: "brave",
    ...(str("apiKey") && { apiKey: str("apiKey") }),
    baseUrl: baseUrl.replace(/\/+$/, ""),
    maxResults: Math.floor(num("maxResults", 5, WEB_SEARCH_MAX_COUNT)),
    timeoutMs: num("timeoutSeconds", 30, 300) * 1000,
    cacheTtlMs: Math.round((typeof ttl === "number" ? ttl : DEFAULT_SEARCH_CACHE_TTL_MINUTES) * 60_000),
  };
}

/**
 * The Brave Search API provider (`GET <baseUrl>/res/v1/web/search`, key in `X-Subscription-Token`).
 * @throws Error "Brave Search API error (<status>): <detail>" for an error answer; transport errors as they are.
 */
export function braveSearchProvider(opts: { apiKey: string; baseUrl: string }): WebSearchProvider {
  return {
    name: "brave",
    async search(q, signal) {
      const url = new URL(`${opts.baseUrl}/res/v1/web/search`);
      url.searchParams.set("q", q.query);
      url.searchParams.set("count", String(q.count));
      for (const k of ["country", "search_lang", "ui_lang", "freshness"] as const) if (q[k]) url.searchParams.set(k, q[k] as string);
      const res = await fetch(url, { headers: { accept: "application/json", "x-subscription-token": opts.apiKey }, signal });
      const text = await res.text();
      if (!res.ok) throw new Error(`Brave Search API error (${res.status}): ${braveErrorDetail(text) || res.statusText}`);
      let data: { web?: { results?: unknown } };
      try {
        data = JSON.parse(text);
      } catch {
        throw new Error("Brave Search API answered with something that is not JSON");
      }
      const results = Array.isArray(data.web?.results) ? (data.web.results as Record<string, unknown>[]) : [];
      return results.slice(0, q.count).map((r) => {
        const link = typeof r.url === "string" ? r.url : "";
        const profile = r.profile as { name?: unknown } | undefined;
        return {
          title: plain(r.title),
          url: link,
          description: plain(r.description),
          ...(typeof r.age === "string" && r.age && { published: r.age }),
          ...(siteOf(link, profile?.name) && { siteName: siteOf(link, profile?.name) }),
        };
      });
    },
  };
}

/**
 * The cache key of a query: everything that changes what the provider answers (the key does not: a cached
 * answer is only served while some key is configured, see the tool).
 */
export function webSearchCacheKey(provider: string, baseUrl: string, q: WebSearchQuery): string {
  return JSON.stringify([provider, baseUrl, q.query.trim().replace(/\s+/g, " "), q.count, q.country ?? "", q.search_lang ?? "", q.ui_lang ?? "", q.freshness ?? ""]);
}

/**
 * The tool's definition with the given settings; `env` supplies `BRAVE_API_KEY` when the config has no key;
 * `cache` defaults to the process-wide {@link webSearchCache}.
 */
export function webSearchTool(settings: WebSearchSettings, env: Record<string, string | undefined> = process.env, cache: SearchCache<CachedSearch> = webSearchCache) {
  return defineTool({
    name: "web_search",
    description: "Search the web (Brave Search). Returns titles, URLs and snippets; use web_fetch or the browser to read a result.",
    group: "web",
    http: true,
    needs: [],
    parameters: T.Object(
      {
        query: T.String({ minLength: 1, description: "Search query string." }),
        count: T.Optional(T.Integer({ minimum: 1, maximum: WEB_SEARCH_MAX_COUNT, description: `Number of results (1-${WEB_SEARCH_MAX_COUNT}, default ${settings.maxResults}).` })),
        country: T.Optional(T.String({ description: "2-letter country code for regional results (e.g. DE, US, ALL)." })),
        search_lang: T.Optional(T.String({ description: "ISO language code of the results (e.g. de, en)." })),
        ui_lang: T.Optional(T.String({ description: "ISO language code for UI elements." })),
        freshness: T.Optional(T.String({ description: "pd (past day), pw, pm, py, or YYYY-MM-DDtoYYYY-MM-DD." })),
      },
      { additionalProperties: false },
    ),
    async execute(args, { signal }) {
      const apiKey = settings.apiKey ?? (env.BRAVE_API_KEY?.trim() || undefined);
      if (!apiKey) throw new Error("web_search needs a Brave Search API key: set tools.web.search.apiKey in the config or BRAVE_API_KEY in the gateway's environment");
      const provider = braveSearchProvider({ apiKey, baseUrl: settings.baseUrl });
      const count = args.count ?? settings.maxResults;
      const query: WebSearchQuery = { ...args, query: args.query.trim(), count };
      const key = webSearchCacheKey(provider.name, settings.baseUrl, query);
      const hit = cache.get(key, settings.cacheTtlMs);
      if (hit) {
        signal.throwIfAborted();
        return JSON.stringify({ query: args.query, provider: hit.provider, count: hit.results.length, tookMs: 0, cached: true, results: hit.results }, null, 2);
      }
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const started = Date.now();
      let results: WebSearchResult[];
      try {
        results = await provider.search(query, AbortSignal.any([signal, timeout]));
      } catch (err) {
        if (timeout.aborted) throw new Error(`web_search timed out after ${Math.round(settings.timeoutMs / 1000)} s`);
        throw err;
      }
      cache.set(key, { provider: provider.name, results }, Buffer.byteLength(JSON.stringify(results)), settings.cacheTtlMs);
      return JSON.stringify({ query: args.query, provider: provider.name, count: results.length, tookMs: Date.now() - started, results }, null, 2);
    },
  });
}

/**
 * `web_search` for a config. A bad `tools.web.search` does not break the run: the tool is still offered
 * and each call answers with the config error.
 */
export function webSearchToolOf(config: { tools?: unknown }): ReturnType<typeof webSearchTool> {
  const raw = ((config.tools ?? {}) as { web?: { search?: unknown } }).web?.search;
  try {
    return webSearchTool(webSearchSettingsOf(raw));
  } catch (err) {
    const broken = webSearchTool({ enabled: true, provider: "brave", baseUrl: BRAVE_DEFAULT_BASE_URL, maxResults: 5, timeoutMs: 30_000, cacheTtlMs: 0 });
    return { ...broken, execute: async () => Promise.reject(new Error(`web_search is misconfigured: ${(err as Error).message}`)) };
  }
}

// --- internal ---

// Brave wraps matches in <strong> and escapes entities; the model gets plain text.
function plain(v: unknown): string {
  if (typeof v !== "string") return "";
  return v
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

function siteOf(url: string, name: unknown): string | undefined {
  if (typeof name === "string" && name.trim()) return name.trim();
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

// Brave's error body: {"type":"ErrorResponse","error":{"status":422,"code":"…","detail":"…"}}.
function braveErrorDetail(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; detail?: unknown } }).error;
    if (e && (typeof e.detail === "string" || typeof e.code === "string")) return [e.code, e.detail].filter((x) => typeof x === "string").join(": ");
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
