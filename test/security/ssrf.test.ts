/**
 * Advisory class: server-side request forgery. Whatever a model or a lower-privileged client can make the
 * gateway fetch must not reach loopback, private, link-local or other non-public addresses, however the
 * address is spelled (decimal/hex/octal IPv4, IPv6 loopback, mapped and embedded IPv4, names that resolve
 * to loopback) and across redirects, unless the operator opted in. Covered: `web_fetch` and `send` media.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNonPublicAddress } from "../../src/util/net.ts";
import { checkFetchUrl, createWebFetchTool, WEB_FETCH_DEFAULTS } from "../../src/agent/tools/web-fetch.ts";
import { FAKE_TOKEN, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { startTestGateway, TEST_TOKEN } from "../helpers/gateway.ts";
import { connectClient } from "../helpers/ws.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

/** URLs that must never be fetched by default. Each names a loopback, private, link-local or special address. */
const REFUSED = [
  "http://127.0.0.1/",
  "http://127.0.0.1:18789/",
  "http://127.1/",
  "http://127.0.1.3/",
  "http://2130706433/",
  "http://0x7f000001/",
  "http://0x7f.0.0.1/",
  "http://0177.0.0.1/",
  "http://017700000001/",
  "http://%31%32%37.0.0.1/",
  "http://0/",
  "http://0.0.0.0/",
  "http://localhost/",
  "http://LOCALHOST:18789/",
  "http://localhost./",
  "http://foo.localhost/",
  "http://10.0.0.1/",
  "http://172.16.0.1/",
  "http://172.31.255.255/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://[::1]/",
  "http://[0:0:0:0:0:0:0:1]/",
  "http://[::]/",
  "http://[fe80::1]/",
  "http://[febf::1]/",
  "http://[fc00::1]/",
  "http://[fd00:ec2::254]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:7f00:1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::ffff:10.0.0.1]/",
  "http://[::127.0.0.1]/", // IPv4-compatible (deprecated)
  "http://[::ffff:0:127.0.0.1]/", // IPv4-translated (SIIT)
  "http://[64:ff9b::127.0.0.1]/", // NAT64, dotted
  "http://[64:ff9b::7f00:1]/", // NAT64, hex
  "http://[64:ff9b:1::a00:1]/", // local-use NAT64
  "http://[2002:7f00:1::]/", // 6to4 of 127.0.0.1
  "http://[2002:a9fe:a9fe::]/", // 6to4 of 169.254.169.254
  "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", // Teredo
  "http://[2001:db8::1]/",
  "http://[100::1]/", // discard-only
  "http://[fec0::1]/", // site-local (deprecated)
  "http://[ff02::1]/",
  "http://224.0.0.1/",
  "http://255.255.255.255/",
  "http://192.0.0.1/",
  "http://198.18.0.1/",
];

describe("web_fetch", () => {
  test("every spelling of a non-public address is refused", async () => {
    const allowed: string[] = [];
    for (const url of REFUSED) {
      try {
        await checkFetchUrl(url, false);
        allowed.push(url);
      } catch {
        // refused, as it should be
      }
    }
    expect(allowed).toEqual([]);
  });

  test("other schemes and credentials in the URL are refused", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1:6379/_INFO", "data:text/plain,hi", "ws://example.com/", "javascript:alert(1)", "http://user:pass@example.com/"]) {
      await expect(checkFetchUrl(url, false)).rejects.toThrow();
    }
  });

  test("public addresses are public (the classifier is not simply refusing everything)", () => {
    for (const ip of ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1", "169.255.0.1"]) {
      expect({ ip, nonPublic: isNonPublicAddress(ip) }).toEqual({ ip, nonPublic: false });
    }
  });

  test("a public URL that redirects to a private one is refused at the hop", async () => {
    const real = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      seen.push(url);
      if (url.startsWith("http://93.184.216.34")) return new Response(null, { status: 302, headers: { location: "http://127.0.0.1:1/secret" } });
      return new Response("SECRET");
    }) as typeof fetch;
    cleanup.push(() => (globalThis.fetch = real));
    const tool = createWebFetchTool(WEB_FETCH_DEFAULTS);
    const controller = new AbortController();
    await expect(tool.execute({ url: "http://93.184.216.34/" }, { signal: controller.signal } as never)).rejects.toThrow(/refused/);
    expect(seen).toEqual(["http://93.184.216.34/"]);
    for (const location of ["http://[::1]/", "http://2130706433/", "http://localhost/", "file:///etc/passwd"]) {
      seen.length = 0;
      globalThis.fetch = (async (input: RequestInfo | URL) => {
        seen.push(String(input));
        return new Response(null, { status: 301, headers: { location } });
      }) as typeof fetch;
      await expect(tool.execute({ url: "http://93.184.216.34/" }, { signal: controller.signal } as never)).rejects.toThrow();
      expect(seen.length).toBe(1);
    }
  });

  test("allowPrivate is an explicit opt-in", async () => {
    await expect(checkFetchUrl("http://127.0.0.1/", true)).resolves.toBeInstanceOf(URL);
    await expect(checkFetchUrl("http://127.0.0.1/", false)).rejects.toThrow(/refused/);
  });
});

describe("send media (operator.write)", () => {
  test("a non-admin client cannot make the gateway read local files or private URLs and post them to a chat", async () => {
    const fake = startFakeTelegram();
    cleanup.push(() => fake.stop());
    const dir = mkdtempSync(join(tmpdir(), "openclaw-ssrf-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const secretFile = join(dir, "openclaw.json");
    writeFileSync(secretFile, "SECRET-CONFIG-CONTENT");
    const internal = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("SECRET-INTERNAL-SERVICE", { headers: { "content-type": "text/plain" } }) });
    cleanup.push(() => internal.stop(true));
    const gw = await startTestGateway({
      config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, browser: { enabled: false }, channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1 } } },
      channelOptions: { env: {} },
    });
    cleanup.push(() => gw.stop());
    await waitFor(() => gw.handle.ctx.channels.accountSnapshots("telegram")[0]?.running === true);
    const { sock: writer } = await connectClient(gw.url, gw.token, { scopes: ["operator.write"] });
    cleanup.push(() => writer.close());

    const attempts = [secretFile, `file://${secretFile}`, `http://127.0.0.1:${internal.port}/`, `http://localhost:${internal.port}/x.txt`, `http://[::ffff:127.0.0.1]:${internal.port}/`, `http://2130706433:${internal.port}/`, "http://169.254.169.254/latest/meta-data/"];
    let n = 0;
    for (const mediaUrl of attempts) {
      const res = await writer.request("send", { channel: "telegram", to: "1001", message: "", mediaUrl, idempotencyKey: `m${++n}` });
      expect({ mediaUrl, ok: res.ok }).toEqual({ mediaUrl, ok: false });
      const list = await writer.request("send", { channel: "telegram", to: "1001", message: "", mediaUrls: [mediaUrl], idempotencyKey: `l${n}` });
      expect({ mediaUrl, ok: list.ok }).toEqual({ mediaUrl, ok: false });
    }
    const uploads = fake.calls.filter((c) => /^send(Document|Photo|Video|Audio|Animation|MediaGroup)$/.test(c.method));
    expect(uploads).toEqual([]);

    // A public URL that redirects inside: refused at the hop, the internal service never asked.
    let internalHits = 0;
    const inside = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (internalHits++, new Response("SECRET-BEHIND-REDIRECT", { headers: { "content-type": "image/png" } })) });
    cleanup.push(() => inside.stop(true));
    const real = globalThis.fetch;
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith("http://93.184.216.34/")) return Promise.resolve(new Response(null, { status: 302, headers: { location: `http://127.0.0.1:${inside.port}/cat.png` } }));
      return real(input, init);
    }) as typeof fetch;
    try {
      const redirected = await writer.request("send", { channel: "telegram", to: "1001", message: "", mediaUrl: "http://93.184.216.34/cat.png", idempotencyKey: "redirect-1" });
      expect(redirected.ok).toBe(false);
      expect(redirected.error.message).toContain("redirect 1 to http://127.0.0.1:");
    } finally {
      globalThis.fetch = real;
    }
    expect(internalHits).toBe(0);
    expect(fake.calls.filter((c) => /^send(Document|Photo|Video|Audio|Animation|MediaGroup)$/.test(c.method))).toEqual([]);

    // The CLI's `message send --media ./file` (an admin) still works.
    const { sock: adminSock } = await connectClient(gw.url, gw.token);
    cleanup.push(() => adminSock.close());
    const ok = await adminSock.request("send", { channel: "telegram", to: "1001", message: "", mediaUrl: secretFile, idempotencyKey: "admin-1" });
    expect(ok.ok).toBe(true);
  });
});
