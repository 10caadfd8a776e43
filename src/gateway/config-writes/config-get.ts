import { readFileSync } from "node:fs";
import type { ConfigWritesHost } from "./_host.ts";
import JSON5 from "json5";
import { withObjectModelRefs } from "../../config/form-schema.ts";
import { hashText, loadConfig } from "../../config/load.ts";
import { collectSecrets, redactConfigRaw, redactConfigValue, redactSubstitutedConfig } from "../../config/redact.ts";
import { ConfigError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `config.get`: the config file as on disk now (raw text, hash for optimistic writes) and whether it is
 * valid. When the file is invalid, `config` is the running (last good) config and `issues` says why.
 * Secrets (tokens, passwords, API keys, header values, `env` block values, URL passwords) read as
 * "__OPENCLAW_REDACTED__" in `raw`, `parsed` and `config`, and in `config` so does every value that came
 * from a `${VAR}` reference; the write methods put the stored values back where that placeholder comes
 * back unchanged. The hash is
 * the real file's, so it stays valid as `baseHash`.
 */
export const configGet: MethodHandler<"config.get", ConfigWritesHost> = (ctx) => {
  const path = ctx.host.loaded.path;
  try {
    const now = loadConfig(path);
    return present({ path, exists: now.exists, raw: now.raw, hash: now.hash, valid: true, issues: [], config: now.config });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    let raw = "";
    try {
      raw = readFileSync(path, "utf8");
    } catch {
      // unreadable: the issue says so
    }
    return present({ path, exists: true, raw, hash: hashText(raw), valid: false, issues: err.issues, config: ctx.host.config, written: parseLoose(ctx.host.loaded.raw) });
  }
};

function present(s: { path: string; exists: boolean; raw: string; hash: string; valid: boolean; issues: unknown[]; config: unknown; written?: unknown }) {
  const parsed = parseLoose(s.raw);
  // A file that no longer parses still holds the running config's secrets in its text.
  const raw = redactConfigRaw(s.raw, parsed ?? undefined, collectSecrets(s.config));
  return {
    path: s.path,
    exists: s.exists,
    raw,
    parsed: redactConfigValue(parsed),
    hash: s.hash,
    valid: s.valid,
    issues: s.issues,
    warnings: [],
    legacyIssues: [],
    // Model refs in the object form config.schema describes, so the Control UI form can edit string refs.
    config: withObjectModelRefs(redactSubstitutedConfig(s.config, s.valid ? parsed : s.written)),
  };
}

/** The file as written (before substitution and validation), or null when it does not parse. */
function parseLoose(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON5.parse(raw);
  } catch {
    return null;
  }
}
