/**
 * Device pairing methods (operator.pairing): list pending and paired devices, approve or reject a pairing
 * request, rotate or revoke a device token. Resolutions are broadcast to pairing-scoped clients.
 */
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/** `device.pair.list`: `{pending, paired}` (token hashes never leave the store). */
export const devicePairList: MethodHandler = (ctx) => ctx.gw.devices.listPairing();

/** `device.pair.approve`: pairs the device of a pending request. */
export const devicePairApprove: MethodHandler = (ctx, params) => resolveRequest(ctx, String(params.requestId), "approve");

/** `device.pair.reject`: drops a pending request. */
export const devicePairReject: MethodHandler = (ctx, params) => resolveRequest(ctx, String(params.requestId), "reject");

/** `device.token.rotate`: a new token for (device, role); the old one stops working. Returned once. */
export const deviceTokenRotate: MethodHandler = (ctx, params) => {
  const deviceId = String(params.deviceId);
  const issued = ctx.gw.devices.rotateToken(deviceId, String(params.role), params.scopes as string[] | undefined);
  if (!issued) throw new GatewayError("INVALID_REQUEST", `unknown device or role not approved: ${deviceId}`);
  return { deviceId, token: issued.deviceToken, role: issued.role, scopes: issued.scopes, issuedAtMs: issued.issuedAtMs };
};

/** `device.token.revoke`: removes the token of (device, role). */
export const deviceTokenRevoke: MethodHandler = (ctx, params) => {
  const revoked = ctx.gw.devices.revokeToken(String(params.deviceId), String(params.role));
  if (!revoked) throw new GatewayError("INVALID_REQUEST", `no token for device ${String(params.deviceId)} and role ${String(params.role)}`);
  return { ok: true, ...revoked };
};

function resolveRequest(ctx: Parameters<MethodHandler>[0], requestId: string, action: "approve" | "reject") {
  const resolved = action === "approve" ? ctx.gw.devices.approve(requestId) : ctx.gw.devices.reject(requestId);
  if (!resolved) throw new GatewayError("INVALID_REQUEST", `unknown requestId: ${requestId}`);
  ctx.gw.connections.broadcast("device.pair.resolved", resolved, { scope: "operator.pairing" });
  ctx.gw.logger.child("pairing").info(`device ${action === "approve" ? "approved" : "rejected"}`, { deviceId: resolved.deviceId, requestId });
  return resolved;
}
