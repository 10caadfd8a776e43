/**
 * Resolves secret references (`{source, provider?, id}`, schema in secrets-schema.ts) at the moment a value
 * is needed, so the config file can name a secret without holding it. `${VAR}` strings are a different thing:
 * load.ts substitutes them when the file is read. Sources resolved here:
 * - `env`: the variable `id` of the gateway's environment (`secrets.providers.<p>.allowlist` limits names);
 * - `file`: `secrets.providers.<p>` with `path` and `mode` (`json`: `id` is a JSON pointer; `singleValue`:
 *   `id` is "value" and the whole file is the secret). The file must be a private regular file of this user.
 * `exec` and `store` refs are valid config but never resolve here. Errors name the ref, never a value.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { expandHome } from "./paths.ts";
import { SECRET_SOURCES, type SecretRef } from "./secrets-schema.ts";

type Env = Record<string, string | undefined>;

/** Largest secrets file read when the provider sets no `maxBytes`. */
export const SECRET_FILE_MAX_BYTES = 1024 * 1024;

/** What a resolution gives: the secret, or why there is none (the message never holds secret text). */
export type SecretResolution = { ok: true; value: string } | { ok: false; error: string };

/** Where refs are resolved: the config (for `secrets.*`) and the gateway's environment. */
export interface SecretContext {
  config: { secrets?: unknown };
  env: Env;
}

const REF_KEYS = new Set(["source", "provider", "id"]);
const ENV_ID = /^[A-Z][A-Z0-9_]{0,127}$/;

/** True when `value` has exactly the SecretRef shape (known source, string id, optional string provider). */
export function isSecretRef(value: unknown): value is SecretRef {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (!Object.keys(v).every((k) => REF_KEYS.has(k))) return false;
  return (SECRET_SOURCES as readonly unknown[]).includes(v.source) && typeof v.id === "string" && v.id !== "" && (v.provider === undefined || typeof v.provider === "string");
}

/** A ref as people read it in messages: `env:default:OPENAI_API_KEY`. */
export function describeSecretRef(ref: SecretRef): string {
  return `${ref.source}:${ref.provider ?? "default"}:${ref.id}`;
}

/**
 * A credential field's value: a non-empty string as it is, a SecretRef resolved now.
 * @returns undefined for anything else (absent, empty string, another type). Never throws.
 */
export function resolveSecretInput(input: unknown, ctx: SecretContext): SecretResolution | undefined {
  if (typeof input === "string") return input === "" ? undefined : { ok: true, value: input };
  if (isSecretRef(input)) return resolveSecretRef(input, ctx);
  return undefined;
}

/**
 * Resolves one ref. Reads the environment or a file; safe to call concurrently. Never throws: every
 * problem (unknown provider, missing variable, unsafe or unreadable file, missing key) is an error result.
 */
export function resolveSecretRef(ref: SecretRef, ctx: SecretContext): SecretResolution {
  const secrets = asRecord(ctx.config.secrets);
  const defaultAlias = stringOr(asRecord(secrets.defaults)[ref.source], "default");
  const alias = ref.provider ?? defaultAlias;
  const provider = asRecord(asRecord(secrets.providers)[alias]);
  const declared = Object.keys(provider).length > 0 && provider.source === ref.source;
  const where = describeSecretRef(ref);
  switch (ref.source) {
    case "env": {
      // The built-in env reader serves the default alias when no env provider of that name is declared.
      if (!declared && alias !== defaultAlias) return fail(`${where}: no env provider "${alias}" in secrets.providers`);
      if (!ENV_ID.test(ref.id)) return fail(`${where}: an env id must be an upper-case variable name`);
      const allow = declared ? provider.allowlist : undefined;
      if (Array.isArray(allow) && !allow.includes(ref.id)) return fail(`${where}: ${ref.id} is not in secrets.providers.${alias}.allowlist`);
      const value = ctx.env[ref.id];
      return value ? { ok: true, value } : fail(`${where}: ${ref.id} is not set in the gateway's environment`);
    }
    case "file": {
      if (!declared) return fail(`${where}: no file provider "${alias}" in secrets.providers`);
      if (typeof provider.path !== "string" || !provider.path) return fail(`${where}: secrets.providers.${alias}.path is not set`);
      const max = typeof provider.maxBytes === "number" ? provider.maxBytes : SECRET_FILE_MAX_BYTES;
      const read = readPrivateFile(expandHome(provider.path, ctx.env), max);
      if (!read.ok) return fail(`${where}: ${read.error}`);
      if (provider.mode === "singleValue") {
        if (ref.id !== "value") return fail(`${where}: a singleValue provider's id must be "value"`);
        const value = read.value.replace(/\r?\n$/, "");
        return value ? { ok: true, value } : fail(`${where}: the file is empty`);
      }
      let data: unknown;
      try {
        data = JSON.parse(read.value);
      } catch {
        // The parser's message quotes the text, which is secret.
        return fail(`${where}: the file is not valid JSON`);
      }
      const value = atPointer(data, ref.id);
      if (value === undefined) return fail(`${where}: ${ref.id.startsWith("/") ? "no value at that JSON pointer" : "a json provider's id must be a JSON pointer (/a/b)"}`);
      return typeof value === "string" && value !== "" ? { ok: true, value } : fail(`${where}: the value at that JSON pointer is not a non-empty string`);
    }
    case "exec":
    case "store":
      return fail(`${where}: ${ref.source} secrets are not resolved by this gateway (use env or file)`);
    default:
      // Only reachable for an object that skipped isSecretRef.
      return fail(`${where}: unknown source`);
  }
}

// --- internal ---

function fail(error: string): SecretResolution {
  return { ok: false, error };
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === "string" && v ? v : fallback;
}

// A secrets file others can read, swap (symlink) or share (hard link) is refused: it would leak or could be
// replaced. Checked on the open descriptor too, so a swap between the checks is caught.
function readPrivateFile(path: string, maxBytes: number): { ok: true; value: string } | { ok: false; error: string } {
  let fd: number | undefined;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return { ok: false, error: `${path} is a symlink (refused)` };
    if (!st.isFile()) return { ok: false, error: `${path} is not a regular file` };
    fd = openSync(path, "r");
    const f = fstatSync(fd);
    if (f.ino !== st.ino || f.dev !== st.dev) return { ok: false, error: `${path} changed while it was opened` };
    if (f.nlink !== 1) return { ok: false, error: `${path} has more than one hard link (refused)` };
    if ((f.mode & 0o077) !== 0) return { ok: false, error: `${path} is readable or writable by others (chmod 600 it)` };
    if (typeof process.getuid === "function" && f.uid !== process.getuid()) return { ok: false, error: `${path} is not owned by the gateway's user` };
    if (f.size > maxBytes) return { ok: false, error: `${path} is larger than ${maxBytes} bytes` };
    const buf = Buffer.alloc(f.size);
    const n = f.size > 0 ? readSync(fd, buf, 0, f.size, 0) : 0;
    return { ok: true, value: buf.subarray(0, n).toString("utf8") };
  } catch (err) {
    return { ok: false, error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// RFC 6901: "/a/b~1c" → a → "b/c"; "~0" is "~".
function atPointer(data: unknown, pointer: string): unknown {
  if (!pointer.startsWith("/")) return undefined;
  let cur = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
