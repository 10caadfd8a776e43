/**
 * playwright-core is heavy (≈150 ms to load, ≈18 MB of the binary): only src/browser/pw-session.ts may
 * load it, and only lazily (`import("playwright-core")` or `import type`), so the gateway and the CLI start
 * without it. The CLI reaches the browser service through the client only.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : []));
}

test("playwright-core is imported lazily, in src/browser/pw-session.ts only", () => {
  const offenders: string[] = [];
  for (const file of filesUnder(SRC)) {
    const text = readFileSync(file, "utf8");
    if (!text.includes("playwright-core")) continue;
    const rel = relative(SRC, file);
    const eager = [...text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+["']playwright-core["']/gm)];
    if (rel !== "browser/pw-session.ts" || eager.length > 0) offenders.push(rel);
  }
  expect(offenders).toEqual([]);
});

test("the CLI uses only the browser client, errors and types", () => {
  const cliFiles = filesUnder(join(SRC, "cli"));
  const reached = cliFiles.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/from\s+["']([^"']*\/browser\/[^"']+)["']/g)].map((m) => m[1].replace(/^.*\/browser\//, "")));
  expect([...new Set(reached)].sort()).toEqual(["client.ts", "errors.ts", "types.ts"]);
});
