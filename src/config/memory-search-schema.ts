/**
 * Config schema of memory search: `agents.defaults.memorySearch` and the per-agent override
 * `agents.list[].memorySearch` (the upstream's keys). The gateway only reads the embeddings part (`enabled`,
 * `provider`, `model`, `remote.{baseUrl, apiKey, headers}`, `query.{hybrid, minScore}`): with no `provider`
 * memory search is the FTS5/BM25 index alone and nothing contacts the network. `remote.apiKey` and every
 * `remote.headers` value are secrets (config.get redacts them by key name, see redact.ts). Upstream keys read by
 * parts that are not here (local models, batch jobs, sessions, sqlite-vec, chunking, sync) are accepted so an
 * upstream config still loads.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** Providers the upstream names; only `openai` (any OpenAI-compatible `/embeddings` endpoint) is served here. */
export const MEMORY_EMBEDDING_PROVIDERS = ["openai", "local", "gemini"] as const;

const literals = <const L extends readonly string[]>(values: L) => T.Unsafe<L[number]>(T.Union(values.map((v) => T.Literal(v))));
const Weight = (description: string) => T.Number({ minimum: 0, maximum: 1, description });
const AcceptedObject = (description: string) => T.Record(T.String(), T.Unknown(), { description });

const Remote = T.Object(
  {
    baseUrl: T.Optional(T.String({ minLength: 1, pattern: "^https?://", description: "Base URL of the OpenAI-compatible API; embeddings are POSTed to <baseUrl>/embeddings (default https://api.openai.com/v1)." })),
    apiKey: T.Optional(T.String({ description: "Bearer key of that API (secret); default models.providers.openai.apiKey, then OPENAI_API_KEY." })),
    headers: T.Optional(T.Record(T.String({ minLength: 1 }), T.String(), { description: "Extra HTTP headers sent with every embeddings request (secret values)." })),
    batch: T.Optional(AcceptedObject("Upstream batch-job settings; accepted, not used (requests are sent in batches of inputs).")),
  },
  { additionalProperties: false },
);

const Hybrid = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "Merge BM25 and cosine scores (default true when a provider is set); false: keyword ranking only." })),
    vectorWeight: T.Optional(Weight("Weight of the cosine similarity (default 0.7; the two weights are normalized to sum to 1).")),
    textWeight: T.Optional(Weight("Weight of the normalized BM25 score (default 0.3).")),
    candidateMultiplier: T.Optional(T.Integer({ minimum: 1, maximum: 20, description: "Candidates taken from each side: maxResults × this (default 4)." })),
  },
  { additionalProperties: false },
);

/** `memorySearch` (in `agents.defaults` and in an `agents.list[]` entry, where it overrides the defaults key by key). */
export const MemorySearchConfigSchema = T.Object(
  {
    enabled: T.Optional(T.Boolean({ description: "false: no embeddings for this agent (keyword search only), even when a provider is set." })),
    provider: T.Optional(literals(MEMORY_EMBEDDING_PROVIDERS)),
    model: T.Optional(T.String({ minLength: 1, description: "Embedding model (default text-embedding-3-small)." })),
    remote: T.Optional(Remote),
    fallback: T.Optional(literals(["openai", "gemini", "local", "none"] as const)),
    query: T.Optional(
      T.Object(
        {
          maxResults: T.Optional(T.Integer({ minimum: 1, description: "Upstream default result count; accepted, not used (memory_search asks for its count, default 6)." })),
          minScore: T.Optional(T.Number({ minimum: 0, maximum: 1, description: "Least hybrid score of a result that matched no query word (default 0.35); keyword matches are always kept." })),
          hybrid: T.Optional(Hybrid),
        },
        { additionalProperties: false },
      ),
    ),
    sources: T.Optional(T.Array(literals(["memory", "sessions"] as const))),
    extraPaths: T.Optional(T.Array(T.String())),
    experimental: T.Optional(AcceptedObject("Upstream experimental switches; accepted, not used.")),
    local: T.Optional(AcceptedObject("Upstream local-model settings; accepted, not used.")),
    store: T.Optional(AcceptedObject("Upstream store settings; accepted, not used (the index lives in state.db).")),
    chunking: T.Optional(AcceptedObject("Upstream chunking settings; accepted, not used.")),
    sync: T.Optional(AcceptedObject("Upstream sync settings; accepted, not used (the index is watched).")),
    cache: T.Optional(AcceptedObject("Upstream embedding-cache settings; accepted (embeddings are always kept by chunk hash and model).")),
  },
  { additionalProperties: false },
);

/** `memorySearch` as validated. */
export type MemorySearchConfig = Static<typeof MemorySearchConfigSchema>;
