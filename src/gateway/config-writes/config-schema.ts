import type { MethodHandler } from "../context.ts";
import type { ConfigWritesHost } from "./_host.ts";

let cached: Promise<{ schema: Record<string, unknown>; uiHints: Record<string, unknown> }> | undefined;

/**
 * `config.schema`: the config file's JSON Schema in the form editors can render (model refs in their object
 * form, maps as `additionalProperties`; see config/form-schema.ts) and the `uiHints` for its fields. Built on
 * first use and kept: the schema is fixed for the life of the binary.
 */
export const configSchema: MethodHandler<"config.schema", ConfigWritesHost> = async (ctx) => {
  cached ??= Promise.all([import("../../config/schema.ts"), import("../../config/ui-hints.ts")]).then(([{ ConfigSchema }, { formSchemaWithHints }]) => formSchemaWithHints(ConfigSchema));
  const { schema, uiHints } = await cached;
  return { schema: structuredClone(schema), uiHints: structuredClone(uiHints), version: ctx.host.version, generatedAt: new Date(ctx.host.startedAt).toISOString() };
};
