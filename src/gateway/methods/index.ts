/**
 * The method table: protocol method name → its definition, built from every feature's `defineMethod`s. Only
 * methods listed here are advertised in `hello-ok.features.methods`; anything else is answered "unknown method".
 */
import type { MethodHandler } from "../context.ts";
import type { MethodDefinition } from "../feature.ts";
import { FEATURES } from "../features.ts";

/**
 * Implemented methods by name (a `Map`: no prototype keys can ever match a method name).
 * @throws Error at load time when two features register the same method.
 */
export const METHOD_TABLE: ReadonlyMap<string, MethodDefinition> = buildTable();

/**
 * The implemented method names as an object, for code that asks `name in METHOD_HANDLERS` or lists its keys.
 * Dispatch goes through {@link METHOD_TABLE}.
 */
export const METHOD_HANDLERS: Readonly<Record<string, MethodDefinition>> = Object.freeze(Object.fromEntries(METHOD_TABLE));

/** The handler type features implement (re-exported for callers outside the features). */
export type { MethodHandler };

function buildTable(): Map<string, MethodDefinition> {
  const table = new Map<string, MethodDefinition>();
  for (const feature of FEATURES) {
    for (const def of feature.methods) {
      if (table.has(def.name)) throw new Error(`method ${def.name} registered twice (second time by feature ${feature.name})`);
      table.set(def.name, def);
    }
  }
  return table;
}
