/**
 * The method registry: every method name → its params schema and, where documented, its result schema.
 */
import type { TSchema } from "@sinclair/typebox";
import type { KnownMethodName } from "./methods.ts";
import { ADMIN_PARAMS } from "./params-admin.ts";
import { CORE_PARAMS } from "./params-core.ts";
import { NODE_PARAMS } from "./params-nodes.ts";
import { METHOD_RESULTS } from "./results.ts";
import { V4_PARAMS } from "./params-v4.ts";
import { V4_RESULTS } from "./results-v4.ts";

/** Schemas of one method. `result` is absent where the spec leaves the answer undocumented. */
export type MethodSchemas = { params: TSchema; result?: TSchema };

const PARAMS: Record<KnownMethodName, TSchema> = { ...CORE_PARAMS, ...ADMIN_PARAMS, ...NODE_PARAMS, ...V4_PARAMS };
const RESULTS: Partial<Record<KnownMethodName, TSchema>> = { ...METHOD_RESULTS, ...V4_RESULTS };

/**
 * Method name → schemas, for advertised and unadvertised methods alike. Typed as a total record so a method
 * added to `METHODS` without params fails to compile.
 */
export const METHOD_SCHEMAS: Readonly<Record<KnownMethodName, MethodSchemas>> = Object.fromEntries(
  Object.entries(PARAMS).map(([method, params]) => {
    const result = RESULTS[method as KnownMethodName];
    return [method, result ? { params, result } : { params }];
  }),
) as Record<KnownMethodName, MethodSchemas>;
