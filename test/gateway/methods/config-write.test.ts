/**
 * config.set / config.patch / config.apply over a real socket on an embedded gateway (no daemon, so no
 * in-process restart: that part is in test/gateway/config-restart.test.ts): optimistic hashes, validation
 * that names every bad path and leaves the file alone, redacted secrets kept, `${ENV}` kept as written,
 * live reload, merge-patch semantics.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashText } from "../../../src/config/load.ts";
import { REDACTED_SENTINEL } from "../../../src/config/redact.ts";
import { checkResult } from "../../../src/protocol/index.ts";
import { useCleanup } from "../../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../../helpers/ws.ts";

const env = useCleanup();
const TOKEN = "config-write-token-0123456789abcdef0123";
const SECRET = "sk-real-provider-key-0123456789";

beforeAll(() => {
  process.env.OPENCLAW_TEST_PROXY_KEY = "from-the-environment";
});
afterAll(() => {
  delete process.env.OPENCLAW_TEST_PROXY_KEY;
});

let BASE = "";

async function admin() {
  const gw = await env.gateway({ config: { gateway: { mode: "local", auth: { token: TOKEN } }, browser: { enabled: false } } });
  const { sock } = await connectClient(gw.url, gw.token);
  BASE = BASE_TEMPLATE.replace("<STATE>", gw.stateDir);
  return { gw, sock, path: join(gw.stateDir, "openclaw.json") };
}

async function call(sock: TestSocket, method: string, params: Record<string, unknown> = {}): Promise<any> {
  const res = await sock.request(method, params);
  expect(res.error).toBeUndefined();
  expect(checkResult(method, res.payload)).toEqual({ ok: true });
  return res.payload;
}

async function refused(sock: TestSocket, method: string, params: Record<string, unknown>): Promise<{ code: string; message: string; details?: any }> {
  const res = await sock.request(method, params);
  expect(res.ok).toBe(false);
  return res.error;
}

// What the embedded gateway runs with (the test helper adds canvasHost.root), so only models differ.
const BASE_TEMPLATE = `// written by hand
{
  gateway: { mode: "local", auth: { token: "${TOKEN}" } },
  browser: { enabled: false },
  canvasHost: { root: "<STATE>/canvas" },
  models: {
    providers: {
      proxy: { baseUrl: "http://127.0.0.1:1/v1", apiKey: "\${OPENCLAW_TEST_PROXY_KEY}", api: "openai-completions", models: [{ id: "m1" }] },
      direct: { baseUrl: "http://127.0.0.1:2/v1", apiKey: "${SECRET}", models: [{ id: "d1" }] },
    },
  },
}
`;

describe("config.set", () => {
  test("first write needs no hash; the text is written as sent (comments, ${ENV}), 0600, and its hash is the next baseHash", async () => {
    const { sock, path } = await admin();
    const set = await call(sock, "config.set", { raw: BASE });
    expect(set).toMatchObject({ ok: true, path, hash: hashText(BASE) });
    expect(readFileSync(path, "utf8")).toBe(BASE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // The answer never carries the literal secrets; the env reference is not a secret.
    expect(set.config.models.providers.direct.apiKey).toBe(REDACTED_SENTINEL);
    expect(set.config.gateway.auth.token).toBe(REDACTED_SENTINEL);
    expect(set.config.models.providers.proxy.apiKey).toBe("${OPENCLAW_TEST_PROXY_KEY}");

    const got = await call(sock, "config.get");
    expect(got.hash).toBe(set.hash);
    expect(got.raw).not.toContain(SECRET);
    expect(got.raw).not.toContain(TOKEN);
    expect(got.raw).toContain("// written by hand");
    expect(got.raw).toContain("${OPENCLAW_TEST_PROXY_KEY}");
    expect(got.parsed.models.providers.direct.apiKey).toBe(REDACTED_SENTINEL);
    expect(got.config.models.providers.direct.apiKey).toBe(REDACTED_SENTINEL);
  });

  test("once a file exists: baseHash required, a stale one refused, the file untouched", async () => {
    const { sock, path } = await admin();
    const first = await call(sock, "config.set", { raw: BASE });
    const next = BASE.replace('id: "m1"', 'id: "m2"');
    expect(await refused(sock, "config.set", { raw: next })).toEqual({ code: "INVALID_REQUEST", message: "config base hash required; re-run config.get and retry" });
    expect(await refused(sock, "config.set", { raw: next, baseHash: hashText("something else") })).toEqual({
      code: "INVALID_REQUEST",
      message: "config changed since last load; re-run config.get and retry",
    });
    // Someone edits the file by hand: the hash the client holds is now stale.
    writeFileSync(path, `${BASE}\n// edited\n`);
    expect((await refused(sock, "config.set", { raw: next, baseHash: first.hash })).message).toBe("config changed since last load; re-run config.get and retry");
    expect(readFileSync(path, "utf8")).toBe(`${BASE}\n// edited\n`);
    const ok = await call(sock, "config.set", { raw: next, baseHash: (await call(sock, "config.get")).hash });
    expect(readFileSync(path, "utf8")).toBe(next);
    expect(ok.hash).toBe(hashText(next));
  });

  test("an invalid config is refused with every bad path named; the file is untouched", async () => {
    const { sock, path } = await admin();
    const { hash } = await call(sock, "config.set", { raw: BASE });
    const bad = `{ gateway: { mode: "local", port: "nope", bind: "moon" }, logging: { level: "loud" } }`;
    const err = await refused(sock, "config.set", { raw: bad, baseHash: hash });
    expect(err.code).toBe("INVALID_REQUEST");
    expect(err.message).toBe("invalid config");
    const paths = err.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["gateway.port", "gateway.bind", "logging.level"]));
    expect(readFileSync(path, "utf8")).toBe(BASE);

    const syntax = await refused(sock, "config.set", { raw: "{ gateway: ", baseHash: hash });
    expect(syntax.code).toBe("INVALID_REQUEST");
    expect(syntax.message).toStartWith("SyntaxError: JSON5:");

    // A reference to an unset variable would make the daemon refuse to start: refused here.
    const missingEnv = await refused(sock, "config.set", { raw: `{ hooks: { token: "\${OPENCLAW_TEST_NOT_SET_ANYWHERE}" } }`, baseHash: hash });
    expect(missingEnv.details.issues).toEqual([expect.objectContaining({ path: "hooks.token", message: expect.stringContaining("OPENCLAW_TEST_NOT_SET_ANYWHERE") })]);
    expect(await refused(sock, "config.set", { raw: "[1, 2]", baseHash: hash })).toMatchObject({ message: "invalid config" });
    expect(readFileSync(path, "utf8")).toBe(BASE);
  });

  test("redacted secrets sent back unchanged keep the stored value; a changed secret is written", async () => {
    const { sock, path } = await admin();
    await call(sock, "config.set", { raw: BASE });
    const got = await call(sock, "config.get");
    // The client edits the redacted text it was given and sends it back.
    const edited = got.raw.replace('id: "d1"', 'id: "d2"');
    expect(edited).toContain(REDACTED_SENTINEL);
    const set = await call(sock, "config.set", { raw: edited, baseHash: got.hash });
    const onDisk = readFileSync(path, "utf8");
    expect(onDisk).not.toContain(REDACTED_SENTINEL);
    const written = JSON.parse(onDisk);
    expect(written.models.providers.direct).toMatchObject({ apiKey: SECRET, models: [{ id: "d2" }] });
    expect(written.gateway.auth.token).toBe(TOKEN);
    expect(written.models.providers.proxy.apiKey).toBe("${OPENCLAW_TEST_PROXY_KEY}");
    expect(set.hash).toBe(hashText(onDisk));

    // The redacted `config` object round-trips too, and a real new value replaces the old one.
    const again = await call(sock, "config.get");
    const obj = again.config;
    obj.models.providers.proxy.apiKey = again.parsed.models.providers.proxy.apiKey; // keep the reference, not its value
    obj.models.providers.direct.apiKey = "sk-rotated";
    await call(sock, "config.set", { raw: JSON.stringify(obj), baseHash: again.hash });
    const rotated = JSON.parse(readFileSync(path, "utf8"));
    expect(rotated.models.providers.direct.apiKey).toBe("sk-rotated");
    expect(rotated.gateway.auth.token).toBe(TOKEN);
  });

  test("a placeholder where nothing is stored is refused, not written", async () => {
    const { sock, path } = await admin();
    const { hash } = await call(sock, "config.set", { raw: BASE });
    const err = await refused(sock, "config.set", { raw: `{ gateway: { mode: "local" }, hooks: { token: "${REDACTED_SENTINEL}" } }`, baseHash: hash });
    expect(err).toMatchObject({ code: "INVALID_REQUEST", message: "invalid config" });
    expect(err.details.issues).toEqual([{ path: "hooks.token", message: expect.stringContaining("no stored value") }]);
    expect(readFileSync(path, "utf8")).toBe(BASE);
  });

  test("a hot-reloadable change is applied live; .last-good follows", async () => {
    const { gw, sock, path } = await admin();
    expect((await call(sock, "models.list")).models).toEqual([]);
    const set = await call(sock, "config.set", { raw: BASE });
    expect(set.reload).toBe("hot");
    expect(set.restart).toBeUndefined();
    expect((await call(sock, "models.list")).models.map((m: { id: string }) => m.id).sort()).toEqual(["d1", "m1"]);
    // The running config has the reference substituted.
    expect(gw.handle.ctx.config.models?.providers?.proxy?.apiKey).toBe("from-the-environment");
    expect(readFileSync(`${path}.last-good`, "utf8")).toBe(BASE);
    expect(statSync(`${path}.last-good`).mode & 0o777).toBe(0o600);

    // Writing the same meaning again changes nothing live.
    const same = await call(sock, "config.set", { raw: `${BASE}\n`, baseHash: set.hash });
    expect(same.reload).toBe("none");
  });

  test("a change that needs a restart is written but not applied when nothing can restart the gateway", async () => {
    const { gw, sock, path } = await admin();
    const { hash } = await call(sock, "config.set", { raw: BASE });
    const next = BASE.replace('mode: "local",', 'mode: "local", port: 19555,');
    const set = await call(sock, "config.set", { raw: next, baseHash: hash });
    expect(set.reload).toBe("restart");
    expect(set.restart).toMatchObject({ ok: false, mode: "unavailable", pid: process.pid });
    expect(readFileSync(path, "utf8")).toBe(next);
    expect(gw.handle.ctx.config.gateway?.port).toBeUndefined();
  });
});

describe("config.patch", () => {
  test("merge patch: objects merge, null deletes, arrays replace; the secret and the reference survive", async () => {
    const { gw, sock, path } = await admin();
    const { hash } = await call(sock, "config.set", { raw: BASE.replace("browser: { enabled: false },", 'browser: { enabled: false },\n  hooks: { enabled: false, path: "/h" },') });
    const patch = `{
      models: { providers: { proxy: { models: [{ id: "m9" }] }, direct: null } },
      hooks: null,
      session: { mainKey: "home" }, // new key
    }`;
    const res = await call(sock, "config.patch", { raw: patch, baseHash: hash, restartDelayMs: 0 });
    expect(res.restart).toMatchObject({ ok: false, mode: "unavailable", delayMs: 0 });
    expect(res.sentinel).toBeNull();
    const written = JSON.parse(readFileSync(path, "utf8"));
    expect(written).toEqual({
      gateway: { mode: "local", auth: { token: TOKEN } },
      browser: { enabled: false },
      canvasHost: { root: join(gw.stateDir, "canvas") },
      models: { providers: { proxy: { baseUrl: "http://127.0.0.1:1/v1", apiKey: "${OPENCLAW_TEST_PROXY_KEY}", api: "openai-completions", models: [{ id: "m9" }] } } },
      session: { mainKey: "home" },
    });
    expect(res.hash).toBe(hashText(readFileSync(path, "utf8")));
    // Embedded: applied live as far as it goes.
    expect((await call(sock, "models.list")).models.map((m: { id: string }) => m.id)).toEqual(["m9"]);
    expect(gw.handle.ctx.config.session?.mainKey).toBe("home");
  });

  test("a redacted placeholder in the patch keeps the stored secret", async () => {
    const { sock, path } = await admin();
    const { hash } = await call(sock, "config.set", { raw: BASE });
    await call(sock, "config.patch", { raw: JSON.stringify({ models: { providers: { direct: { apiKey: REDACTED_SENTINEL, baseUrl: "http://127.0.0.1:3/v1" } } } }), baseHash: hash });
    const direct = JSON.parse(readFileSync(path, "utf8")).models.providers.direct;
    expect(direct).toMatchObject({ apiKey: SECRET, baseUrl: "http://127.0.0.1:3/v1" });
  });

  test("refusals: no or stale hash, non-object patch, invalid result, invalid file on disk; nothing written", async () => {
    const { sock, path } = await admin();
    const { hash } = await call(sock, "config.set", { raw: BASE });
    expect((await refused(sock, "config.patch", { raw: "{}" })).message).toBe("config base hash required; re-run config.get and retry");
    expect((await refused(sock, "config.patch", { raw: "[1]", baseHash: hash })).message).toBe("config.patch raw must be an object");
    const invalid = await refused(sock, "config.patch", { raw: `{ gateway: { port: -1 } }`, baseHash: hash });
    expect(invalid.message).toBe("invalid config");
    expect(invalid.details.issues.map((i: { path: string }) => i.path)).toContain("gateway.port");
    expect(readFileSync(path, "utf8")).toBe(BASE);

    writeFileSync(path, `{ gateway: { port: "broken" } }`);
    const broken = await refused(sock, "config.patch", { raw: "{}", baseHash: hashText(`{ gateway: { port: "broken" } }`) });
    expect(broken).toEqual({ code: "INVALID_REQUEST", message: "invalid config; fix before patching" });
  });
});

describe("config.apply", () => {
  test("writes the whole file like config.set; restart is reported unavailable when embedded", async () => {
    const { sock, path, gw } = await admin();
    const res = await call(sock, "config.apply", { raw: BASE, note: "new models", sessionKey: "main" });
    expect(res).toMatchObject({ ok: true, path, hash: hashText(BASE), restart: { ok: false, delayMs: 2000, reason: "config.apply" }, sentinel: null });
    expect(readFileSync(path, "utf8")).toBe(BASE);
    // No restart will happen, so no note is left for one.
    expect(existsSync(join(gw.stateDir, "restart-sentinel.json"))).toBe(false);
    expect((await refused(sock, "config.apply", { raw: BASE })).message).toBe("config base hash required; re-run config.get and retry");
  });

  test("only operator.admin may write config", async () => {
    const { gw } = await admin();
    const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.read", "operator.write"] });
    for (const method of ["config.set", "config.apply", "config.patch"]) {
      expect(await refused(sock, method, { raw: "{}" })).toEqual({ code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    }
  });
});
