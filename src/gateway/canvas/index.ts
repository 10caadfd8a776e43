/**
 * Canvas: the canvas host mounted on the gateway (and its own port), the A2UI gate of `node.invoke`,
 * and the node canvas capability refresh.
 */
import { CANVAS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { nodeCanvasCapabilityRefresh } from "./node-canvas-capability.ts";

/** The canvas feature: its methods, its HTTP route and the config it claims. */
export const canvasFeature = defineFeature({
  name: "canvas",
  needs: CANVAS_NEEDS,
  methods: [
    defineMethod("node.canvas.capability.refresh", nodeCanvasCapabilityRefresh),
  ],
  // The canvas files and A2UI under the canvas paths, when the canvas host is mounted.
  routes: [({ host, req, url, server }) => host.canvas?.host.handle(req, url, server.requestIP(req)?.address)],
  // Read on use: a change applies with the next call.
  config: { prefixes: ["canvasHost"] },
});
