/** The one scope check, and that the dispatcher, event delivery and pairing all answer through it. */
import { expect, test } from "bun:test";
import { mayReceive } from "../../src/gateway/event-audience.ts";
import { authorize } from "../../src/gateway/frames.ts";
import { holdsScopes } from "../../src/gateway/nodes/nodes.ts";
import { grantsScope, missingScope, type ScopeNeed } from "../../src/gateway/scope-check.ts";

const NEEDS: ScopeNeed[] = ["none", "read", "write", "approvals", "pairing", "admin"];
const HOLDERS: Record<string, string[]> = {
  nothing: [],
  read: ["operator.read"],
  write: ["operator.write"],
  approvals: ["operator.approvals"],
  pairing: ["operator.pairing"],
  admin: ["operator.admin"],
};
// holder → needs it meets (protocol.md §4: write also reads; admin meets everything).
const MEETS: Record<string, ScopeNeed[]> = {
  nothing: ["none"],
  read: ["none", "read"],
  write: ["none", "read", "write"],
  approvals: ["none", "approvals"],
  pairing: ["none", "pairing"],
  admin: NEEDS,
};

test("missingScope: the table, and the scope it names when not met", () => {
  for (const [holder, held] of Object.entries(HOLDERS)) {
    for (const need of NEEDS) {
      const missing = missingScope(held, need);
      expect({ holder, need, met: missing === undefined }).toEqual({ holder, need, met: MEETS[holder]!.includes(need) });
      if (missing !== undefined) expect(missing).toBe(`operator.${need}`);
    }
  }
});

test("grantsScope: held literally or through operator.admin", () => {
  expect(grantsScope(["operator.pairing"], "operator.pairing")).toBe(true);
  expect(grantsScope(["operator.write"], "operator.read")).toBe(false);
  expect(grantsScope(["operator.admin"], "operator.approvals")).toBe(true);
  expect(holdsScopes({ scopes: ["operator.pairing"] }, ["operator.pairing", "operator.write"])).toBe(false);
  expect(holdsScopes({ scopes: ["operator.admin"] }, ["operator.pairing", "operator.write"])).toBe(true);
});

test("method and event checks agree with missingScope", () => {
  for (const held of Object.values(HOLDERS)) {
    const client = { role: "operator" as const, scopes: held };
    expect(authorize(client, "chat.history")).toBe(missingScope(held, "read") && `missing scope: ${missingScope(held, "read")}`);
    expect(authorize(client, "exec.approval.resolve")).toBe(missingScope(held, "approvals") && `missing scope: ${missingScope(held, "approvals")}`);
    expect(authorize(client, "config.apply")).toBe(missingScope(held, "admin") && `missing scope: ${missingScope(held, "admin")}`);
    expect(authorize(client, "no.such.method")).toBe(missingScope(held, "admin") && `missing scope: ${missingScope(held, "admin")}`);
    expect(mayReceive(client, "chat")).toBe(missingScope(held, "read") === undefined);
    expect(mayReceive(client, "device.pair.requested")).toBe(missingScope(held, "pairing") === undefined);
    expect(mayReceive(client, "tick")).toBe(true);
    expect(mayReceive(client, "some.feature.event")).toBe(missingScope(held, "admin") === undefined);
  }
  expect(authorize({ role: "node", scopes: ["operator.admin"] }, "chat.history")).toBe("unauthorized role: node");
});
