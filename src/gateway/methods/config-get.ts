import { readFileSync } from "node:fs";
import JSON5 from "json5";
import { hashText, loadConfig } from "../../config/load.ts";
import { ConfigError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `config.get`: the config file as on disk now (raw text, hash for optimistic writes) and whether it is
 * valid. When the file is invalid, `config` is the running (last good) config and `issues` says why.
 */
export const configGet: MethodHandler = (ctx) => {
  const path = ctx.gw.loaded.path;
  try {
    const now = loadConfig(path);
    return { path, exists: now.exists, raw: now.raw, parsed: parseLoose(now.raw), hash: now.hash, valid: true, issues: [], warnings: [], legacyIssues: [], config: now.config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    let raw = "";
    try {
      raw = readFileSync(path, "utf8");
    } catch {
      // unreadable: the issue says so
    }
    return { path, exists: true, raw, parsed: parseLoose(raw), hash: hashText(raw), valid: false, issues: err.issues, warnings: [], legacyIssues: [], config: ctx.gw.config };
  }
};

/** The file as written (before substitution and validation), or null when it does not parse. */
function parseLoose(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON5.parse(raw);
  } catch {
    return null;
  }
}
