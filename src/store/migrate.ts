/**
 * The schema migration runner of the state DB. Each store contributes a {@link SchemaPart}: its name and an
 * ordered list of numbered migrations. The version each part has reached is kept in `schema_version` (one row
 * per part); opening the DB applies every missing migration of every part in one transaction, so a crash
 * mid-upgrade leaves the file as it was and the next start upgrades it again.
 *
 * Files written before `schema_version` existed are adopted: a part reads its starting version from the old
 * layout (`initialVersion`, e.g. the sessions' `PRAGMA user_version`), and the first migration of the
 * other parts uses `IF NOT EXISTS`, since their tables may already be there.
 */
import type { Database } from "bun:sqlite";

/** One numbered step of a part's schema. Versions start at 1 and follow each other without gaps. */
export interface Migration {
  version: number;
  /** SQL run as is, or a function for steps that need more than SQL. */
  up: string | ((db: Database) => void);
}

/** A store's share of the state DB schema. */
export interface SchemaPart {
  /** Stable name, the key of its row in `schema_version`. */
  name: string;
  migrations: readonly Migration[];
  /** Where a file without a `schema_version` row for this part starts (default 0). */
  initialVersion?: (db: Database) => number;
  /** Runs after this part's migrations, in the same transaction (e.g. keeping a legacy marker in step). */
  afterMigrate?: (db: Database, version: number, label: string) => void;
}

/**
 * Brings every part up to its latest version. Parts run in the order given; within a part, in version order.
 * @param label names the file in errors.
 * @throws Error when a part is at a version this build does not know (written by a newer openclaw), or
 *   when a part's migrations are not numbered 1..n.
 */
export function migrate(db: Database, parts: readonly SchemaPart[], label: string): void {
  for (const part of parts) checkNumbering(part);
  db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (part TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
    const read = db.query<{ version: number }, [string]>("SELECT version FROM schema_version WHERE part = ?");
    const write = db.query("INSERT INTO schema_version (part, version, updated_at) VALUES (?, ?, ?) ON CONFLICT(part) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at");
    for (const part of parts) {
      const latest = part.migrations.length;
      const current = read.get(part.name)?.version ?? part.initialVersion?.(db) ?? 0;
      if (current > latest) {
        throw new Error(`${label} was written by a newer openclaw (${part.name} schema ${current}, this build knows ${latest}); upgrade openclaw or move the file aside`);
      }
      for (const m of part.migrations.slice(current)) {
        if (typeof m.up === "string") db.exec(m.up);
        else m.up(db);
      }
      if (current !== latest || read.get(part.name) === null) write.run(part.name, latest, Date.now());
      part.afterMigrate?.(db, latest, label);
    }
  })();
}

/** The version each part has reached, by part name (for diagnostics and tests). */
export function readSchemaVersions(db: Database): Record<string, number> {
  const rows = db.query<{ part: string; version: number }, []>("SELECT part, version FROM schema_version ORDER BY part").all();
  return Object.fromEntries(rows.map((r) => [r.part, r.version]));
}

function checkNumbering(part: SchemaPart): void {
  part.migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`schema part ${part.name}: migration #${i + 1} is numbered ${m.version}`);
  });
}
