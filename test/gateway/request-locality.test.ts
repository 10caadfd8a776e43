/** The one locality check: loopback peer, no proxy headers, loopback Host. */
import { expect, test } from "bun:test";
import { isLocalRequest } from "../../src/gateway/request-locality.ts";

const req = (headers: Record<string, string> = {}) => new Request("http://127.0.0.1:18789/healthz", { headers });

test("a loopback peer with a loopback or missing Host is local", () => {
  for (const addr of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
    expect(isLocalRequest(req({ host: "127.0.0.1:18789" }), addr)).toBe(true);
    expect(isLocalRequest(req({ host: "localhost" }), addr)).toBe(true);
    expect(isLocalRequest(req({ host: "[::1]:18789" }), addr)).toBe(true);
  }
});

test("a remote or unknown peer is not local", () => {
  for (const addr of ["10.0.0.2", "192.168.1.5", "::ffff:10.0.0.2", "fe80::1", "unknown", "", undefined]) {
    expect(isLocalRequest(req({ host: "localhost" }), addr)).toBe(false);
  }
});

test("a proxy header makes a loopback peer remote", () => {
  for (const h of ["x-forwarded-for", "x-real-ip", "forwarded"]) expect(isLocalRequest(req({ host: "localhost", [h]: "203.0.113.9" }), "127.0.0.1")).toBe(false);
});

test("a loopback peer asking for another Host (DNS rebinding, tunnel) is remote", () => {
  for (const host of ["evil.example:18789", "127.0.0.1.nip.io", "192.168.1.5", "localhost.evil.example"]) {
    expect(isLocalRequest(req({ host }), "127.0.0.1")).toBe(false);
  }
});
