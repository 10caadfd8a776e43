/**
 * Agent memory: an FTS5 index (BM25) of each workspace's `MEMORY.md`, `memory.md` and `memory/**.md` in the
 * state DB, kept current by a file watcher and a stat check before every answer; reading one memory file;
 * optional embeddings (an OpenAI-compatible endpoint) for hybrid BM25 + cosine ranking.
 */
export {
  DEFAULT_EMBEDDING_BASE_URL,
  DEFAULT_EMBEDDING_MODEL,
  describeEndpoint,
  EMBED_BATCH_INPUTS,
  type EmbeddingChoice,
  EmbeddingError,
  type EmbeddingSettings,
  embedTexts,
  resolveEmbeddingChoice,
} from "./embeddings.ts";
export { chunkHash, chunkMarkdown, CHUNK_MAX_LINES, CHUNK_TARGET_LINES, type MemoryChunk } from "./chunk.ts";
export { isMemoryPath, listMemoryFiles, MAX_MEMORY_FILE_BYTES, MEMORY_DIR, MEMORY_ROOT_FILES, readMemoryFile } from "./files.ts";
export { type ChunkRow, type IndexTotals, type MemoryHit, MemoryIndex, RACY_WINDOW_MS, SNIPPET_MAX_CHARS, type SyncReport } from "./memory-index.ts";
export { MAX_QUERY_CHARS, MemoryQueryError, parseQuery, type ParsedQuery } from "./query.ts";
export { DEFAULT_MAX_RESULTS, DEFAULT_RECHECK_MS, EMBED_RETRY_MS, MAX_RESULTS_LIMIT, type MemoryEmbeddingsStatus, type MemorySearchResult, MemoryService, type MemoryServiceOptions, type MemoryWorkspaceStatus } from "./service.ts";
export { type EmbeddingCounts, mergeHybrid, MemoryVectors, nearest, normalize, type WorkspaceVectors } from "./vectors.ts";
