/**
 * Helpers for config tests: the issues of the `ConfigError` a load or parse throws.
 */
import { expect } from "bun:test";
import { parseConfigText } from "../../src/config/load.ts";
import { type ConfigIssue, ConfigError } from "../../src/errors.ts";

/** The issues of the `ConfigError` that `fn` throws; fails the test when it throws anything else, throws Error when it throws nothing. */
export function configIssuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

/** The issues of parsing `text` as `openclaw.json` with an empty env (see `configIssuesOf`). */
export function configIssues(text: string): ConfigIssue[] {
  return configIssuesOf(() => parseConfigText(text, "openclaw.json", {}));
}
