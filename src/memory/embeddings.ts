/**
 * The optional embeddings provider of memory search: its resolved settings (from `memorySearch` config) and
 * a client of an OpenAI-compatible `POST {baseUrl}/embeddings` endpoint, batched, with a timeout per request.
 *
 * A plain `fetch` rather than the AI SDK: the SDK lives behind `src/agent/llm/` (one folder per SDK) and the
 * memory engine may not import the agent; the wire format is one JSON request and response; and here we own
 * the timeout (one AbortSignal per request), the batching, and error messages that never carry the key or
 * the texts (the SDK retries on its own and folds response bodies into its errors).
 */
import type { MemorySearchConfig } from "../config/memory-search-schema.ts";

/** Model used when `memorySearch.model` is not set. */
export const DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
/** Base URL used when `memorySearch.remote.baseUrl` is not set. */
export const DEFAULT_EMBEDDING_BASE_URL = "https://api.openai.com/v1";
/** Default of `memorySearch.query.minScore`: the least hybrid score of a result found by its vector alone. */
export const DEFAULT_MIN_SCORE = 0.35;
/** Inputs per request. */
export const EMBED_BATCH_INPUTS = 64;
/** Timeout of one indexing request (a batch of chunks). */
export const EMBED_INDEX_TIMEOUT_MS = 30_000;
/** Timeout of the query's embedding; past it the search answers from BM25 alone. */
export const EMBED_QUERY_TIMEOUT_MS = 3_000;

/** Resolved embeddings settings of one agent (a workspace). */
export interface EmbeddingSettings {
  provider: "openai";
  model: string;
  baseUrl: string;
  /** Secret: never logged, never returned by status. */
  apiKey?: string;
  /** Secret values. */
  headers: Record<string, string>;
  /** Whether search merges cosine with BM25 (false: embeddings are kept current but search is BM25 only). */
  hybrid: boolean;
  /** Normalized: vectorWeight + textWeight = 1. */
  vectorWeight: number;
  textWeight: number;
  candidateMultiplier: number;
  /** A result found by its vector alone needs at least this hybrid score. */
  minScore: number;
}

/** What the config asks for: nothing, a provider this gateway cannot serve (with why), or settings. */
export type EmbeddingChoice = { kind: "off" } | { kind: "unsupported"; provider: string; reason: string } | { kind: "on"; settings: EmbeddingSettings };

/** A failed embeddings request; the message names the endpoint's host and the status, never the key or the texts. */
export class EmbeddingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmbeddingError";
  }
}

/**
 * Resolves the effective `memorySearch` of an agent: `agent` overrides `defaults` key by key (`remote` and
 * `query.hybrid` merge one level deeper). No provider, or `enabled: false` → off.
 * @param fallbackApiKey the key used when neither `remote.apiKey` nor `remote.baseUrl` is set (models.providers.openai.apiKey,
 *   OPENAI_API_KEY): it is never sent to another endpoint.
 */
export function resolveEmbeddingChoice(defaults: MemorySearchConfig | undefined, agent: MemorySearchConfig | undefined, fallbackApiKey?: string): EmbeddingChoice {
  const d = defaults ?? {};
  const a = agent ?? {};
  const enabled = a.enabled ?? d.enabled ?? true;
  const provider = a.provider ?? d.provider;
  if (!enabled || provider === undefined) return { kind: "off" };
  if (provider !== "openai") return { kind: "unsupported", provider, reason: `memorySearch.provider "${provider}" is not served by this gateway (only "openai", any OpenAI-compatible /embeddings endpoint); keyword search only` };
  const remote = { ...d.remote, ...a.remote };
  const hybrid = { ...d.query?.hybrid, ...a.query?.hybrid };
  const vw = hybrid.vectorWeight ?? 0.7;
  const tw = hybrid.textWeight ?? 0.3;
  const sum = vw + tw;
  // The OpenAI key goes to OpenAI only: a custom endpoint gets its own remote.apiKey or none.
  const apiKey = remote.apiKey ?? (remote.baseUrl === undefined ? fallbackApiKey : undefined);
  return {
    kind: "on",
    settings: {
      provider,
      model: a.model ?? d.model ?? DEFAULT_EMBEDDING_MODEL,
      baseUrl: (remote.baseUrl ?? DEFAULT_EMBEDDING_BASE_URL).replace(/\/+$/, ""),
      ...(apiKey ? { apiKey } : {}),
      headers: { ...remote.headers },
      hybrid: (hybrid.enabled ?? true) && sum > 0,
      vectorWeight: sum > 0 ? vw / sum : 0,
      textWeight: sum > 0 ? tw / sum : 1,
      candidateMultiplier: hybrid.candidateMultiplier ?? 4,
      minScore: a.query?.minScore ?? d.query?.minScore ?? DEFAULT_MIN_SCORE,
    },
  };
}

/** The endpoint as status may show it: scheme, host and path, without userinfo, query or fragment. */
export function describeEndpoint(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Embeds `inputs` in batches of {@link EMBED_BATCH_INPUTS}, one request at a time (the background pass asks
 * for one batch per call and stores it before the next).
 * @returns one vector per input, in order.
 * @throws EmbeddingError on a network failure, a timeout, a non-2xx answer or a malformed body.
 */
export async function embedTexts(settings: EmbeddingSettings, inputs: readonly string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < inputs.length; start += EMBED_BATCH_INPUTS) out.push(...(await requestEmbeddings(settings, inputs.slice(start, start + EMBED_BATCH_INPUTS), opts)));
  return out;
}

/** A vector as stored: little-endian Float32 bytes. */
export function toBlob(v: Float32Array): Uint8Array {
  return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

/** A stored blob back as a vector (a copy, aligned). */
export function fromBlob(blob: Uint8Array): Float32Array {
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer, 0, Math.floor(blob.byteLength / 4));
}

// --- internal ---

async function requestEmbeddings(settings: EmbeddingSettings, input: readonly string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Float32Array[]> {
  const where = describeEndpoint(settings.baseUrl);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(`${settings.baseUrl}/embeddings`, {
      method: "POST",
      headers: { ...settings.headers, "content-type": "application/json", ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}) },
      body: JSON.stringify({ model: settings.model, input, encoding_format: "float" }),
      signal,
    });
  } catch (err) {
    if (timeout.aborted) throw new EmbeddingError(`embeddings request to ${where} timed out after ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) throw new EmbeddingError(`embeddings request to ${where} was cancelled`);
    throw new EmbeddingError(`embeddings request to ${where} failed (${codeOf(err)})`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    if (timeout.aborted) throw new EmbeddingError(`embeddings request to ${where} timed out after ${opts.timeoutMs} ms`);
    throw new EmbeddingError(`embeddings endpoint ${where} answered HTTP ${res.status} without a JSON body`);
  }
  if (!res.ok) {
    // The provider's own error type/code helps ("invalid_api_key"); its message may echo input, so it is left out.
    const e = (body as { error?: { type?: unknown; code?: unknown } } | null)?.error;
    const kind = [e?.type, e?.code].filter((x) => typeof x === "string" && /^[\w.-]{1,64}$/.test(x)).join("/");
    throw new EmbeddingError(`embeddings endpoint ${where} answered HTTP ${res.status}${kind ? ` (${kind})` : ""}`);
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length !== input.length) {
    throw new EmbeddingError(`embeddings endpoint ${where} returned ${Array.isArray(data) ? data.length : "no"} vectors for ${input.length} inputs`);
  }
  const vectors: Float32Array[] = new Array(input.length);
  for (const [i, item] of data.entries()) {
    const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
    const at = typeof index === "number" && Number.isInteger(index) && index >= 0 && index < input.length ? index : i;
    if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw new EmbeddingError(`embeddings endpoint ${where} returned a malformed vector (expected an array of finite numbers)`);
    }
    vectors[at] = Float32Array.from(embedding as number[]);
  }
  for (let i = 0; i < vectors.length; i++) if (vectors[i] === undefined) throw new EmbeddingError(`embeddings endpoint ${where} returned duplicate indexes`);
  const dims = vectors[0]!.length;
  if (vectors.some((v) => v.length !== dims)) throw new EmbeddingError(`embeddings endpoint ${where} returned vectors of different lengths`);
  return vectors;
}

/** The error's code or class name (never its message: it may hold the URL with its userinfo). */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && /^\w{2,40}$/.test(code)) return code;
  const name = (err as { name?: unknown })?.name;
  return typeof name === "string" && /^\w{2,40}$/.test(name) ? name : "network error";
}
