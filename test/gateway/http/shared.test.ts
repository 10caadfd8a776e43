/**
 * What every HTTP API shares (http.md §2): bearer auth (token or password), 401 then 429 + Retry-After once
 * the per-address limiter trips, 405 with Allow: POST, 400 on bad JSON, 413 over the body cap (declared
 * and chunked), and disabled endpoints falling through to 404.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { CHAT_COMPLETIONS_MAX_BODY_BYTES } from "../../../src/config/http-schema.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../../helpers/gateway.ts";
import { type ApiGateway, endpointsOn, postJson, startApiGateway } from "../../helpers/http-api.ts";

describe("request checks", () => {
  let api: ApiGateway;
  beforeAll(async () => {
    api = await startApiGateway(() => ({
      ...endpointsOn(),
      gateway: { mode: "local", auth: { token: TEST_TOKEN }, http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true, maxBodyBytes: 4096 } } } },
    }));
  });
  afterAll(async () => {
    await api.stop();
  });

  test("missing or wrong bearer: 401 with the OpenAI-style body", async () => {
    for (const path of ["/v1/chat/completions", "/v1/responses", "/tools/invoke"]) {
      for (const token of [null, "wrong"]) {
        const res = await postJson(`${api.base}${path}`, {}, { token });
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toContain("application/json");
        expect(await res.json()).toEqual({ error: { message: "Unauthorized", type: "unauthorized" } });
      }
    }
  });

  test("wrong method: 405 text with Allow: POST", async () => {
    for (const path of ["/v1/chat/completions", "/v1/responses", "/tools/invoke"]) {
      const res = await fetch(`${api.base}${path}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(await res.text()).toBe("Method Not Allowed");
    }
  });

  test("bad JSON: 400 invalid_request_error with the parser's message", async () => {
    const res = await postJson(`${api.base}/v1/chat/completions`, "{not json");
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toStartWith("SyntaxError");
  });

  test("a body one byte over the cap is 413; one at the cap is read", async () => {
    const pad = (n: number) => {
      const base = JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "" }] });
      return JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "x".repeat(n - base.length) }] });
    };
    const over = await postJson(`${api.base}/v1/chat/completions`, pad(CHAT_COMPLETIONS_MAX_BODY_BYTES + 1));
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ error: { message: "payload too large", type: "invalid_request_error" } });
    api.fake.push({ text: "fits" });
    const at = await postJson(`${api.base}/v1/chat/completions`, pad(CHAT_COMPLETIONS_MAX_BODY_BYTES));
    expect(at.status).toBe(200);

    const responsesOver = await postJson(`${api.base}/v1/responses`, { input: "y".repeat(4096) });
    expect(responsesOver.status).toBe(413);
  });

  test("a chunked body without Content-Length is cut at the cap", async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(1024));
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        // Far more than the 4 KiB cap: the server must stop reading, not buffer it all.
        if (sent >= 64) return c.close();
        sent += 1;
        c.enqueue(chunk);
      },
    });
    const res = await fetch(`${api.base}/v1/responses`, { method: "POST", headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(64);
  });

  test("an empty body counts as {}", async () => {
    const res = await postJson(`${api.base}/v1/chat/completions`, "");
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("Missing user message in `messages`.");
  });
});

describe("auth variants and lockout", () => {
  let gw: TestGateway;
  let base: string;
  afterEach(async () => {
    await gw.stop();
  });

  test("in password mode the bearer is the password", async () => {
    gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { password: "pw-secret" } } }, settings: { auth: { mode: "password", password: "pw-secret" } } });
    base = `http://127.0.0.1:${gw.handle.port}`;
    expect((await postJson(`${base}/tools/invoke`, {}, { token: "pw-secret" })).status).toBe(400);
    expect((await postJson(`${base}/tools/invoke`, {}, { token: TEST_TOKEN })).status).toBe(401);
  });

  test("10 wrong secrets lock the address: 429 with Retry-After, even for the right secret", async () => {
    gw = await startTestGateway();
    base = `http://127.0.0.1:${gw.handle.port}`;
    for (let i = 0; i < 10; i++) expect((await postJson(`${base}/tools/invoke`, {}, { token: `wrong-${i}` })).status).toBe(401);
    const locked = await postJson(`${base}/tools/invoke`, { tool: "sessions_list" });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await locked.json()).error.type).toBe("rate_limited");
    expect(gw.logs.some((l) => l.includes("auth failed"))).toBe(true);
  });

  test("requests without any secret do not count towards the lockout", async () => {
    gw = await startTestGateway();
    base = `http://127.0.0.1:${gw.handle.port}`;
    for (let i = 0; i < 12; i++) expect((await postJson(`${base}/tools/invoke`, {}, { token: null })).status).toBe(401);
    expect((await postJson(`${base}/tools/invoke`, { tool: "sessions_list" })).status).toBe(200);
  });

  test("disabled endpoints (the default) fall through: POST 404, GET serves the control UI", async () => {
    gw = await startTestGateway();
    base = `http://127.0.0.1:${gw.handle.port}`;
    for (const path of ["/v1/chat/completions", "/v1/responses"]) {
      expect((await postJson(`${base}${path}`, { input: "x" })).status).toBe(404);
      const page = await fetch(`${base}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
    }
  });
});
