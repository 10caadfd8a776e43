/**
 * The HTTP APIs as a feature of the host: no protocol methods; one route (hooks, /tools/invoke, /v1/*, in the
 * spec's order) and the config they read on every request. The routes are loaded on the first request, not
 * here: they reach the frame dispatcher's scope check, whose method table is built from the feature registry
 * that loads this file.
 */
import { defineFeature } from "../feature.ts";
import { HTTP_NEEDS } from "./_host.ts";

/** The HTTP APIs as a feature: no protocol methods; their route; the config they read on every request. */
export const httpApiFeature = defineFeature({
  name: "http-api",
  needs: HTTP_NEEDS,
  methods: [],
  routes: [async ({ host, ...call }) => (await import("./index.ts")).routeApiRequest({ gw: host, ...call })],
  config: {
    prefixes: ["hooks", "hooks.gmail", "gateway.tools"],
    // Hook mappings, presets and the /tools/invoke policy are read per request: nothing to restart.
    apply: () => "applied-live",
  },
});
