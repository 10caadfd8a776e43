/**
 * `node.canvas.capability.refresh` (role node): mints a new canvas capability for the calling node,
 * replacing the one from its hello-ok. A node calls it before its capability would lapse or when a page
 * load was refused.
 */
import { GatewayError } from "../../errors.ts";
import type { CanvasFeatureHost } from "./_host.ts";
import { grantCanvas } from "./canvas.ts";
import type { MethodHandler } from "../context.ts";

/** `{canvasCapability, canvasCapabilityExpiresAtMs, canvasHostUrl}`; UNAVAILABLE when the canvas is off. */
export const nodeCanvasCapabilityRefresh: MethodHandler<"node.canvas.capability.refresh", CanvasFeatureHost> = (ctx) => {
  const ws = ctx.host.connections.byId(ctx.connId);
  if (!ctx.host.canvas || !ws) throw new GatewayError("UNAVAILABLE", "canvas host unavailable");
  const grant = grantCanvas(ctx.host.canvas, ctx.host, ws);
  return { canvasCapability: grant.capability, canvasCapabilityExpiresAtMs: grant.expiresAtMs, canvasHostUrl: grant.url };
};
