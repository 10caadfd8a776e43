/**
 * Layering: the CLI reaches the daemon only through the protocol; low layers never import high ones.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
  return found.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(file, "..", s)));
}

const RULES: [string, string[]][] = [
  ["cli", ["gateway", "channels", "agent"]],
  ["client", ["gateway", "channels", "agent", "cli"]],
  ["config", ["gateway", "channels", "agent", "cli", "client"]],
  ["protocol", ["gateway", "channels", "agent", "cli", "client"]],
  ["logging", ["gateway", "channels", "agent", "cli", "client"]],
  ["release", ["gateway", "channels", "agent", "cli", "client"]],
  ["store", ["gateway", "channels", "agent", "cli", "client"]],
  ["agent", ["gateway", "channels", "cli", "client"]],
  ["services", ["gateway", "channels", "agent", "cli", "client"]],
  ["util", ["gateway", "channels", "agent", "cli", "client", "services"]],
];

for (const [layer, forbidden] of RULES) {
  test(`src/${layer} does not import ${forbidden.join(", ")}`, () => {
    let dir: string;
    try {
      dir = join(SRC, layer);
      readdirSync(dir);
    } catch {
      return;
    }
    const bad = filesUnder(dir).flatMap((f) => importsOf(f).filter((i) => forbidden.some((x) => i === x || i.startsWith(`${x}/`))).map((i) => `${relative(SRC, f)} → ${i}`));
    expect(bad).toEqual([]);
  });
}

test("the AI SDK is imported only in src/agent/llm (loaded lazily by the runtime)", () => {
  const bad = filesUnder(SRC)
    .filter((f) => !relative(SRC, f).startsWith("agent/llm/"))
    .filter((f) => /from\s+["'](ai|@ai-sdk\/[^"']+)["']|import\(\s*["'](ai|@ai-sdk\/[^"']+)["']/.test(readFileSync(f, "utf8")))
    .map((f) => relative(SRC, f));
  expect(bad).toEqual([]);
  const runtime = readFileSync(join(SRC, "agent/runtime.ts"), "utf8");
  expect(runtime).toContain('import("./llm/index.ts")');
  expect(runtime).not.toMatch(/^import [^t].*\.\/llm\//m);
});
