/**
 * ExecApprovalQueue on its own: the per-connection cap, ids freed on every ending, and what each ending
 * broadcasts.
 */
import { expect, test } from "bun:test";
import { ExecApprovalQueue, MAX_PENDING_APPROVALS_PER_CONNECTION, type ExecApprovalRequest } from "../../src/gateway/approvals/approvals.ts";

const REQUEST: ExecApprovalRequest = { command: "ls", cwd: null, host: null, security: null, ask: null, agentId: null, resolvedPath: null, sessionKey: null };

function queue() {
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  return { q: new ExecApprovalQueue({ broadcast: (event, payload) => void events.push({ event, payload }) }), events };
}

test("one connection may keep a bounded number of requests waiting; others are not affected", async () => {
  const { q } = queue();
  const waiting = Array.from({ length: MAX_PENDING_APPROVALS_PER_CONNECTION }, () => q.request({ request: REQUEST, timeoutMs: 60_000, connId: "c1" }).catch((e) => e));
  await expect(q.request({ request: REQUEST, connId: "c1" })).rejects.toMatchObject({ code: "UNAVAILABLE", message: `too many pending approvals on this connection (max ${MAX_PENDING_APPROVALS_PER_CONNECTION})` });
  const other = q.request({ id: "other", request: REQUEST, timeoutMs: 60_000, connId: "c2" });
  expect(q.size).toBe(MAX_PENDING_APPROVALS_PER_CONNECTION + 1);
  expect(q.cancelFor("c1")).toBe(MAX_PENDING_APPROVALS_PER_CONNECTION);
  for (const w of await Promise.all(waiting)) expect(w).toMatchObject({ code: "UNAVAILABLE", message: "requester disconnected" });
  expect(q.resolve("other", "allow-always", "me")).toBe(true);
  expect((await other).decision).toBe("allow-always");
  expect(q.size).toBe(0);
});

test("expiry and a gateway stop end a request without a resolved event, and free its id", async () => {
  const { q, events } = queue();
  const expired = await q.request({ id: "e", request: REQUEST, timeoutMs: 1, connId: "c" });
  expect(expired.decision).toBeNull();
  const closing = q.request({ id: "s", request: REQUEST, connId: "c" });
  q.close();
  await expect(closing).rejects.toMatchObject({ code: "UNAVAILABLE", message: "gateway stopping" });
  expect(q.resolve("s", "deny", undefined)).toBe(false);
  expect(events.map((e) => `${e.event}:${e.payload.id}`)).toEqual(["exec.approval.requested:e", "exec.approval.requested:s"]);
});

test("list shows what waits, oldest first; find takes a full id or a unique prefix of 6+ characters", async () => {
  const { q } = queue();
  const a = q.request({ id: "abcdef01-aaaa", request: REQUEST, timeoutMs: 60_000, connId: "c" });
  const b = q.request({ id: "abcdef02-bbbb", request: { ...REQUEST, command: "df" }, timeoutMs: 60_000, connId: "c" });
  expect(q.list().map((x) => [x.id, x.request.command, x.expiresAtMs - x.createdAtMs])).toEqual([
    ["abcdef01-aaaa", "ls", 60_000],
    ["abcdef02-bbbb", "df", 60_000],
  ]);
  expect(q.find("ABCDEF01-AAAA")).toEqual({ id: "abcdef01-aaaa" });
  expect(q.find("abcdef02")).toEqual({ id: "abcdef02-bbbb" });
  expect(q.find("abcdef")).toEqual({ error: "ambiguous" });
  expect(q.find("abcde")).toEqual({ error: "unknown" });
  expect(q.find("abcdef", (id) => id.endsWith("bbbb"))).toEqual({ id: "abcdef02-bbbb" });
  expect(q.find("zzzzzzzz")).toEqual({ error: "unknown" });
  q.resolve("abcdef01-aaaa", "deny", undefined);
  q.resolve("abcdef02-bbbb", "deny", undefined);
  await Promise.all([a, b]);
  expect(q.list()).toEqual([]);
});
