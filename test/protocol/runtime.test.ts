import { describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

describe("src/protocol at runtime", () => {
  test("bundles without TypeBox or any schema compilation", async () => {
    const result = await Bun.build({ entrypoints: [join(ROOT, "src/protocol/index.ts")], target: "bun" });
    expect(result.success).toBe(true);
    const code = await result.outputs[0]!.text();
    expect(code).not.toContain("@sinclair/typebox");
    expect(code).not.toContain("new Ajv");
    expect(code).not.toMatch(/\bajv\.compile\b/);
  });

  test("the plain-data protocol files it imports stay free of TypeBox", async () => {
    for (const file of ["protocol/constants.ts", "protocol/methods.ts"]) {
      const text = await readFile(join(ROOT, file), "utf8");
      expect(text).not.toMatch(/^import .*from "(?!\.\/constants\.ts)/m);
    }
  });
});
