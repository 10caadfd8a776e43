/**
 * Browser bridge: `browser.request` forwards a client's request to the browser control service.
 */
import { BROWSER_BRIDGE_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { browserRequest } from "./browser-request.ts";

export { toToolBrowser } from "./agent-browser.ts";

/** The browser-bridge feature: its methods and the config it claims. */
export const browserBridgeFeature = defineFeature({
  name: "browser-bridge",
  needs: BROWSER_BRIDGE_NEEDS,
  methods: [
    defineMethod("browser.request", browserRequest),
  ],
  config: {
    prefixes: ["browser"],
    // The browser control service resolves its config per request (browser.enabled=false stops its browsers).
    apply: () => "applied-live",
  },
});
