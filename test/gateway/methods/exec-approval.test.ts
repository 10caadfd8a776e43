/**
 * exec.approval.request / exec.approval.resolve over real sockets: the requested event reaches approvals
 * operators (and admins) but not read-only operators or nodes; resolve answers the waiting requester and
 * broadcasts the resolved event; expiry answers a null decision; a duplicate id, an unknown id, the
 * requester disconnecting, and a pending request not blocking its socket.
 */
import { describe, expect, test } from "bun:test";
import { checkEventPayload, checkResult } from "../../../src/protocol/index.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { SimulatedNode } from "../../helpers/node.ts";
import { drain, UUID, useCleanup } from "../../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";
import { waitFor } from "../../helpers/wait.ts";

const env = useCleanup();

async function setup() {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, browser: { enabled: false } } });
  const connect = async (scopes: string[], displayName?: string) => {
    const client = { id: "test", version: "1.0.0", platform: "linux", mode: "test", ...(displayName && { displayName }) };
    const { sock } = await connectClient(gw.url, gw.token, { scopes, client });
    env.defer(() => sock.close());
    return sock;
  };
  return { gw, connect };
}

/** Sends a request frame without waiting for its answer; returns the frame id. */
function send(sock: TestSocket, method: string, params: unknown, id: string): string {
  sock.send({ type: "req", id, method, params });
  return id;
}

const isEvent = (name: string) => (f: any) => f.type === "event" && f.event === name;
const isRes = (id: string) => (f: any) => f.type === "res" && f.id === id;

describe("exec.approval.request / resolve", () => {
  test("requested reaches approvals operators and admins only; allow-once answers the requester and is broadcast", async () => {
    const { gw, connect } = await setup();
    const requester = await connect(["operator.approvals"]);
    const approver = await connect(["operator.approvals"], "Ops laptop");
    const admin = await connect(["operator.admin"]);
    const reader = await connect(["operator.read", "operator.write"]);
    const n = await SimulatedNode.connect(gw.url, { token: gw.token });
    env.defer(() => n.close());
    expect(n.hello).toBeDefined();

    const before = Date.now();
    const reqId = send(requester, "exec.approval.request", { command: "rm -rf build", cwd: "/srv/app", host: "gateway", agentId: "main", timeoutMs: 60_000 }, "r1");
    const ev = await approver.nextMatching(isEvent("exec.approval.requested"));
    expect(checkEventPayload("exec.approval.requested", ev.payload)).toEqual({ ok: true });
    expect(typeof ev.seq).toBe("number");
    const { id, createdAtMs, expiresAtMs } = ev.payload;
    expect(id).toMatch(UUID);
    expect(ev.payload.request).toEqual({ command: "rm -rf build", cwd: "/srv/app", host: "gateway", security: null, ask: null, agentId: "main", resolvedPath: null, sessionKey: null });
    expect(createdAtMs).toBeGreaterThanOrEqual(before);
    expect(expiresAtMs - createdAtMs).toBe(60_000);
    expect((await admin.nextMatching(isEvent("exec.approval.requested"))).payload.id).toBe(id);
    expect(gw.handle.ctx.approvals.size).toBe(1);

    const resolved = await approver.request("exec.approval.resolve", { id, decision: "allow-once" });
    expect(resolved.payload).toEqual({ ok: true });
    expect(checkResult("exec.approval.resolve", resolved.payload)).toEqual({ ok: true });
    const answer = await requester.nextMatching(isRes(reqId));
    expect(answer.payload).toEqual({ id, decision: "allow-once", createdAtMs, expiresAtMs });
    expect(checkResult("exec.approval.request", answer.payload)).toEqual({ ok: true });

    const done = await admin.nextMatching(isEvent("exec.approval.resolved"));
    expect(done.payload).toEqual({ id, decision: "allow-once", resolvedBy: "Ops laptop", ts: expect.any(Number) });
    expect(checkEventPayload("exec.approval.resolved", done.payload)).toEqual({ ok: true });
    expect(gw.handle.ctx.approvals.size).toBe(0);

    // Neither the read/write operator nor the node saw either event. A round trip on each socket first:
    // frames on one socket arrive in order, so anything broadcast earlier is queued by then.
    expect((await reader.request("health")).ok).toBe(true);
    expect((await n.request("node.event", { event: "barrier" })).ok).toBe(true);
    const seen = [...(await drain(reader)), ...(await nodeEvents(n))];
    expect(seen.filter((f) => String(f.event).startsWith("exec.approval"))).toEqual([]);

    // A second resolve of the same id: nothing is waiting any more.
    expect((await approver.request("exec.approval.resolve", { id, decision: "deny" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown approval id" });
  });

  test("nobody answers in time: decision null, and the id is free again", async () => {
    const { connect } = await setup();
    const sock = await connect(["operator.approvals"]);
    const res = await sock.request("exec.approval.request", { id: "late-1", command: "uptime", timeoutMs: 30 });
    expect(res.payload).toEqual({ id: "late-1", decision: null, createdAtMs: expect.any(Number), expiresAtMs: expect.any(Number) });
    expect(res.payload.expiresAtMs - res.payload.createdAtMs).toBe(30);
    expect(checkResult("exec.approval.request", res.payload)).toEqual({ ok: true });
    expect((await sock.request("exec.approval.resolve", { id: "late-1", decision: "allow-once" })).error?.message).toBe("unknown approval id");
  });

  test("default timeout is 120 000 ms; a duplicate id while pending is refused; the socket keeps serving", async () => {
    const { connect } = await setup();
    const sock = await connect(["operator.approvals", "operator.read"]);
    const first = send(sock, "exec.approval.request", { id: "dup", command: "make deploy" }, "first");
    const ev = await sock.nextMatching(isEvent("exec.approval.requested"));
    expect(ev.payload.expiresAtMs - ev.payload.createdAtMs).toBe(120_000);
    const dup = await sock.request("exec.approval.request", { id: "dup", command: "make deploy" });
    expect(dup.error).toEqual({ code: "INVALID_REQUEST", message: "approval id already pending" });
    // Other requests on the same socket are answered while the first one waits.
    expect((await sock.request("health")).ok).toBe(true);
    expect((await sock.request("exec.approval.resolve", { id: "dup", decision: "deny" })).ok).toBe(true);
    expect((await sock.nextMatching(isRes(first))).payload.decision).toBe("deny");
  });

  test("the requester disconnecting cancels its requests: operators see them resolved as deny", async () => {
    const { gw, connect } = await setup();
    const requester = await connect(["operator.approvals"]);
    const approver = await connect(["operator.approvals"]);
    send(requester, "exec.approval.request", { id: "gone-1", command: "ls" }, "a");
    send(requester, "exec.approval.request", { id: "gone-2", command: "ls -la" }, "b");
    await approver.nextMatching((f) => isEvent("exec.approval.requested")(f) && f.payload.id === "gone-2");
    requester.close();
    const cancelled = [await approver.nextMatching(isEvent("exec.approval.resolved")), await approver.nextMatching(isEvent("exec.approval.resolved"))];
    expect(cancelled.map((f) => f.payload.id).sort()).toEqual(["gone-1", "gone-2"]);
    for (const f of cancelled) expect(f.payload).toEqual({ id: f.payload.id, decision: "deny", ts: expect.any(Number) });
    await waitFor(() => gw.handle.ctx.approvals.size === 0, "pending approvals cleared", 2000);
    expect((await approver.request("exec.approval.resolve", { id: "gone-1", decision: "allow-once" })).error?.message).toBe("unknown approval id");
  });

  test("scopes: approvals methods need operator.approvals (admin passes); nodes are refused", async () => {
    const { gw, connect } = await setup();
    const writer = await connect(["operator.write"]);
    for (const [m, p] of [["exec.approval.request", { command: "ls" }], ["exec.approval.resolve", { id: "x", decision: "deny" }]] as const) {
      expect((await writer.request(m, p)).error).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.approvals" });
    }
    const admin = await connect(["operator.admin"]);
    expect((await admin.request("exec.approval.resolve", { id: "x", decision: "deny" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown approval id" });
    const n = await SimulatedNode.connect(gw.url, { token: gw.token });
    env.defer(() => n.close());
    expect((await n.request("exec.approval.request", { command: "ls" })).error).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    expect((await admin.request("exec.approval.resolve", { id: "x", decision: "maybe" })).error.code).toBe("INVALID_REQUEST");
  });

  test("a gateway stopping fails waiting requests instead of answering null", async () => {
    const { gw, connect } = await setup();
    const sock = await connect(["operator.approvals"]);
    const id = send(sock, "exec.approval.request", { command: "ls" }, "s1");
    await sock.nextMatching(isEvent("exec.approval.requested"));
    const answer = sock.nextMatching(isRes(id));
    await gw.handle.stop();
    expect((await answer).error).toMatchObject({ code: "UNAVAILABLE", message: "gateway stopping" });
  });
});

/** Approval events already queued on the node's socket. */
async function nodeEvents(n: SimulatedNode): Promise<any[]> {
  const got: any[] = [];
  for (const name of ["exec.approval.requested", "exec.approval.resolved"]) {
    try {
      got.push(await n.nextEvent(name, 1));
    } catch {
      // none: what we want
    }
  }
  return got;
}
