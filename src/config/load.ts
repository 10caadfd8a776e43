/**
 * Reads and validates the config file.
 *
 * Precedence, lowest first: built-in defaults < config file (after `${ENV}` substitution) < environment
 * variables (OPENCLAW_GATEWAY_PORT, OPENCLAW_GATEWAY_TOKEN, …) < CLI flags. The file layer is resolved here;
 * env and flags are layered on by the consumers (`resolveGatewaySettings`) so each source is visible.
 *
 * "No config file" is normal and yields `{}`; an unreadable or invalid file is a {@link ConfigError} listing
 * every bad path, and nothing is guessed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import JSON5 from "json5";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { checkConfig } from "../protocol/index.ts";
import type { OpenClawConfig } from "./schema.ts";

type Env = Record<string, string | undefined>;

/** A config file as loaded. */
export interface LoadedConfig {
  /** Absolute path of the file (whether or not it exists). */
  path: string;
  exists: boolean;
  /** The file's text, `""` when missing. */
  raw: string;
  /** SHA-256 hex of `raw`; lets writers detect a concurrent change. */
  hash: string;
  /** The validated config with `${ENV}` references substituted. `{}` when the file is missing. */
  config: OpenClawConfig;
}

const ENV_REF = /\$\$\{[A-Z_][A-Z0-9_]*\}|\$\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Loads the config at `path`.
 * @returns the loaded config; `exists: false` and `{}` when there is no file.
 * @throws ConfigError when the file cannot be read, is not JSON5, has a missing `${ENV}` or fails the schema.
 */
export function loadConfig(path: string, env: Env = process.env): LoadedConfig {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return { path, exists: false, raw: "", hash: hashText(""), config: {} };
    }
    throw new ConfigError(path, [{ path: "", message: `cannot read file: ${(err as Error).message}` }], { cause: err });
  }
  return { path, exists: true, raw, hash: hashText(raw), config: parseConfigText(raw, path, env) };
}

/**
 * Parses, substitutes and validates config text without touching the disk.
 * @throws ConfigError with every issue found.
 */
export function parseConfigText(raw: string, path: string, env: Env = process.env): OpenClawConfig {
  let parsed: unknown;
  try {
    parsed = raw.trim() === "" ? {} : JSON5.parse(raw);
  } catch (err) {
    const e = err as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const where = e.lineNumber ? ` (line ${e.lineNumber}, column ${e.columnNumber})` : "";
    const message = `JSON5 syntax error${where}: ${e.message.replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "")}`;
    throw new ConfigError(path, [{ path: "", message }], { cause: err });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(path, [{ path: "", message: "must be an object at the top level" }]);
  }
  const block = (parsed as { env?: unknown }).env;
  // Variables the block itself put into `env` earlier are not "the real environment": the block's current
  // values win over them (and a key dropped from the block no longer resolves from its old value).
  const owned = ownedEnv.get(env);
  const real = owned ? Object.fromEntries(Object.entries(env).filter(([k]) => !owned.has(k))) : env;
  const scope: Env = { ...(isStringRecord(block) ? block : {}), ...real };
  const issues: ConfigIssue[] = [];
  const substituted = substituteEnv(parsed, scope, "", issues);
  const checked = checkConfig(substituted);
  if (!checked.ok) issues.push(...checked.issues);
  if (issues.length > 0) throw new ConfigError(path, issues);
  return substituted as OpenClawConfig;
}

// Per target object: the keys a config's env block set there (and may therefore change or unset later).
const ownedEnv = new WeakMap<Env, Set<string>>();

/**
 * Brings the config's `env:{…}` block into `target`: keys the real environment already had are never
 * overridden; keys an earlier block set are updated to the new value, and unset when the block no longer
 * has them. Call it again after every reload.
 * @returns the names that were set or updated.
 */
export function applyConfigEnv(config: OpenClawConfig, target: Env = process.env): string[] {
  let owned = ownedEnv.get(target);
  if (!owned) ownedEnv.set(target, (owned = new Set()));
  const block = config.env ?? {};
  for (const key of [...owned]) {
    if (!Object.hasOwn(block, key)) {
      delete target[key];
      owned.delete(key);
    }
  }
  const set: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (target[key] === undefined || owned.has(key)) {
      if (target[key] !== value) set.push(key);
      target[key] = value;
      owned.add(key);
    }
  }
  return set;
}

/**
 * The environment `target` would have after {@link applyConfigEnv} with `config`, without changing it:
 * the real variables, plus the block's keys the real environment does not set.
 */
export function viewConfigEnv(config: OpenClawConfig, target: Env = process.env): Env {
  const owned = ownedEnv.get(target);
  const out: Env = owned ? Object.fromEntries(Object.entries(target).filter(([k]) => !owned.has(k))) : { ...target };
  for (const [key, value] of Object.entries(config.env ?? {})) if (out[key] === undefined) out[key] = value;
  return out;
}

/** SHA-256 hex of a text. */
export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

// --- internal ---

// No real config is this deep; the cap keeps a pathological file a ConfigError instead of a stack overflow.
const MAX_DEPTH = 64;

function substituteEnv(value: unknown, env: Env, path: string, issues: ConfigIssue[], depth = 0): unknown {
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    return null;
  }
  if (typeof value === "string") {
    return value.replace(ENV_REF, (match, name: string | undefined) => {
      if (name === undefined) return match.slice(1); // `$${X}` escapes to a literal `${X}`
      const found = env[name];
      if (found === undefined || found === "") {
        issues.push({ path, message: `missing env var "${name}" (referenced as \${${name}})` });
        return "";
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, join(path, String(i)), issues, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, join(path, k), issues, depth + 1);
    return out;
  }
  return value;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isStringRecord(x: unknown): x is Record<string, string> {
  return x !== null && typeof x === "object" && Object.values(x).every((v) => typeof v === "string");
}
