/**
 * `config.get` leaves no secret readable (issue 17 §7), through a real gateway: a password inside a URL,
 * header values, `env:` block values and values substituted from `${VAR}` never appear in `raw`, `parsed`
 * or `config`; and writing back what was shown (config.set raw, config.apply parsed, config.patch of the
 * substituted view) keeps the real values on disk.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { REDACTED_SENTINEL } from "../../src/config/redact.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient } from "../helpers/ws.ts";

const env = useCleanup();
const TOKEN = "redaction-test-token-0123456789abcdef012";
const URL_PW = "url-password-7c1e9";
const HEADER = "header-value-5b2d0";
const ENV_VALUE = "env-block-value-9a7f3";
const SUBST = "substituted-host-3e8c1";

beforeAll(() => {
  process.env.OPENCLAW_REDACTION_TEST_HOST = SUBST;
});
afterAll(() => {
  delete process.env.OPENCLAW_REDACTION_TEST_HOST;
});

test("config.get hides URL passwords, headers, env values and substituted values; write-back keeps them", async () => {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false } } });
  const path = join(gw.stateDir, "openclaw.json");
  const text = `// hand-written
{
  gateway: { mode: "local", auth: { token: "${TOKEN}" } },
  browser: { enabled: false },
  canvasHost: { root: "${join(gw.stateDir, "canvas")}" },
  env: { SOME_SERVICE_KEY: "${ENV_VALUE}" },
  models: {
    providers: {
      proxied: { baseUrl: "https://bot:${URL_PW}@proxy.example/v1", headers: { "X-Team-Auth": "${HEADER}" }, models: [{ id: "m1" }] },
      local: { baseUrl: "https://\${OPENCLAW_REDACTION_TEST_HOST}/v1", models: [{ id: "m2" }] },
    },
  },
}
`;
  writeFileSync(path, text);
  const { sock } = await connectClient(gw.url, gw.token);
  const got = (await sock.request("config.get", {})).payload;
  const shown = JSON.stringify(got);
  for (const secret of [URL_PW, HEADER, ENV_VALUE, SUBST, TOKEN]) expect(shown).not.toContain(secret);
  expect(got.config.models.providers.proxied.baseUrl).toBe(`https://bot:${REDACTED_SENTINEL}@proxy.example/v1`);
  expect(got.config.models.providers.local.baseUrl).toBe(REDACTED_SENTINEL);
  expect(got.parsed.models.providers.local.baseUrl).toBe("https://${OPENCLAW_REDACTION_TEST_HOST}/v1");
  expect(got.raw).toContain("// hand-written");

  // config.set of the redacted text, with one unrelated edit.
  const set = await sock.request("config.set", { raw: got.raw.replace('id: "m1"', 'id: "m1b"'), baseHash: got.hash });
  expect(set.error).toBeUndefined();
  let disk = JSON5.parse(readFileSync(path, "utf8"));
  expect(disk.models.providers.proxied).toMatchObject({ baseUrl: `https://bot:${URL_PW}@proxy.example/v1`, headers: { "X-Team-Auth": HEADER }, models: [{ id: "m1b" }] });
  expect(disk.env.SOME_SERVICE_KEY).toBe(ENV_VALUE);

  // config.apply of the redacted parsed object.
  const got2 = (await sock.request("config.get", {})).payload;
  const apply = await sock.request("config.apply", { raw: JSON.stringify(got2.parsed), baseHash: got2.hash, restartDelayMs: 0 });
  expect(apply.error).toBeUndefined();
  disk = JSON5.parse(readFileSync(path, "utf8"));
  expect(disk.models.providers.proxied.baseUrl).toBe(`https://bot:${URL_PW}@proxy.example/v1`);
  expect(disk.gateway.auth.token).toBe(TOKEN);

  // config.patch with the substituted view: the reference is kept, not replaced by the placeholder.
  const got3 = (await sock.request("config.get", {})).payload;
  const patch = await sock.request("config.patch", { raw: JSON.stringify({ models: got3.config.models }), baseHash: got3.hash, restartDelayMs: 0 });
  expect(patch.error).toBeUndefined();
  const after = readFileSync(path, "utf8");
  expect(after).not.toContain(REDACTED_SENTINEL);
  disk = JSON5.parse(after);
  expect(disk.models.providers.local.baseUrl).toBe("https://${OPENCLAW_REDACTION_TEST_HOST}/v1");
  expect(disk.models.providers.proxied.headers["X-Team-Auth"]).toBe(HEADER);
});
