/**
 * A small JSON Schema → TypeScript emitter for the protocol document. It covers the subset the protocol
 * uses (objects, arrays, records, const/enum, anyOf, $ref to sibling definitions) and fails loudly on the rest.
 */
import type { JsonSchema, ProtocolDocument } from "./definitions.ts";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Emits one `.ts` module declaring a type per definition of `doc`, with `header` as the opening comment. */
export function emitTypes(doc: ProtocolDocument, header: string): string {
  const blocks = Object.entries(doc.definitions).map(([name, schema]) => emitDefinition(name, schema));
  return `${header}\n\n${blocks.join("\n\n")}\n`;
}

function emitDefinition(name: string, schema: JsonSchema): string {
  const doc = emitDoc(schema.description as string | undefined, "");
  const hasProperties = Object.keys((schema.properties ?? {}) as object).length > 0;
  const isInterface = schema.type === "object" && hasProperties && !schema.anyOf;
  if (isInterface) return `${doc}export interface ${name} ${emitObject(schema, "")}`;
  return `${doc}export type ${name} = ${emitType(schema, "")};`;
}

function emitDoc(description: string | undefined, indent: string): string {
  if (!description) return "";
  return `${indent}/** ${description.replaceAll("*/", "*\\/")} */\n`;
}

/** The TS type of `schema`; `indent` is the indentation of the line the type starts on. */
function emitType(schema: JsonSchema, indent: string): string {
  if (typeof schema.$ref === "string") return toRefName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (variants) return joinUnion(variants.map((v) => emitType(v, indent)));
  if (Array.isArray(schema.type)) {
    return joinUnion(schema.type.map((t) => emitType({ ...schema, type: t }, indent)));
  }
  switch (schema.type) {
    case undefined:
      return "unknown";
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array": {
      const items = schema.items as JsonSchema | undefined;
      const inner = items ? emitType(items, indent) : "unknown";
      return items && isUnion(items) ? `(${inner})[]` : `${inner}[]`;
    }
    case "object":
      return emitObject(schema, indent);
    default:
      throw new Error(`cannot emit a TS type for JSON Schema type ${JSON.stringify(schema.type)}`);
  }
}

function emitObject(schema: JsonSchema, indent: string): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const extra = schema.additionalProperties;
  const inner = `${indent}  `;
  if (Object.keys(properties).length === 0 && extra !== false) {
    return `Record<string, ${extra === undefined || extra === true ? "unknown" : emitType(extra as JsonSchema, indent)}>`;
  }
  const lines: string[] = [];
  for (const [key, child] of Object.entries(properties)) {
    const name = IDENTIFIER.test(key) ? key : JSON.stringify(key);
    const optional = required.has(key) ? "" : "?";
    lines.push(`${emitDoc(child.description as string | undefined, inner)}${inner}${name}${optional}: ${emitType(child, inner)};`);
  }
  if (extra === undefined || extra === true) {
    lines.push(`${inner}[key: string]: unknown;`);
  } else if (extra !== false) {
    const value = emitType(extra as JsonSchema, inner);
    // An index signature must admit every declared property's type too.
    lines.push(`${inner}[key: string]: ${lines.length > 0 ? "unknown" : value};`);
  }
  if (lines.length === 0) return "Record<string, never>";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function isUnion(schema: JsonSchema): boolean {
  const variants = (schema.anyOf ?? schema.oneOf ?? schema.enum ?? schema.type) as unknown;
  return Array.isArray(variants) && variants.length > 1;
}

function joinUnion(members: string[]): string {
  return [...new Set(members)].join(" | ");
}

function toRefName(ref: string): string {
  const match = /^#\/definitions\/([A-Za-z0-9_]+)$/.exec(ref);
  if (!match) throw new Error(`unsupported $ref ${ref}`);
  return match[1]!;
}
