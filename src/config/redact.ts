/**
 * Secrets in config as clients see it. `config.get` replaces every secret-looking value (tokens, passwords,
 * API keys, secrets, HTTP header values, `env` block values) with {@link REDACTED_SENTINEL}, and the
 * password of a URL with userinfo (`https://user:PW@host`) inside the URL; the substituted config hides
 * every value that came from a `${VAR}` reference. The write methods put the stored value back wherever a
 * client returns a redacted value unchanged, so a round trip through an editor never overwrites a real
 * secret with the placeholder. `${ENV}` references themselves are not secrets (the value lives in the
 * environment) and stay visible as written; so do SecretRef objects (`{source, provider?, id}`).
 */
import JSON5 from "json5";
import { isSecretRef } from "./secret-ref.ts";

/** What a redacted value reads as (the upstream's placeholder, so its clients recognise it). */
export const REDACTED_SENTINEL = "__OPENCLAW_REDACTED__";

// Key names whose string values are secret: `token`, `botToken`, `password`, `clientSecret`, `apiKey`,
// `api_key`, `ANTHROPIC_API_KEY` (env block), and HTTP `Authorization` headers. `maxTokens` does not match.
// Every value under `headers` (custom auth headers have any name) and under an `env` block is secret too.
const SENSITIVE_KEY = [/token$/i, /password/i, /secret/i, /api.?key/i, /^authorization$/i, /^headers$/i, /^env$/i];
// scheme://user:password@ — the password part is what gets hidden.
const URL_USERINFO = /^(\s*[a-z][a-z0-9+.-]*:\/\/[^/?#@\s:]*:)([^/?#@\s]+)(@)/i;
const ENV_REF_ANYWHERE = /(?<!\$)\$\{[A-Z_][A-Z0-9_]*\}/;
const ENV_REFERENCE_ONLY = /^\s*\$\{[A-Z_][A-Z0-9_]*\}\s*$/;

/** True when values under `key` are secret. */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.some((re) => re.test(key));
}

/**
 * A deep copy of `value` with every secret string replaced by the sentinel. Strings under a sensitive key
 * are secret (also inside arrays and objects under it), unless they are only an `${ENV}` reference.
 */
export function redactConfigValue<T>(value: T): T {
  return walk(value, false) as T;
}

/**
 * A string with the password of a URL's userinfo replaced by the sentinel; other strings unchanged.
 * @example redactUrlPassword("https://bot:hunter2@proxy:8080") // "https://bot:__OPENCLAW_REDACTED__@proxy:8080"
 */
export function redactUrlPassword(value: string): string {
  return value.replace(URL_USERINFO, (_m, head: string, pw: string, at: string) => (pw === REDACTED_SENTINEL ? `${head}${pw}${at}` : `${head}${REDACTED_SENTINEL}${at}`));
}

/**
 * The substituted (running) config with every value that came from a `${VAR}` reference replaced by the
 * sentinel, then {@link redactConfigValue}. `written` is the file as written (references unsubstituted);
 * where it holds a string with a reference, the value at the same path is hidden.
 */
export function redactSubstitutedConfig<T>(config: T, written: unknown): T {
  const hide = (v: unknown, w: unknown): unknown => {
    if (typeof v === "string") return typeof w === "string" && ENV_REF_ANYWHERE.test(w) && v !== "" ? REDACTED_SENTINEL : v;
    if (Array.isArray(v)) return v.map((item, i) => hide(item, Array.isArray(w) ? w[i] : undefined));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = hide(item, isPlainObject(w) ? w[k] : undefined);
      return out;
    }
    return v;
  };
  return redactConfigValue(hide(config, written) as T);
}

/** The secret strings in `value` (same rule as {@link redactConfigValue}), longest first, no duplicates. */
export function collectSecrets(value: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown, sensitive: boolean): void => {
    if (typeof v === "string") {
      if (sensitive && v !== "" && v !== REDACTED_SENTINEL && !ENV_REFERENCE_ONLY.test(v)) found.add(v);
      else if (redactUrlPassword(v) !== v) found.add(v);
    } else if (sensitive && isSecretRef(v)) {
      // A reference names where the secret is; its strings ("env", a variable name) are not secret.
    } else if (Array.isArray(v)) {
      for (const item of v) visit(item, sensitive);
    } else if (isPlainObject(v)) {
      for (const [k, item] of Object.entries(v)) visit(item, sensitive || isSensitiveKey(k));
    }
  };
  visit(value, false);
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * The config file text with each secret replaced by the sentinel. Quoted occurrences (`"secret"`,
 * `'secret'`) are replaced as string literals, so comments and layout stay as written; a secret found in
 * no quoted form (escaped characters) is replaced wherever its characters appear, unless `quotedOnly`
 * (for secrets that may not be in the text at all, where a short one would mangle unrelated text).
 */
export function redactConfigText(raw: string, secrets: readonly string[], opts: { quotedOnly?: boolean } = {}): string {
  let text = raw;
  for (const secret of secrets) {
    const double = JSON.stringify(secret);
    const single = `'${secret}'`;
    const quoted = text.includes(double) || (!/['\\\n]/.test(secret) && text.includes(single));
    // A URL keeps its shape with only the password hidden (also when it sits under a secret key: the
    // whole-value sentinel would lose nothing, but the URL form still restores on write-back).
    const replacement = redactUrlPassword(secret) !== secret ? redactUrlPassword(secret) : REDACTED_SENTINEL;
    if (quoted) {
      text = text.split(double).join(JSON.stringify(replacement));
      if (!/['\\\n]/.test(secret)) text = text.split(single).join(`'${replacement}'`);
    } else if (!opts.quotedOnly) {
      text = text.split(secret).join(replacement);
    }
  }
  return text;
}

/**
 * The config file text as a client may see it: {@link redactConfigText} with the secrets of `parsed` (the
 * text parsed), checked by parsing the result again. When a secret survives (written with escapes) or the
 * text no longer parses, the redacted object is returned as JSON instead: comments are lost, secrets never
 * leak. Text that does not parse at all (`parsed` undefined) only gets `extraSecrets` replaced, quoted.
 */
export function redactConfigRaw(raw: string, parsed: unknown, extraSecrets: readonly string[] = []): string {
  if (parsed === undefined) return redactConfigText(raw, extraSecrets, { quotedOnly: true });
  const text = redactConfigText(raw, collectSecrets(parsed));
  let again: unknown;
  try {
    again = raw.trim() === "" ? {} : JSON5.parse(text);
  } catch {
    again = undefined;
  }
  if (again !== undefined && collectSecrets(again).length === 0) return text;
  return `${JSON.stringify(redactConfigValue(parsed), null, 2)}\n`;
}

/** True when `value` holds the sentinel anywhere. */
export function hasRedactedValues(value: unknown): boolean {
  if (typeof value === "string") return value.includes(REDACTED_SENTINEL);
  if (Array.isArray(value)) return value.some(hasRedactedValues);
  if (isPlainObject(value)) return Object.values(value).some(hasRedactedValues);
  return false;
}

/**
 * Puts stored values back where `next` holds the sentinel: at each such place the string at the same path
 * in `stored` is used.
 * @returns the restored copy and the dotted paths that held the sentinel but have no stored string (the
 *   caller refuses those: writing the placeholder would destroy the secret).
 */
export function restoreRedactedValues(next: unknown, stored: unknown): { value: unknown; missing: string[] } {
  const missing: string[] = [];
  const visit = (v: unknown, old: unknown, path: string): unknown => {
    if (v === REDACTED_SENTINEL) {
      if (typeof old === "string") return old;
      missing.push(path || "<root>");
      return v;
    }
    if (typeof v === "string" && v.includes(REDACTED_SENTINEL)) {
      // A URL whose password was hidden: the stored URL when the client kept everything else as shown.
      if (typeof old === "string" && redactUrlPassword(old) === v) return old;
      missing.push(path || "<root>");
      return v;
    }
    if (Array.isArray(v)) return v.map((item, i) => visit(item, Array.isArray(old) ? old[i] : undefined, join(path, String(i))));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = visit(item, isPlainObject(old) ? old[k] : undefined, join(path, k));
      return out;
    }
    return v;
  };
  return { value: visit(next, stored, ""), missing };
}

// --- internal ---

function walk(value: unknown, sensitive: boolean): unknown {
  if (typeof value === "string") {
    if (sensitive && value !== "" && !ENV_REFERENCE_ONLY.test(value)) return redactUrlPassword(value) !== value ? redactUrlPassword(value) : REDACTED_SENTINEL;
    return redactUrlPassword(value);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, sensitive));
  if (sensitive && isSecretRef(value)) return { ...value };
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, sensitive || isSensitiveKey(k));
    return out;
  }
  return value;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}
