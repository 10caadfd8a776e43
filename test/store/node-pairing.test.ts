/**
 * The node pairing store on its own: request dedupe, 5-minute expiry (injected clock), approve/reject,
 * records that keep an operator's name across connects, and persistence in the state DB file.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE_PAIRING_TTL_MS, openNodePairingStore, type NodePairingStore } from "../../src/store/node-pairing.ts";

const open: NodePairingStore[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function memoryStore(clock: { t: number }): NodePairingStore {
  const s = openNodePairingStore(":memory:", { now: () => clock.t });
  open.push(s);
  return s;
}

test("a node has at most one live request; it is refreshed, then expires after 5 minutes", () => {
  const clock = { t: 1_000_000 };
  const store = memoryStore(clock);
  const a = store.request({ nodeId: "n1", displayName: "Phone", commands: ["device.info"] });
  expect(a.created).toBe(true);
  expect(a.request).toMatchObject({ nodeId: "n1", displayName: "Phone", caps: [], commands: ["device.info"], isRepair: false, ts: 1_000_000 });
  clock.t += 60_000;
  const b = store.request({ nodeId: "n1", platform: "ios" });
  expect(b.created).toBe(false);
  expect(b.request.requestId).toBe(a.request.requestId);
  expect(b.request).toMatchObject({ displayName: "Phone", platform: "ios", ts: 1_060_000 });
  clock.t += 1_000;
  store.request({ nodeId: "n2" });
  expect(store.listPending().map((r) => r.nodeId)).toEqual(["n2", "n1"]);

  clock.t = 1_060_000 + NODE_PAIRING_TTL_MS - 1;
  expect(store.getPending(a.request.requestId)).toBeDefined();
  clock.t += 1;
  expect(store.getPending(a.request.requestId)).toBeUndefined();
  expect(store.approve(a.request.requestId)).toBeUndefined();
  expect(store.listPending().map((r) => r.nodeId)).toEqual(["n2"]);
  // After expiry the same node starts a new request.
  expect(store.request({ nodeId: "n1" }).request.requestId).not.toBe(a.request.requestId);
});

test("approve merges the request into the node record; reject drops it", () => {
  const clock = { t: 5_000 };
  const store = memoryStore(clock);
  const { request } = store.request({ nodeId: "n1", publicKey: "key", displayName: "Mac", caps: ["canvas"], commands: ["system.run"], silent: true });
  const approved = store.approve(request.requestId)!;
  expect(approved.node).toEqual({ nodeId: "n1", displayName: "Mac", caps: ["canvas"], commands: ["system.run"], createdAtMs: 5_000, approvedAtMs: 5_000 });
  expect(store.approve(request.requestId)).toBeUndefined();
  const other = store.request({ nodeId: "n2" }).request;
  expect(store.reject(other.requestId)?.nodeId).toBe("n2");
  expect(store.listPending()).toEqual([]);
  expect(store.getNode("n2")).toBeUndefined();
});

test("an operator's name survives later connects; other metadata follows the node", () => {
  const clock = { t: 1 };
  const store = memoryStore(clock);
  store.noteConnected("n1", { displayName: "raw", platform: "linux", caps: [], commands: ["a"] });
  store.rename("n1", "Kitchen iPad");
  clock.t = 2;
  const after = store.noteConnected("n1", { displayName: "raw-again", platform: "ios", caps: ["x"], commands: ["b"] });
  expect(after).toMatchObject({ displayName: "Kitchen iPad", renamed: true, platform: "ios", caps: ["x"], commands: ["b"], lastConnectedAtMs: 2, createdAtMs: 1 });
  expect(store.removeNode("n1")).toBe(true);
  expect(store.getNode("n1")).toBeUndefined();
});

test("state lives in <stateDir>/state.db and survives a reopen", () => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-nodes-"));
  dirs.push(dir);
  const first = openNodePairingStore(dir);
  const { request } = first.request({ nodeId: "n1" });
  first.noteConnected("n0", { displayName: "kept", caps: [], commands: [] });
  first.close();
  first.close();
  const again = openNodePairingStore(dir);
  open.push(again);
  expect(again.getPending(request.requestId)?.nodeId).toBe("n1");
  expect(again.getNode("n0")?.displayName).toBe("kept");
});
