/**
 * A small JSON Schema → Swift emitter: `Codable` structs for objects, `String` enums for literal unions,
 * `AnyCodable` for anything it cannot type precisely (free-form values, unions of shapes). Private to
 * `protocol/`; used by gen-swift.ts.
 */
import type { JsonSchema, ProtocolDocument } from "./definitions.ts";

// Swift keywords that must be escaped with backticks when used as identifiers.
const SWIFT_KEYWORDS = new Set(
  (
    "associatedtype class deinit enum extension fileprivate func import init inout internal let open operator " +
    "private precedencegroup protocol public rethrows static struct subscript typealias var break case catch " +
    "continue default defer do else fallthrough for guard if in repeat return throw switch where while Any as " +
    "await false is nil self Self super throws true try"
  ).split(" "),
);
// Type names that clash with Swift built-ins when used for a nested type.
const RESERVED_TYPE_NAMES = new Set(["Type", "Protocol", "Self", "Any", "String", "Int", "Double", "Bool", "Data"]);

const INDENT = "    ";

/** Names reachable from `roots` through `$ref`s, roots included, sorted. */
export function collectReachable(doc: ProtocolDocument, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const schema = doc.definitions[name];
    if (!schema) throw new Error(`unknown definition ${name}`);
    seen.add(name);
    walkRefs(schema, visit);
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}

/** Swift source with one type per named definition, plus the `AnyCodable` helper. */
export function emitSwift(doc: ProtocolDocument, names: readonly string[], header: string): string {
  const blocks = names.map((name) => emitNamed(name, doc.definitions[name]!, ""));
  return `${header}\n\nimport Foundation\n\n${blocks.join("\n\n")}\n\n${ANY_CODABLE}`;
}

// --- internal ---

function walkRefs(schema: unknown, onRef: (name: string) => void): void {
  if (Array.isArray(schema)) return schema.forEach((s) => walkRefs(s, onRef));
  if (schema === null || typeof schema !== "object") return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") onRef(toRefName(value));
    else if (key !== "const" && key !== "enum") walkRefs(value, onRef);
  }
}

function toRefName(ref: string): string {
  const match = /^#\/definitions\/([A-Za-z0-9_]+)$/.exec(ref);
  if (!match) throw new Error(`unsupported $ref ${ref}`);
  return match[1]!;
}

/** A type declaration (struct, enum or typealias) named `name`. */
function emitNamed(name: string, schema: JsonSchema, indent: string): string {
  const doc = emitDoc(schema.description as string | undefined, indent);
  const literals = toStringLiterals(schema);
  if (literals) return `${doc}${emitEnum(name, literals, indent)}`;
  if (isStruct(schema)) return `${doc}${emitStruct(name, schema, indent)}`;
  const merged = toMergedObject(schema);
  if (merged) return `${doc}${emitStruct(name, merged, indent)}`;
  const nested: string[] = [];
  const type = toSwiftType(schema, name, indent, nested);
  return `${doc}${indent}public typealias ${name} = ${type}`;
}

function emitDoc(description: string | undefined, indent: string): string {
  return description ? `${indent}/// ${description}\n` : "";
}

function isStruct(schema: JsonSchema): boolean {
  if (schema.type !== "object") return false;
  const hasProperties = Object.keys((schema.properties ?? {}) as object).length > 0;
  return hasProperties || schema.additionalProperties === false;
}

/** The values of a union of string constants (or a string enum), else undefined. */
function toStringLiterals(schema: JsonSchema): string[] | undefined {
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === "string")) return schema.enum as string[];
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!variants || variants.length === 0) return undefined;
  if (!variants.every((v) => typeof v.const === "string")) return undefined;
  return variants.map((v) => v.const as string);
}

function emitEnum(name: string, values: string[], indent: string): string {
  const cases = values.map((value) => `${indent}${INDENT}case ${escapeIdentifier(toCaseName(value))} = ${JSON.stringify(value)}`);
  return `${indent}public enum ${name}: String, Codable, CaseIterable {\n${cases.join("\n")}\n${indent}}`;
}

function emitStruct(name: string, schema: JsonSchema, indent: string): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const inner = indent + INDENT;
  const nested: string[] = [];
  const fields: { key: string; swiftName: string; type: string; optional: boolean; fallback?: string; doc: string }[] = [];
  for (const [key, child] of Object.entries(properties)) {
    const { schema: base, nullable } = unwrapNullable(child);
    const optional = nullable || !required.has(key);
    const type = toSwiftType(base, toTypeName(key), inner, nested);
    const fallback = typeof base.const === "string" ? JSON.stringify(base.const) : undefined;
    const doc = emitDoc(child.description as string | undefined, inner);
    fields.push({ key, swiftName: toPropertyName(key), type, optional, fallback, doc });
  }
  const lines: string[] = [`${indent}public struct ${name}: Codable {`];
  for (const field of fields) {
    lines.push(`${field.doc}${inner}public var ${escapeIdentifier(field.swiftName)}: ${field.type}${field.optional ? "?" : ""}`);
  }
  if (fields.length > 0) lines.push("");
  const params = fields.map((f) => {
    const fallback = f.optional ? " = nil" : f.fallback ? ` = ${f.fallback}` : "";
    return `${escapeIdentifier(f.swiftName)}: ${f.type}${f.optional ? "?" : ""}${fallback}`;
  });
  if (fields.length === 0) {
    lines.push(`${inner}public init() {}`);
  } else {
    lines.push(`${inner}public init(`);
    lines.push(params.map((p, i) => `${inner}${INDENT}${p}${i < params.length - 1 ? "," : ""}`).join("\n"));
    lines.push(`${inner}) {`);
    for (const f of fields) lines.push(`${inner}${INDENT}self.${escapeIdentifier(f.swiftName)} = ${escapeIdentifier(f.swiftName)}`);
    lines.push(`${inner}}`);
  }
  if (fields.some((f) => f.swiftName !== f.key)) {
    lines.push("", `${inner}private enum CodingKeys: String, CodingKey {`);
    for (const f of fields) lines.push(`${inner}${INDENT}case ${escapeIdentifier(f.swiftName)} = ${JSON.stringify(f.key)}`);
    lines.push(`${inner}}`);
  }
  for (const block of nested) lines.push("", block);
  lines.push(`${indent}}`);
  return lines.join("\n");
}

/**
 * A union of object shapes (e.g. `{id} | {jobId}`, or cron schedules told apart by `kind`) as one struct:
 * keys required in every variant stay required, the rest become optional; a key whose variants are all
 * string constants becomes an enum of them. Undefined when some variant is not an object.
 */
function toMergedObject(schema: JsonSchema): JsonSchema | undefined {
  const variants = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!variants || variants.length < 2 || !variants.every((v) => v.type === "object" && v.properties)) return undefined;
  const byKey = new Map<string, JsonSchema[]>();
  for (const variant of variants) {
    for (const [key, child] of Object.entries(variant.properties as Record<string, JsonSchema>)) {
      byKey.set(key, [...(byKey.get(key) ?? []), child]);
    }
  }
  const properties: Record<string, JsonSchema> = {};
  for (const [key, schemas] of byKey) {
    const unique = [...new Map(schemas.map((s) => [JSON.stringify(s), s])).values()];
    if (unique.length === 1) properties[key] = unique[0]!;
    else if (unique.every((s) => typeof s.const === "string")) properties[key] = { anyOf: unique };
    else properties[key] = {};
  }
  const required = [...byKey.keys()].filter((key) => variants.every((v) => ((v.required ?? []) as string[]).includes(key)));
  return { description: schema.description, type: "object", properties, required, additionalProperties: false };
}

function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const variants = schema.anyOf as JsonSchema[] | undefined;
  if (!variants) return { schema, nullable: false };
  const rest = variants.filter((v) => v.type !== "null");
  if (rest.length === variants.length) return { schema, nullable: false };
  return { schema: rest.length === 1 ? rest[0]! : { ...schema, anyOf: rest }, nullable: true };
}

/**
 * The Swift type for `schema`. Objects and literal unions become nested types named `suggested`, declared
 * inside the enclosing struct (collected into `nested`).
 */
function toSwiftType(schema: JsonSchema, suggested: string, indent: string, nested: string[]): string {
  if (typeof schema.$ref === "string") return toRefName(schema.$ref);
  const literals = toStringLiterals(schema);
  if (literals) {
    nested.push(emitEnum(suggested, literals, indent));
    return suggested;
  }
  const merged = toMergedObject(schema);
  if (merged) {
    nested.push(emitStruct(suggested, merged, indent));
    return suggested;
  }
  if (schema.anyOf || schema.oneOf || Array.isArray(schema.type)) {
    const { schema: base, nullable } = unwrapNullable(schema);
    // Optional-in-optional is not useful on the wire; a nullable member of a collection stays AnyCodable.
    return nullable && base !== schema ? toSwiftType(base, suggested, indent, nested) : "AnyCodable";
  }
  switch (schema.type) {
    case "string":
      return "String";
    case "integer":
      return "Int";
    case "number":
      return "Double";
    case "boolean":
      return "Bool";
    case "array": {
      const items = schema.items as JsonSchema | undefined;
      return `[${items ? toSwiftType(items, `${suggested}Item`, indent, nested) : "AnyCodable"}]`;
    }
    case "object": {
      if (isStruct(schema)) {
        nested.push(emitStruct(suggested, schema, indent));
        return suggested;
      }
      const extra = schema.additionalProperties;
      const value =
        extra && typeof extra === "object" ? toSwiftType(extra as JsonSchema, `${suggested}Value`, indent, nested) : "AnyCodable";
      return `[String: ${value}]`;
    }
    default:
      return "AnyCodable";
  }
}

function toTypeName(key: string): string {
  const name = toCamel(key);
  const pascal = name[0]!.toUpperCase() + name.slice(1);
  return RESERVED_TYPE_NAMES.has(pascal) ? `${pascal}Value` : pascal;
}

function toPropertyName(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : toCamel(key);
}

function toCaseName(value: string): string {
  const name = toCamel(value);
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function toCamel(text: string): string {
  const parts = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (parts.length === 0) return "value";
  return parts.map((p, i) => (i === 0 ? p[0]!.toLowerCase() + p.slice(1) : p[0]!.toUpperCase() + p.slice(1))).join("");
}

function escapeIdentifier(name: string): string {
  return SWIFT_KEYWORDS.has(name) ? `\`${name}\`` : name;
}

const ANY_CODABLE = `/// Any JSON value, for fields the protocol leaves free-form.
public struct AnyCodable: Codable {
    public let value: Any

    public init(_ value: Any?) {
        self.value = value ?? NSNull()
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = NSNull()
        } else if let bool = try? container.decode(Bool.self) {
            value = bool
        } else if let int = try? container.decode(Int.self) {
            value = int
        } else if let double = try? container.decode(Double.self) {
            value = double
        } else if let string = try? container.decode(String.self) {
            value = string
        } else if let array = try? container.decode([AnyCodable].self) {
            value = array.map { $0.value }
        } else if let object = try? container.decode([String: AnyCodable].self) {
            value = object.mapValues { $0.value }
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unsupported JSON value")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case is NSNull:
            try container.encodeNil()
        case let bool as Bool:
            try container.encode(bool)
        case let int as Int:
            try container.encode(int)
        case let double as Double:
            try container.encode(double)
        case let string as String:
            try container.encode(string)
        case let array as [Any]:
            try container.encode(array.map { AnyCodable($0) })
        case let object as [String: Any]:
            try container.encode(object.mapValues { AnyCodable($0) })
        case let nested as AnyCodable:
            try container.encode(nested)
        default:
            let context = EncodingError.Context(codingPath: encoder.codingPath, debugDescription: "unsupported value \\(type(of: value))")
            throw EncodingError.invalidValue(value, context)
        }
    }
}
`;
