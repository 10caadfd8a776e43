/**
 * SecretRefs `{source, provider?, id}`: env refs read the gateway's environment (allowlist, default alias),
 * file refs read a private secrets file of a declared provider (JSON pointer or single value; symlinks, hard
 * links, group/world-readable and oversized files refused); exec/store refs load but never resolve; errors
 * never carry secret text. Redaction keeps refs visible and never treats their strings ("env", a variable
 * name) as secrets, so config.get's raw text keeps its `env` keys.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectSecrets, REDACTED_SENTINEL, redactConfigRaw, redactConfigValue } from "../../src/config/redact.ts";
import { isSecretRef, resolveSecretInput, resolveSecretRef, type SecretContext } from "../../src/config/secret-ref.ts";
import { checkConfig } from "../../src/protocol/index.ts";

const dir = mkdtempSync(join(tmpdir(), "secret-ref-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode = 0o600): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

const env = { SKILL_VAULT_KEY: "env-secret-value", OTHER: "other-value" };
const ctx = (secrets?: unknown): SecretContext => ({ config: secrets === undefined ? {} : { secrets }, env });
const errorOf = (r: ReturnType<typeof resolveSecretRef>) => (r.ok ? `resolved: ${r.value}` : r.error);

describe("env refs", () => {
  test("read the gateway's environment; a missing variable, a bad id and an undeclared provider are errors", () => {
    expect(resolveSecretRef({ source: "env", id: "SKILL_VAULT_KEY" }, ctx())).toEqual({ ok: true, value: "env-secret-value" });
    expect(resolveSecretRef({ source: "env", provider: "default", id: "SKILL_VAULT_KEY" }, ctx())).toEqual({ ok: true, value: "env-secret-value" });
    expect(errorOf(resolveSecretRef({ source: "env", id: "NOT_SET_ANYWHERE" }, ctx()))).toBe("env:default:NOT_SET_ANYWHERE: NOT_SET_ANYWHERE is not set in the gateway's environment");
    expect(errorOf(resolveSecretRef({ source: "env", id: "lower" }, ctx()))).toBe("env:default:lower: an env id must be an upper-case variable name");
    expect(errorOf(resolveSecretRef({ source: "env", provider: "team", id: "OTHER" }, ctx()))).toBe('env:team:OTHER: no env provider "team" in secrets.providers');
  });

  test("a declared env provider's allowlist limits the names; secrets.defaults.env picks the alias", () => {
    const secrets = { providers: { team: { source: "env", allowlist: ["SKILL_VAULT_KEY"] } }, defaults: { env: "team" } };
    expect(resolveSecretRef({ source: "env", id: "SKILL_VAULT_KEY" }, ctx(secrets))).toEqual({ ok: true, value: "env-secret-value" });
    expect(errorOf(resolveSecretRef({ source: "env", id: "OTHER" }, ctx(secrets)))).toBe("env:default:OTHER: OTHER is not in secrets.providers.team.allowlist");
  });
});

describe("file refs", () => {
  test("json mode resolves a JSON pointer (with ~1 / ~0 escapes); singleValue returns the file without its last newline", () => {
    const json = file("secrets.json", JSON.stringify({ skills: { "a/b": { "x~y": "json-secret-value" } }, n: 5 }));
    const single = file("single.txt", "single-secret-value\n");
    const secrets = { providers: { vault: { source: "file", path: json }, one: { source: "file", path: single, mode: "singleValue" } } };
    expect(resolveSecretRef({ source: "file", provider: "vault", id: "/skills/a~1b/x~0y" }, ctx(secrets))).toEqual({ ok: true, value: "json-secret-value" });
    expect(resolveSecretRef({ source: "file", provider: "one", id: "value" }, ctx(secrets))).toEqual({ ok: true, value: "single-secret-value" });
    expect(errorOf(resolveSecretRef({ source: "file", provider: "vault", id: "/skills/missing" }, ctx(secrets)))).toBe("file:vault:/skills/missing: no value at that JSON pointer");
    expect(errorOf(resolveSecretRef({ source: "file", provider: "vault", id: "/n" }, ctx(secrets)))).toBe("file:vault:/n: the value at that JSON pointer is not a non-empty string");
    expect(errorOf(resolveSecretRef({ source: "file", provider: "one", id: "other" }, ctx(secrets)))).toBe('file:one:other: a singleValue provider\'s id must be "value"');
    expect(errorOf(resolveSecretRef({ source: "file", id: "/x" }, ctx(secrets)))).toBe('file:default:/x: no file provider "default" in secrets.providers');
    expect(resolveSecretRef({ source: "file", id: "/skills/a~1b/x~0y" }, ctx({ ...secrets, defaults: { file: "vault" } }))).toEqual({ ok: true, value: "json-secret-value" });
  });

  test("a file others can read, a symlink, a hard-linked file and an oversized file are refused", () => {
    const open = file("open.json", JSON.stringify({ k: "leaky-secret" }), 0o644);
    const real = file("real.json", JSON.stringify({ k: "linked-secret" }));
    const link = join(dir, "link.json");
    symlinkSync(real, link);
    const hard = file("hard.json", JSON.stringify({ k: "hard-secret" }));
    linkSync(hard, join(dir, "hard2.json"));
    const big = file("big.json", JSON.stringify({ k: "x".repeat(200) }));
    const at = (path: string, extra: Record<string, unknown> = {}) => errorOf(resolveSecretRef({ source: "file", provider: "p", id: "/k" }, ctx({ providers: { p: { source: "file", path, ...extra } } })));
    expect(at(open)).toBe(`file:p:/k: ${open} is readable or writable by others (chmod 600 it)`);
    expect(at(link)).toBe(`file:p:/k: ${link} is a symlink (refused)`);
    expect(at(hard)).toBe(`file:p:/k: ${hard} has more than one hard link (refused)`);
    expect(at(big, { maxBytes: 100 })).toBe(`file:p:/k: ${big} is larger than 100 bytes`);
    expect(at(join(dir, "absent.json"))).toBe(`file:p:/k: cannot read ${join(dir, "absent.json")}: ENOENT`);
    expect(at(real)).toBe("resolved: linked-secret");
  });

  test("a file that is not JSON is an error that does not quote it", () => {
    const bad = file("bad.json", "not-json-secret-material");
    const e = errorOf(resolveSecretRef({ source: "file", provider: "p", id: "/k" }, ctx({ providers: { p: { source: "file", path: bad } } })));
    expect(e).toBe("file:p:/k: the file is not valid JSON");
  });
});

describe("inputs and sources", () => {
  test("a string is itself, an empty string or another type is nothing; exec and store refs do not resolve", () => {
    expect(resolveSecretInput("plain", ctx())).toEqual({ ok: true, value: "plain" });
    expect(resolveSecretInput("", ctx())).toBeUndefined();
    expect(resolveSecretInput(42, ctx())).toBeUndefined();
    expect(resolveSecretInput({ source: "env", id: "SKILL_VAULT_KEY", extra: 1 }, ctx())).toBeUndefined();
    expect(errorOf(resolveSecretRef({ source: "exec", provider: "vault", id: "a/b#c" }, ctx()))).toBe("exec:vault:a/b#c: exec secrets are not resolved by this gateway (use env or file)");
    expect(errorOf(resolveSecretRef({ source: "store", id: "K" }, ctx()))).toBe("store:default:K: store secrets are not resolved by this gateway (use env or file)");
    expect(isSecretRef({ source: "vault", id: "x" })).toBe(false);
  });

  test("the config schema takes refs in skills entries and secrets.providers; a bad source or extra key is refused", () => {
    const good = checkConfig({
      secrets: { providers: { vault: { source: "file", path: "~/.openclaw/secrets.json", mode: "json" } }, defaults: { file: "vault" } },
      skills: { entries: { s: { apiKey: { source: "file", provider: "vault", id: "/s" }, env: { A: { source: "env", id: "A_SRC" }, B: "plain" } } } },
    });
    expect(good.ok).toBe(true);
    const bad = checkConfig({ skills: { entries: { s: { apiKey: { source: "vault", id: "x" } } } }, secrets: { providers: { p: { source: "file", mode: "yaml" } } } });
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.issues.map((i) => i.path);
    expect(paths).toContain("skills.entries.s.apiKey.source");
    expect(paths).toContain("secrets.providers.p.mode");
  });
});

describe("redaction", () => {
  const config = { skills: { entries: { s: { apiKey: { source: "env", id: "SKILL_VAULT_KEY" }, env: { PLAIN: "plain-secret", REF: { source: "file", provider: "vault", id: "/k" } } } } } };

  test("config.get's object keeps refs visible and still hides plain secrets; refs add no secret strings", () => {
    expect(redactConfigValue(config)).toEqual({ skills: { entries: { s: { apiKey: { source: "env", id: "SKILL_VAULT_KEY" }, env: { PLAIN: REDACTED_SENTINEL, REF: { source: "file", provider: "vault", id: "/k" } } } } } });
    expect(collectSecrets(config)).toEqual(["plain-secret"]);
  });

  test("config.get's raw text keeps its env keys and refs (a ref's 'env' is not a secret to scrub)", () => {
    const raw = JSON.stringify(config, null, 2);
    const out = redactConfigRaw(raw, config);
    expect(out).not.toContain("plain-secret");
    expect(JSON.parse(out)).toEqual(redactConfigValue(config));
  });
});
