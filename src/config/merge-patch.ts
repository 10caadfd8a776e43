/**
 * JSON merge patch (RFC 7386), the format of `config.patch`.
 */

/**
 * Applies `patch` to `base` and returns the result; neither input is changed. An object patch merges key by
 * key: `null` deletes the key, an object merges into the object there (or into `{}`), anything else
 * (string, number, array) replaces it. A patch that is not an object replaces `base` whole.
 * @example applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: 4 } }) // → { b: { c: 4, d: 3 } }
 */
export function applyMergePatch(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    // defineProperty, not assignment: a `__proto__` key from JSON5 stays a plain key instead of a prototype.
    else Object.defineProperty(out, key, { value: applyMergePatch(out[key], value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}
