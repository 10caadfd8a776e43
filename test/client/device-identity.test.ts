import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateDeviceIdentity, signDeviceAuth } from "../../src/client/device-identity.ts";
import { buildDeviceAuthPayload, deriveDeviceId } from "../../src/protocol-shared/device-payload.ts";

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "identity-"));
  path = join(dir, "identity", "device.json");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const posix = process.platform !== "win32";

describe("loadOrCreateDeviceIdentity", () => {
  test("creates an Ed25519 identity with private file and folder modes", () => {
    const identity = loadOrCreateDeviceIdentity(path, { now: () => 1234 });
    expect(identity.version).toBe(1);
    expect(identity.createdAtMs).toBe(1234);
    expect(identity.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(identity.publicKeyPem).toContain("BEGIN PUBLIC KEY");
    expect(identity.privateKeyPem).toContain("BEGIN PRIVATE KEY");
    expect(createPublicKey(identity.publicKeyPem).asymmetricKeyType).toBe("ed25519");
    const der = createPublicKey(identity.publicKeyPem).export({ type: "spki", format: "der" });
    expect(identity.deviceId).toBe(deriveDeviceId(new Uint8Array(der.subarray(der.length - 32))));
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(identity);
    if (posix) {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "identity")).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(join(dir, "identity"))).toEqual(["device.json"]);
  });

  test("loads the same identity again", () => {
    const first = loadOrCreateDeviceIdentity(path);
    expect(loadOrCreateDeviceIdentity(path)).toEqual(first);
  });

  test("recomputes a stale deviceId and narrows a loose file mode", () => {
    const first = loadOrCreateDeviceIdentity(path);
    writeFileSync(path, JSON.stringify({ ...first, deviceId: "stale" }));
    if (posix) chmodSync(path, 0o644);
    const loaded = loadOrCreateDeviceIdentity(path);
    expect(loaded).toEqual(first);
    expect(JSON.parse(readFileSync(path, "utf8")).deviceId).toBe(first.deviceId);
    if (posix) expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test("moves an unreadable file aside and creates a new identity", () => {
    const first = loadOrCreateDeviceIdentity(path);
    const warnings: string[] = [];
    writeFileSync(path, "garbage");
    const second = loadOrCreateDeviceIdentity(path, { now: () => 99, onWarn: (m) => warnings.push(m) });
    expect(second.deviceId).not.toBe(first.deviceId);
    expect(readFileSync(`${path}.corrupt-99`, "utf8")).toBe("garbage");
    expect(warnings).toHaveLength(1);
  });

  test("rejects a file whose private key does not match its public key", () => {
    const first = loadOrCreateDeviceIdentity(path);
    const other = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(path, JSON.stringify({ ...first, privateKeyPem: other }));
    expect(loadOrCreateDeviceIdentity(path, { now: () => 7 }).deviceId).not.toBe(first.deviceId);
    expect(readdirSync(join(dir, "identity")).sort()).toEqual(["device.json", "device.json.corrupt-7"]);
  });
});

describe("signDeviceAuth", () => {
  test("produces a device block whose signature covers the v2 payload", () => {
    const identity = loadOrCreateDeviceIdentity(path);
    const input = {
      clientId: "cli",
      clientMode: "cli",
      role: "operator",
      scopes: ["operator.read"],
      token: "t",
      nonce: "n-1",
      signedAtMs: 1_700_000_000_000,
    };
    const block = signDeviceAuth(identity, input);
    expect(block).toMatchObject({ id: identity.deviceId, signedAt: input.signedAtMs, nonce: "n-1" });
    const raw = Buffer.from(block.publicKey, "base64url");
    expect(raw).toHaveLength(32);
    expect(deriveDeviceId(raw)).toBe(identity.deviceId);
    const payload = buildDeviceAuthPayload({ deviceId: identity.deviceId, ...input });
    expect(payload.startsWith("v2|")).toBe(true);
    const key = createPublicKey(identity.publicKeyPem);
    expect(verify(null, Buffer.from(payload), key, Buffer.from(block.signature, "base64url"))).toBe(true);
  });

  test("without nonce signs v1 and omits the nonce field; signedAt defaults to now", () => {
    const identity = loadOrCreateDeviceIdentity(path);
    const before = Date.now();
    const common = { clientId: "cli", clientMode: "cli", role: "node", scopes: [], token: undefined };
    const block = signDeviceAuth(identity, common);
    expect("nonce" in block).toBe(false);
    expect(block.signedAt).toBeGreaterThanOrEqual(before);
    const payload = buildDeviceAuthPayload({ ...common, deviceId: identity.deviceId, signedAtMs: block.signedAt });
    expect(payload).toBe(`v1|${identity.deviceId}|cli|cli|node||${block.signedAt}|`);
    const key = createPublicKey(identity.publicKeyPem);
    expect(verify(null, Buffer.from(payload), key, Buffer.from(block.signature, "base64url"))).toBe(true);
  });
});

describe("layering", () => {
  test("the client module does not import from src/gateway", () => {
    const source = readFileSync(join(import.meta.dir, "../../src/client/device-identity.ts"), "utf8");
    expect(source).not.toMatch(/from\s+["'][^"']*gateway/);
  });
});
