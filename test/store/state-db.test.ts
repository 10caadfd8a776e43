/**
 * The state DB owner: one connection, the migration runner, and the upgrade of files written before
 * `schema_version` existed. `test/fixtures/state-db-legacy/` is a state dir written by the stores as they
 * were before (each store on its own connection, `CREATE TABLE IF NOT EXISTS`, device pairing in
 * `devices/*.json`); see its README.
 */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceStore } from "../../src/gateway/devices/devices.ts";
import { CursorStore } from "../../src/store/channel-cursors.ts";
import { InboundStore } from "../../src/store/channel-inbound.ts";
import { PairingStore } from "../../src/store/channel-pairing.ts";
import { CronStore } from "../../src/store/cron.ts";
import { openDevicePairingStorage } from "../../src/store/device-pairing.ts";
import { migrate, readSchemaVersions, type SchemaPart } from "../../src/store/migrate.ts";
import { NodePairingStore } from "../../src/store/node-pairing.ts";
import { createSqliteStore } from "../../src/store/sqlite.ts";
import { openStateDb, type StateDb, stateDbPath } from "../../src/store/state-db.ts";

const FIXTURE = join(import.meta.dir, "../fixtures/state-db-legacy");
/** The fixture's clock and the device token it issued (see its README). */
const FIXTURE_NOW = 1_767_000_000_000;
const FIXTURE_DEVICE_TOKEN = "uEauODoJKl33WehtCUY-AjM2T1_eUGIepz1jD0Z0Zdo";
const LATEST = { sessions: 3, "channel-pairing": 1, "channel-cursors": 1, "channel-inbound": 1, cron: 1, "node-pairing": 1, "device-pairing": 1, "memory-index": 2 };

const dirs: string[] = [];
const opened: StateDb[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "state-db-"));
  dirs.push(d);
  return d;
}

function legacyStateDir(): string {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, "README.md"));
  return dir;
}

function open(path: string): StateDb {
  const db = openStateDb(path);
  opened.push(db);
  return db;
}

describe("upgrade in place", () => {
  test("a state dir written by the earlier layout opens with every store's data intact, devices moved in", () => {
    const stateDir = legacyStateDir();
    const legacyFiles = Object.fromEntries(["paired.json", "pending.json"].map((n) => [n, readFileSync(join(stateDir, "devices", n), "utf8")]));
    const warnings: string[] = [];
    const now = () => FIXTURE_NOW;
    const stateDb = open(stateDbPath(stateDir));
    const devices = new DeviceStore({ storage: openDevicePairingStorage(stateDb, { stateDir, now, onWarn: (m) => warnings.push(m) }), now });

    expect(readSchemaVersions(stateDb.db)).toEqual(LATEST);
    expect(stateDb.db.query("PRAGMA user_version").get()).toEqual({ user_version: 3 });

    const store = createSqliteStore(stateDb);
    expect(store.getSession("agent:main:main")).toEqual({ sessionId: "sess-1", updatedAt: FIXTURE_NOW, label: "fixture" });
    const messages = store.readMessages("sess-1");
    expect(messages.map((m) => m.role)).toEqual(["user", "user", "assistant"]);
    expect(messages[1].content).toEqual([{ type: "image", data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).toString("base64"), mimeType: "image/png" }]);
    expect(store.listRuns(["queued"]).map((r) => r.runId)).toEqual(["run-1"]);

    const cron = new CronStore(stateDb, { now });
    expect(cron.listJobs().map((j) => j.id)).toEqual(["job-1"]);
    expect(cron.listRuns("job-1", 10)).toHaveLength(1);

    const nodes = new NodePairingStore(stateDb, { now });
    expect(nodes.getNode("node-1")?.displayName).toBe("old node");
    expect(nodes.listPending().map((p) => p.nodeId)).toEqual(["node-pending"]);

    const pairing = new PairingStore(stateDb, { now });
    expect(pairing.isApproved("telegram", "12345")).toBe(true);
    expect(pairing.list("telegram").map((r) => r.peerId)).toEqual(["777"]);
    expect(new CursorStore(stateDb).get("telegram", "default", "updateOffset")).toBe(424242);
    expect(new InboundStore(stateDb, FIXTURE_NOW).listOpen("telegram", "default").map((r) => r.body)).toEqual([{ text: "waiting message" }]);

    // Device pairing came over from the JSON files: the paired device's token still verifies.
    expect(devices.verifyToken("dev-old", "operator", ["operator.admin"], FIXTURE_DEVICE_TOKEN)).toBe(true);
    expect(devices.listPairing().pending.map((p) => p.deviceId)).toEqual(["dev-new"]);
    // The files are kept as a backup, byte for byte; nothing is left under devices/.
    const backup = `devices.migrated-${FIXTURE_NOW}`;
    expect(readdirSync(stateDir).filter((n) => n.startsWith("devices")).sort()).toEqual([backup]);
    for (const [name, text] of Object.entries(legacyFiles)) expect(readFileSync(join(stateDir, backup, name), "utf8")).toBe(text);
    expect(warnings).toEqual([`imported device pairing (1 paired, 1 pending) from devices/ into the state DB; the files are kept in ${join(stateDir, backup)}`]);
  });

  test("a second open changes nothing: same versions, no second import, data as left", () => {
    const stateDir = legacyStateDir();
    const first = open(stateDbPath(stateDir));
    const storage = openDevicePairingStorage(first, { stateDir, now: () => FIXTURE_NOW });
    new DeviceStore({ storage, now: () => FIXTURE_NOW }).removeDevice("dev-old");
    first.close();
    const warnings: string[] = [];
    const again = open(stateDbPath(stateDir));
    const devices = new DeviceStore({ storage: openDevicePairingStorage(again, { stateDir, onWarn: (m) => warnings.push(m) }), now: () => FIXTURE_NOW });
    expect(readSchemaVersions(again.db)).toEqual(LATEST);
    expect(devices.getPaired("dev-old")).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  test("a file from before the session store had images (user_version 1, no other tables) is upgraded", () => {
    const path = join(tempDir(), "state.db");
    const old = new Database(path, { create: true });
    old.exec(`CREATE TABLE sessions (key TEXT PRIMARY KEY, agent_id TEXT NOT NULL, session_id TEXT NOT NULL, updated_at INTEGER NOT NULL, entry TEXT NOT NULL);
      CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL, ts INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE TABLE runs (run_id TEXT PRIMARY KEY, session_key TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, ended_at INTEGER, record TEXT NOT NULL);
      PRAGMA user_version = 1;`);
    old.close();
    const db = open(path);
    expect(readSchemaVersions(db.db)).toEqual(LATEST);
    const tables = db.db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual([
      "channel_allow_from", "channel_cursors", "channel_inbound", "channel_pairing_requests", "cron_jobs", "cron_runs",
      "device_json_import", "device_paired", "device_pairing_pending", "memory_chunks", "memory_embeddings", "memory_files", "memory_fts", "memory_fts_config",
      "memory_fts_data", "memory_fts_docsize", "memory_fts_idx", "message_images", "messages", "node_pairing_pending",
      "node_records", "runs", "schema_version", "sessions",
    ]);
  });
});

describe("migration runner", () => {
  const part = (name: string, ...sql: string[]): SchemaPart => ({ name, migrations: sql.map((up, i) => ({ version: i + 1, up })) });

  test("applies only the missing steps, in order, and records each part's version", () => {
    const db = new Database(":memory:");
    migrate(db, [part("a", "CREATE TABLE a1 (x)"), part("b", "CREATE TABLE b1 (x)")], "test.db");
    migrate(db, [part("a", "CREATE TABLE a1 (x)", "ALTER TABLE a1 ADD COLUMN y"), part("b", "CREATE TABLE b1 (x)")], "test.db");
    expect(readSchemaVersions(db)).toEqual({ a: 2, b: 1 });
    expect(db.query("SELECT name FROM pragma_table_info('a1') ORDER BY cid").all()).toEqual([{ name: "x" }, { name: "y" }]);
  });

  test("a failing step rolls the whole upgrade back; the next open tries again", () => {
    const db = new Database(":memory:");
    migrate(db, [part("a", "CREATE TABLE a1 (x)")], "test.db");
    const broken = [part("a", "CREATE TABLE a1 (x)", "CREATE TABLE a2 (x)", "THIS IS NOT SQL"), part("b", "CREATE TABLE b1 (x)")];
    expect(() => migrate(db, broken, "test.db")).toThrow();
    expect(readSchemaVersions(db)).toEqual({ a: 1 });
    expect(db.query("SELECT name FROM sqlite_master WHERE name IN ('a2', 'b1')").all()).toEqual([]);
    migrate(db, [part("a", "CREATE TABLE a1 (x)", "CREATE TABLE a2 (x)"), part("b", "CREATE TABLE b1 (x)")], "test.db");
    expect(readSchemaVersions(db)).toEqual({ a: 2, b: 1 });
  });

  test("a part written by a newer build is refused, naming the file and the part; numbering gaps are a bug", () => {
    const db = new Database(":memory:");
    migrate(db, [part("a", "CREATE TABLE a1 (x)", "CREATE TABLE a2 (x)")], "test.db");
    expect(() => migrate(db, [part("a", "CREATE TABLE a1 (x)")], "test.db")).toThrow("test.db was written by a newer openclaw (a schema 2, this build knows 1)");
    expect(() => migrate(db, [{ name: "c", migrations: [{ version: 2, up: "SELECT 1" }] }], "test.db")).toThrow("schema part c: migration #1 is numbered 2");
  });

  test("the state DB refuses a part newer than this build knows, and leaves the file alone", () => {
    const path = join(tempDir(), "state.db");
    open(path).close();
    const raw = new Database(path);
    raw.exec("UPDATE schema_version SET version = 9 WHERE part = 'cron'");
    raw.close();
    expect(() => openStateDb(path)).toThrow("was written by a newer openclaw (cron schema 9");
    const check = new Database(path, { readonly: true });
    expect(check.query("SELECT version FROM schema_version WHERE part = 'cron'").get()).toEqual({ version: 9 });
    check.close();
  });
});

describe("device JSON import", () => {
  test("a corrupt file imports nothing, is reported, and stays in the backup; the other file is imported", () => {
    const stateDir = legacyStateDir();
    const devicesDir = join(stateDir, "devices");
    const paired = readFileSync(join(devicesDir, "paired.json"), "utf8");
    writeFileSync(join(devicesDir, "pending.json"), "{ not json");
    const warnings: string[] = [];
    const db = open(stateDbPath(stateDir));
    const devices = new DeviceStore({ storage: openDevicePairingStorage(db, { stateDir, now: () => 5, onWarn: (m) => warnings.push(m) }), now: () => FIXTURE_NOW });
    expect(devices.getPaired("dev-old")?.displayName).toBe("old laptop");
    expect(devices.listPairing().pending).toEqual([]);
    expect(warnings[0]).toBe("devices/pending.json is not a JSON object; nothing imported from it (the file is kept in the backup folder)");
    expect(readFileSync(join(stateDir, "devices.migrated-5", "pending.json"), "utf8")).toBe("{ not json");
    expect(readFileSync(join(stateDir, "devices.migrated-5", "paired.json"), "utf8")).toBe(paired);
  });

  test("rows already in the DB win over the files", () => {
    const stateDir = legacyStateDir();
    const db = open(stateDbPath(stateDir));
    db.db.query("INSERT INTO device_paired (device_id, updated_at, body) VALUES ('dev-old', 0, ?)").run(JSON.stringify({ deviceId: "dev-old", publicKey: "pk-newer", roles: ["operator"], scopes: [], createdAtMs: 1, approvedAtMs: 1, tokens: {} }));
    const devices = new DeviceStore({ storage: openDevicePairingStorage(db, { stateDir }), now: () => FIXTURE_NOW });
    expect(devices.getPaired("dev-old")?.publicKey).toBe("pk-newer");
    expect(devices.listPairing().pending.map((p) => p.deviceId)).toEqual(["dev-new"]);
  });

  // A real kill -9 of a process doing the import, at the two points where it can be interrupted.
  for (const at of ["beforeCommit", "beforeRename"] as const) {
    test(`kill -9 ${at === "beforeCommit" ? "inside the import transaction" : "after the commit, before the rename"}: the next start ends with every entry imported once`, async () => {
      const stateDir = legacyStateDir();
      const storeDir = join(import.meta.dir, "../../src/store");
      const script = `
        const { openStateDb, stateDbPath } = await import(${JSON.stringify(join(storeDir, "state-db.ts"))});
        const { importDeviceJson } = await import(${JSON.stringify(join(storeDir, "device-pairing.ts"))});
        const db = openStateDb(stateDbPath(${JSON.stringify(stateDir)}));
        importDeviceJson(db, { stateDir: ${JSON.stringify(stateDir)}, now: () => 7, hooks: { ${at}: () => process.kill(process.pid, "SIGKILL") } });
        console.log("not killed");`;
      const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
      const [stdout, stderr] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()];
      expect({ signal: proc.signalCode ?? (await proc.exited, proc.signalCode), stdout, stderr }).toEqual({ signal: "SIGKILL", stdout: "", stderr: "" });

      // What the kill left: the folder still there; the rows only when the transaction had committed.
      expect(existsSync(join(stateDir, "devices", "paired.json"))).toBe(true);
      const raw = new Database(stateDbPath(stateDir), { readonly: true });
      const count = raw.query<{ n: number }, []>("SELECT (SELECT count(*) FROM device_paired) + (SELECT count(*) FROM device_json_import) AS n").get()?.n;
      raw.close();
      expect(count).toBe(at === "beforeCommit" ? 0 : 2);

      const warnings: string[] = [];
      const db = open(stateDbPath(stateDir));
      const devices = new DeviceStore({ storage: openDevicePairingStorage(db, { stateDir, now: () => 8, onWarn: (m) => warnings.push(m) }), now: () => FIXTURE_NOW });
      expect(devices.verifyToken("dev-old", "operator", ["operator.admin"], FIXTURE_DEVICE_TOKEN)).toBe(true);
      expect(devices.listPairing().pending.map((p) => p.deviceId)).toEqual(["dev-new"]);
      expect(db.db.query("SELECT count(*) AS n FROM device_paired").get()).toEqual({ n: 1 });
      // The backup gets the name chosen by the run that committed.
      const backup = at === "beforeCommit" ? "devices.migrated-8" : "devices.migrated-7";
      expect(readdirSync(stateDir).filter((n) => n.startsWith("devices")).sort()).toEqual([backup]);
      expect(warnings).toHaveLength(1);
    }, 30_000);
  }
});
