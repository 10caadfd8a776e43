import { describe, expect, test } from "bun:test";
import JSON5 from "json5";
import {
  collectSecrets,
  REDACTED_SENTINEL,
  redactConfigRaw,
  redactConfigText,
  redactConfigValue,
  redactSubstitutedConfig,
  redactUrlPassword,
  restoreRedactedValues,
} from "../../src/config/redact.ts";

const R = REDACTED_SENTINEL;

describe("redactConfigValue", () => {
  test("secret-looking keys are redacted, everything else and ${ENV} references are kept", () => {
    const config = {
      gateway: { port: 1, auth: { mode: "token", token: "t0ken-value", password: "pw" }, remote: { url: "ws://x" } },
      channels: { telegram: { botToken: "123:abc", dmPolicy: "pairing" } },
      models: { providers: { p: { apiKey: "${PROXY_KEY}", baseUrl: "http://x", headers: { Authorization: "Bearer z" }, models: [{ id: "m", maxTokens: 5 }] } } },
      env: { ANTHROPIC_API_KEY: "sk-ant", PLAIN: "visible" },
      hooks: { token: "" },
      skills: { secrets: { nested: "deep" } },
    };
    expect(redactConfigValue(config)).toEqual({
      gateway: { port: 1, auth: { mode: "token", token: R, password: R }, remote: { url: "ws://x" } },
      channels: { telegram: { botToken: R, dmPolicy: "pairing" } },
      models: { providers: { p: { apiKey: "${PROXY_KEY}", baseUrl: "http://x", headers: { Authorization: R }, models: [{ id: "m", maxTokens: 5 }] } } },
      // Every env block value is hidden (issue 17 §7): the block holds keys under any name.
      env: { ANTHROPIC_API_KEY: R, PLAIN: R },
      hooks: { token: "" },
      skills: { secrets: { nested: R } },
    });
    // The input is not changed.
    expect(config.gateway.auth.token).toBe("t0ken-value");
  });

  test("collectSecrets: the literal secrets, longest first, no env references", () => {
    expect(collectSecrets({ a: { token: "short" }, b: { apiKey: "much-longer-key" }, c: { password: "${PW}" }, d: { token: "short" } })).toEqual(["much-longer-key", "short"]);
  });
});

describe("redactConfigText", () => {
  test("quoted secrets become the placeholder; comments and layout stay", () => {
    const raw = `// my config\n{\n  gateway: { auth: { token: "abc123" } }, // keep me\n  hooks: { token: 'hook-secret' },\n}\n`;
    const out = redactConfigText(raw, ["hook-secret", "abc123"]);
    expect(out).toBe(`// my config\n{\n  gateway: { auth: { token: "${R}" } }, // keep me\n  hooks: { token: '${R}' },\n}\n`);
  });

  test("a secret in no quoted form is still removed; quotedOnly leaves unrelated text alone", () => {
    expect(redactConfigText("{ token: abc }", ["abc"])).toBe(`{ token: ${R} }`);
    expect(redactConfigText(`{ name: "xylophone" }`, ["x"], { quotedOnly: true })).toBe(`{ name: "xylophone" }`);
    expect(redactConfigText(`{ name: "xylophone" }`, ["x"])).not.toContain("x");
  });
});

describe("redactConfigRaw", () => {
  test("keeps comments when every secret was found in the text", () => {
    const raw = `{\n  // note\n  gateway: { auth: { token: "tok-1" } },\n}\n`;
    expect(redactConfigRaw(raw, JSON5.parse(raw))).toBe(`{\n  // note\n  gateway: { auth: { token: "${R}" } },\n}\n`);
  });

  test("a secret written with escapes falls back to the redacted object as JSON", () => {
    const raw = `{ gateway: { auth: { token: "t\\u006Fk-1" } } } // gone`;
    const out = redactConfigRaw(raw, JSON5.parse(raw));
    expect(JSON5.parse(out)).toEqual({ gateway: { auth: { token: R } } });
    expect(out).not.toContain("u006F");
  });

  test("unparsable text: only the given secrets, quoted", () => {
    expect(redactConfigRaw(`{ token: "tok-1", broken`, undefined, ["tok-1"])).toBe(`{ token: "${R}", broken`);
  });
});

describe("restoreRedactedValues", () => {
  test("placeholders get the stored value at the same path; changed values win", () => {
    const stored = { gateway: { auth: { token: "real" } }, list: [{ apiKey: "k0" }, { apiKey: "k1" }] };
    const next = { gateway: { auth: { token: R }, port: 2 }, list: [{ apiKey: R }, { apiKey: "new" }] };
    expect(restoreRedactedValues(next, stored)).toEqual({
      value: { gateway: { auth: { token: "real" }, port: 2 }, list: [{ apiKey: "k0" }, { apiKey: "new" }] },
      missing: [],
    });
  });

  test("a placeholder with nothing stored is reported, not written", () => {
    expect(restoreRedactedValues({ hooks: { token: R } }, {}).missing).toEqual(["hooks.token"]);
    expect(restoreRedactedValues({ a: { token: R } }, { a: { token: 5 } }).missing).toEqual(["a.token"]);
  });
});

describe("URL passwords, header values, substituted values (issue 17 §7)", () => {
  test("a URL password is hidden wherever the URL is; user and host stay", () => {
    expect(redactUrlPassword("https://bot:hunter2@proxy.example:8080/x")).toBe(`https://bot:${R}@proxy.example:8080/x`);
    expect(redactUrlPassword("socks5://:pw@127.0.0.1:1080")).toBe(`socks5://:${R}@127.0.0.1:1080`);
    expect(redactUrlPassword("https://example.com/a:b@c")).toBe("https://example.com/a:b@c");
    const out = redactConfigValue({ channels: { telegram: { proxy: "http://u:pw-123@10.0.0.1:3128" } }, models: { providers: { p: { headers: { "X-Custom": "v" } } } } });
    expect(out).toEqual({ channels: { telegram: { proxy: `http://u:${R}@10.0.0.1:3128` } }, models: { providers: { p: { headers: { "X-Custom": R } } } } });
  });

  test("values that came from ${VAR} are hidden in the substituted config; literal $${X} is not a reference", () => {
    const written = { a: { url: "https://${HOST}/x", plain: "p", escaped: "$${LIT}" }, list: ["${ONE}"] };
    const config = { a: { url: "https://secret-host/x", plain: "p", escaped: "${LIT}" }, list: ["value-one"] };
    expect(redactSubstitutedConfig(config, written)).toEqual({ a: { url: R, plain: "p", escaped: "${LIT}" }, list: [R] });
  });

  test("the raw text loses the URL password and header values; write-back restores them", () => {
    const raw = `{ // c\n  channels: { telegram: { proxy: "http://u:pw-123@10.0.0.1:3128" } }, models: { providers: { p: { headers: { "X-Custom": "hv-9" } } } } }`;
    const parsed = JSON5.parse(raw);
    const text = redactConfigRaw(raw, parsed);
    expect(text).not.toContain("pw-123");
    expect(text).not.toContain("hv-9");
    expect(text).toContain("// c");
    const back = restoreRedactedValues(JSON5.parse(text), parsed);
    expect(back).toEqual({ value: parsed, missing: [] });
    // A changed host with the hidden password is not a round trip: refused, not guessed.
    expect(restoreRedactedValues({ channels: { telegram: { proxy: `http://u:${R}@evil:3128` } } }, parsed).missing).toEqual(["channels.telegram.proxy"]);
  });
});
