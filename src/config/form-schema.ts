/**
 * The config schema as `config.schema` serves it to form editors (the Control UI's Config view). The validator
 * keeps the full schema (schema.ts); this is a view of it in the constructs a schema-driven form can edit:
 * objects with known properties, typed maps (`additionalProperties: <schema>`), arrays with one item schema,
 * primitives, and unions only of literals or of primitives.
 *
 * Rewrites, each a no-op for values the validator accepts:
 * - a shorthand union `string | {…}` (model refs: `"p/m"` or `{primary, fallbacks}`) → the object form;
 *   the string form stays valid on input, the form just edits the object form;
 * - TypeBox records (`patternProperties: {P: S}`) → `additionalProperties: S` (and `propertyNames: {pattern: P}`);
 * - `additionalProperties: true` → `additionalProperties: {}` (any value; forms show free JSON entries).
 */

/** A JSON Schema node as plain data. */
export type JsonSchemaNode = Record<string, unknown>;

/** The key pattern TypeBox gives `Record(String, …)`. */
const CATCH_ALL_KEY = "^(.*)$";
const PRIMITIVE_TYPES = new Set(["string", "number", "integer", "boolean"]);

/**
 * A deep copy of `schema` rewritten for form editors (see the module comment). Pure; never throws on
 * well-formed JSON Schema.
 */
export function toFormSchema(schema: unknown): JsonSchemaNode {
  return rewrite(JSON.parse(JSON.stringify(schema)) as JsonSchemaNode);
}

function rewrite(node: JsonSchemaNode): JsonSchemaNode {
  let out: JsonSchemaNode = { ...node };
  const union = (out.anyOf ?? out.oneOf) as JsonSchemaNode[] | undefined;
  if (Array.isArray(union)) {
    const object = shorthandObject(union);
    if (object) {
      const { anyOf: _a, oneOf: _o, ...meta } = out;
      out = { ...object, ...meta };
    }
  }
  const patterns = out.patternProperties as Record<string, JsonSchemaNode> | undefined;
  if (patterns && Object.keys(patterns).length === 1 && (out.additionalProperties === undefined || out.additionalProperties === false)) {
    const { patternProperties: _p, ...rest } = out;
    const [pattern, value] = Object.entries(patterns)[0];
    // A restricted key pattern survives as propertyNames (forms ignore it; the validator enforces it on save).
    out = { ...rest, ...(pattern !== CATCH_ALL_KEY && { propertyNames: { pattern } }), additionalProperties: value };
  }
  if (out.additionalProperties === true) out.additionalProperties = {};
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    if (Array.isArray(out[key])) out[key] = (out[key] as JsonSchemaNode[]).map(rewrite);
  }
  if (out.properties && typeof out.properties === "object") {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchemaNode>).map(([k, v]) => [k, rewrite(v)]));
  }
  if (out.additionalProperties && typeof out.additionalProperties === "object") {
    out.additionalProperties = rewrite(out.additionalProperties as JsonSchemaNode);
  }
  if (out.items && typeof out.items === "object" && !Array.isArray(out.items)) out.items = rewrite(out.items as JsonSchemaNode);
  return out;
}

/** The object variant of a `primitive | object` union with exactly one object variant, else undefined. */
function shorthandObject(variants: JsonSchemaNode[]): JsonSchemaNode | undefined {
  const objects = variants.filter((v) => v.type === "object");
  const rest = variants.filter((v) => v.type !== "object");
  if (objects.length !== 1 || rest.length === 0) return undefined;
  return rest.every((v) => typeof v.type === "string" && PRIMITIVE_TYPES.has(v.type) && v.const === undefined && v.enum === undefined) ? objects[0] : undefined;
}

/**
 * `config` with every model ref in its object form (`"p/m"` → `{primary: "p/m"}`): the shape the form schema
 * describes, so a form can show and edit a ref written as a string. Returns a copy; other values are shared.
 */
export function withObjectModelRefs<T>(config: T): T {
  const c = config as { agents?: { defaults?: Record<string, unknown>; list?: Record<string, unknown>[] } } | undefined;
  if (!c?.agents) return config;
  const toObject = (m: unknown) => (typeof m === "string" ? { primary: m } : m);
  const agents = { ...c.agents };
  if (agents.defaults && typeof agents.defaults.model === "string") agents.defaults = { ...agents.defaults, model: toObject(agents.defaults.model) };
  if (Array.isArray(agents.list)) agents.list = agents.list.map((a) => (a && typeof a.model === "string" ? { ...a, model: toObject(a.model) } : a));
  return { ...c, agents } as T;
}

