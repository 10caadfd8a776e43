/**
 * Config reads and writes over the protocol: `config.get`, `config.schema`, and the three admin-only
 * writers `config.set`, `config.apply`, `config.patch` (all through the one writer module beside them).
 */
import { CONFIG_WRITES_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { configApply } from "./config-apply.ts";
import { configGet } from "./config-get.ts";
import { configPatch } from "./config-patch.ts";
import { configSchema } from "./config-schema.ts";
import { configSet } from "./config-set.ts";

export { patchConfigFile } from "./config-writes.ts";

/** The config feature: its methods. */
export const configWritesFeature = defineFeature({
  name: "config",
  needs: CONFIG_WRITES_NEEDS,
  methods: [
    defineMethod("config.get", configGet),
    defineMethod("config.set", configSet),
    defineMethod("config.apply", configApply),
    defineMethod("config.patch", configPatch),
    defineMethod("config.schema", configSchema),
  ],
});
