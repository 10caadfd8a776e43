import { expect, test } from "bun:test";
import { Presence } from "../../src/gateway/presence/presence.ts";

function table() {
  let now = 1_000_000;
  const p = new Presence({ version: "1.0.0", now: () => now });
  return { p, advance: (ms: number) => (now += ms), now: () => now };
}

test("the list is self first, then newest first, and follows every upsert", () => {
  const { p, advance } = table();
  p.upsert("a", { host: "a", text: "a" });
  advance(10);
  p.upsert("b", { host: "b", text: "b" });
  expect(p.list().map((e) => e.host)).toEqual([p.list()[0]?.host, "b", "a"]);
  expect(p.list()[0]?.reason).toBe("self");
  advance(10);
  p.upsert("A", { host: "a", text: "a again" });
  expect(p.list().slice(1).map((e) => e.text)).toEqual(["a again", "b"]);
});

test("rows older than five minutes leave the list; the gateway's own row stays and is stamped on every read", () => {
  const { p, advance, now } = table();
  p.upsert("old", { host: "old", text: "old" });
  advance(4 * 60_000);
  p.upsert("new", { host: "new", text: "new" });
  expect(p.list().slice(1).map((e) => e.host)).toEqual(["new", "old"]);
  advance(60_001);
  const rows = p.list();
  expect(rows.slice(1).map((e) => e.host)).toEqual(["new"]);
  expect(rows[0]?.ts).toBe(now());
  advance(5 * 60_000);
  expect(p.list()).toHaveLength(1);
});

test("json() is the list serialized, after upserts and after rows expire", () => {
  const { p, advance } = table();
  expect(JSON.parse(p.json())).toEqual(p.list());
  p.upsert("a", { host: "a", text: "a" });
  advance(10);
  p.upsert("b", { host: "b", text: "b", tags: ["x"] });
  expect(JSON.parse(p.json())).toEqual(p.list());
  advance(5 * 60_000 - 5);
  expect(JSON.parse(p.json()).map((e: { host: string }) => e.host)).toEqual([p.list()[0]?.host, "b"]);
  advance(10);
  expect(JSON.parse(p.json())).toEqual(p.list());
  expect(JSON.parse(p.json())).toHaveLength(1);
});

test("rows kept in order across reconnects within one millisecond, evictions and a clock that goes back", () => {
  let now = 5_000_000;
  const p = new Presence({ version: "1.0.0", now: () => now });
  // The order a full sort gives: newest first; rows of one timestamp in the order they were last stored.
  const stored: { key: string; ts: number }[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
  for (let i = 0; i < 600; i++) {
    const key = `k${next() % 40}`;
    const step = next() % 10;
    if (step >= 9) now -= 3;
    else if (step >= 6) now += 1;
    p.upsert(key, { host: key, text: `t${i}`, roles: ["operator"], scopes: i % 3 === 0 ? ["operator.read"] : ["operator.admin"] });
    const at = stored.findIndex((s) => s.key === key);
    if (at >= 0) stored.splice(at, 1);
    stored.push({ key, ts: now });
    if (i % 7 === 0) {
      const rows = p.list().slice(1);
      const want = [...stored].sort((a, b) => b.ts - a.ts);
      expect(rows.map((r) => r.host)).toEqual(want.map((s) => s.key));
      expect(JSON.parse(p.json())).toEqual(p.list());
    }
  }
  expect(p.list().slice(1).map((r) => r.host)).toEqual([...stored].sort((a, b) => b.ts - a.ts).map((s) => s.key));
  expect(JSON.parse(p.json())).toEqual(p.list());
});

test("a reconnect with the roles and scopes already listed keeps them; new ones are added", () => {
  const { p, advance } = table();
  p.upsert("a", { host: "a", roles: ["operator"], scopes: ["operator.read", "operator.write"] });
  advance(1);
  p.upsert("a", { host: "a", roles: ["operator"], scopes: ["operator.write"] });
  expect(p.list()[1]?.scopes).toEqual(["operator.read", "operator.write"]);
  advance(1);
  p.upsert("a", { host: "a", roles: ["node"], scopes: ["operator.admin"] });
  expect(p.list()[1]?.roles).toEqual(["operator", "node"]);
  expect(p.list()[1]?.scopes).toEqual(["operator.read", "operator.write", "operator.admin"]);
});
