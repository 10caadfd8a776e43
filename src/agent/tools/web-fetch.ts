/**
 * `web_fetch`: GET an http(s) URL and return its text. Policy: only http/https; every hop (redirects
 * included, at most 5) must resolve to public addresses unless `tools.web.fetch.allowPrivate` is true;
 * the body is read up to `maxBytes` (2 MB) and the text cut at `maxChars` (50 000); the whole fetch is
 * bounded by `timeoutSeconds` (20). HTML is reduced to text; binary types are refused. The address check
 * and its known limit (DNS rebinding) are in src/util/net.ts.
 */
import { Type as T } from "@sinclair/typebox";
import { type CheckedTarget, checkPublicTarget, fetchChecked } from "../../util/net.ts";
import { bindTool, defineTool } from "./define.ts";
import type { AgentTool } from "./types.ts";

/** Settings from `tools.web.fetch`. */
export interface WebFetchSettings {
  allowPrivate: boolean;
  maxChars: number;
  maxBytes: number;
  timeoutMs: number;
}

/** Defaults of {@link WebFetchSettings}. */
export const WEB_FETCH_DEFAULTS: WebFetchSettings = { allowPrivate: false, maxChars: 50_000, maxBytes: 2_000_000, timeoutMs: 20_000 };
const MAX_REDIRECTS = 5;

/** The tool's definition with the given settings (`tools.web.fetch.*`). */
export function webFetchTool(settings: WebFetchSettings) {
  return defineTool({
    name: "web_fetch",
    description: "Fetch a public web page or API (http/https GET) and return its text content.",
    group: "web",
    http: true,
    needs: [],
    // The tool cuts its own text at maxChars; the platform cap only guards against a larger setting.
    caps: { maxChars: Math.max(settings.maxChars + 500, 60_000) },
    parameters: T.Object(
      {
        url: T.String({ description: "Absolute http or https URL." }),
        maxChars: T.Optional(T.Integer({ description: `Cut the text at this many characters (max ${settings.maxChars}).` })),
      },
      { additionalProperties: false },
    ),
    async execute(args, { signal }) {
      const maxChars = Math.min(typeof args.maxChars === "number" && args.maxChars > 0 ? args.maxChars : settings.maxChars, settings.maxChars);
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const both = AbortSignal.any([signal, timeout]);
      try {
        return await fetchText(String(args.url ?? ""), settings, maxChars, both);
      } catch (err) {
        if (timeout.aborted) throw new Error(`web_fetch timed out after ${Math.round(settings.timeoutMs / 1000)} s`);
        throw err;
      }
    },
  });
}

/** The tool bound on its own (no run), with the given settings. */
export function createWebFetchTool(settings: WebFetchSettings): AgentTool {
  return bindTool(webFetchTool(settings), { config: {}, agentId: "main", sessionKey: "" }, {});
}

/**
 * Checks a URL against the policy.
 * @throws Error naming the reason (scheme, non-public address, unresolvable host).
 */
export async function checkFetchUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  return (await checkFetchTarget(raw, allowPrivate)).url;
}

/** {@link checkFetchUrl}, keeping the checked address for {@link fetchChecked}. */
export async function checkFetchTarget(raw: string, allowPrivate: boolean): Promise<CheckedTarget> {
  return checkPublicTarget(raw, allowPrivate).catch((err: Error) => {
    throw err.message.startsWith("refused:") ? new Error(`${err.message}; set tools.web.fetch.allowPrivate to allow`) : err;
  });
}

// --- internal ---

async function fetchText(raw: string, settings: WebFetchSettings, maxChars: number, signal: AbortSignal): Promise<string> {
  let target = await checkFetchTarget(raw, settings.allowPrivate);
  let res: Response | undefined;
  for (let hop = 0; ; hop++) {
    res = await fetchChecked(target, { redirect: "manual", signal, headers: { "user-agent": "openclaw-web-fetch/1", accept: "text/html,application/json,text/plain;q=0.9,*/*;q=0.5" } });
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !location) break;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (>${MAX_REDIRECTS})`);
    target = await checkFetchTarget(new URL(location, target.url).toString(), settings.allowPrivate);
  }
  const url = target.url;
  const type = (res.headers.get("content-type") ?? "").toLowerCase();
  if (type && !/^(text\/|application\/(json|xml|xhtml\+xml|javascript|ld\+json|rss\+xml|atom\+xml))/.test(type)) {
    await res.body?.cancel();
    throw new Error(`unsupported content type ${type.split(";")[0]} (only text, HTML, JSON and XML)`);
  }
  const { text: body, cut } = await readCapped(res, settings.maxBytes);
  let text = type.includes("html") ? htmlToText(body) : body;
  const longer = text.length > maxChars;
  if (longer) text = text.slice(0, maxChars);
  const notes = [cut && `body cut at ${settings.maxBytes} bytes`, longer && `text cut at ${maxChars} chars`].filter(Boolean);
  return `URL: ${url}\nStatus: ${res.status}\nContent-Type: ${type || "unknown"}${notes.length ? `\nNote: ${notes.join("; ")}` : ""}\n\n${text}`;
}

async function readCapped(res: Response, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  if (!res.body) return { text: "", cut: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      parts.push(value.subarray(0, maxBytes - size));
      cut = true;
      await reader.cancel();
      break;
    }
    parts.push(value);
    size += value.byteLength;
  }
  return { text: new TextDecoder().decode(Buffer.concat(parts)), cut };
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript|template)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(br|\/p|\/div|\/li|\/h[1-6]|\/tr)[^>]*>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n\s*\n+/g, "\n\n")
    .trim();
}
