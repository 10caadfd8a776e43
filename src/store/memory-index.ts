/**
 * The memory index part of the state DB schema: which memory files of which workspace are indexed (with the
 * mtime, size and hash they had), their chunks (line ranges of the file) and an FTS5 index over the chunk text.
 * The engine that fills and searches it lives in `src/memory/`; this file only owns the tables.
 */
import type { SchemaPart } from "./migrate.ts";

/**
 * `memory_files` (one row per indexed file, keyed by workspace real path + workspace-relative path),
 * `memory_chunks` (the text of each chunk and its 1-based inclusive line range) and `memory_fts`, an
 * external-content FTS5 table over `memory_chunks.text` kept in step by triggers. Version 2 adds each chunk's
 * content hash and `memory_embeddings`, the optional embedding vectors (little-endian Float32 blobs) keyed by
 * model + chunk hash, so a chunk is embedded once per model whatever file or workspace holds it. Chunks
 * indexed before version 2 have a NULL hash until the embedding pass fills it in.
 */
export const MEMORY_INDEX_SCHEMA: SchemaPart = {
  name: "memory-index",
  migrations: [
    {
      version: 1,
      up: `CREATE TABLE IF NOT EXISTS memory_files (
          workspace TEXT NOT NULL, path TEXT NOT NULL, mtime_ms REAL NOT NULL, size INTEGER NOT NULL,
          hash TEXT NOT NULL, indexed_at INTEGER NOT NULL, chunks INTEGER NOT NULL, PRIMARY KEY (workspace, path)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS memory_chunks (
          id INTEGER PRIMARY KEY, workspace TEXT NOT NULL, path TEXT NOT NULL,
          start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, text TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS memory_chunks_file ON memory_chunks(workspace, path);
        CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(text, content='memory_chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER IF NOT EXISTS memory_chunks_ai AFTER INSERT ON memory_chunks BEGIN
          INSERT INTO memory_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER IF NOT EXISTS memory_chunks_ad AFTER DELETE ON memory_chunks BEGIN
          INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;`,
    },
    {
      version: 2,
      up: `ALTER TABLE memory_chunks ADD COLUMN hash TEXT;
        CREATE TABLE IF NOT EXISTS memory_embeddings (
          model TEXT NOT NULL, hash TEXT NOT NULL, dims INTEGER NOT NULL, vector BLOB NOT NULL, created_at INTEGER NOT NULL,
          PRIMARY KEY (model, hash)) WITHOUT ROWID;`,
    },
  ],
};
