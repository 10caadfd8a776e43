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
