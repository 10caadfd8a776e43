/**
 * Advisory class: DNS rebinding of outbound fetches. `web_fetch`, `image` and non-admin `send` media check
 * where a name resolves, then connect: the connection must go to the address that was checked, never to a
 * second DNS answer. `fetchChecked` sends the request to the checked address while the Host header and the
 * TLS server name (SNI and certificate check) keep the original name.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPublicTarget, fetchChecked } from "../../src/util/net.ts";

// `.invalid` never resolves (RFC 6761): reaching the server under that name proves no lookup happened.
const NAME = "pinned.invalid";
const OTHER = "other.invalid";

let dir: string;
let cert: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "openclaw-pin-"));
  const p = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${NAME}`, "-addext", `subjectAltName=DNS:${NAME}`, "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (p.exitCode !== 0) throw new Error(`openssl failed: ${p.stderr.toString()}`);
  cert = readFileSync(join(dir, "cert.pem"), "utf8");
  key = readFileSync(join(dir, "key.pem"), "utf8");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback server answering with the Host header it saw. */
function hostEcho(tls?: { cert: string; key: string }) {
  return Bun.serve({ hostname: "127.0.0.1", port: 0, ...(tls && { tls }), fetch: (req) => new Response(req.headers.get("host") ?? "") });
}

describe("fetchChecked connects to the checked address only", () => {
  test("http: a name that does not resolve still reaches the pinned address, with the original Host", async () => {
    const server = hostEcho();
    try {
      const res = await fetchChecked({ url: new URL(`http://${NAME}:${server.port}/x`), address: "127.0.0.1" });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`${NAME}:${server.port}`);
      // Without the pin the same URL needs DNS, which has no answer for the name.
      await expect(fetch(`http://${NAME}:${server.port}/x`)).rejects.toThrow();
    } finally {
      server.stop(true);
    }
  });

  test("https: SNI and the certificate check use the original name, not the address", async () => {
    const server = hostEcho({ cert, key });
    try {
      const res = await fetchChecked({ url: new URL(`https://${NAME}:${server.port}/`), address: "127.0.0.1" }, { tls: { ca: cert } });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`${NAME}:${server.port}`);
      // The same address under another name fails the certificate check: the name is what is verified.
      await expect(fetchChecked({ url: new URL(`https://${OTHER}:${server.port}/`), address: "127.0.0.1" }, { tls: { ca: cert } })).rejects.toThrow();
    } finally {
      server.stop(true);
    }
  });

  test("IP literals and allowPrivate carry no pin; private names are refused before any connection", async () => {
    expect((await checkPublicTarget("http://93.184.216.34/")).address).toBeUndefined();
    expect(await checkPublicTarget("http://localhost:1/", true)).toEqual({ url: new URL("http://localhost:1/") });
    await expect(checkPublicTarget("http://localhost:1/")).rejects.toThrow(/^refused: localhost resolves to a private, loopback or link-local address/);
  });
});
