import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceStore, PAIRING_REQUEST_TTL_MS, type PairingRequestInput } from "../../src/gateway/devices/devices.ts";
import { createDevicePairingStorage } from "../../src/store/device-pairing.ts";
import { openStateDb, type StateDb, stateDbPath } from "../../src/store/state-db.ts";

let stateDir: string;
let clock: number;
let warnings: string[];
let opened: StateDb[];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "devices-"));
  clock = 1_700_000_000_000;
  warnings = [];
  opened = [];
});

afterEach(() => {
  for (const db of opened) db.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** A state DB connection on the test's state dir, closed after the test. */
function openDb(): StateDb {
  const db = openStateDb(stateDbPath(stateDir));
  opened.push(db);
  return db;
}

/** The device store on a fresh connection to the state DB (a reopen after a restart). */
function openStore(): DeviceStore {
  return new DeviceStore({ storage: createDevicePairingStorage(openDb()), now: () => clock, onWarn: (m) => warnings.push(m) });
}

function request(over: Partial<PairingRequestInput> = {}): PairingRequestInput {
  return {
    deviceId: "dev-1",
    publicKey: "pk-1",
    displayName: "laptop",
    platform: "linux",
    clientId: "cli",
    clientMode: "cli",
    role: "operator",
    scopes: ["operator.read"],
    remoteIp: "10.0.0.2",
    ...over,
  };
}

/** Every stored device pairing row, as text (what reaches the disk). */
function readDeviceRows(): string {
  const raw = new Database(stateDbPath(stateDir), { readonly: true });
  try {
    const rows = raw.query<{ body: string }, []>("SELECT body FROM device_paired UNION ALL SELECT body FROM device_pairing_pending").all();
    return rows.map((r) => r.body).join("\n");
  } finally {
    raw.close();
  }
}

describe("loading", () => {
  test("an empty state DB is an empty store and nothing is written until a change", () => {
    const store = openStore();
    expect(store.listPairing()).toEqual({ pending: [], paired: [] });
    expect(store.getPaired("dev-1")).toBeUndefined();
    expect(readDeviceRows()).toBe("");
  });

  test("state survives a restart", () => {
    const store = openStore();
    store.approveLocal(request());
    const { requestId } = store.requestPairing(request({ deviceId: "dev-2", publicKey: "pk-2" }));
    const reopened = openStore();
    expect(reopened.isApprovedFor("dev-1", "operator", ["operator.read"])).toBe(true);
    expect(reopened.listPairing().pending.map((p) => p.requestId)).toEqual([requestId]);
    expect(warnings).toEqual([]);
  });

  test("malformed entries are dropped (from the DB too) with a warning, good ones kept", () => {
    const store = openStore();
    store.approveLocal(request());
    const raw = openDb().db;
    raw.query("INSERT INTO device_paired (device_id, updated_at, body) VALUES (?, 0, ?)").run("broken", JSON.stringify({ deviceId: "broken" }));
    raw.query("INSERT INTO device_paired (device_id, updated_at, body) VALUES (?, 0, ?)").run("garbled", "{ not json");
    raw.query("INSERT INTO device_pairing_pending (request_id, updated_at, body) VALUES (?, 0, ?)").run("req-x", JSON.stringify({ requestId: "other-id", deviceId: "d", publicKey: "p", role: "operator", ts: clock }));
    const reopened = openStore();
    expect(reopened.getPaired("dev-1")).toBeDefined();
    expect(reopened.getPaired("broken")).toBeUndefined();
    expect(warnings).toHaveLength(3);
    expect(raw.query("SELECT device_id FROM device_paired").all()).toEqual([{ device_id: "dev-1" }]);
    expect(raw.query("SELECT count(*) AS n FROM device_pairing_pending").get()).toEqual({ n: 0 });
  });
});

describe("on disk", () => {
  test("state.db and its WAL are mode 0600, and the tokens are only there as hashes", () => {
    const store = openStore();
    store.approveLocal(request());
    const token = store.issueToken("dev-1", "operator", ["operator.read"]);
    store.requestPairing(request({ deviceId: "dev-2" }));
    expect(token).toBeDefined();
    const text = readDeviceRows();
    expect(text).toContain("dev-2");
    expect(text).not.toContain(token!.deviceToken);
    if (process.platform !== "win32") {
      for (const name of readdirSync(stateDir).filter((n) => n.startsWith("state.db"))) expect({ name, mode: statSync(join(stateDir, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
    }
  });
});

describe("pairing", () => {
  test("request → list → approve pairs the device and broadcasts-ready resolution", () => {
    const store = openStore();
    const pending = store.requestPairing(request({ silent: false }));
    expect(pending).toMatchObject({
      deviceId: "dev-1",
      publicKey: "pk-1",
      role: "operator",
      roles: ["operator"],
      scopes: ["operator.read"],
      remoteIp: "10.0.0.2",
      isRepair: false,
      ts: clock,
    });
    expect(pending.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.isApprovedFor("dev-1", "operator", ["operator.read"])).toBe(false);
    expect(store.listPairing().pending).toEqual([pending]);

    clock += 1000;
    const approval = store.approve(pending.requestId)!;
    expect(approval).toMatchObject({ requestId: pending.requestId, deviceId: "dev-1", decision: "approved", ts: clock, request: pending });
    // The approved role has a token at once; the listing shows its metadata (upstream shape), never the token.
    expect(approval.device).toMatchObject({ deviceId: "dev-1", role: "operator", roles: ["operator"], scopes: ["operator.read"], tokens: [{ role: "operator", scopes: ["operator.read"], createdAtMs: clock }] });
    expect(store.isApprovedFor("dev-1", "operator", ["operator.read"])).toBe(true);
    expect(store.isApprovedFor("dev-1", "operator", ["operator.write"])).toBe(false);
    expect(store.isApprovedFor("dev-1", "node", [])).toBe(false);
    const { pending: left, paired } = store.listPairing();
    expect(left).toEqual([]);
    expect(paired).toHaveLength(1);
    expect(paired[0]).toMatchObject({
      deviceId: "dev-1",
      displayName: "laptop",
      approvedAtMs: clock,
      createdAtMs: clock,
    });
    expect(store.approve(pending.requestId)).toBeUndefined();
  });

  test("reject drops the request; unknown ids give undefined", () => {
    const store = openStore();
    const { requestId } = store.requestPairing(request());
    expect(store.reject("nope")).toBeUndefined();
    expect(store.approve("nope")).toBeUndefined();
    expect(store.reject(requestId)).toEqual({ requestId, deviceId: "dev-1", decision: "rejected", ts: clock });
    expect(store.listPairing().pending).toEqual([]);
    expect(store.getPaired("dev-1")).toBeUndefined();
  });

  test("a second request of the same device reuses the requestId and merges roles/scopes", () => {
    const store = openStore();
    const first = store.requestPairing(request());
    clock += 10_000;
    const second = store.requestPairing(request({ role: "node", scopes: [], displayName: undefined }));
    expect(second.requestId).toBe(first.requestId);
    expect(second).toMatchObject({ role: "node", roles: ["operator", "node"], scopes: ["operator.read"] });
    expect(second.displayName).toBe("laptop");
    expect(second.ts).toBe(clock);
    expect(store.listPairing().pending).toHaveLength(1);
    store.approve(first.requestId);
    expect(store.isApprovedFor("dev-1", "node", [])).toBe(true);
    expect(store.isApprovedFor("dev-1", "operator", ["operator.read"])).toBe(true);
  });

  test("pending requests expire after 5 minutes", () => {
    const store = openStore();
    const { requestId } = store.requestPairing(request());
    clock += PAIRING_REQUEST_TTL_MS - 1;
    expect(store.listPairing().pending).toHaveLength(1);
    clock += 1;
    expect(store.listPairing().pending).toEqual([]);
    expect(store.approve(requestId)).toBeUndefined();
    expect(readDeviceRows()).not.toContain(requestId);
    expect(store.requestPairing(request()).requestId).not.toBe(requestId);
  });

  test("approveLocal merges roles and scopes (union) and marks later requests as repairs", () => {
    const store = openStore();
    store.approveLocal(request());
    clock += 5;
    const merged = store.approveLocal(request({ role: "node", scopes: [], displayName: "renamed" }));
    store.approveLocal(request({ scopes: ["operator.write", "operator.read"] }));
    const device = store.getPaired("dev-1")!;
    expect(device.roles).toEqual(["operator", "node"]);
    expect(device.scopes).toEqual(["operator.read", "operator.write"]);
    expect(merged.displayName).toBe("renamed");
    expect(device.createdAtMs).toBe(clock - 5);
    expect(store.requestPairing(request({ scopes: ["operator.admin"] })).isRepair).toBe(true);
  });

  test("approveLocal clears a pending request it now covers", () => {
    const store = openStore();
    store.requestPairing(request());
    store.approveLocal(request());
    expect(store.listPairing().pending).toEqual([]);
  });

  test("operator.admin covers every operator scope, not node roles", () => {
    const store = openStore();
    store.approveLocal(request({ scopes: ["operator.admin"] }));
    expect(store.isApprovedFor("dev-1", "operator", ["operator.read", "operator.pairing", "operator.approvals"])).toBe(
      true,
    );
    expect(store.isApprovedFor("dev-1", "operator", ["custom.scope"])).toBe(false);
    expect(store.isApprovedFor("dev-1", "node", [])).toBe(false);
    expect(store.isApprovedFor("dev-2", "operator", [])).toBe(false);
  });

  test("removeDevice drops the entry, its tokens and its pending requests", () => {
    const store = openStore();
    store.approveLocal(request());
    const issued = store.issueToken("dev-1", "operator", ["operator.read"])!;
    store.requestPairing(request({ scopes: ["operator.admin"] }));
    expect(store.removeDevice("dev-1")).toBe(true);
    expect(store.removeDevice("dev-1")).toBe(false);
    expect(store.listPairing()).toEqual({ pending: [], paired: [] });
    expect(store.verifyToken("dev-1", "operator", [], issued.deviceToken)).toBe(false);
    expect(openStore().getPaired("dev-1")).toBeUndefined();
  });
});

describe("device tokens", () => {
  test("issue → verify, reused within the process", () => {
    const store = openStore();
    store.approveLocal(request({ scopes: ["operator.read", "operator.write"] }));
    const issued = store.issueToken("dev-1", "operator", ["operator.read"])!;
    expect(issued).toMatchObject({ role: "operator", scopes: ["operator.read"], issuedAtMs: clock });
    expect(Buffer.from(issued.deviceToken, "base64url")).toHaveLength(32);
    expect(store.issueToken("dev-1", "operator", ["operator.read"])).toEqual(issued);

    clock += 42;
    expect(store.verifyToken("dev-1", "operator", ["operator.read"], issued.deviceToken)).toBe(true);
    expect(store.getPaired("dev-1")!.tokens.operator!.lastUsedAtMs).toBe(clock);
    expect(store.verifyToken("dev-1", "operator", [], issued.deviceToken)).toBe(true);
    expect(store.verifyToken("dev-1", "operator", ["operator.write"], issued.deviceToken)).toBe(false);
    expect(store.verifyToken("dev-1", "operator", ["operator.read"], `${issued.deviceToken}x`)).toBe(false);
    expect(store.verifyToken("dev-1", "operator", ["operator.read"], "")).toBe(false);
    expect(store.verifyToken("dev-1", "node", [], issued.deviceToken)).toBe(false);
    expect(store.verifyToken("dev-2", "operator", [], issued.deviceToken)).toBe(false);
  });

  test("wider scopes rotate to a token covering old and new scopes", () => {
    const store = openStore();
    store.approveLocal(request({ scopes: ["operator.read", "operator.write"] }));
    const first = store.issueToken("dev-1", "operator", ["operator.read"])!;
    const second = store.issueToken("dev-1", "operator", ["operator.write"])!;
    expect(second.deviceToken).not.toBe(first.deviceToken);
    expect(second.scopes).toEqual(["operator.read", "operator.write"]);
    expect(store.verifyToken("dev-1", "operator", ["operator.read"], first.deviceToken)).toBe(false);
  });

  test("only the hash is on disk; after a restart the old token verifies, then is reused", () => {
    const store = openStore();
    store.approveLocal(request());
    const issued = store.issueToken("dev-1", "operator", ["operator.read"])!;
    expect(readDeviceRows()).not.toContain(issued.deviceToken);
    expect(store.getPaired("dev-1")!.tokens.operator!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(store.listPairing())).not.toContain(store.getPaired("dev-1")!.tokens.operator!.hash);

    const restarted = openStore();
    expect(restarted.verifyToken("dev-1", "operator", ["operator.read"], issued.deviceToken)).toBe(true);
    expect(restarted.issueToken("dev-1", "operator", ["operator.read"])!.deviceToken).toBe(issued.deviceToken);
  });

  test("after a restart without verification, issueToken rotates", () => {
    const store = openStore();
    store.approveLocal(request());
    const issued = store.issueToken("dev-1", "operator", ["operator.read"])!;
    const restarted = openStore();
    const next = restarted.issueToken("dev-1", "operator", ["operator.read"])!;
    expect(next.deviceToken).not.toBe(issued.deviceToken);
    expect(restarted.verifyToken("dev-1", "operator", ["operator.read"], issued.deviceToken)).toBe(false);
    expect(readDeviceRows()).not.toContain(next.deviceToken);
  });

  test("issueToken refuses unpaired devices and unapproved role/scopes", () => {
    const store = openStore();
    expect(store.issueToken("dev-1", "operator", [])).toBeUndefined();
    store.approveLocal(request());
    expect(store.issueToken("dev-1", "operator", ["operator.admin"])).toBeUndefined();
    expect(store.issueToken("dev-1", "node", [])).toBeUndefined();
  });

  test("rotateToken replaces the token; scopes default to the current token's", () => {
    const store = openStore();
    store.approveLocal(request({ scopes: ["operator.admin"] }));
    const first = store.issueToken("dev-1", "operator", ["operator.read"])!;
    clock += 100;
    const rotated = store.rotateToken("dev-1", "operator")!;
    expect(rotated).toMatchObject({ role: "operator", scopes: ["operator.read"], issuedAtMs: clock });
    expect(rotated.deviceToken).not.toBe(first.deviceToken);
    expect(store.verifyToken("dev-1", "operator", [], first.deviceToken)).toBe(false);
    expect(store.verifyToken("dev-1", "operator", [], rotated.deviceToken)).toBe(true);

    const widened = store.rotateToken("dev-1", "operator", ["operator.write", "operator.pairing"])!;
    expect(widened.scopes).toEqual(["operator.write", "operator.pairing"]);
    expect(store.rotateToken("dev-1", "node")).toBeUndefined();
    expect(store.rotateToken("dev-2", "operator")).toBeUndefined();
  });

  test("rotateToken without a token defaults to the device's scopes of that role", () => {
    const store = openStore();
    store.approveLocal(request({ scopes: ["operator.read"] }));
    store.approveLocal(request({ role: "node", scopes: [] }));
    expect(store.rotateToken("dev-1", "operator")!.scopes).toEqual(["operator.read"]);
    expect(store.rotateToken("dev-1", "node")!.scopes).toEqual([]);
    expect(store.rotateToken("dev-1", "operator", ["operator.admin"])).toBeUndefined();
  });

  test("revokeToken deletes the token; a later issue creates a new one", () => {
    const store = openStore();
    store.approveLocal(request());
    const issued = store.issueToken("dev-1", "operator", ["operator.read"])!;
    expect(store.revokeToken("dev-1", "operator")).toEqual({ deviceId: "dev-1", role: "operator", revokedAtMs: clock });
    expect(store.revokeToken("dev-1", "operator")).toBeUndefined();
    expect(store.verifyToken("dev-1", "operator", [], issued.deviceToken)).toBe(false);
    expect(openStore().getPaired("dev-1")!.tokens).toEqual({});
    expect(store.issueToken("dev-1", "operator", ["operator.read"])!.deviceToken).not.toBe(issued.deviceToken);
  });

  test("listPairing shows token metadata without hashes", () => {
    const store = openStore();
    store.approveLocal(request());
    store.issueToken("dev-1", "operator", ["operator.read"]);
    const [paired] = store.listPairing().paired;
    // Upstream shape: an array of {role, scopes, createdAtMs, lastUsedAtMs?}; no hash, no token.
    expect(paired!.tokens).toEqual([{ role: "operator", scopes: ["operator.read"], createdAtMs: clock }]);
    expect(paired!.role).toBe("operator");
  });

  test("returned objects are copies", () => {
    const store = openStore();
    store.approveLocal(request());
    store.getPaired("dev-1")!.roles.push("node");
    store.listPairing().paired[0]!.scopes.push("operator.admin");
    expect(store.isApprovedFor("dev-1", "node", [])).toBe(false);
    expect(store.isApprovedFor("dev-1", "operator", ["operator.admin"])).toBe(false);
  });
});
