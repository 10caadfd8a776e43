/**
 * Node pairing methods (operator.pairing): `node.pair.request|list|approve|reject|verify`. A node's token is
 * its device token for role `node`, so `device.token.rotate|revoke` work on it and `node.pair.verify` checks
 * the same record the handshake does. Requests and resolutions are broadcast to pairing-scoped clients.
 */
import { GatewayError } from "../../errors.ts";
import type { NodePairingInput, PendingNodeRequest } from "../../store/node-pairing.ts";
import type { GatewayContext, MethodHandler } from "../context.ts";
import { EXEC_NODE_COMMANDS } from "../node-commands.ts";
import { holdsScopes } from "../nodes.ts";
import { endTokenSessions } from "./device-pair.ts";

/**
 * Records a node pairing request (from `node.pair.request` or a remote node's first connect) and
 * broadcasts `node.pair.requested`. A live request of the same node is refreshed, not duplicated.
 */
export function requestNodePairing(gw: GatewayContext, input: NodePairingInput): { request: PendingNodeRequest; created: boolean } {
  const result = gw.nodePairing.request(input, { isRepair: gw.devices.isApprovedFor(input.nodeId, "node", []) });
  const { publicKey: _key, ...event } = result.request;
  gw.connections.broadcast("node.pair.requested", event, { scope: "operator.pairing" });
  gw.logger.child("pairing").info("node pairing requested", { nodeId: input.nodeId, requestId: result.request.requestId, remote: input.remoteIp });
  return result;
}

/**
 * Scopes an operator needs to approve a request, on top of operator.pairing: a node that declares commands
 * becomes invokable (operator.write), one that declares exec commands can run programs (operator.admin).
 */
export function scopesToApproveNode(commands: readonly string[]): string[] {
  if (commands.some((c) => EXEC_NODE_COMMANDS.includes(c))) return ["operator.pairing", "operator.admin"];
  if (commands.length > 0) return ["operator.pairing", "operator.write"];
  return ["operator.pairing"];
}

/** `node.pair.request`: `{status: "pending", request, created}`. */
export const nodePairRequest: MethodHandler = (ctx, params) => {
  const { request, created } = requestNodePairing(ctx.gw, params as unknown as NodePairingInput);
  const { publicKey: _key, ...shown } = request;
  return { status: "pending", request: shown, created };
};

/** `node.pair.list`: live pending requests and paired nodes (no tokens). */
export const nodePairList: MethodHandler = (ctx) => ({
  pending: ctx.gw.nodePairing.listPending().map(({ publicKey: _key, ...r }) => r),
  paired: ctx.gw.nodes.list().filter((n) => n.paired),
});

/**
 * `node.pair.approve`: pairs the node for role `node` and mints its token (replacing an older one, whose
 * sessions are closed). Returned once: `{requestId, node: {...node, token}}`.
 */
export const nodePairApprove: MethodHandler = (ctx, params) => {
  const { gw, client } = ctx;
  const requestId = String(params.requestId);
  const pending = gw.nodePairing.getPending(requestId);
  if (!pending) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  const missing = scopesToApproveNode(pending.commands).find((s) => !holdsScopes(client, [s]));
  if (missing) throw new GatewayError("INVALID_REQUEST", `missing scope: ${missing}`, { details: { requestId, commands: pending.commands } });

  const approved = gw.nodePairing.approve(requestId);
  if (!approved) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  const { nodeId } = pending;
  const existing = gw.devices.getPaired(nodeId);
  gw.devices.approveLocal({
    deviceId: nodeId,
    publicKey: pending.publicKey ?? existing?.publicKey ?? "",
    displayName: pending.displayName,
    platform: pending.platform,
    role: "node",
    scopes: [],
  });
  const token = gw.devices.rotateToken(nodeId, "node", []);
  if (!token) throw new Error(`node ${nodeId} not approved after approval`);
  endTokenSessions(gw, nodeId, "node", "device token rotated");

  const ts = Date.now();
  gw.connections.broadcast("node.pair.resolved", { requestId, nodeId, decision: "approved", ts }, { scope: "operator.pairing" });
  gw.logger.child("pairing").info("node approved", { nodeId, requestId });
  const node = gw.nodes.describe(nodeId);
  return { requestId, node: { ...node, nodeId, token: token.deviceToken, tokenIssuedAtMs: token.issuedAtMs } };
};

/** `node.pair.reject`: drops a pending request; `{requestId, nodeId}`. */
export const nodePairReject: MethodHandler = (ctx, params) => {
  const requestId = String(params.requestId);
  const rejected = ctx.gw.nodePairing.reject(requestId);
  if (!rejected) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  ctx.gw.connections.broadcast("node.pair.resolved", { requestId, nodeId: rejected.nodeId, decision: "rejected", ts: Date.now() }, { scope: "operator.pairing" });
  ctx.gw.logger.child("pairing").info("node rejected", { nodeId: rejected.nodeId, requestId });
  return { requestId, nodeId: rejected.nodeId };
};

/** `node.pair.verify`: `{ok: true, node}` when `token` is the node's current token, else `{ok: false}`. */
export const nodePairVerify: MethodHandler = (ctx, params) => {
  const nodeId = String(params.nodeId);
  if (!ctx.gw.devices.verifyToken(nodeId, "node", [], String(params.token))) return { ok: false };
  return { ok: true, node: ctx.gw.nodes.describe(nodeId) };
};
