/**
 * What the upstream Control UI's schema-driven Config form can render, as a checker over a JSON Schema. The
 * facts (which constructs the form edits and which make it print "Unsupported schema node") were read from
 * the upstream 2026.2.3 Control UI; this is our own walker of those rules, stricter in one place: a
 * `patternProperties` map counts as unsupported because the form neither shows nor edits its entries.
 */
type Node = Record<string, unknown>;

const PRIMITIVES = new Set(["string", "number", "integer", "boolean"]);
const META = new Set(["title", "description", "default", "nullable"]);

/** Dotted paths (`*` for array items and map values) of the nodes the form cannot render; `[]` when all can. */
export function unsupportedFormPaths(schema: unknown): string[] {
  const out: string[] = [];
  check(schema as Node, [], out);
  return [...new Set(out)];
}

function typeOf(node: Node): string | undefined {
  const t = node.type;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") ?? t[0]) as string | undefined;
  if (typeof t === "string") return t;
  return node.properties || node.additionalProperties ? "object" : undefined;
}

function isAny(node: Node): boolean {
  return Object.keys(node).every((k) => META.has(k));
}

/** @returns true when the node (and everything under it) renders. */
function check(node: Node, path: string[], out: string[]): boolean {
  const label = path.join(".") || "<root>";
  const fail = () => (out.push(label), false);
  if (!node || typeof node !== "object") return fail();
  if (node.allOf) return fail();
  const union = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (union) {
    let literals = 0;
    const rest: Node[] = [];
    for (const v of union) {
      if (!v || typeof v !== "object") return fail();
      if (Array.isArray(v.enum)) literals += v.enum.filter((x) => x != null).length;
      else if ("const" in v) literals += v.const == null ? 0 : 1;
      else if (typeOf(v) !== "null") rest.push(v);
    }
    if (literals > 0 && rest.length === 0) return true;
    if (rest.length === 1) return check(rest[0], path, out);
    if (literals === 0 && rest.length > 0 && rest.every((v) => typeof v.type === "string" && PRIMITIVES.has(v.type))) return true;
    return fail();
  }
  if (Array.isArray(node.enum) && node.enum.filter((x) => x != null).length === 0) return fail();
  const type = typeOf(node);
  if (type === "object") {
    let ok = true;
    for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Node>)) ok = check(v, [...path, k], out) && ok;
    if (node.patternProperties) return fail();
    const extra = node.additionalProperties;
    if (extra === true) return fail();
    if (extra && typeof extra === "object" && !isAny(extra as Node) && !check(extra as Node, [...path, "*"], out)) return fail();
    return ok;
  }
  if (type === "array") {
    const items = Array.isArray(node.items) ? node.items[0] : node.items;
    if (!items || typeof items !== "object") return fail();
    return check(items as Node, [...path, "*"], out) || fail();
  }
  if (type && PRIMITIVES.has(type)) return true;
  return Array.isArray(node.enum) ? true : fail();
}
