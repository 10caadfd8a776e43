/**
 * Node pairing methods (operator.pairing): `node.pair.request|list|approve|reject|verify`. A node's token is
 * its device token for role `node`, so `device.token.rotate|revoke` work on it and `node.pair.verify` checks
 * the same record the handshake does. Requests and resolutions are broadcast to pairing-scoped clients.
 *
 * A node that connects with a signed device identity and is not approved for what it declares asks through
 * the device store (one source of truth): the request is listed by `device.pair.list` (as upstream clients
 * expect) and by `node.pair.list`, and either `device.pair.approve` or `node.pair.approve` resolves it, with
 * the same scope rule for the commands the node declared. `node.pair.request` (an operator asking on a
 * node's behalf) keeps its own table and can never rewrite a request the node made.
 */
import { GatewayError } from "../../errors.ts";
import type { NodesHost } from "./_host.ts";
import type { NodePairingInput, PendingNodeRequest } from "../../store/node-pairing.ts";
import type { MethodHandler } from "../context.ts";
import type { PairingRequestInput, PendingPairingRequest } from "../devices/devices.ts";
import { scopesToApproveNode } from "./node-commands.ts";
import { holdsScopes } from "./nodes.ts";
import { approveDeviceRequest, endTokenSessions, rejectDeviceRequest } from "../devices/device-pair.ts";

export { scopesToApproveNode };

/**
 * Records the device pairing request of a node that connected with a signed identity (first pairing, or
 * commands beyond what was approved) and broadcasts `device.pair.requested` and `node.pair.requested`.
 * A live request of the same device is refreshed with what the node declares now.
 */
export function requestNodeDevicePairing(gw: NodesHost, input: PairingRequestInput): PendingPairingRequest {
  const pending = gw.devices.requestPairing({ ...input, role: "node", scopes: [] });
  gw.connections.broadcast("device.pair.requested", pending, { scope: "operator.pairing" });
  gw.connections.broadcast("node.pair.requested", toNodeRequest(pending), { scope: "operator.pairing" });
  gw.logger.child("pairing").info("node pairing requested", { nodeId: pending.deviceId, requestId: pending.requestId, remote: input.remoteIp, commands: pending.commands?.length ?? 0 });
  return pending;
}

/**
 * Records a node pairing request made by an operator (`node.pair.request`) and broadcasts
 * `node.pair.requested`. A live request of the same node is refreshed, not duplicated; a live request the
 * node itself made on connect is returned as it is (an operator cannot rewrite what the node declared).
 */
export function requestNodePairing(gw: NodesHost, input: NodePairingInput): { request: PendingNodeRequest; created: boolean } {
  const own = nodeDeviceRequests(gw).find((p) => p.deviceId === input.nodeId);
  if (own) return { request: toNodeRequest(own), created: false };
  const result = gw.nodePairing.request(input, { isRepair: gw.devices.isApprovedFor(input.nodeId, "node", []) });
  const { publicKey: _key, ...event } = result.request;
  gw.connections.broadcast("node.pair.requested", event, { scope: "operator.pairing" });
  gw.logger.child("pairing").info("node pairing requested", { nodeId: input.nodeId, requestId: result.request.requestId, remote: input.remoteIp });
  return result;
}

/** `node.pair.request`: `{status: "pending", request, created}`. */
export const nodePairRequest: MethodHandler<"node.pair.request", NodesHost> = (ctx, params) => {
  const { request, created } = requestNodePairing(ctx.host, params);
  const { publicKey: _key, ...shown } = request;
  return { status: "pending", request: shown, created };
};

/** `node.pair.list`: live pending requests (the nodes' own and operator-made, newest first) and paired nodes (no tokens). */
export const nodePairList: MethodHandler<"node.pair.list", NodesHost> = (ctx) => ({
  pending: [...nodeDeviceRequests(ctx.host).map(toNodeRequest), ...ctx.host.nodePairing.listPending().map(({ publicKey: _key, ...r }) => r)].sort((a, b) => b.ts - a.ts),
  paired: ctx.host.nodes.list().filter((n) => n.paired),
});

/**
 * `node.pair.approve`: pairs the node for role `node` with the commands of the request and mints its token
 * (replacing an older one, whose sessions are closed). Returned once: `{requestId, node: {...node, token}}`.
 */
export const nodePairApprove: MethodHandler<"node.pair.approve", NodesHost> = (ctx, params) => {
  const { host: gw, client } = ctx;
  const requestId = String(params.requestId);
  const deviceRequest = gw.devices.getPending(requestId);
  let nodeId: string;
  if (deviceRequest?.roles.includes("node")) {
    nodeId = approveDeviceRequest(ctx, requestId).deviceId;
  } else {
    const pending = gw.nodePairing.getPending(requestId);
    if (!pending) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
    const missing = scopesToApproveNode(pending.commands).find((s) => !holdsScopes(client, [s]));
    if (missing) throw new GatewayError("INVALID_REQUEST", `missing scope: ${missing}`, { details: { requestId, commands: pending.commands } });
    const approved = gw.nodePairing.approve(requestId);
    if (!approved) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
    nodeId = pending.nodeId;
    const existing = gw.devices.getPaired(nodeId);
    gw.devices.approveLocal({
      deviceId: nodeId,
      publicKey: pending.publicKey ?? existing?.publicKey ?? "",
      displayName: pending.displayName,
      platform: pending.platform,
      role: "node",
      scopes: [],
      // What this approval grants: a node that later declares more must be approved again.
      commands: pending.commands,
    });
    gw.connections.broadcast("node.pair.resolved", { requestId, nodeId, decision: "approved", ts: Date.now() }, { scope: "operator.pairing" });
  }
  const token = gw.devices.rotateToken(nodeId, "node", []);
  if (!token) throw new Error(`node ${nodeId} not approved after approval`);
  endTokenSessions(gw, nodeId, "node", "device token rotated");
  gw.logger.child("pairing").info("node approved", { nodeId, requestId });
  const node = gw.nodes.describe(nodeId);
  return { requestId, node: { ...node, nodeId, token: token.deviceToken, tokenIssuedAtMs: token.issuedAtMs } };
};

/** `node.pair.reject`: drops a pending request (a node's own or operator-made); `{requestId, nodeId}`. */
export const nodePairReject: MethodHandler<"node.pair.reject", NodesHost> = (ctx, params) => {
  const requestId = String(params.requestId);
  if (ctx.host.devices.getPending(requestId)?.roles.includes("node")) {
    const rejected = rejectDeviceRequest(ctx, requestId);
    return { requestId, nodeId: rejected.deviceId };
  }
  const rejected = ctx.host.nodePairing.reject(requestId);
  if (!rejected) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  ctx.host.connections.broadcast("node.pair.resolved", { requestId, nodeId: rejected.nodeId, decision: "rejected", ts: Date.now() }, { scope: "operator.pairing" });
  ctx.host.logger.child("pairing").info("node rejected", { nodeId: rejected.nodeId, requestId });
  return { requestId, nodeId: rejected.nodeId };
};

/** `node.pair.verify`: `{ok: true, node}` when `token` is the node's current token, else `{ok: false}`. */
export const nodePairVerify: MethodHandler<"node.pair.verify", NodesHost> = (ctx, params) => {
  const nodeId = String(params.nodeId);
  if (!ctx.host.devices.verifyToken(nodeId, "node", [], String(params.token))) return { ok: false };
  return { ok: true, node: ctx.host.nodes.describe(nodeId) };
};

// --- internal ---

function nodeDeviceRequests(gw: NodesHost): PendingPairingRequest[] {
  return gw.devices.listPairing().pending.filter((p) => p.roles.includes("node"));
}

/** A node's device pairing request in the `node.pair.*` shape (no public key). */
export function toNodeRequest(p: PendingPairingRequest): PendingNodeRequest {
  return dropUndefined({
    requestId: p.requestId,
    nodeId: p.deviceId,
    displayName: p.displayName,
    platform: p.platform,
    caps: p.caps ?? [],
    commands: p.commands ?? [],
    remoteIp: p.remoteIp,
    silent: p.silent,
    isRepair: p.isRepair,
    ts: p.ts,
  });
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
