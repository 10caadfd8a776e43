import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStateDb } from "../../src/store/state-db.ts";
import { readSchemaVersions } from "../../src/store/migrate.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("a first start builds the state DB complete and private, in WAL mode, and leaves nothing else behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-sdb-"));
  dirs.push(dir);
  // Left by an earlier start that died while building the file.
  writeFileSync(join(dir, "state.db.creating-99999"), "half a database");
  const path = join(dir, "state.db");
  const sdb = openStateDb(path);
  try {
    expect(Object.keys(readSchemaVersions(sdb.db)).length).toBeGreaterThan(5);
    expect(sdb.db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    expect(sdb.db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()?.synchronous).toBe(2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  } finally {
    sdb.close();
  }
  expect(readdirSync(dir).filter((f) => f.includes("creating"))).toEqual([]);
  // Opened again: the same schema, nothing rebuilt.
  const again = openStateDb(path);
  expect(Object.keys(readSchemaVersions(again.db)).length).toBeGreaterThan(5);
  again.close();
});
