import { describe, expect, test } from "bun:test";
import { applyMergePatch } from "../../src/config/merge-patch.ts";

describe("applyMergePatch (RFC 7386)", () => {
  test("the RFC's example", () => {
    const target = { title: "Goodbye!", author: { givenName: "John", familyName: "Doe" }, tags: ["example", "sample"], content: "This will be unchanged" };
    const patch = { title: "Hello!", phoneNumber: "+01-123-456-7890", author: { familyName: null }, tags: ["example"] };
    expect(applyMergePatch(target, patch)).toEqual({ title: "Hello!", author: { givenName: "John" }, tags: ["example"], content: "This will be unchanged", phoneNumber: "+01-123-456-7890" });
    // Inputs are untouched.
    expect(target.author.familyName).toBe("Doe");
  });

  test("null deletes, objects merge into non-objects, scalars and arrays replace, non-object patch replaces", () => {
    expect(applyMergePatch({ a: 1, b: 2 }, { a: null })).toEqual({ b: 2 });
    expect(applyMergePatch({ a: "x" }, { a: { b: 1, c: null } })).toEqual({ a: { b: 1 } });
    expect(applyMergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(applyMergePatch({ a: 1 }, ["x"])).toEqual(["x"]);
    expect(applyMergePatch({ a: { b: 1 } }, {})).toEqual({ a: { b: 1 } });
  });

  test("a __proto__ key stays a plain key", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}');
    const out = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
