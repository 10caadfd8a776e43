/**
 * The SQLite store of sessions, transcripts and runs, on the state DB's one connection (`state-db.ts`: WAL,
 * `synchronous=FULL`, so a write that returned is on disk and a `kill -9` after an acknowledgement loses nothing
 * acknowledged).
 *
 * Schema (part `sessions` version 3; `PRAGMA user_version` mirrors it, as files before `schema_version` kept it there):
 *   sessions(key PK, agent_id, session_id, updated_at, entry JSON)
 *   messages(seq PK autoincrement, session_id, role, ts, body JSON)   -- transcripts, append-only; v3: index on ts
 *   message_images(seq, idx, mime, data BLOB; PK seq+idx)             -- v2: image bytes of messages
 *   runs(run_id PK, session_key, status, created_at, ended_at, record JSON)
 *
 * Images (up to 5 MB each) live as raw bytes beside their message, not as base64 inside the body JSON:
 * a third smaller, and a transcript read only loads the image bytes it asks for. The body keeps the block
 * as `{type:"image", mimeType}`; `idx` is the block's position in `content`, where reads put `data` back.
 */
import type { Database } from "bun:sqlite";
import type { SchemaPart } from "./migrate.ts";
import { openStateDb, type StateDb } from "./state-db.ts";
import { agentIdOfKey, type RunRecord, type RunStatus, type SessionEntry, type SessionRow, type Store, type TranscriptMessage } from "./store.ts";

/** Finished runs are kept this long for idempotent retries and agent.wait. */
const RUN_RETENTION_MS = 24 * 60 * 60 * 1000;

const MIGRATIONS = [
  `CREATE TABLE sessions (
     key TEXT PRIMARY KEY,
     agent_id TEXT NOT NULL,
     session_id TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     entry TEXT NOT NULL
   );
   CREATE INDEX sessions_updated ON sessions(updated_at DESC);
   CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     session_id TEXT NOT NULL,
     role TEXT NOT NULL,
     ts INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX messages_by_session ON messages(session_id, seq);
   CREATE TABLE runs (
     run_id TEXT PRIMARY KEY,
     session_key TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     ended_at INTEGER,
     record TEXT NOT NULL
   );
   CREATE INDEX runs_by_status ON runs(status);`,
  `CREATE TABLE message_images (
     seq INTEGER NOT NULL,
     idx INTEGER NOT NULL,
     mime TEXT NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (seq, idx)
   );`,
  `CREATE INDEX messages_by_ts ON messages(ts);`,
];

/** The sessions' part of the state DB schema. Files from before `schema_version` start at their `user_version`. */
export const SESSIONS_SCHEMA: SchemaPart = {
  name: "sessions",
  migrations: MIGRATIONS.map((up, i) => ({ version: i + 1, up })),
  initialVersion: userVersion,
  afterMigrate(db, version, label) {
    const legacy = userVersion(db);
    if (legacy > version) {
      throw new Error(`${label} was written by a newer openclaw (schema ${legacy}, this build knows ${version}); upgrade openclaw or move the file aside`);
    }
    if (legacy !== version) db.exec(`PRAGMA user_version = ${version}`);
  },
};

/**
 * Opens (creating when missing) a state DB at `path` of its own, for a store that is its only user (tools,
 * tests); closing the store closes the file. The gateway uses {@link createSqliteStore} on its shared one.
 * @throws Error when the file is not a database or was written by a newer version.
 */
export function openSqliteStore(path: string): Store {
  const owner = openStateDb(path);
  return createSqliteStore(owner, { owned: true });
}

/**
 * The store on an open state DB. Prunes finished runs past their retention.
 * @param opts.owned the store closes `stateDb` in `close()` (default: the owner does).
 */
export function createSqliteStore(stateDb: StateDb, opts: { owned?: boolean } = {}): Store {
  const { db, path } = stateDb;
  db.query("DELETE FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?").run(Date.now() - RUN_RETENTION_MS);

  const q = {
    getSession: db.query<{ entry: string }, [string]>("SELECT entry FROM sessions WHERE key = ?"),
    setSession: db.query("INSERT INTO sessions (key, agent_id, session_id, updated_at, entry) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET agent_id = excluded.agent_id, session_id = excluded.session_id, updated_at = excluded.updated_at, entry = excluded.entry"),
    deleteSession: db.query("DELETE FROM sessions WHERE key = ?"),
    listAll: db.query<{ key: string; entry: string }, []>("SELECT key, entry FROM sessions ORDER BY updated_at DESC, key"),
    listPrefix: db.query<{ key: string; entry: string }, [string]>("SELECT key, entry FROM sessions WHERE substr(key, 1, length(?1)) = ?1 ORDER BY updated_at DESC, key"),
    append: db.query("INSERT INTO messages (session_id, role, ts, body) VALUES (?, ?, ?, ?)"),
    appendImage: db.query("INSERT INTO message_images (seq, idx, mime, data) VALUES (?, ?, ?, ?)"),
    readAll: db.query<MessageRow, [string]>("SELECT seq, body FROM messages WHERE session_id = ? ORDER BY seq"),
    readLast: db.query<MessageRow, [string, number]>("SELECT seq, body FROM (SELECT seq, body FROM messages WHERE session_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq"),
    count: db.query<{ n: number }, [string]>("SELECT count(*) AS n FROM messages WHERE session_id = ?"),
    transcriptsSince: db.query<{ sessionId: string; lastTs: number }, [number]>(
      "SELECT session_id AS sessionId, max(ts) AS lastTs FROM messages WHERE ts >= ? GROUP BY session_id ORDER BY lastTs DESC, session_id",
    ),
    deleteImages: db.query("DELETE FROM message_images WHERE seq IN (SELECT seq FROM messages WHERE session_id = ?)"),
    deleteTranscript: db.query("DELETE FROM messages WHERE session_id = ?"),
    putRun: db.query("INSERT INTO runs (run_id, session_key, status, created_at, ended_at, record) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET session_key = excluded.session_key, status = excluded.status, ended_at = excluded.ended_at, record = excluded.record"),
    getRun: db.query<{ record: string }, [string]>("SELECT record FROM runs WHERE run_id = ?"),
  };
  let closed = false;

  return {
    path,
    getSession(key) {
      const row = q.getSession.get(key);
      return row ? (JSON.parse(row.entry) as SessionEntry) : undefined;
    },
    setSession(key, entry) {
      q.setSession.run(key, agentIdOfKey(key) ?? "", entry.sessionId, entry.updatedAt, JSON.stringify(entry));
    },
    deleteSession(key) {
      return q.deleteSession.run(key).changes > 0;
    },
    listSessions(prefix) {
      const rows = prefix ? q.listPrefix.all(prefix) : q.listAll.all();
      return rows.map((r): SessionRow => ({ key: r.key, entry: JSON.parse(r.entry) as SessionEntry }));
    },
    appendMessages(sessionId, messages) {
      db.transaction(() => {
        for (const m of messages) {
          const { body, images } = splitImages(m);
          const seq = Number(q.append.run(sessionId, m.role, m.timestamp, body).lastInsertRowid);
          for (const img of images) q.appendImage.run(seq, img.idx, img.mime, img.data);
        }
      })();
    },
    readMessages(sessionId, limit, opts) {
      const rows = limit === undefined ? q.readAll.all(sessionId) : q.readLast.all(sessionId, limit);
      const messages = rows.map((r) => JSON.parse(r.body) as TranscriptMessage);
      let withImages = rows.flatMap((r, i) => (r.body.includes(IMAGE_MARK) ? [i] : []));
      if (opts?.imageMessages !== undefined) withImages = withImages.slice(Math.max(0, withImages.length - opts.imageMessages));
      if (withImages.length === 0) return messages;
      const at = new Map(withImages.map((i) => [rows[i].seq, messages[i]]));
      const marks = withImages.map(() => "?").join(", ");
      const images = db.query<ImageRow, number[]>(`SELECT seq, idx, mime, data FROM message_images WHERE seq IN (${marks})`).all(...at.keys());
      for (const img of images) {
        const content = at.get(img.seq)?.content;
        const block = content?.[img.idx];
        if (content && block?.type === "image") content[img.idx] = { type: "image", data: Buffer.from(img.data).toString("base64"), mimeType: block.mimeType ?? img.mime };
      }
      return messages;
    },
    countMessages(sessionId) {
      return q.count.get(sessionId)?.n ?? 0;
    },
    listTranscripts(since) {
      return q.transcriptsSince.all(since);
    },
    deleteTranscript(sessionId) {
      return db.transaction(() => {
        q.deleteImages.run(sessionId);
        return q.deleteTranscript.run(sessionId).changes > 0;
      })();
    },
    putRun(run) {
      q.putRun.run(run.runId, run.sessionKey, run.status, run.createdAt, run.endedAt ?? null, JSON.stringify(run));
    },
    getRun(runId) {
      const row = q.getRun.get(runId);
      return row ? (JSON.parse(row.record) as RunRecord) : undefined;
    },
    listRuns(statuses: RunStatus[]) {
      if (statuses.length === 0) return [];
      const marks = statuses.map(() => "?").join(", ");
      const rows = db.query<{ record: string }, string[]>(`SELECT record FROM runs WHERE status IN (${marks}) ORDER BY created_at, run_id`).all(...statuses);
      return rows.map((r) => JSON.parse(r.record) as RunRecord);
    },
    transaction(fn) {
      return db.transaction(fn)();
    },
    close() {
      if (closed) return;
      closed = true;
      if (opts.owned) stateDb.close();
    },
  };
}

// --- internal ---

type MessageRow = { seq: number; body: string };
type ImageRow = { seq: number; idx: number; mime: string; data: Uint8Array };

/** How an image block with stored bytes looks in a body (JSON.stringify of `{type:"image", …}`). */
const IMAGE_MARK = '"type":"image"';

/** A message's body JSON with image data taken out, and the image bytes to store beside it. */
function splitImages(m: TranscriptMessage): { body: string; images: { idx: number; mime: string; data: Uint8Array }[] } {
  const images: { idx: number; mime: string; data: Uint8Array }[] = [];
  if (!m.content.some((b) => b.type === "image" && typeof b.data === "string")) return { body: JSON.stringify(m), images };
  const content = m.content.map((b, idx) => {
    if (b.type !== "image" || typeof b.data !== "string") return b;
    const { data, ...rest } = b;
    images.push({ idx, mime: b.mimeType ?? "application/octet-stream", data: Buffer.from(data, "base64") });
    return rest;
  });
  return { body: JSON.stringify({ ...m, content }), images };
}

function userVersion(db: Database): number {
  return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
}
