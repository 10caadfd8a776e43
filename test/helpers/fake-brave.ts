/**
 * A local fake of the Brave Search API for tests: `GET /res/v1/web/search` on 127.0.0.1:0, answering with
 * Brave's real response format (`{type: "search", query, web: {type, results: [...]}}`, snippets with
 * `<strong>` and HTML entities) and its error body for a bad subscription token. Records every request.
 */

/** A request as the fake received it. */
export interface FakeBraveRequest {
  path: string;
  query: Record<string, string>;
  token: string | null;
}

/** A running fake. */
export interface FakeBrave {
  /** `http://127.0.0.1:<port>` (the `tools.web.search.baseUrl`). */
  url: string;
  requests: FakeBraveRequest[];
  stop(): void;
}

/** Starts the fake; only `key` is a valid subscription token. */
export function startFakeBrave(key: string): FakeBrave {
  const requests: FakeBraveRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      const token = req.headers.get("x-subscription-token");
      requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), token });
      if (url.pathname !== "/res/v1/web/search") return Response.json({ type: "ErrorResponse", error: { status: 404, code: "NOT_FOUND", detail: "Not found" } }, { status: 404 });
      if (token !== key) {
        return Response.json(
          { type: "ErrorResponse", error: { id: "5b3f2c1e", status: 422, code: "SUBSCRIPTION_TOKEN_INVALID", detail: "The provided subscription token is invalid.", meta: { component: "authentication" } }, time: 1733550000 },
          { status: 422 },
        );
      }
      const q = url.searchParams.get("q") ?? "";
      const count = Number(url.searchParams.get("count") ?? "20");
      const results = Array.from({ length: 12 }, (_, i) => ({
        title: `Result ${i + 1} about ${q}`,
        url: `https://example${i + 1}.org/page?q=${encodeURIComponent(q)}`,
        is_source_local: false,
        is_source_both: false,
        description: `The <strong>${q}</strong> page number ${i + 1} &amp; more`,
        page_age: "2026-12-05T10:00:00",
        profile: { name: `Example ${i + 1}`, url: `https://example${i + 1}.org/page`, long_name: `example${i + 1}.org`, img: "https://imgs.search.brave.com/x.png" },
        language: "en",
        family_friendly: true,
        type: "search_result",
        subtype: "generic",
        is_live: false,
        meta_url: { scheme: "https", netloc: `example${i + 1}.org`, hostname: `example${i + 1}.org`, favicon: "https://imgs.search.brave.com/f.png", path: "› page" },
        age: `${i + 1} days ago`,
      })).slice(0, count);
      return Response.json({
        query: { original: q, show_strict_warning: false, is_navigational: false, is_news_breaking: false, spellcheck_off: true, country: "us", bad_results: false, should_fallback: false, postal_code: "", city: "", header_country: "", more_results_available: true, state: "" },
        mixed: { type: "mixed", main: results.map((_, index) => ({ type: "web", index, all: false })), top: [], side: [] },
        type: "search",
        web: { type: "search", results, family_friendly: true },
      });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}
