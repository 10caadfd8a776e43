/**
 * The HTTP APIs as a feature of the host: they register no protocol methods, and claim the config they read
 * on every request. Kept apart from the routes so the feature registry does not load them.
 */
import { defineFeature } from "../feature.ts";
import { HTTP_NEEDS } from "./_host.ts";

/** The HTTP APIs as a feature: no protocol methods; the config they read on every request. */
export const httpApiFeature = defineFeature({
  name: "http-api",
  needs: HTTP_NEEDS,
  methods: [],
  config: {
    prefixes: ["hooks", "hooks.gmail", "gateway.tools"],
    // Hook mappings, presets and the /tools/invoke policy are read per request: nothing to restart.
    apply: () => "applied-live",
  },
});
