import type { MethodHandler } from "../context.ts";

/** `config.schema`: the JSON Schema of the config file. Loaded on first use to keep start-up lean. */
export const configSchema: MethodHandler = async (ctx) => {
  const { ConfigSchema } = await import("../../config/schema.ts");
  return { schema: JSON.parse(JSON.stringify(ConfigSchema)), uiHints: {}, version: ctx.gw.version, generatedAt: new Date(ctx.gw.startedAt).toISOString() };
};
