import { ConfigError } from "../../errors.ts";
import { loadConfig } from "../../config/load.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `config.get`: the config file as on disk now (raw text, hash for optimistic writes) and whether it is
 * valid; the running config when the file is invalid is the last good one.
 */
export const configGet: MethodHandler = (ctx) => {
  const path = ctx.gw.loaded.path;
  try {
    const now = loadConfig(path);
    return { path, exists: now.exists, raw: now.raw, hash: now.hash, valid: true, issues: [], config: now.config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { path, exists: true, raw: null, hash: null, valid: false, issues: err.issues, config: ctx.gw.config };
  }
};
