/**
 * Small TypeBox builders shared by the protocol definitions. Private to `protocol/`.
 */
import { type TLiteral, type TObject, type TProperties, type TSchema, type TUnion, Type as T } from "@sinclair/typebox";

/** Options the definitions use: `$id` names a shared definition, `description` becomes a doc comment. */
export type SchemaOptions = { $id?: string; description?: string };

/** A non-empty string; ids, keys and names on the wire are never "". */
export const NonEmptyString = T.String({ minLength: 1 });

/** A millisecond duration or timestamp: an integer >= 0. */
export const Millis = T.Integer({ minimum: 0 });

/** Anything at all (`{}` in JSON Schema, `unknown` in TS, `AnyCodable` in Swift). */
export const AnyValue = T.Unknown();

/** An object with string keys and any values. */
export const LooseRecord = T.Record(T.String(), T.Unknown());

/**
 * A union of string literals. Kept as `anyOf` of `const` (not `enum`) on purpose: ajv then reports
 * "must be equal to constant" + "must match a schema in anyOf", the text upstream clients expect.
 */
export function defineLiterals<const L extends readonly string[]>(
  values: L,
  options: SchemaOptions = {},
): TUnion<TLiteral<L[number]>[]> {
  return T.Union(
    values.map((v) => T.Literal(v)),
    options,
  ) as never;
}

/** A closed object: unknown keys are rejected. Every wire object is closed unless documented otherwise. */
export function defineClosed<P extends TProperties>(properties: P, options: SchemaOptions = {}): TObject<P> {
  return T.Object(properties, { ...options, additionalProperties: false });
}

/**
 * An open object: the documented keys are typed, anything else passes. Used where upstream ignores or
 * forwards unknown keys (params it never validates, snapshots that grow per channel).
 */
export function defineOpen<P extends TProperties>(properties: P, options: SchemaOptions = {}): TObject<P> {
  return T.Object(properties, { ...options, additionalProperties: true });
}

/** `T | null`, for patch fields where `null` clears the value. */
export function nullable<S extends TSchema>(schema: S) {
  return T.Union([schema, T.Null()]);
}
