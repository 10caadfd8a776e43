/**
 * Device pairing methods (operator.pairing): list pending and paired devices, approve or reject a pairing
 * request, rotate or revoke a device token. Resolutions are broadcast to pairing-scoped clients.
 *
 * Nobody hands out more than they hold: approving a request or minting a token for scopes the caller lacks
 * is refused with "missing scope: <scope>" (operator.admin holds every operator scope); a node's request
 * also needs the scopes its declared commands call for (`scopesToApproveNode`). A rotated or revoked
 * token stops working at once: the store forgets it, and sessions that authenticated with it are closed.
 */
import { GatewayError } from "../../errors.ts";
import type { DevicesHost } from "./_host.ts";
import type { MethodContext, MethodHandler } from "../context.ts";
import type { PairingApproval, PairingResolution } from "./devices.ts";
import { scopesToApproveNode } from "../nodes/node-commands.ts";
import { holdsScopes } from "../nodes/nodes.ts";

/**
 * `device.pair.list`: `{pending, paired}`; each paired device lists `role`, `roles`, `scopes` and
 * `tokens: [{role, scopes, createdAtMs, lastUsedAtMs?}]` (token hashes never leave the store).
 */
export const devicePairList: MethodHandler<"device.pair.list", DevicesHost> = (ctx) => ctx.host.devices.listPairing();

/** `device.pair.approve`: pairs the device of a pending request (the caller must hold its scopes); `{requestId, device}`. */
export const devicePairApprove: MethodHandler<"device.pair.approve", DevicesHost> = (ctx, params) => {
  const approval = approveDeviceRequest(ctx, String(params.requestId));
  return { requestId: approval.requestId, device: approval.device };
};

/** `device.pair.reject`: drops a pending request; `{requestId, deviceId, decision, ts}`. */
export const devicePairReject: MethodHandler<"device.pair.reject", DevicesHost> = (ctx, params) => rejectDeviceRequest(ctx, String(params.requestId));

/**
 * Approves a pending device request after checking the caller holds its scopes, and for a node the scopes
 * its declared commands call for. Broadcasts `device.pair.resolved` (and `node.pair.resolved` for a node).
 * @throws GatewayError INVALID_REQUEST for an unknown id or a missing scope.
 */
export function approveDeviceRequest(ctx: MethodContext<DevicesHost>, requestId: string): PairingApproval {
  const pending = ctx.host.devices.getPending(requestId);
  if (!pending) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  requireScopes(ctx.client, pending.scopes, { requestId, deviceId: pending.deviceId });
  const isNode = pending.roles.includes("node");
  if (isNode) {
    const commands = pending.commands ?? [];
    requireScopes(ctx.client, scopesToApproveNode(commands), { requestId, deviceId: pending.deviceId, commands });
  }
  const approval = ctx.host.devices.approve(requestId);
  if (!approval) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  announce(ctx.host, approval, isNode);
  return approval;
}

/**
 * Rejects a pending device request; broadcasts like {@link approveDeviceRequest}.
 * @throws GatewayError INVALID_REQUEST for an unknown id.
 */
export function rejectDeviceRequest(ctx: MethodContext<DevicesHost>, requestId: string): PairingResolution {
  const isNode = ctx.host.devices.getPending(requestId)?.roles.includes("node") ?? false;
  const resolved = ctx.host.devices.reject(requestId);
  if (!resolved) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  announce(ctx.host, resolved, isNode);
  return resolved;
}

/**
 * `device.token.rotate`: a new token for (device, role); the old one stops working and its sessions are
 * closed. Returned once. Scopes default to the current token's; the caller must hold every one of them.
 */
export const deviceTokenRotate: MethodHandler<"device.token.rotate", DevicesHost> = (ctx, params) => {
  const deviceId = String(params.deviceId);
  const role = String(params.role);
  const device = ctx.host.devices.getPaired(deviceId);
  if (!device) throw new GatewayError("INVALID_REQUEST", `unknown device or role not approved: ${deviceId}`);
  const scopes = params.scopes ?? device.tokens[role]?.scopes ?? device.scopes.filter((s) => s.startsWith(`${role}.`));
  requireScopes(ctx.client, scopes, { deviceId, role });
  const issued = ctx.host.devices.rotateToken(deviceId, role, scopes);
  if (!issued) throw new GatewayError("INVALID_REQUEST", `unknown device or role not approved: ${deviceId}`);
  endTokenSessions(ctx.host, deviceId, role, "device token rotated");
  ctx.host.logger.child("pairing").info("device token rotated", { deviceId, role });
  return { deviceId, token: issued.deviceToken, role: issued.role, scopes: issued.scopes, issuedAtMs: issued.issuedAtMs };
};

/** `device.token.revoke`: removes the token of (device, role) and closes the sessions that used it. */
export const deviceTokenRevoke: MethodHandler<"device.token.revoke", DevicesHost> = (ctx, params) => {
  const deviceId = String(params.deviceId);
  const role = String(params.role);
  const revoked = ctx.host.devices.revokeToken(deviceId, role);
  if (!revoked) throw new GatewayError("INVALID_REQUEST", `no token for device ${deviceId} and role ${role}`);
  const closed = endTokenSessions(ctx.host, deviceId, role, "device token revoked");
  ctx.host.logger.child("pairing").info("device token revoked", { deviceId, role, closedSessions: closed });
  return { ok: true, ...revoked };
};

/**
 * Closes every live session of (device, role) that authenticated with its device token (1008 + `reason`);
 * sessions that used the shared secret stay. @returns how many were closed.
 */
export function endTokenSessions(gw: DevicesHost, deviceId: string, role: string, reason: string): number {
  return gw.connections.closeWhere((c) => c.deviceId === deviceId && c.role === role && c.authMethod === "device-token", 1008, reason);
}

// --- internal ---

function requireScopes(client: MethodContext<DevicesHost>["client"], scopes: readonly string[], details: Record<string, unknown>): void {
  const missing = scopes.find((s) => !holdsScopes(client, [s]));
  if (missing) throw new GatewayError("INVALID_REQUEST", `missing scope: ${missing}`, { details: { ...details, scopes } });
}

function announce(gw: DevicesHost, resolved: PairingResolution, isNode: boolean): void {
  const { requestId, deviceId, decision, ts } = resolved;
  gw.connections.broadcast("device.pair.resolved", { requestId, deviceId, decision, ts }, { scope: "operator.pairing" });
  if (isNode) gw.connections.broadcast("node.pair.resolved", { requestId, nodeId: deviceId, decision, ts }, { scope: "operator.pairing" });
  gw.logger.child("pairing").info(`${isNode ? "node" : "device"} ${decision}`, { deviceId, requestId });
}
