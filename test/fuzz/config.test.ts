/**
 * Fuzzes the config loader (parseConfigText: JSON5, `${ENV}` substitution, schema) and the start-up checks
 * after it (resolveGatewaySettings) with configs generated from the config schema, real examples, and their
 * structure- and text-level mutations. Properties: the loader either returns a config that passes the schema
 * or throws ConfigError (never another error, never a polluted prototype); the settings step either
 * returns or throws CliError.
 */
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../src/config/load.ts";
import { Rng } from "./_gen.ts";
import { CONFIG_SEEDS, checkConfigInput, DEFAULT_SEED, FUZZ_ENV, generateConfigText } from "./_targets.ts";

const SEED = Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);

describe("config loader", () => {
  test("seeds: each either loads or is a ConfigError", () => {
    for (const text of CONFIG_SEEDS) expect({ text: text.slice(0, 60), problem: checkConfigInput(text) }).toEqual({ text: text.slice(0, 60), problem: undefined });
  });

  test("2 000 generated and mutated configs: ConfigError or a valid config, nothing else", () => {
    const rng = new Rng(SEED);
    const problems: string[] = [];
    let loaded = 0;
    for (let i = 0; i < 2000; i++) {
      const text = generateConfigText(rng);
      const problem = checkConfigInput(text);
      if (problem) problems.push(`#${i} (seed ${SEED}): ${problem} :: ${text.slice(0, 160)}`);
      else {
        try {
          parseConfigText(text, "fuzz.json5", FUZZ_ENV);
          loaded += 1;
        } catch {
          // ConfigError, counted as refused
        }
      }
    }
    expect(problems).toEqual([]);
    // Structure-aware: a real share of inputs are valid configs, so the deeper checks run too.
    expect(loaded).toBeGreaterThan(100);
  }, 60_000);

  test("pathological nesting and size are refused cleanly", () => {
    const deep = (n: number, open: string, close: string, inner = "1") => `{a:${open.repeat(n)}${inner}${close.repeat(n)}}`;
    for (const text of [deep(5_000, "[", "]"), deep(5_000, "{a:", "}"), deep(50_000, "[", "]"), `{a:"${"x".repeat(5_000_000)}"}`, `{${Array.from({ length: 50_000 }, (_, i) => `k${i}:1`).join(",")}}`, "\u0000", "\ufeff{}", "{}".repeat(100_000)]) {
      expect({ text: text.slice(0, 40), problem: checkConfigInput(text) }).toEqual({ text: text.slice(0, 40), problem: undefined });
    }
  });
});
